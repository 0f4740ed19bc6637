package io.tokengateway.resilience;

import static io.tokengateway.support.GatewayHarness.ADDRESS;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokengateway.config.GatewayConfig;
import io.tokengateway.support.FakeSignalWire;
import io.tokengateway.support.GatewayHarness;
import io.tokengateway.support.Await;
import io.tokengateway.support.ManualTime;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The upstream token bucket, its bounded wait, the bulkhead, and the pause after SignalWire's 429. */
@ExtendWith(VertxExtension.class)
class UpstreamLimitsIT {

  private static List<HttpResponse<Buffer>> burst(Vertx vertx, GatewayHarness gw, int n, String prefix) {
    return gw.embedsAtOnce(n, i -> prefix + String.format("%08d", i));
  }

  private static Map<String, Object> limits(int perSecond, int burst, int maxWaitMs, int maxQueue) {
    Map<String, Object> m = new HashMap<>();
    m.put("upstream.rateLimit.perSecond", perSecond);
    m.put("upstream.rateLimit.burst", burst);
    m.put("upstream.rateLimit.maxWaitMs", maxWaitMs);
    m.put("upstream.rateLimit.maxQueue", maxQueue);
    return m;
  }

  /** {@code n} embed requests sent at once, not awaited. */
  private static List<Future<HttpResponse<Buffer>>> sendAtOnce(Vertx vertx, GatewayHarness gw, int n, String prefix) {
    var client = io.vertx.ext.web.client.WebClient.create(vertx, new io.vertx.ext.web.client.WebClientOptions()
        .setDefaultHost("127.0.0.1").setDefaultPort(gw.gateway.port()),
        new io.vertx.core.http.PoolOptions().setHttp1MaxSize(n));
    List<Future<HttpResponse<Buffer>>> sent = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      sent.add(client.post("/api/fabric/embeds/tokens")
          .sendJsonObject(new io.vertx.core.json.JsonObject().put("token", prefix + String.format("%08d", i))));
    }
    Future.all(sent).onComplete(ar -> client.close());
    return sent;
  }

  @Test
  void holdsSignalWireToItsRateUnderABurstOfDistinctTokens(Vertx vertx) {
    ManualTime time = new ManualTime(Instant.parse("2026-11-24T10:00:00Z"));
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    GatewayHarness gw = GatewayHarness.start(vertx, GatewayConfig.of(GatewayHarness.settings(upstream,
        limits(20, 5, 5_000, 1_000))), time.time());
    try {
      List<Future<HttpResponse<Buffer>>> sent = sendAtOnce(vertx, gw, 40, "c2c_distinct");
      Await.until(() -> upstream.calls() == 5 && time.pendingTimers() == 35, 10_000,
          "the burst of 5 went at once and 35 calls wait for a permit");
      for (int step = 1; step <= 7; step++) {
        time.advance(Duration.ofMillis(250)); // 20 per second: 5 more permits every 250 ms
        int expected = 5 + 5 * step;
        Await.until(() -> upstream.calls() >= expected, 10_000, expected + " calls after " + 250 * step + " ms");
        assertThat(upstream.calls()).as("calls after " + 250 * step + " ms").isEqualTo(expected);
      }
      for (Future<HttpResponse<Buffer>> f : sent) {
        assertThat(Await.await(f).statusCode()).isEqualTo(201);
      }
      assertThat(upstream.calls()).isEqualTo(40);
    } finally {
      gw.stop();
    }
  }

  @Test
  void queuesWithinItsBoundsAndAnswers503PastThem(Vertx vertx) {
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    GatewayHarness gw = GatewayHarness.start(vertx, upstream, limits(10, 1, 1_000, 2));
    try {
      List<HttpResponse<Buffer>> answers = burst(vertx, gw, 10, "c2c_queued");
      long ok = answers.stream().filter(r -> r.statusCode() == 201).count();
      List<HttpResponse<Buffer>> rejected = answers.stream().filter(r -> r.statusCode() == 503).toList();
      assertThat(ok).as("one permit at once plus two queued").isEqualTo(3);
      assertThat(rejected).hasSize(7);
      assertThat(rejected).allSatisfy(r -> {
        assertThat(r.getHeader("Retry-After")).isEqualTo("1");
        assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo("Service Unavailable");
      });
      assertThat(upstream.calls()).isEqualTo(3);
    } finally {
      gw.stop();
    }
  }

  @Test
  void aWaitLongerThanMaxWaitIsRejectedAtOnce(Vertx vertx) {
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    GatewayHarness gw = GatewayHarness.start(vertx, upstream, limits(1, 1, 100, 1_000));
    try {
      assertThat(gw.embed("c2c_firstToken01").statusCode()).isEqualTo(201);
      HttpResponse<Buffer> second = gw.embed("c2c_secondToken1");
      assertThat(second.statusCode()).isEqualTo(503);
      assertThat(second.getHeader("Retry-After")).isEqualTo("1");
      assertThat(gw.embed("c2c_firstToken01").statusCode()).as("cache hits take no permit").isEqualTo(201);
      assertThat(upstream.calls()).isEqualTo(1);
    } finally {
      gw.stop();
    }
  }

  @Test
  void bulkheadBoundsCallsInFlight(Vertx vertx) {
    FakeSignalWire upstream = FakeSignalWire.start(vertx).hang();
    GatewayHarness gw = GatewayHarness.start(vertx, upstream, Map.of("upstream.maxInFlight", 3,
        "upstream.timeoutMs", 300));
    try {
      List<HttpResponse<Buffer>> answers = burst(vertx, gw, 6, "c2c_inflight");
      assertThat(answers.stream().filter(r -> r.statusCode() == 504).count()).isEqualTo(3);
      assertThat(answers.stream().filter(r -> r.statusCode() == 503).count()).isEqualTo(3);
      assertThat(upstream.calls()).isEqualTo(3);
    } finally {
      upstream.releaseHanging();
      gw.stop();
    }
  }

  @Test
  void signalWires429PausesThatEndpointForRetryAfter(Vertx vertx) {
    ManualTime time = new ManualTime(Instant.parse("2026-11-24T10:00:00Z"));
    FakeSignalWire upstream = FakeSignalWire.start(vertx)
        .answer(429, Map.of("Retry-After", "2", "Content-Type", "application/json"), "{}");
    GatewayHarness gw = GatewayHarness.start(vertx, GatewayConfig.of(GatewayHarness.settings(upstream, Map.of())),
        time.time());
    try {
      HttpResponse<Buffer> limited = gw.embed("c2c_pausedToken1");
      assertThat(limited.statusCode()).isEqualTo(429);
      assertThat(limited.getHeader("Retry-After")).isEqualTo("2");
      upstream.succeed();

      HttpResponse<Buffer> paused = gw.embed("c2c_pausedToken2");
      assertThat(paused.statusCode()).isEqualTo(429);
      assertThat(paused.getHeader("Retry-After")).isEqualTo("2");
      assertThat(upstream.calls()).as("no call while paused").isEqualTo(1);
      assertThat(gw.guest("{\"allowed_addresses\":[\"" + ADDRESS + "\"]}").statusCode())
          .as("the other endpoint is not paused").isEqualTo(201);

      time.advance(Duration.ofMillis(1_500));
      assertThat(gw.embed("c2c_pausedToken3").getHeader("Retry-After")).isEqualTo("1");
      time.advance(Duration.ofMillis(500));
      assertThat(gw.embed("c2c_pausedToken4").statusCode()).isEqualTo(201);
      assertThat(gw.gateway.upstreamGuard().breakerState(io.tokengateway.upstream.Endpoint.EMBEDS))
          .as("a 429 is not a breaker failure").isZero();
    } finally {
      gw.stop();
    }
  }
}
