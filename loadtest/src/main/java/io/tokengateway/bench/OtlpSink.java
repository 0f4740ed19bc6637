package io.tokengateway.bench;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

/**
 * An OTLP receiver that accepts every export and discards it, so {@code loadtest/bench.sh} can measure the
 * gateway with tracing on without a collector. It answers OTLP/HTTP (protobuf or JSON, any path) with an empty
 * success, and OTLP/gRPC over cleartext HTTP/2 with an empty message and {@code grpc-status: 0}.
 * {@code GET /stats} tells how many exports and bytes arrived, which shows the gateway really exported.
 *
 * <pre>java -cp ... io.tokengateway.bench.OtlpSink PORT</pre>
 */
public final class OtlpSink extends VerticleBase {

  private static final Buffer EMPTY_GRPC_MESSAGE = Buffer.buffer(new byte[] {0, 0, 0, 0, 0});
  private final int port;
  private long exports;
  private long bytes;

  OtlpSink(int port) {
    this.port = port;
  }

  @Override
  public Future<?> start() {
    return vertx.createHttpServer(new HttpServerOptions().setPort(port).setHost("127.0.0.1")
            .setHttp2ClearTextEnabled(true))
        .requestHandler(this::handle)
        .listen();
  }

  private void handle(HttpServerRequest req) {
    if (req.method() == HttpMethod.GET && "/stats".equals(req.path())) {
      req.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
          .end(new JsonObject().put("exports", exports).put("bytes", bytes).encode());
      return;
    }
    req.body().onSuccess(body -> {
      exports++;
      bytes += body.length();
      String type = String.valueOf(req.getHeader(HttpHeaders.CONTENT_TYPE));
      if (type.startsWith("application/grpc")) {
        // gRPC's status travels in trailers: the message is written first, then end() sends them
        req.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/grpc").write(EMPTY_GRPC_MESSAGE);
        req.response().putTrailer("grpc-status", "0").end();
      } else if (type.startsWith("application/json")) {
        req.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end("{}");
      } else {
        req.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/x-protobuf").end();
      }
    });
  }

  public static void main(String[] args) {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 4318;
    Vertx vertx = Vertx.vertx();
    vertx.deployVerticle(new OtlpSink(port))
        .onSuccess(id -> System.out.println("OTLP sink on 127.0.0.1:" + port))
        .onFailure(t -> {
          t.printStackTrace();
          System.exit(1);
        });
  }
}
