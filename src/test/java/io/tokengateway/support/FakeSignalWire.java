package io.tokengateway.support;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A scriptable upstream on a random loopback port: records every request it receives and answers with what
 * the test set ({@link #answer}, {@link #hang}); by default a 201 with fresh tokens (and a fresh refresh token
 * on the guest and refresh paths).
 */
public final class FakeSignalWire {

  /** One request as the upstream saw it. */
  public record Received(String method, String path, MultiMap headers, Buffer body, long atNanos) {
    public JsonObject json() {
      return new JsonObject(body);
    }
  }

  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final ConcurrentLinkedQueue<HttpServerRequest> hanging = new ConcurrentLinkedQueue<>();
  private volatile Consumer<HttpServerRequest> behaviour = FakeSignalWire::created;
  private HttpServer server;
  private Vertx vertx;
  private int counter;

  public static FakeSignalWire start(Vertx vertx) {
    FakeSignalWire fake = new FakeSignalWire();
    fake.vertx = vertx;
    fake.server = Await.await(vertx.createHttpServer().requestHandler(fake::handle).listen(0, "127.0.0.1"));
    return fake;
  }

  public int port() {
    return server.actualPort();
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port();
  }

  public List<Received> received() {
    return received;
  }

  public int calls() {
    return received.size();
  }

  /** Answer every request with this status, headers and body. */
  public FakeSignalWire answer(int status, Map<String, String> headers, String body) {
    behaviour = req -> {
      headers.forEach(req.response()::putHeader);
      req.response().setStatusCode(status).end(body);
    };
    return this;
  }

  public FakeSignalWire answer(int status, String jsonBody) {
    return answer(status, Map.of("Content-Type", "application/json"), jsonBody);
  }

  /** Answer with 201 and fresh tokens (the default). */
  public FakeSignalWire succeed() {
    behaviour = FakeSignalWire::created;
    return this;
  }

  /** Answer with 201 and fresh tokens after {@code millis}, as a slow SignalWire. */
  public FakeSignalWire delayed(long millis) {
    behaviour = req -> vertx.setTimer(millis, id -> created(req));
    return this;
  }

  /** Never answer; requests wait until {@link #releaseHanging} or the caller gives up. */
  public FakeSignalWire hang() {
    behaviour = hanging::add;
    return this;
  }

  /** Answers every request held by {@link #hang} with a 201. */
  public void releaseHanging() {
    HttpServerRequest req;
    while ((req = hanging.poll()) != null) {
      created(req);
    }
  }

  public int hangingCount() {
    return hanging.size();
  }

  public Future<Void> close() {
    return server.close();
  }

  private void handle(HttpServerRequest req) {
    req.body().onSuccess(body -> {
      received.add(new Received(req.method().name(), req.path(), MultiMap.caseInsensitiveMultiMap()
          .addAll(req.headers()), body, System.nanoTime()));
      behaviour.accept(req);
    });
  }

  /** A refresh token shaped like SignalWire's (a JWE with {@code alg: dir}: five parts, the second empty). */
  public static String refreshTokenFor(String token) {
    return "eyJhbGciOiJkaXIiLCJ0eXAiOiJSZWZyZXNoIn0..aXZpdml2aXY.refresh-" + token + ".dGFndGFn";
  }

  private static void created(HttpServerRequest req) {
    String token = "tok-" + System.nanoTime();
    JsonObject body = new JsonObject().put("token", token);
    if (req.path().contains("guests") || req.path().contains("refresh")) {
      body.put("refresh_token", refreshTokenFor(token));
    }
    req.response().setStatusCode(201).putHeader("Content-Type", "application/json").end(body.encode());
  }
}
