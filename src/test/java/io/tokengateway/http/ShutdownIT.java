package io.tokengateway.http;

import static io.tokengateway.support.Await.await;
import static io.tokengateway.support.GatewayHarness.C2C;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokengateway.support.FakeSignalWire;
import io.tokengateway.support.GatewayHarness;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Graceful shutdown: readiness drops first, in-flight requests finish, then the listener closes. */
@ExtendWith(VertxExtension.class)
class ShutdownIT {

  @Test
  void inFlightRequestFinishesAndReadinessDropsWhileDraining(Vertx vertx) throws Exception {
    FakeSignalWire upstream = FakeSignalWire.start(vertx).hang();
    GatewayHarness gw = GatewayHarness.start(vertx, upstream,
        Map.of("shutdown.drainSeconds", 1, "upstream.timeoutMs", 10_000));
    Future<HttpResponse<Buffer>> inFlight = gw.postAsync("/api/fabric/embeds/tokens", "application/json",
        new JsonObject().put("token", C2C).encode(), null);
    waitUntil(() -> upstream.hangingCount() == 1);

    Future<Void> shutdown = gw.gateway.shutdown();
    HttpResponse<Buffer> ready = gw.get("/health/ready");
    assertThat(ready.statusCode()).isEqualTo(503);
    assertThat(ready.bodyAsJsonObject().getString("state")).isEqualTo("draining");
    upstream.succeed();
    assertThat(gw.embed("c2c_anotherToken01").statusCode()).as("still serving while draining").isEqualTo(201);
    assertThat(shutdown.isComplete()).isFalse();

    upstream.releaseHanging();
    assertThat(await(inFlight).statusCode()).isEqualTo(201);
    await(shutdown);
    assertThat(shutdown.succeeded()).isTrue();
    Future<HttpResponse<Buffer>> after = gw.client.get("/health/live").send();
    assertThat(after.toCompletionStage().toCompletableFuture().handle((r, t) -> t).get(5, TimeUnit.SECONDS))
        .as("the listener is closed").isNotNull();
  }

  /** Polls a condition that another thread makes true; bounded, for ordering only (no fixed sleeps). */
  static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not reached in 10 s");
      }
      Thread.onSpinWait();
      Thread.yield();
    }
  }
}
