package io.tokengateway.cluster;

import static io.tokengateway.support.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokengateway.core.Time;
import io.tokengateway.cache.TokenLifetime;
import io.tokengateway.config.GatewayConfig;
import io.tokengateway.metrics.GatewayMetrics;
import io.tokengateway.support.Await;
import io.tokengateway.support.RedisSupport;
import io.tokengateway.support.TcpProxy;
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
 * The shared loader's rules against real Redis, with entries of a chosen age written directly, and another pod
 * (its own link and store, owner {@code other-pod}) holding the lock. The loader's link goes through a relay
 * that counts the commands it sends. Defaults: lifetime 3600 s, fresh
 * (taken by a miss) until 600 s, taken by a refresh until 480 s.
 */
@ExtendWith(VertxExtension.class)
class SharedEmbedLoaderIT {

  static final String C2C = "c2c_sharedloadertest01";

  private Vertx vertx;
  private RedisSupport redis;
  private TcpProxy relay;
  private RedisLink link;
  private RedisLink otherPodsLink;
  private ClusterKeys keys;
  /** No message comes for longer than any test waits unless a test says otherwise. */
  private LockWaiters waiters;
  private final AtomicInteger calls = new AtomicInteger();
  private final GatewayMetrics metrics = GatewayMetrics.inMemory();

  @BeforeEach
  void start(Vertx vertx) {
    RedisSupport.assumeRunning();
    this.vertx = vertx;
    this.redis = new RedisSupport(vertx);
    this.relay = new TcpProxy(vertx, RedisSupport.PORT).start();
    this.keys = new ClusterKeys(redis.prefix);
    this.waiters = new LockWaiters(vertx, io.tokengateway.core.Time.system(vertx), 60_000);
    this.link = link(RedisSupport.url(relay.port()), Map.of(keys.answers(), h -> waiters.wake(h)));
    this.otherPodsLink = link(RedisSupport.url(RedisSupport.PORT), Map.of());
    Await.until(() -> redis.send(Request.cmd(Command.PUBSUB).arg("NUMSUB").arg(keys.answers())).get(1).toInteger() == 1,
        5_000, "the loader's link is subscribed to the answers channel");
  }

  private RedisLink link(String url, Map<String, java.util.function.Consumer<String>> channels) {
    GatewayConfig config = GatewayConfig.of(redis.settings(Map.of("redis.url", url)));
    RedisLink l = new RedisLink(vertx, config, Time.system(vertx).ticker(), channels, GatewayMetrics.inMemory());
    await(l.start());
    return l;
  }

  @AfterEach
  void stop() {
    if (link != null) {
      await(link.close());
      await(otherPodsLink.close());
      relay.stop();
      redis.close();
    }
  }

  private SharedEmbedLoader loader(long lockWaitMs) {
    return loader(lockWaitMs, (c2c, refresh) -> {
      calls.incrementAndGet();
      return Future.succeededFuture(new TokenAnswer("fresh-token", new JsonObject().put("token", "fresh-token").toBuffer()));
    });
  }

  private SharedEmbedLoader loader(long lockWaitMs, io.tokengateway.cache.EmbedLoader signalWire) {
    GatewayConfig config = GatewayConfig.of(Map.of());
    return new SharedEmbedLoader(link, new SharedEmbedStore(link, keys), signalWire,
        new TokenLifetime(config.cache().embed(), Time.system(vertx).clock()), 30, Time.system(vertx).ticker(), "this-pod", 10_000,
        lockWaitMs, metrics, waiters);
  }

  @Test
  void aPurgeWhileTheLeaderCallsSignalWireIsNotUndoneByItsAnswer() {
    for (boolean all : new boolean[] {false, true}) {
      io.vertx.core.Promise<TokenAnswer> signalWire = io.vertx.core.Promise.promise();
      Future<TokenAnswer> load = loader(100, (c2c, refresh) -> signalWire.future()).load(C2C, true);
      String hash = ClusterKeys.hash(C2C);
      Await.until(() -> redis.keys().contains(keys.lock(hash)), 5_000, "this pod holds the token's lock");

      if (all) {
        await(otherPod().purgeAll());
      } else {
        await(otherPod().purge(hash));
      }
      signalWire.complete(new TokenAnswer("fetched-before-the-purge",
          new JsonObject().put("token", "fetched-before-the-purge").toBuffer()));

      assertThat(await(load).token()).as("the caller still gets its answer").isEqualTo("fetched-before-the-purge");
      Await.until(() -> !redis.keys().contains(keys.lock(hash)), 5_000, "the lock is let go");
      assertThat(redis.keys()).as("purge of " + (all ? "all" : "one") + " stands")
          .doesNotContain(keys.embed(hash));
    }
    assertThat(await(loader(100).load(C2C, false)).token()).as("a call after the purge is shared as usual")
        .isEqualTo("fresh-token");
    Await.until(() -> redis.keys().contains(keys.embed(ClusterKeys.hash(C2C))), 5_000, "the new answer is shared");
  }

