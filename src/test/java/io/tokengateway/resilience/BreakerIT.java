package io.tokengateway.resilience;

import static io.tokengateway.support.Answers.assertError;
import static io.tokengateway.support.GatewayHarness.ADDRESS;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokengateway.config.GatewayConfig;
import io.tokengateway.support.Await;
import io.tokengateway.support.FakeSignalWire;
import io.tokengateway.support.GatewayHarness;
import io.tokengateway.support.ManualTime;
import io.tokengateway.upstream.Endpoint;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The circuit breaker per endpoint: what opens it, what it answers while open, how it closes. Its reset and its
 * failure window run on Vert.x's timer and the system clock (Vert.x Circuit Breaker), so the tests about them
 * take real time, a second or two.
 */
@ExtendWith(VertxExtension.class)
class BreakerIT {

  private static final Map<String, Object> BREAKER = Map.of("breaker.maxFailures", 3, "breaker.resetSeconds", 1,
      "breaker.windowSeconds", 10);

  @Test
  void opensAfterFailuresAnswers503WithoutCallingAndClosesAfterATrial(Vertx vertx) {
    FakeSignalWire upstream = FakeSignalWire.start(vertx).answer(500, "{\"error\":\"Internal Server Error\"}");
    GatewayHarness gw = GatewayHarness.start(vertx, upstream, BREAKER);
    try {
      assertThat(gw.embed("c2c_failing000").statusCode()).isEqualTo(502);
      assertThat(gw.embed("c2c_failing001").statusCode()).isEqualTo(502);
      long beforeOpening = System.nanoTime();
      assertThat(gw.embed("c2c_failing002").statusCode()).isEqualTo(502);
      HttpResponse<Buffer> open = gw.embed("c2c_failing009");
      assertError(open, 503, "Service Unavailable");
      assertThat(open.getHeader("Retry-After")).isEqualTo("1");
      assertThat(upstream.calls()).as("no call while open").isEqualTo(3);
      assertThat(gw.gateway.upstreamGuard().breakerState(Endpoint.EMBEDS)).isEqualTo(2);
      assertThat(gw.guest("{\"allowed_addresses\":[\"" + ADDRESS + "\"]}").statusCode())
          .as("the guests breaker is separate").isEqualTo(502);

      assertThat(gw.embed("c2c_failing010").statusCode()).as("still open before the reset").isEqualTo(503);
      assertThat(System.nanoTime() - beforeOpening).as("the test got there before the reset")
          .isLessThan(TimeUnit.SECONDS.toNanos(1));
      Await.until(() -> gw.gateway.upstreamGuard().breakerState(Endpoint.EMBEDS) == 1, 5_000, "half-open");
      assertThat(System.nanoTime() - beforeOpening).as("half-open at the reset time")
          .isGreaterThanOrEqualTo(TimeUnit.SECONDS.toNanos(1));
      upstream.succeed();
      assertThat(gw.embed("c2c_trialCall01").statusCode()).isEqualTo(201);
      assertThat(gw.gateway.upstreamGuard().breakerState(Endpoint.EMBEDS)).isEqualTo(0);
    } finally {
      gw.stop();
    }
  }

  @Test
  void aFailedTrialOpensItAgainAndOnlyOneTrialGoesAtATime(Vertx vertx) {
    FakeSignalWire upstream = FakeSignalWire.start(vertx).answer(500, "{\"error\":\"Internal Server Error\"}");
    GatewayHarness gw = GatewayHarness.start(vertx, upstream, BREAKER);
    try {
      for (int i = 0; i < 3; i++) {
        gw.embed("c2c_failing00" + i);
      }
      awaitHalfOpen(gw);
      assertThat(gw.embed("c2c_trialFails1").statusCode()).as("the trial fails").isEqualTo(502);
      assertThat(gw.gateway.upstreamGuard().breakerState(Endpoint.EMBEDS)).as("open again").isEqualTo(2);
      assertThat(gw.embed("c2c_whileOpen01").statusCode()).isEqualTo(503);
      assertThat(upstream.calls()).isEqualTo(4);

      awaitHalfOpen(gw);
      upstream.hang();
      var trial = gw.postAsync("/api/fabric/embeds/tokens", "application/json", "{\"token\":\"c2c_slowTrial01\"}",
          null);
      Await.until(() -> upstream.hangingCount() == 1, 5_000, "the trial reached SignalWire");
      HttpResponse<Buffer> second = gw.embed("c2c_secondCall1");
      assertError(second, 503, "Service Unavailable");
      assertThat(second.getHeader("Retry-After")).isEqualTo("1");
      upstream.releaseHanging();
      assertThat(Await.await(trial).statusCode()).isEqualTo(201);
      assertThat(gw.gateway.upstreamGuard().breakerState(Endpoint.EMBEDS)).isEqualTo(0);
      assertThat(upstream.calls()).isEqualTo(5);
    } finally {
      upstream.releaseHanging();
      gw.stop();
    }
  }

