package io.tokengateway.cluster;

import static io.tokengateway.support.Await.await;
import static io.tokengateway.support.GatewayHarness.C2C;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.tokengateway.support.Await;
import io.tokengateway.support.FakeSignalWire;
import io.tokengateway.support.GatewayHarness;
import io.tokengateway.support.RedisSupport;
import io.tokengateway.support.TcpProxy;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * Two gateways, each on its own Vert.x instance (as two pods), sharing the real Redis on 127.0.0.1:6379:
 * one upstream budget, one 429 pause, one embed cache, purges that reach both.
 */
@ExtendWith(VertxExtension.class)
class ClusterModeIT {

  static final String ADMIN = "admin-token-for-tests-42";

  private Vertx vertx;
  private Vertx otherPod;
  private RedisSupport redis;
  private FakeSignalWire upstream;
  private final List<GatewayHarness> started = new ArrayList<>();

  @BeforeEach
  void redis(Vertx vertx) {
    RedisSupport.assumeRunning();
    this.vertx = vertx;
    this.otherPod = Vertx.vertx();
    this.redis = new RedisSupport(vertx);
    this.upstream = FakeSignalWire.start(vertx);
  }

  @AfterEach
  void stop() {
    started.forEach(GatewayHarness::stop);
    if (redis != null) {
      redis.close();
      await(otherPod.close());
    }
  }

  private GatewayHarness pod(Vertx on, Map<String, ?> extra) {
    Map<String, Object> s = redis.settings(extra);
    s.putIfAbsent("management.adminToken", ADMIN);
    GatewayHarness gw = GatewayHarness.start(on, upstream, s);
    started.add(gw);
    return gw;
  }

  @Test
  void aTokenFetchedThroughOnePodIsServedByTheOtherWithoutASecondCall() {
    GatewayHarness one = pod(vertx, Map.of());
    GatewayHarness two = pod(otherPod, Map.of());

    HttpResponse<Buffer> first = one.embed(C2C);
    HttpResponse<Buffer> shared = two.embed(C2C);
    HttpResponse<Buffer> local = two.embed(C2C);

    assertThat(first.getHeader("X-Cache")).isEqualTo("MISS");
    assertThat(shared.statusCode()).isEqualTo(201);
    assertThat(shared.getHeader("X-Cache")).isEqualTo("SHARED");
    assertThat(shared.bodyAsString()).isEqualTo(first.bodyAsString());
    assertThat(local.getHeader("X-Cache")).isEqualTo("HIT");
    assertThat(upstream.calls()).isEqualTo(1);
    assertNoTokenInRedis(C2C);
  }

  @Test
  void aSharedTokenIsServedWithItsAgeOnlyWhileItIsFresh() {
    GatewayHarness pod = pod(vertx, Map.of());
    ClusterKeys keys = new ClusterKeys(redis.prefix);
    String young = "c2c_sharedYoungToken1";
    String old = "c2c_sharedOldToken01";
    putShared(keys, young, "token-of-another-pod", 200);
    putShared(keys, old, "too-old-to-be-fresh", 601);

    HttpResponse<Buffer> shared = pod.embed(young);
    assertThat(shared.getHeader("X-Cache")).isEqualTo("SHARED");
    assertThat(shared.bodyAsJsonObject().getString("token")).isEqualTo("token-of-another-pod");
    assertThat(Long.parseLong(shared.getHeader("Age"))).as("counted from the first pod's receipt").isBetween(200L, 202L);
    HttpResponse<Buffer> hit = pod.embed(young);
    assertThat(hit.getHeader("X-Cache")).isEqualTo("HIT");
    assertThat(Long.parseLong(hit.getHeader("Age"))).isBetween(200L, 202L);
    assertThat(upstream.calls()).isZero();

    HttpResponse<Buffer> renewed = pod.embed(old);
    assertThat(renewed.getHeader("X-Cache")).as("a shared token older than freshSeconds is not served as fresh")
        .isEqualTo("MISS");
    assertThat(renewed.getHeader("Age")).isEqualTo("0");
    assertThat(renewed.bodyAsJsonObject().getString("token")).isNotEqualTo("too-old-to-be-fresh");
    assertThat(upstream.calls()).isEqualTo(1);
  }

