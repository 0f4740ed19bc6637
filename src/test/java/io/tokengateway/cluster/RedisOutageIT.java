package io.tokengateway.cluster;

import static io.tokengateway.support.GatewayHarness.C2C;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.tokengateway.support.Await;
import io.tokengateway.support.FakeSignalWire;
import io.tokengateway.support.GatewayHarness;
import io.tokengateway.support.LogEvents;
import io.tokengateway.support.RedisSupport;
import io.tokengateway.support.TcpProxy;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * Redis going away, slowing down and coming back, through a relay the test can cut, stall or slow by one reply:
 * the gateway keeps answering from local state and SignalWire, reports {@code gateway_redis_available 0} once
 * {@code redis.failuresToUnavailable} commands in a row have failed (never for one late reply), and returns to 1
 * by itself when a PING is answered.
 */
@ExtendWith(VertxExtension.class)
class RedisOutageIT {

  @Test
  void servesOnLocalStateWhileRedisIsAwayAndRecoversByItself(Vertx vertx) {
    RedisSupport.assumeRunning();
    ListAppender<ILoggingEvent> captured = captureRedisLinkLog();
    RedisSupport redis = new RedisSupport(vertx);
    TcpProxy relay = new TcpProxy(vertx, RedisSupport.PORT).start();
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    GatewayHarness gw = GatewayHarness.start(vertx, upstream,
        redis.settings(Map.of("redis.url", RedisSupport.url(relay.port()))));
    try {
      assertThat(available(gw)).isEqualTo(1);
      assertThat(gw.embed(C2C).statusCode()).isEqualTo(201);

      relay.stop();
      // three probes refused, a second apart (a lost connection counts even during the warm-up)
      Await.until(() -> available(gw) == 0, 10_000, "gateway_redis_available drops to 0");
      assertThat(gw.embed(C2C).getHeader("X-Cache")).as("a local hit needs no Redis").isEqualTo("HIT");
      assertThat(gw.embed("c2c_coldwhileredisaway1").statusCode()).as("a miss goes to SignalWire").isEqualTo(201);
      assertThat(upstream.calls()).isEqualTo(2);

      relay.start();
      Await.until(() -> available(gw) == 1, 5_000, "gateway_redis_available returns to 1");
      Await.until(() -> gw.gateway.embedCache().size() == 0, 5_000,
          "purges may have been missed while away: local entries dropped");
      assertThat(gw.embed(C2C).getHeader("X-Cache")).as("refilled from Redis, not SignalWire").isEqualTo("SHARED");
      assertThat(upstream.calls()).isEqualTo(2);
      assertThat(gw.embed("c2c_afterredisreturned").statusCode()).isEqualTo(201);
      assertThat(redis.keys()).as("shared again once Redis is back").anyMatch(k -> k.endsWith("}:embed"));
      assertThat(LogEvents.snapshot(captured).stream().map(e -> e.getLevel() + " "
          + e.getFormattedMessage().replaceFirst("^Redis \\S+ ", "").split(" ")[0]))
          .as("one line per change of state, however many commands failed")
          .containsExactly("INFO available:", "WARN subscription", "WARN unavailable", "INFO available:",
              "INFO subscribed");
    } finally {
      releaseRedisLinkLog(captured);
      gw.stop();
      redis.close();
    }
  }