  /**
   * Vert.x counts failures per second of the system clock, keeping the last {@code windowSeconds} seconds that
   * had any: two failures, then two more once their second has left the window.
   */
  @Test
  void failuresFurtherApartThanTheWindowDoNotOpenIt(Vertx vertx) {
    FakeSignalWire upstream = FakeSignalWire.start(vertx).answer(500, "{\"error\":\"Internal Server Error\"}");
    GatewayHarness gw = GatewayHarness.start(vertx, upstream, Map.of("breaker.maxFailures", 3,
        "breaker.resetSeconds", 1, "breaker.windowSeconds", 2));
    try {
      gw.embed("c2c_failing001");
      gw.embed("c2c_failing002");
      long second = System.currentTimeMillis() / 1000;
      Await.until(() -> System.currentTimeMillis() / 1000 > second + 2, 5_000,
          "the failures' second out of the window");
      gw.embed("c2c_failing003");
      gw.embed("c2c_failing004");
      assertThat(gw.gateway.upstreamGuard().breakerState(Endpoint.EMBEDS)).as("3 failures, not within 2 s")
          .isZero();
      upstream.succeed();
      gw.embed("c2c_success0001");
      upstream.answer(500, "{\"error\":\"Internal Server Error\"}");
      gw.embed("c2c_failing005");
      gw.embed("c2c_failing006");
      assertThat(gw.gateway.upstreamGuard().breakerState(Endpoint.EMBEDS)).as("a success ends the run").isZero();
      gw.embed("c2c_failing007");
      assertThat(gw.gateway.upstreamGuard().breakerState(Endpoint.EMBEDS)).isEqualTo(2);
    } finally {
      gw.stop();
    }
  }

  /** The {@code Retry-After} of an open breaker counts down, on the gateway's time, to the trial. */
  @Test
  void whileOpenRetryAfterIsTheTimeLeftUntilTheTrial(Vertx vertx) {
    ManualTime time = new ManualTime(Instant.parse("2026-11-24T10:00:00Z"));
    FakeSignalWire upstream = FakeSignalWire.start(vertx).answer(500, "{\"error\":\"Internal Server Error\"}");
    GatewayHarness gw = GatewayHarness.start(vertx, GatewayConfig.of(GatewayHarness.settings(upstream,
        Map.of("breaker.maxFailures", 3, "breaker.resetSeconds", 30))), time.time());
    try {
      time.advance(Duration.ofMinutes(5)); // from when it opened, not from when the gateway started
      for (int i = 0; i < 3; i++) {
        gw.embed("c2c_failing00" + i);
      }
      assertThat(gw.embed("c2c_whileOpen01").getHeader("Retry-After")).isEqualTo("30");
      time.advance(Duration.ofMillis(11_500));
      assertThat(gw.embed("c2c_whileOpen02").getHeader("Retry-After")).isEqualTo("19");
    } finally {
      gw.stop();
    }
  }

  /**
   * A call the breaker refuses, open or while its trial is under way, takes no upstream permit: the budget is left
   * to the calls that go.
   */
  @Test
  void callsTheBreakerRefusesSpendNoUpstreamPermit(Vertx vertx) {
    FakeSignalWire upstream = FakeSignalWire.start(vertx).answer(500, "{\"error\":\"Internal Server Error\"}");
    GatewayHarness gw = GatewayHarness.start(vertx, upstream, Map.of("breaker.maxFailures", 3,
        "breaker.resetSeconds", 1, "upstream.rateLimit.perSecond", 1, "upstream.rateLimit.burst", 6,
        "upstream.rateLimit.maxWaitMs", 0));
    try {
      for (int i = 0; i < 3; i++) {
        gw.embed("c2c_failing00" + i);
      }
      for (int i = 0; i < 10; i++) {
        assertThat(gw.embed("c2c_whileOpen0" + i).statusCode()).isEqualTo(503);
      }
      awaitHalfOpen(gw);
      upstream.hang();
      var trial = gw.postAsync("/api/fabric/embeds/tokens", "application/json", "{\"token\":\"c2c_slowTrial01\"}",
          null);
      Await.until(() -> upstream.hangingCount() == 1, 5_000, "the trial reached SignalWire");
      for (int i = 0; i < 10; i++) {
        assertThat(gw.embed("c2c_duringTrial" + i).statusCode()).isEqualTo(503);
      }
      upstream.releaseHanging();
      assertThat(Await.await(trial).statusCode()).isEqualTo(201);
      upstream.succeed();
      assertThat(gw.embed("c2c_afterTrial01").statusCode()).isEqualTo(201);
      assertThat(gw.embed("c2c_afterTrial02").statusCode()).as("4 of the 6 permits spent, 2 left").isEqualTo(201);
      assertThat(gw.metric("gateway_rate_limited_total{limiter=\"upstream\"}").orElse(0))
          .as("no call refused for want of a permit").isZero();
    } finally {
      upstream.releaseHanging();
      gw.stop();
    }
  }

