package io.tokengateway.bench;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;

/**
 * The reference for the cached embed path: a bare Vert.x 5 server with the gateway's port settings that reads
 * each POST body and answers a fixed 201 JSON of the same size, with the same headers. Nothing else.
 *
 * <pre>java -cp ... io.tokengateway.bench.BareVertxServer PORT INSTANCES BODY_BYTES</pre>
 */
public final class BareVertxServer extends VerticleBase {

  private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");
  private static final CharSequence NO_STORE = HttpHeaders.createOptimized("no-store");
  private static final CharSequence X_CACHE = HttpHeaders.createOptimized("X-Cache");
  private static final CharSequence HIT = HttpHeaders.createOptimized("HIT");

  private final int port;
  private final Buffer answer;

  BareVertxServer(int port, Buffer answer) {
    this.port = port;
    this.answer = answer;
  }

  @Override
  public Future<?> start() {
    return vertx.createHttpServer(new HttpServerOptions().setPort(port).setHost("0.0.0.0")
            .setCompressionSupported(false))
        .requestHandler(req -> req.body().onSuccess(body -> req.response().setStatusCode(201)
            .putHeader(HttpHeaders.CONTENT_TYPE, JSON)
            .putHeader(HttpHeaders.CACHE_CONTROL, NO_STORE)
            .putHeader(X_CACHE, HIT)
            .end(answer)))
        .listen();
  }

  public static void main(String[] args) {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 18100;
    int instances = args.length > 1 ? Integer.parseInt(args[1]) : 1;
    int size = args.length > 2 ? Integer.parseInt(args[2]) : 386;
    String filler = "x".repeat(Math.max(1, size - "{\"token\":\"\"}".length()));
    Buffer answer = Buffer.buffer("{\"token\":\"" + filler + "\"}");
    Vertx vertx = Vertx.vertx();
    vertx.deployVerticle(() -> new BareVertxServer(port, answer), new DeploymentOptions().setInstances(instances))
        .onSuccess(id -> System.out.println("bare Vert.x server on " + port + ", answer " + answer.length() + " bytes"))
        .onFailure(t -> {
          t.printStackTrace();
          System.exit(1);
        });
  }
}
