package io.tokengateway.cluster;

import static io.tokengateway.support.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokengateway.core.GatewayFailure;
import io.tokengateway.core.Time;
import io.tokengateway.config.GatewayConfig;
import io.tokengateway.metrics.GatewayMetrics;
import io.tokengateway.resilience.UpstreamRateLimiter;
import io.tokengateway.support.Await;
import io.tokengateway.support.RedisSupport;
import io.tokengateway.support.TcpProxy;
import io.tokengateway.upstream.Endpoint;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The shared bucket's waiting, queue bound and pause, against real Redis (Redis's clock: real time). */
@ExtendWith(VertxExtension.class)
class SharedRateLimiterIT {

  private RedisSupport redis;
  private TcpProxy relay;
  private RedisLink link;
  /** The stand-in while Redis is unavailable: one permit, never refilled in a test's time. */
  private UpstreamRateLimiter local;

  @AfterEach
  void stop() {
    if (link != null) {
      await(link.close());
      redis.close();
      relay.stop();
    }
  }

  /** A limiter whose Redis is reached through a relay the test can slow down. */
  private SharedRateLimiter limiter(Vertx vertx, Map<String, ?> settings) {
    return limiter(vertx, settings, 1);
  }

  /** The same, with a local share of {@code localBurst} permits (refilled at one a second). */
  private SharedRateLimiter limiter(Vertx vertx, Map<String, ?> settings, int localBurst) {
    RedisSupport.assumeRunning();
    redis = new RedisSupport(vertx);
    relay = new TcpProxy(vertx, RedisSupport.PORT).start();
    Map<String, Object> s = redis.settings(settings);
    s.put("redis.url", RedisSupport.url(relay.port()));
    GatewayConfig config = GatewayConfig.of(s);
    ClusterKeys keys = new ClusterKeys(redis.prefix);
    link = new RedisLink(vertx, config, Time.system(vertx).ticker(), Map.of(), GatewayMetrics.inMemory());
    await(link.start());
    var r = config;
    local = new UpstreamRateLimiter(1, localBurst, 0, 0, Time.system(vertx));
    return new SharedRateLimiter(Time.system(vertx), link, keys, r, local, config.redis().timeoutMs());
  }

  @Test
  void aPermitNotAnsweredInTimeIsRefusedNeverTakenLocallyWhileRedisIsAvailable(Vertx vertx) {
    SharedRateLimiter limiter = limiter(vertx, Map.of("redis.timeoutMs", 100, "redis.warmupSeconds", 0,
        "upstream.rateLimit.maxWaitMs", 0));
    relay.slowNextAnswer("EVAL", 1_000);

    Throwable late = failure(limiter.acquire(Endpoint.EMBEDS));

    assertThat(late).isInstanceOfSatisfying(GatewayFailure.class, f -> {
      assertThat(f.status()).isEqualTo(503);
      assertThat(f.retryAfterSeconds()).isEqualTo(1);
      assertThat(f.getMessage()).contains("Redis did not answer in time");
    });
    assertThat(link.available()).as("one late reply").isTrue();
    await(local.acquire()); // its one permit is still there: nothing was taken locally
  }

  @Test
  void aLateAnswerWithinTheCallsWaitForAPermitIsTheCallsPermit(Vertx vertx) {
    SharedRateLimiter limiter = limiter(vertx, Map.of("redis.timeoutMs", 100, "redis.warmupSeconds", 0,
        "upstream.rateLimit.maxWaitMs", 2_000));
    relay.slowNextAnswer("EVAL", 400);
    long start = System.nanoTime();

    await(limiter.acquire(Endpoint.EMBEDS));

    assertThat((System.nanoTime() - start) / 1_000_000).as("waited for Redis's answer").isGreaterThanOrEqualTo(400);
    assertThat(redis.keys()).as("taken from the shared bucket").anyMatch(k -> k.endsWith("{upstream}:bucket"));
    await(local.acquire());
  }