  private void putShared(ClusterKeys keys, String c2c, String token, long ageSeconds) {
    redis.send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.SET).arg(keys.embed(ClusterKeys.hash(c2c)))
        .arg(new JsonObject().put("lifetimeMs", 3_600_000).put("body", new JsonObject().put("token", token).encode())
            .encode())
        .arg("PX").arg((3_600 - ageSeconds) * 1_000));
  }

  @Test
  void aLocalHitNeverTouchesRedis() {
    // counted on this pod's own connections: the shared Redis also serves other test runs
    TcpProxy relay = new TcpProxy(vertx, RedisSupport.PORT).start();
    try {
      GatewayHarness one = pod(vertx, Map.of("redis.url", RedisSupport.url(relay.port())));
      one.embed(C2C);
      Await.until(() -> relay.sent("EVAL") >= 2, 2_000, "the token shared (claim, put)");
      int before = relay.sentExcept("PING"); // the probe and the subscription's keep-alive

      for (int i = 0; i < 200; i++) {
        assertThat(one.embed(C2C).getHeader("X-Cache")).isEqualTo("HIT");
      }

      assertThat(relay.sentExcept("PING")).isEqualTo(before);
    } finally {
      started.forEach(GatewayHarness::stop);
      started.clear();
      relay.stop();
    }
  }

  @Test
  void aColdStormOverBothPodsCallsSignalWireOnce() {
    upstream.delayed(300);
    GatewayHarness one = pod(vertx, Map.of());
    GatewayHarness two = pod(otherPod, Map.of());

    List<Future<HttpResponse<Buffer>>> sent = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      sent.add((i % 2 == 0 ? one : two).postAsync("/api/fabric/embeds/tokens", "application/json",
          new JsonObject().put("token", C2C).encode(), null));
    }
    List<HttpResponse<Buffer>> answers = sent.stream().map(f -> await(f)).toList();

    assertThat(answers).allSatisfy(a -> assertThat(a.statusCode()).isEqualTo(201));
    assertThat(answers.stream().map(HttpResponse::bodyAsString).distinct()).hasSize(1);
    assertThat(upstream.calls()).isEqualTo(1);
    assertThat(loads(one, "leader") + loads(two, "leader")).isEqualTo(1);
    assertThat(loads(two, "shared") + loads(one, "shared")).isEqualTo(1); // one local miss per pod
    assertThat(loads(one, "fallback") + loads(two, "fallback")).isZero();
    assertNoTokenInRedis(C2C);
  }

  @Test
  void bothPodsTogetherKeepToTheOneConfiguredRate() {
    // cluster.expectedReplicas stays 1: each pod alone would allow the whole budget
    Map<String, Object> budget = Map.of("upstream.rateLimit.perSecond", 5, "upstream.rateLimit.burst", 10,
        "upstream.rateLimit.maxWaitMs", 0);
    GatewayHarness one = pod(vertx, budget);
    GatewayHarness two = pod(otherPod, budget);

    long start = System.nanoTime();
    List<Future<HttpResponse<Buffer>>> sent = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      sent.add((i % 2 == 0 ? one : two).postAsync("/api/fabric/embeds/tokens", "application/json",
          new JsonObject().put("token", "c2c_burst" + i + "distinct").encode(), null));
    }
    List<HttpResponse<Buffer>> answers = sent.stream().map(f -> await(f)).toList();
    double seconds = (System.nanoTime() - start) / 1e9;

    // one bucket of 10 + 5/s for both pods; two per-pod buckets would have let 20 through at once
    long allowed = 10 + (long) Math.ceil(5 * seconds);
    assertThat(upstream.calls()).isBetween(10, (int) allowed);
    assertThat(answers.stream().filter(a -> a.statusCode() == 201).count()).isEqualTo(upstream.calls());
    assertThat(answers).allSatisfy(a -> assertThat(a.statusCode()).isIn(201, 503));
    assertThat(answers.stream().filter(a -> a.statusCode() == 503))
        .allSatisfy(a -> assertThat(a.getHeader("Retry-After")).isNotNull());
  }

  @Test
  void aPauseAfterSignalWiresTooManyRequestsOnOnePodHoldsTheOther() {
    upstream.answer(429, Map.of("Retry-After", "30", "Content-Type", "application/json"), "{\"error\":\"slow down\"}");
    GatewayHarness one = pod(vertx, Map.of());
    GatewayHarness two = pod(otherPod, Map.of());

    HttpResponse<Buffer> limited = one.embed("c2c_firstpodtoken01");
    upstream.succeed();
    HttpResponse<Buffer> held = two.embed("c2c_secondpodtoken2");

    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(held.statusCode()).isEqualTo(429);
    assertThat(Integer.parseInt(held.getHeader("Retry-After"))).isBetween(25, 30);
    assertThat(upstream.calls()).isEqualTo(1);
  }

  @Test
  void aPurgeThroughOnePodRemovesTheTokenFromBoth() {
    GatewayHarness one = pod(vertx, Map.of());
    GatewayHarness two = pod(otherPod, Map.of());
    one.embed(C2C);
    assertThat(two.embed(C2C).getHeader("X-Cache")).isEqualTo("SHARED");

    HttpResponse<Buffer> purged = one.post("/admin/embed-cache/purge", "application/json",
        new JsonObject().put("token", C2C).encode(), MultiMap.caseInsensitiveMultiMap()
            .add("Authorization", "Bearer " + ADMIN));

    assertThat(purged.statusCode()).isEqualTo(200);
    assertThat(purged.bodyAsJsonObject()).isEqualTo(new JsonObject().put("purged", 1).put("scope", "cluster"));
    Await.until(() -> two.gateway.embedCache().size() == 0, 1_000, "the other pod dropped its entry");
    HttpResponse<Buffer> after = two.embed(C2C);
    assertThat(after.getHeader("X-Cache")).isEqualTo("MISS");
    assertThat(upstream.calls()).isEqualTo(2);
  }

  @Test
  void aPurgeOfAllThroughOnePodEmptiesBoth() {
    GatewayHarness one = pod(vertx, Map.of());
    GatewayHarness two = pod(otherPod, Map.of());
    one.embed(C2C);
    two.embed("c2c_anothertoken99");
    two.embed(C2C);

    HttpResponse<Buffer> purged = await(one.client.delete("/admin/embed-cache").bearerTokenAuthentication(ADMIN).send());
    assertThat(purged.statusCode()).as(purged.bodyAsString()).isEqualTo(200);

    Await.until(() -> one.gateway.embedCache().size() == 0 && two.gateway.embedCache().size() == 0, 1_000,
        "both pods dropped their entries");
    assertThat(redis.keys()).noneMatch(k -> k.contains(":embed:"));
    assertThat(two.embed(C2C).getHeader("X-Cache")).isEqualTo("MISS");
  }

  @Test
  void signalWiresNegativeAnswerIsSharedToo() {
    upstream.answer(404, "{\"error\":\"Not Found\"}");
    GatewayHarness one = pod(vertx, Map.of());
    GatewayHarness two = pod(otherPod, Map.of());

    assertThat(one.embed(C2C).statusCode()).isEqualTo(404);
    HttpResponse<Buffer> second = two.embed(C2C);

    assertThat(second.statusCode()).isEqualTo(404);
    assertThat(second.bodyAsJsonObject()).isEqualTo(new JsonObject().put("error", "Not Found"));
    assertThat(upstream.calls()).isEqualTo(1);
    assertNoTokenInRedis(C2C);
  }

  @Test
  void aHalfOpenSubscriptionIsNoticedAndPurgesReachThePodAgain() {
    TcpProxy relay = new TcpProxy(vertx, RedisSupport.PORT).start();
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
    root.addAppender(logged);
    try {
      GatewayHarness one = pod(vertx, Map.of("redis.url", RedisSupport.url(relay.port())));
      GatewayHarness two = pod(otherPod, Map.of());
      one.embed(C2C);
      one.embed("c2c_anothertoken99");
      Await.until(() -> relay.sent("SUBSCRIBE") == 1, 5_000, "subscribed");

      // a silent network fault on the subscription only: nothing arrives, nothing closes
      assertThat(relay.blackHole("SUBSCRIBE")).isEqualTo(1);
      long cut = System.nanoTime();

      // no purge was sent: the pod drops everything because it noticed, within two PINGs, and subscribed again
      Await.until(() -> one.gateway.embedCache().size() == 0, 10_000, "the pod dropped its local entries");
      Await.until(() -> relay.sent("SUBSCRIBE") == 2, 2_000, "subscribed again, on a new connection");
      assertThat((System.nanoTime() - cut) / 1_000_000).as("noticed within the PING interval, twice")
          .isLessThan(10_000);
      assertThat(one.metric("gateway_redis_available").orElseThrow()).as("commands were never in trouble")
          .isEqualTo(1);

      assertThat(one.embed(C2C).getHeader("X-Cache")).as("refilled from Redis").isEqualTo("SHARED");
      HttpResponse<Buffer> purged = two.post("/admin/embed-cache/purge", "application/json",
          new JsonObject().put("token", C2C).encode(), MultiMap.caseInsensitiveMultiMap()
              .add("Authorization", "Bearer " + ADMIN));
      assertThat(purged.statusCode()).isEqualTo(200);
      Await.until(() -> one.gateway.embedCache().size() == 0, 2_000, "a purge reaches the pod again");
      assertThat(logged.list).as("the PINGs' answers on the subscription are no error")
          .noneMatch(e -> e.getLevel() == Level.ERROR);
    } finally {
      root.detachAppender(logged);
      started.forEach(GatewayHarness::stop);
      started.clear();
      relay.stop();
    }
  }

  /** gateway_cluster_loads_total{result} as a pod's /metrics shows it (0 when absent). */
  private static double loads(GatewayHarness pod, String result) {
    return pod.metric("gateway_cluster_loads_total{result=\"" + result + "\"}").orElse(0);
  }

  /** No key, value or hash field under the test's prefix holds a C2C token in clear. */
  private void assertNoTokenInRedis(String c2c) {
    Map<String, String> contents = redis.contents();
    assertThat(contents).isNotEmpty();
    contents.forEach((key, value) -> {
      assertThat(key).doesNotContain(c2c).doesNotContain("c2c_");
      assertThat(value).doesNotContain(c2c).doesNotContain("c2c_");
    });
  }
}