  /** The breaker resets on a Vert.x timer, which the injected time does not move: real time, a second. */
  private static void awaitHalfOpen(GatewayHarness gw) {
    Await.until(() -> gw.gateway.upstreamGuard().breakerState(Endpoint.EMBEDS) == 1, 5_000, "half-open");
  }

  @Test
  void timeoutsCountAsFailures(Vertx vertx) {
    FakeSignalWire upstream = FakeSignalWire.start(vertx).hang();
    GatewayHarness gw = GatewayHarness.start(vertx, upstream, Map.of("breaker.maxFailures", 2,
        "upstream.timeoutMs", 100));
    try {
      assertThat(gw.embed("c2c_timeout0001").statusCode()).isEqualTo(504);
      assertThat(gw.embed("c2c_timeout0002").statusCode()).isEqualTo(504);
      assertThat(gw.embed("c2c_timeout0003").statusCode()).isEqualTo(503);
      assertThat(upstream.calls()).isEqualTo(2);
    } finally {
      upstream.releaseHanging();
      gw.stop();
    }
  }

  @Test
  void clientErrorsAndRateLimitsDoNotOpenIt(Vertx vertx) {
    FakeSignalWire upstream = FakeSignalWire.start(vertx).answer(404, "{\"error\":\"Not Found\"}");
    GatewayHarness gw = GatewayHarness.start(vertx, upstream, BREAKER);
    try {
      for (int i = 0; i < 10; i++) {
        assertThat(gw.embed("c2c_unknown00" + i).statusCode()).isEqualTo(404);
      }
      upstream.answer(422, "{\"errors\":[]}");
      for (int i = 0; i < 10; i++) {
        assertThat(gw.embed("c2c_invalid00" + i).statusCode()).isEqualTo(422);
      }
      assertThat(gw.gateway.upstreamGuard().breakerState(Endpoint.EMBEDS)).isEqualTo(0);
      assertThat(upstream.calls()).isEqualTo(20);
    } finally {
      gw.stop();
    }
  }

  @Test
  void staleEmbedTokensAreServedWhileTheBreakerIsOpen(Vertx vertx) {
    ManualTime time = new ManualTime(Instant.parse("2026-11-24T10:00:00Z"));
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    GatewayHarness gw = GatewayHarness.start(vertx,
        GatewayConfig.of(GatewayHarness.settings(upstream, BREAKER)), time.time());
    try {
      String token = "c2c_hotPageToken1";
      String body = gw.embed(token).bodyAsString();
      time.advance(Duration.ofSeconds(1000)); // past its fresh window, before its margin
      upstream.answer(503, "{\"error\":\"Service Unavailable\"}");
      for (int i = 0; i < 3; i++) {
        HttpResponse<Buffer> r = gw.embed(token);
        assertThat(r.getHeader("X-Cache")).isEqualTo("STALE");
        assertThat(r.bodyAsString()).isEqualTo(body);
      }
      int calls = upstream.calls();
      assertThat(gw.gateway.upstreamGuard().breakerState(Endpoint.EMBEDS)).isEqualTo(2);
      HttpResponse<Buffer> whileOpen = gw.embed(token);
      assertThat(whileOpen.statusCode()).isEqualTo(201);
      assertThat(whileOpen.getHeader("X-Cache")).isEqualTo("STALE");
      assertThat(upstream.calls()).isEqualTo(calls);
    } finally {
      gw.stop();
    }
  }
}