  @Test
  void callsBeyondTheBurstWaitForTheirPermitAtTheConfiguredRate(Vertx vertx) {
    SharedRateLimiter limiter = limiter(vertx, Map.of("upstream.rateLimit.perSecond", 20,
        "upstream.rateLimit.burst", 1, "upstream.rateLimit.maxWaitMs", 1_000));
    long start = System.nanoTime();
    List<Future<Void>> permits = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      permits.add(limiter.acquire(Endpoint.EMBEDS));
    }
    permits.forEach(f -> await(f));
    // one at once, then one every 50 ms
    assertThat((System.nanoTime() - start) / 1_000_000).isBetween(180L, 1_000L);
  }

  @Test
  void pastTheLongestWaitACallGets503WithRetryAfter(Vertx vertx) {
    SharedRateLimiter limiter = limiter(vertx, Map.of("upstream.rateLimit.perSecond", 1,
        "upstream.rateLimit.burst", 1, "upstream.rateLimit.maxWaitMs", 100, "upstream.rateLimit.maxQueue", 10));
    await(limiter.acquire(Endpoint.EMBEDS));
    Throwable tooLate = failure(limiter.acquire(Endpoint.EMBEDS));
    assertThat(tooLate).isInstanceOfSatisfying(
        GatewayFailure.class, f -> {
          assertThat(f.status()).isEqualTo(503);
          assertThat(f.retryAfterSeconds()).isEqualTo(1);
        });
  }

  @Test
  void pastTheQueueBoundACallGets503AtOnce(Vertx vertx) {
    SharedRateLimiter limiter = limiter(vertx, Map.of("upstream.rateLimit.perSecond", 5,
        "upstream.rateLimit.burst", 1, "upstream.rateLimit.maxWaitMs", 5_000, "upstream.rateLimit.maxQueue", 2));
    await(limiter.acquire(Endpoint.EMBEDS));
    List<Future<Void>> permits = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      permits.add(limiter.acquire(Endpoint.EMBEDS));
    }
    List<Integer> statuses = permits.stream().map(p -> failure(p))
        .map(t -> t == null ? 0 : ((GatewayFailure) t).status()).toList();
    assertThat(statuses).containsExactlyInAnyOrder(0, 0, 503, 503);
  }

  @Test
  void aRecordedPauseAnswers429OnThatEndpointOnly(Vertx vertx) {
    SharedRateLimiter limiter = limiter(vertx, Map.of());
    limiter.paused(Endpoint.GUESTS, 20);
    io.tokengateway.support.Await.until(() -> !redis.keys().isEmpty(), 2_000, "the pause is recorded");

    Throwable paused = failure(limiter.acquire(Endpoint.GUESTS));
    assertThat(paused).isInstanceOfSatisfying(GatewayFailure.class, f -> {
      assertThat(f.status()).isEqualTo(429);
      assertThat(f.retryAfterSeconds()).isBetween(19, 20);
    });
    await(limiter.acquire(Endpoint.EMBEDS));
  }

  /**
   * From Redis to the local share: the shared bucket may have given its whole burst this last second, so the
   * share starts empty and adds only its refill.
   */
  @Test
  void goingLocalAfterRedisTheShareStartsEmpty(Vertx vertx) {
    SharedRateLimiter limiter = limiter(vertx, Map.of("upstream.rateLimit.perSecond", 1,
        "upstream.rateLimit.burst", 5, "upstream.rateLimit.maxWaitMs", 0), 5);
    await(limiter.acquire(Endpoint.EMBEDS));
    relay.stop(); // as a Redis that went away: the next command fails at once

    assertThat(permitsOf(limiter, 3)).as("no local burst on top of the shared one").isZero();
    assertThat(local.available()).isZero();
  }

  /**
   * From the local share back to Redis: the shared bucket refilled while Redis was away (or, restarted, lost its
   * bucket, which reads as full) while the pod spent its share; it holds at most what the share holds then.
   */
  @Test
  void backFromTheLocalShareTheSharedBucketHoldsAtMostWhatTheShareHolds(Vertx vertx) {
    SharedRateLimiter limiter = limiter(vertx, Map.of("upstream.rateLimit.perSecond", 1,
        "upstream.rateLimit.burst", 5, "upstream.rateLimit.maxWaitMs", 0), 5);
    relay.stop();
    Await.until(() -> !link.available(), 10_000, "Redis unavailable");
    assertThat(permitsOf(limiter, 5)).as("a pod that never used Redis has its whole share").isEqualTo(5);
    relay.start();
    Await.until(link::available, 10_000, "Redis available again");
    assertThat(redis.keys()).as("no shared bucket yet: a full one when read").isEmpty();

    assertThat(permitsOf(limiter, 5)).as("the shared bucket capped at the share's refill since")
        .isLessThanOrEqualTo((int) Math.max(1, local.available()));
  }

  /** A bucket this pod wrote less than a second ago and Redis no longer has was lost: it starts empty. */
  @Test
  void aSharedBucketRedisLostStartsEmpty(Vertx vertx) {
    SharedRateLimiter limiter = limiter(vertx, Map.of("upstream.rateLimit.perSecond", 1,
        "upstream.rateLimit.burst", 5, "upstream.rateLimit.maxWaitMs", 0));
    await(limiter.acquire(Endpoint.EMBEDS));
    redis.send(Request.cmd(Command.DEL).arg(new ClusterKeys(redis.prefix).bucket())); // as a restart, unseen

    assertThat(permitsOf(limiter, 3)).as("not a fresh burst").isZero();
  }

  /** A bucket in debt (permits reserved ahead) lives until it is full again: it never expires into a full one. */
  @Test
  void aBucketInDebtLivesUntilItIsFullAgain(Vertx vertx) {
    SharedRateLimiter limiter = limiter(vertx, Map.of("upstream.rateLimit.perSecond", 1,
        "upstream.rateLimit.burst", 1, "upstream.rateLimit.maxWaitMs", 5_000, "upstream.rateLimit.maxQueue", 10));
    List<Future<Void>> permits = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      permits.add(limiter.acquire(Endpoint.EMBEDS)); // one now, two reserved: 1 s and 2 s ahead
    }
    String bucket = new ClusterKeys(redis.prefix).bucket();
    // three permits owed back at one a second, and a second more; a key sized by the burst alone would last 2 s
    Await.until(() -> redis.send(Request.cmd(Command.PTTL).arg(bucket)).toLong() > 3_000, 2_000,
        "the bucket kept while it refills from its debt");
    permits.forEach(f -> await(f));
  }

  /** How many of {@code n} calls, one after another, get a permit. */
  private static int permitsOf(SharedRateLimiter limiter, int n) {
    int granted = 0;
    for (int i = 0; i < n; i++) {
      granted += failure(limiter.acquire(Endpoint.EMBEDS)) == null ? 1 : 0;
    }
    return granted;
  }

  private static Throwable failure(Future<Void> permit) {
    return await(permit.<Throwable>transform(ar -> Future.succeededFuture(ar.cause())));
  }
}