  @Test
  void oneLateReplyFailsOnlyItsRequestsUseOfRedis(Vertx vertx) {
    RedisSupport.assumeRunning();
    RedisSupport redis = new RedisSupport(vertx);
    TcpProxy relay = new TcpProxy(vertx, RedisSupport.PORT).start();
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    // no warm-up: the late reply would count, were one enough
    GatewayHarness gw = GatewayHarness.start(vertx, upstream, redis.settings(Map.of(
        "redis.url", RedisSupport.url(relay.port()), "redis.timeoutMs", 100, "redis.warmupSeconds", 0)));
    try {
      relay.slowNextAnswer("GET", 1_000);
      long start = System.nanoTime();
      assertThat(gw.embed(C2C).statusCode()).as("its read too late: SignalWire directly").isEqualTo(201);
      assertThat((System.nanoTime() - start) / 1_000_000).as("waited about redis.timeoutMs, not for the reply")
          .isLessThan(900);
      assertThat(loads(gw, "unavailable")).isEqualTo(1);
      assertThat(available(gw)).as("one late reply is not Redis unavailable").isEqualTo(1);

      assertThat(gw.embed("c2c_afteronelatereply").statusCode()).isEqualTo(201);
      assertThat(loads(gw, "leader")).as("the next miss uses Redis").isEqualTo(1);
      assertThat(available(gw)).isEqualTo(1);
    } finally {
      gw.stop();
      redis.close();
      relay.stop();
    }
  }

  @Test
  void duringTheWarmUpALateReplyIsAwaitedAndUsed(Vertx vertx) {
    RedisSupport.assumeRunning();
    RedisSupport redis = new RedisSupport(vertx);
    TcpProxy relay = new TcpProxy(vertx, RedisSupport.PORT).start();
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    // just started: redis.warmupSeconds (10) is still running
    GatewayHarness gw = GatewayHarness.start(vertx, upstream, redis.settings(Map.of(
        "redis.url", RedisSupport.url(relay.port()), "redis.timeoutMs", 100)));
    try {
      relay.slowNextAnswer("GET", 400);
      long start = System.nanoTime();
      assertThat(gw.embed(C2C).statusCode()).isEqualTo(201);
      assertThat((System.nanoTime() - start) / 1_000_000).as("waited for the late reply").isGreaterThanOrEqualTo(400);
      assertThat(loads(gw, "unavailable")).as("a cold JVM's late reply is still Redis's answer").isZero();
      assertThat(loads(gw, "leader")).isEqualTo(1);
      assertThat(available(gw)).isEqualTo(1);
    } finally {
      gw.stop();
      redis.close();
      relay.stop();
    }
  }

  @Test
  void aStalledRedisCountsAsUnavailableAfterFailuresInARowAndThePingBringsItBack(Vertx vertx) {
    RedisSupport.assumeRunning();
    RedisSupport redis = new RedisSupport(vertx);
    TcpProxy relay = new TcpProxy(vertx, RedisSupport.PORT).start();
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    GatewayHarness gw = GatewayHarness.start(vertx, upstream, redis.settings(Map.of(
        "redis.url", RedisSupport.url(relay.port()), "redis.timeoutMs", 100, "redis.warmupSeconds", 0,
        "redis.failuresToUnavailable", 3)));
    try {
      assertThat(available(gw)).isEqualTo(1);

      relay.stall();
      int sent = 0;
      while (available(gw) == 1 && sent < 20) {
        long start = System.nanoTime();
        HttpResponse<Buffer> answer = gw.embed("c2c_whilestalled" + sent++);
        // the shared entry unanswered: SignalWire directly; the shared bucket unanswered: 503, never a local permit
        assertThat(answer.statusCode()).isIn(201, 503);
        if (answer.statusCode() == 503) {
          assertThat(answer.getHeader("Retry-After")).isEqualTo("1");
        }
        assertThat((System.nanoTime() - start) / 1_000_000).as("each Redis command waited its bound at most")
            .isLessThan(2_000);
      }
      assertThat(available(gw)).as("unavailable after failures in a row").isEqualTo(0);
      int reads = relay.sent("GET");
      int scripts = relay.sent("EVAL");
      assertThat(gw.embed("c2c_oncestalledredisisout").statusCode()).as("local state: SignalWire, the pod's share")
          .isEqualTo(201);
      assertThat(relay.sent("GET") + relay.sent("EVAL")).as("no longer asks Redis").isEqualTo(reads + scripts);

      relay.flow();
      Await.until(() -> available(gw) == 1, 5_000, "the probe's PING answered: gateway_redis_available 1");
      assertThat(gw.embed("c2c_afterredisflowsagain").statusCode()).isEqualTo(201);
      assertThat(loads(gw, "leader")).as("shared again").isEqualTo(1);
    } finally {
      gw.stop();
      redis.close();
      relay.stop();
    }
  }

