package io.tokengateway.cluster;

import static io.tokengateway.support.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokengateway.core.GatewayFailure;
import io.tokengateway.core.Time;
import io.tokengateway.config.GatewayConfig;
import io.tokengateway.metrics.GatewayMetrics;
import io.tokengateway.resilience.UpstreamRateLimiter;
import io.tokengateway.support.RedisSupport;
import io.tokengateway.support.TcpProxy;
import io.tokengateway.upstream.Endpoint;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
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
    local = new UpstreamRateLimiter(1, 1, 0, 0, Time.system(vertx));
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

  private static Throwable failure(Future<Void> permit) {
    return await(permit.<Throwable>transform(ar -> Future.succeededFuture(ar.cause())));
  }
}
