package io.tokengateway.cluster;

import static io.tokengateway.support.Await.await;
import static io.tokengateway.support.GatewayHarness.C2C;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.tokengateway.support.Await;
import io.tokengateway.support.FakeSignalWire;
import io.tokengateway.support.GatewayHarness;
import io.tokengateway.support.LogEvents;
import io.tokengateway.support.RedisSupport;
import io.tokengateway.support.RedisTopology;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * What cluster mode promises, on whichever Redis {@link #topology} is: two gateways, each on its own Vert.x
 * instance (as two pods), share one upstream budget, one 429 pause, one embed cache with one SignalWire call
 * per cold token over both, negative answers, and purges (one and all) that reach both. Run on the standalone
 * Redis ({@link ClusterModeIT}), a Sentinel master set ({@link SentinelModeIT}) and a Redis Cluster
 * ({@link RedisClusterModeIT}); {@link #survives} is the failover scenario those two run.
 */
@ExtendWith(VertxExtension.class)
abstract class ClusterModeScenarios {

  static final String ADMIN = "admin-token-for-tests-42";
  /** Tokens whose hashes fall in every third of the hash slots, so on every master of a 3-master cluster. */
  static final List<String> SPREAD = IntStream.range(0, 8).mapToObj(i -> "c2c_spreadtoken" + i).toList();

  protected Vertx vertx;
  protected Vertx otherPod;
  protected RedisSupport redis;
  protected FakeSignalWire upstream;
  protected final List<GatewayHarness> started = new ArrayList<>();

  /** The Redis these scenarios run on. */
  protected abstract RedisTopology topology();

  /** Skips the test, saying why, when its Redis is not there. */
  protected void assumeReady() {
  }

  @BeforeEach
  void redis(Vertx vertx) {
    assumeReady();
    this.vertx = vertx;
    this.otherPod = Vertx.vertx();
    this.redis = new RedisSupport(vertx, topology());
    this.upstream = FakeSignalWire.start(vertx);
  }

  @AfterEach
  void stop() {
    started.forEach(GatewayHarness::stop);
    started.clear();
    if (redis != null) {
      redis.close();
      await(otherPod.close());
    }
  }

  protected GatewayHarness pod(Vertx on, Map<String, ?> extra) {
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
    redis.send(Request.cmd(Command.SET).arg(keys.embed(ClusterKeys.hash(c2c)))
        .arg(new JsonObject().put("lifetimeMs", 3_600_000).put("body", new JsonObject().put("token", token).encode())
            .encode())
        .arg("PX").arg((3_600 - ageSeconds) * 1_000));
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
    assertThat(loads(one, "unavailable") + loads(two, "unavailable")).as("every script ran").isZero();
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
    Await.until(() -> redis.keys().contains(new ClusterKeys(redis.prefix).pause(io.tokengateway.upstream.Endpoint.EMBEDS)),
        5_000, "the pause recorded in Redis");
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

    HttpResponse<Buffer> purged = purge(one, C2C);

    assertThat(purged.statusCode()).isEqualTo(200);
    assertThat(purged.bodyAsJsonObject()).isEqualTo(new JsonObject().put("purged", 1).put("scope", "cluster"));
    Await.until(() -> two.gateway.embedCache().size() == 0, 5_000, "the other pod dropped its entry");
    HttpResponse<Buffer> after = two.embed(C2C);
    assertThat(after.getHeader("X-Cache")).isEqualTo("MISS");
    assertThat(upstream.calls()).isEqualTo(2);
  }

  @Test
  void aPurgeOfAllThroughOnePodEmptiesBothAndEveryNode() {
    GatewayHarness one = pod(vertx, Map.of());
    GatewayHarness two = pod(otherPod, Map.of());
    SPREAD.forEach(one::embed);
    two.embed(SPREAD.get(0));
    assertThat(topology().keyPorts()).as("entries on every node that holds keys (every master of a cluster)")
        .allSatisfy(port -> assertThat(redis.keys(port)).anyMatch(k -> k.endsWith("}:embed")));

    HttpResponse<Buffer> purged = await(one.client.delete("/admin/embed-cache").bearerTokenAuthentication(ADMIN).send());
    assertThat(purged.statusCode()).as(purged.bodyAsString()).isEqualTo(200);
    assertThat(purged.bodyAsJsonObject().getString("scope")).isEqualTo("cluster");

    Await.until(() -> one.gateway.embedCache().size() == 0 && two.gateway.embedCache().size() == 0, 5_000,
        "both pods dropped their entries");
    assertThat(redis.keys()).as("none left on any node").noneMatch(k -> k.endsWith("}:embed"));
    assertThat(two.embed(SPREAD.get(0)).getHeader("X-Cache")).isEqualTo("MISS");
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

  /**
   * Two pods under steady traffic (a hot token and cold ones, on both) while {@code failover} runs: every
   * request is answered 201 however Redis fares meanwhile; afterwards both pods count Redis as available again
   * by themselves, a token fetched through one is SHARED on the other and stored on the master {@code
   * masterOf} names for its key then, and a purge through one reaches the other over pub/sub. No log line holds
   * the topology's password. Returns the pods' log events.
   */
  protected List<ILoggingEvent> survives(Runnable failover, java.util.function.ToIntFunction<String> masterOf) {
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
    root.addAppender(logged);
    try {
      // no warm-up: failures count from the start, as in a pod that has run for a while
      GatewayHarness one = pod(vertx, Map.of("redis.warmupSeconds", 0));
      GatewayHarness two = pod(otherPod, Map.of("redis.warmupSeconds", 0));
      one.embed(C2C);
      assertThat(two.embed(C2C).getHeader("X-Cache")).isEqualTo("SHARED");

      Traffic traffic = new Traffic(List.of(one, two));
      traffic.start();
      traffic.awaitMore(20);
      failover.run();
      Await.until(() -> available(one) == 1 && available(two) == 1, 30_000, "Redis available again on both pods");
      int[] n = {0};
      Await.until(() -> {
        String token = "c2c_afterfailover" + n[0]++;
        one.embed(token);
        return "SHARED".equals(two.embed(token).getHeader("X-Cache"));
      }, 20_000, "sharing resumed");
      traffic.awaitMore(20);
      List<Integer> statuses = traffic.stop();

      assertThat(traffic.problems).as("requests without an answer").isEmpty();
      assertThat(statuses).as("requests answered before, during and after the failover")
          .allSatisfy(s -> assertThat(s).isEqualTo(201));
      String latest = new ClusterKeys(redis.prefix).embed(ClusterKeys.hash("c2c_afterfailover" + (n[0] - 1)));
      assertThat(redis.keys(masterOf.applyAsInt(latest))).as("written on the master now, not an old one")
          .contains(latest);
      // both subscribed again (a pod that subscribes again drops its entries once): then C2C held and held still
      Await.until(() -> topology().nodePorts().stream().mapToInt(redis::subscribers).sum() == 2, 5_000,
          "both pods subscribed");
      assertThat(one.embed(C2C).getHeader("X-Cache")).isIn("HIT", "SHARED");
      assertThat(one.embed(C2C).getHeader("X-Cache")).isEqualTo("HIT");
      assertThat(purge(two, C2C).statusCode()).isEqualTo(200);
      // a HIT until the purge's message drops the local entry; then a MISS
      Await.until(() -> "MISS".equals(one.embed(C2C).getHeader("X-Cache")), 5_000,
          "a purge through one pod reaches the other after the failover");
      String password = topology().password();
      List<ILoggingEvent> events = LogEvents.snapshot(logged); // the pods still log meanwhile
      assertThat(events).as("no log line shows the Redis password").noneMatch(e -> e.getFormattedMessage()
          .contains(password) || (e.getThrowableProxy() != null
              && ThrowableProxyUtil.asString(e.getThrowableProxy()).contains(password)));
      return events;
    } finally {
      root.detachAppender(logged);
    }
  }

  static HttpResponse<Buffer> purge(GatewayHarness through, String c2c) {
    return through.post("/admin/embed-cache/purge", "application/json", new JsonObject().put("token", c2c).encode(),
        MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer " + ADMIN));
  }

  /** gateway_cluster_loads_total{result} as a pod's /metrics shows it (0 when absent). */
  static double loads(GatewayHarness pod, String result) {
    return pod.metric("gateway_cluster_loads_total{result=\"" + result + "\"}").orElse(0);
  }

  static int available(GatewayHarness pod) {
    return (int) pod.metric("gateway_redis_available").orElseThrow();
  }

  /** No key, value or hash field under the test's prefix holds a C2C token in clear. */
  void assertNoTokenInRedis(String c2c) {
    Map<String, String> contents = redis.contents();
    assertThat(contents).isNotEmpty();
    contents.forEach((key, value) -> {
      assertThat(key).doesNotContain(c2c).doesNotContain("c2c_");
      assertThat(value).doesNotContain(c2c).doesNotContain("c2c_");
    });
  }

  /**
   * Requests one after another on each pod, each from its own thread, paced at one per 5 ms at most: the hot
   * token and a cold one in turn, until stopped (at most 60 s or 12,000 requests a pod); every status.
   */
  static final class Traffic {
    private final List<GatewayHarness> pods;
    private final List<Thread> threads = new ArrayList<>();
    private final List<Integer> statuses = java.util.Collections.synchronizedList(new ArrayList<>());
    final List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());
    private volatile boolean stopped;

    Traffic(List<GatewayHarness> pods) {
      this.pods = pods;
    }

    void start() {
      for (int p = 0; p < pods.size(); p++) {
        GatewayHarness pod = pods.get(p);
        String name = "pod" + p;
        Thread t = new Thread(() -> {
          long deadline = System.nanoTime() + 60_000_000_000L;
          for (int i = 0; i < 12_000 && !stopped && System.nanoTime() < deadline; i++) {
            java.util.concurrent.locks.LockSupport.parkNanos(5_000_000); // pacing: a load, not a flood
            String token = i % 2 == 0 ? C2C : "c2c_traffic" + name + "x" + i;
            long sent = System.nanoTime();
            try {
              statuses.add(await(pod.postAsync("/api/fabric/embeds/tokens", "application/json",
                  new JsonObject().put("token", token).encode(), null)).statusCode());
            } catch (AssertionError e) { // no answer at all: worse than any status
              problems.add(token + " after " + (System.nanoTime() - sent) / 1_000_000 + " ms: " + e.getMessage());
              statuses.add(-1);
            }
          }
        }, "traffic-" + name);
        threads.add(t);
        t.start();
      }
    }

    /** Waits until {@code n} more requests have been answered. */
    void awaitMore(int n) {
      int target = statuses.size() + n;
      Await.until(() -> statuses.size() >= target, 20_000, n + " more requests answered");
    }

    List<Integer> stop() {
      stopped = true;
      threads.forEach(t -> {
        try {
          t.join(30_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      return List.copyOf(statuses);
    }
  }
}