  @Test
  void startsAndServesWhenRedisNeverAnswers(Vertx vertx) {
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    // nothing listens on port 1 of the loopback
    GatewayHarness gw = GatewayHarness.start(vertx, upstream, Map.of("redis.url", RedisSupport.url(1),
        "cluster.expectedReplicas", 1));
    try {
      assertThat(gw.get("/health/ready").statusCode()).isEqualTo(200);
      assertThat(available(gw)).isEqualTo(0);
      assertThat(gw.embed(C2C).statusCode()).isEqualTo(201);
      assertThat(gw.embed(C2C).getHeader("X-Cache")).isEqualTo("HIT");
    } finally {
      gw.stop();
    }
  }

  @Test
  void withoutRedisEachPodKeepsToItsShareOfTheBudget(Vertx vertx) {
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    GatewayHarness gw = GatewayHarness.start(vertx, upstream, Map.of("redis.url", RedisSupport.url(1),
        "upstream.rateLimit.perSecond", 10, "upstream.rateLimit.burst", 10, "upstream.rateLimit.maxWaitMs", 0,
        "cluster.expectedReplicas", 5));
    try {
      long start = System.nanoTime();
      var answers = gw.embedsAtOnce(8, i -> "c2c_shareofbudget" + i);
      double seconds = (System.nanoTime() - start) / 1e9;
      // a burst of 10 / 5 replicas = 2, refilled at 10 / 5 = 2 per second
      assertThat(upstream.calls()).isBetween(2, 2 + (int) Math.ceil(2 * seconds));
      assertThat(answers.stream().filter(a -> a.statusCode() == 503).count()).isEqualTo(8 - upstream.calls());
    } finally {
      gw.stop();
    }
  }

  @Test
  void aRejectedPasswordIsLoggedWithRedisReasonButNeverThePassword(Vertx vertx) {
    RedisSupport.assumeRunning();
    ListAppender<ILoggingEvent> captured = captureRedisLinkLog();
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    // the test Redis has no such user: AUTH is refused
    GatewayHarness gw = GatewayHarness.start(vertx, upstream, Map.of(
        "redis.url", "redis://no-such-user:pw-never-logged-417@127.0.0.1:" + RedisSupport.PORT + "/0", "redis.timeoutMs", 500,
        "cluster.expectedReplicas", 1));
    try {
      assertThat(available(gw)).isEqualTo(0);
      assertThat(gw.embed(C2C).statusCode()).isEqualTo(201);
      List<ILoggingEvent> events = LogEvents.snapshot(captured);
      assertThat(events).anySatisfy(e -> assertThat(e.getFormattedMessage()).contains("WRONGPASS"));
      assertThat(events).allSatisfy(e -> assertThat(e.getFormattedMessage()).doesNotContain("pw-never-logged"));
    } finally {
      releaseRedisLinkLog(captured);
      gw.stop();
    }
  }

  private static ListAppender<ILoggingEvent> captureRedisLinkLog() {
    ListAppender<ILoggingEvent> captured = new ListAppender<>();
    captured.start();
    ((Logger) LoggerFactory.getLogger(RedisLink.class)).addAppender(captured);
    return captured;
  }

  private static void releaseRedisLinkLog(ListAppender<ILoggingEvent> captured) {
    ((Logger) LoggerFactory.getLogger(RedisLink.class)).detachAppender(captured);
  }

  private static double loads(GatewayHarness gw, String result) {
    return gw.metric("gateway_cluster_loads_total{result=\"" + result + "\"}").orElse(0);
  }

  private static int available(GatewayHarness gw) {
    return (int) gw.metric("gateway_redis_available")
        .orElseThrow(() -> new AssertionError("no gateway_redis_available in /metrics"));
  }
}