  private SharedEmbedStore otherPod() {
    return new SharedEmbedStore(otherPodsLink, keys);
  }

  private void otherPodHoldsTheLock() {
    redis.send(Request.cmd(Command.SET).arg(keys.lock(ClusterKeys.hash(C2C))).arg("other-pod").arg("PX").arg(10_000));
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
    // shared after the answer is handed on, not before
    Await.until(() -> redis.send(Request.cmd(Command.PTTL).arg(keys.embed(ClusterKeys.hash(C2C)))).toLong() > 3_590_000L,
        5_000, "the new token shared for its whole life");
    assertThat(redis.keys()).noneMatch(k -> k.endsWith("}:lock"));

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
  void aPodWaitingOnAnotherPodsLockIsWokenByItsAnswerAndSendsNoPollingCommands() {
    otherPodHoldsTheLock();
    Future<TokenAnswer> waiting = loader(10_000).load(C2C, false);
    Await.until(() -> relay.sent("EVAL") == 1, 5_000, "the loader found the lock taken");

    await(otherPod().putToken(new SharedEmbedStore.Claim(true, null, "0"), ClusterKeys.hash(C2C), "other-pod",
        new JsonObject().put("token", "other-pods-token").toBuffer(), 3_600_000));
    long storedAt = System.nanoTime();
    TokenAnswer answer = await(waiting);
    long wokenAfterMs = (System.nanoTime() - storedAt) / 1_000_000;

    assertThat(answer.token()).isEqualTo("other-pods-token");
    assertThat(calls).hasValue(0);
    assertThat(loads("shared")).isEqualTo(1);
    // no poll for 60 s and a lock wait of 10 s: only the message can have woken it this soon
    assertThat(wokenAfterMs).as("woken by the answers channel, not a timer").isLessThan(1_000);
    Await.until(() -> relay.sent("EVAL") >= 3, 5_000, "the lock let go");
    assertThat(relay.sent("EVAL")).as("a claim before the wait, one after the message (it finds the answer and"
        + " lets go of the lock it took with it): no polling").isEqualTo(3);
    assertThat(relay.sent("GET")).as("the first read only").isEqualTo(1);
    assertThat(waiters.size()).isZero();
  }

  @Test
  void aLockLetGoWakesTheWaitingPodWhichThenCallsSignalWireAsTheLeader() {
    otherPodHoldsTheLock();
    Future<TokenAnswer> waiting = loader(10_000).load(C2C, false);
    Await.until(() -> relay.sent("EVAL") == 1, 5_000, "the loader found the lock taken");

    await(otherPod().release(ClusterKeys.hash(C2C), "other-pod")); // its SignalWire call failed
    TokenAnswer answer = await(waiting);

    assertThat(answer.token()).isEqualTo("fresh-token");
    assertThat(calls).hasValue(1);
    assertThat(loads("leader")).isEqualTo(1);
    assertThat(loads("fallback")).as("not after lockWaitMs: at once").isZero();
    Await.until(() -> relay.sent("EVAL") == 3, 5_000, "claim, claim (lock taken), put: no polling");
  }

  @Test
  void withoutAMessageTheWaitingPodStillFindsTheAnswerAtTheSafetyPoll() {
    waiters = new LockWaiters(vertx, io.tokengateway.core.Time.system(vertx), 200);
    otherPodHoldsTheLock();
    // written straight into Redis: no message, as from a pod of an older version
    vertx.setTimer(50, id -> redis.sendAsync(sharedAnswer("other-pods-token", 0)));

    TokenAnswer answer = await(loader(5_000).load(C2C, false));

    assertThat(answer.token()).isEqualTo("other-pods-token");
    assertThat(calls).hasValue(0);
    assertThat(loads("shared")).isEqualTo(1);
    assertThat(loads("fallback")).isZero();
  }

  @Test
  void aPodWaitingOnAnotherPodsLockCallsSignalWireItselfAfterTheWait() {
    otherPodHoldsTheLock();
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
