package io.tokengateway.support;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.concurrent.atomic.AtomicInteger;

/** A site's JWKS endpoint on a random loopback port: serves the JSON the test set, counts fetches, can go down. */
public final class FakeJwks {

  private final AtomicInteger fetches = new AtomicInteger();
  private volatile String jwks = "{\"keys\":[]}";
  private volatile boolean down;
  private volatile boolean hanging;
  private HttpServer server;

  public static FakeJwks start(Vertx vertx, String jwks) {
    FakeJwks fake = new FakeJwks();
    fake.jwks = jwks;
    fake.server = Await.await(vertx.createHttpServer().requestHandler(req -> {
      fake.fetches.incrementAndGet();
      if (fake.hanging) {
        return; // never answered: the gateway's deadline must end the fetch
      }
      if (fake.down) {
        req.response().setStatusCode(503).end("{\"error\":\"down\"}");
      } else {
        req.response().putHeader("Content-Type", "application/json").end(fake.jwks);
      }
    }).listen(0, "127.0.0.1"));
    return fake;
  }

  public String url() {
    return "http://127.0.0.1:" + server.actualPort() + "/.well-known/jwks.json";
  }

  public void serve(String json) {
    this.jwks = json;
  }

  /** While down, every fetch gets a 503. */
  public void down(boolean isDown) {
    this.down = isDown;
  }

  /** While hanging, fetches are never answered. */
  public void hang(boolean isHanging) {
    this.hanging = isHanging;
  }

  public int fetches() {
    return fetches.get();
  }
}
