package io.tokengateway.cluster;

import static io.tokengateway.support.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokengateway.Time;
import io.tokengateway.cache.TokenLifetime;
import io.tokengateway.config.GatewayConfig;
import io.tokengateway.metrics.GatewayMetrics;
import io.tokengateway.support.RedisSupport;
import io.tokengateway.upstream.TokenAnswer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The shared loader's rules against real Redis, with entries of a chosen age written directly. Defaults:
 * lifetime 3600 s, fresh (taken by a miss) until 600 s, taken by a refresh until 480 s.
 */
@ExtendWith(VertxExtension.class)
class SharedEmbedLoaderIT {

  static final String C2C = "c2c_sharedloadertest01";

  private Vertx vertx;
  private RedisSupport redis;
  private RedisLink link;
  private ClusterKeys keys;
  private final AtomicInteger calls = new AtomicInteger();
  private final GatewayMetrics metrics = GatewayMetrics.inMemory();

  @BeforeEach
  void start(Vertx vertx) {
    RedisSupport.assumeRunning();
    this.vertx = vertx;
    this.redis = new RedisSupport(vertx);
    GatewayConfig config = GatewayConfig.of(redis.settings(Map.of()));
    this.keys = new ClusterKeys(redis.prefix);
    this.link = new RedisLink(vertx, config.cluster(), keys.invalidations(), m -> { }, GatewayMetrics.inMemory());
    await(link.start());
  }

  @AfterEach
  void stop() {
    if (link != null) {
      await(link.close());
      redis.close();
    }
  }

  private SharedEmbedLoader loader(long lockWaitMs) {
    GatewayConfig config = GatewayConfig.of(Map.of());
    return new SharedEmbedLoader(vertx, link, new SharedEmbedStore(link, keys), (c2c, refresh) -> {
      calls.incrementAndGet();
      return Future.succeededFuture(new TokenAnswer("fresh-token", new JsonObject().put("token", "fresh-token").toBuffer()));
    }, new TokenLifetime(config.cache(), Time.system().clock()), 30, Time.system().ticker(), "this-pod", 10_000,
        lockWaitMs, metrics);
  }

  /** A shared answer issued {@code ageSeconds} ago with a lifetime of an hour. */
  private void shared(String token, long ageSeconds) {
    redis.send(sharedAnswer(token, ageSeconds));
  }

  private Request sharedAnswer(String token, long ageSeconds) {
    return Request.cmd(Command.SET).arg(keys.embed(ClusterKeys.hash(C2C)))
        .arg(new JsonObject().put("lifetimeMs", 3_600_000).put("body", new JsonObject().put("token", token).encode())
            .encode())
        .arg("PX").arg((3_600 - ageSeconds) * 1_000);
  }

  @Test
  void aMissTakesAFreshSharedTokenWithItsAge() {
    shared("old-token", 500);

    TokenAnswer answer = await(loader(100).load(C2C, false));

    assertThat(answer.token()).isEqualTo("old-token");
    assertThat(answer.shared()).isTrue();
    assertThat(loads("shared")).isEqualTo(1);
    assertThat(answer.ageMillis()).isBetween(500_000L, 505_000L);
    assertThat(calls).hasValue(0);
  }

  @Test
  void aRefreshTakesOnlyASharedTokenYoungerThanTheRefreshPointAndSharesTheNewOne() {
    shared("old-token", 500);

    TokenAnswer answer = await(loader(100).load(C2C, true));

    assertThat(answer.token()).isEqualTo("fresh-token");
    assertThat(calls).hasValue(1);
    assertThat(loads("leader")).isEqualTo(1);
    long ttl = redis.send(Request.cmd(Command.PTTL).arg(keys.embed(ClusterKeys.hash(C2C)))).toLong();
    assertThat(ttl).isGreaterThan(3_590_000L);
    assertThat(redis.keys()).noneMatch(k -> k.contains(":lock:"));

    TokenAnswer again = await(loader(100).load(C2C, true));
    assertThat(again.shared()).as("a young shared token serves a refresh").isTrue();
    assertThat(calls).hasValue(1);
  }

  @Test
  void aMissIgnoresASharedTokenOlderThanItsFreshWindow() {
    shared("old-token", 600);

    assertThat(await(loader(100).load(C2C, false)).token()).isEqualTo("fresh-token");
    assertThat(calls).hasValue(1);
  }

  @Test
  void aPodWaitingOnAnotherPodsLockTakesItsAnswerWhenItComes() {
    redis.send(Request.cmd(Command.SET).arg(keys.lock(ClusterKeys.hash(C2C))).arg("other-pod").arg("PX").arg(10_000));
    vertx.setTimer(50, id -> redis.sendAsync(sharedAnswer("other-pods-token", 0)));

    TokenAnswer answer = await(loader(5_000).load(C2C, false));

    assertThat(answer.token()).isEqualTo("other-pods-token");
    assertThat(calls).hasValue(0);
    assertThat(loads("shared")).isEqualTo(1);
    assertThat(loads("fallback")).isZero();
  }

  @Test
  void aPodWaitingOnAnotherPodsLockCallsSignalWireItselfAfterTheWait() {
    redis.send(Request.cmd(Command.SET).arg(keys.lock(ClusterKeys.hash(C2C))).arg("other-pod").arg("PX").arg(10_000));
    long start = System.nanoTime();

    TokenAnswer answer = await(loader(100).load(C2C, false));

    assertThat(answer.token()).isEqualTo("fresh-token");
    assertThat(calls).hasValue(1);
    assertThat(loads("fallback")).isEqualTo(1);
    assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(100);
  }

  private double loads(String result) {
    var counter = metrics.registry().find("gateway.cluster.loads").tag("result", result).counter();
    return counter == null ? 0 : counter.count();
  }
}
