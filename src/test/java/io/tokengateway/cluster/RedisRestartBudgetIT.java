package io.tokengateway.cluster;

import static io.tokengateway.support.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokengateway.support.Await;
import io.tokengateway.support.FakeSignalWire;
import io.tokengateway.support.GatewayHarness;
import io.tokengateway.support.RedisProcess;
import io.tokengateway.support.RedisSupport;
import io.vertx.core.Vertx;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The shared upstream budget through a Redis restart: two pods (each on its own Vert.x, as two processes) on a
 * Redis of this class's own that it kills and starts again (empty: no persistence) under a steady load above
 * the rate. However the pods fall back to their local shares and return, SignalWire must see at most rate + burst
 * calls in any second: the local shares must not add to what the shared bucket gave just before, and the lost
 * bucket of a Redis that came back (a full one, by its key's absence) must not add to what the pods spent
 * locally. Each rule on its own: {@link SharedRateLimiterIT}.
 */
@ExtendWith(VertxExtension.class)
class RedisRestartBudgetIT {

  static final int PER_SECOND = 20;
  static final int BURST = 20;
  /** Requests per second sent to each pod, all for cold tokens: together 2.5 times the rate. */
  static final int LOAD_PER_POD = 25;

  private final List<Vertx> pods = new ArrayList<>();
  private final List<GatewayHarness> started = new ArrayList<>();
  private Path dir;
  /** When each step of the scenario happened, for the failure's message. */
  private final Map<String, String> marks = new LinkedHashMap<>();
  private RedisProcess redis;
  private FakeSignalWire upstream;

  @BeforeEach
  void redis(Vertx vertx) {
    RedisProcess.assumeBinaries();
    dir = RedisProcess.tempDir("restart");
    redis = RedisProcess.start(dir, "redis", RedisProcess.freePorts(1)[0], List.of(), false, null);
    upstream = FakeSignalWire.start(vertx);
  }

  @AfterEach
  void stop() {
    started.forEach(GatewayHarness::stop);
    pods.forEach(p -> await(p.close()));
    if (redis != null) {
      redis.kill();
      RedisProcess.delete(dir);
    }
  }

  /** Redis gone until both pods count it unavailable, then started again at once, empty. */
  @Test
  void aRestartBothPodsNoticeKeepsEverySecondWithinRatePlusBurst(Vertx vertx) {
    GatewayHarness one = pod(Map.of());
    GatewayHarness two = pod(Map.of());
    Load load = new Load(vertx, List.of(one, two)).start();

    long since = steady();
    mark("kill", since);
    redis.kill();
    Await.until(() -> available(one) == 0 && available(two) == 0, 10_000, "both pods count Redis unavailable");
    mark("unavailable", since);
    redis.restart();
    mark("restarted", since);
    Await.until(() -> available(one) == 1 && available(two) == 1, 10_000, "both pods count Redis available");
    mark("available", since);
    awaitCalls(2 * PER_SECOND, "the shared budget spent again for two seconds");
    load.stop();

    assertWithinBudget(load, since);
  }

  /**
   * Redis gone for less than the pods need to count it unavailable (here: {@code redis.failuresToUnavailable}
   * out of reach): their calls go to their local shares while its commands fail, and straight back to Redis,
   * empty, once it answers.
   */
  @Test
  void aRestartTooShortForThePodsToNoticeKeepsEverySecondWithinRatePlusBurst(Vertx vertx) {
    GatewayHarness one = pod(Map.of("redis.failuresToUnavailable", 1_000));
    GatewayHarness two = pod(Map.of("redis.failuresToUnavailable", 1_000));
    Load load = new Load(vertx, List.of(one, two)).start();

    long since = steady();
    mark("kill", since);
    redis.kill();
    awaitCalls(BURST / 2, "calls on the pods' local shares");
    mark("restart", since);
    redis.restart();
    mark("restarted", since);
    awaitCalls(3 * PER_SECOND, "the shared budget spent again for three seconds");
    load.stop();

    assertThat(available(one) + available(two)).as("neither pod counted Redis unavailable").isEqualTo(2);
    assertWithinBudget(load, since);
  }

  /**
   * Waits out the start (the fresh shared bucket's burst with a second's refill: rate + burst, the bound itself),
   * then a second of the steady state; returns when that second began: the calls the test counts.
   */
  private long steady() {
    awaitCalls(BURST + 2 * PER_SECOND, "the burst and two seconds of the shared budget spent");
    long since = System.nanoTime();
    awaitCalls(PER_SECOND, "a second more of the shared budget spent");
    return since;
  }

  /** The busiest second among the calls SignalWire received since {@code since}: every window starting at a call. */
  private void assertWithinBudget(Load load, long since) {
    assertThat(load.statuses).as("the load was above the rate: some calls were refused").containsKey(503);
    assertThat(load.problems).as("requests without an answer, or with an unexpected status").isEmpty();
    List<Long> at = upstream.received().stream().map(FakeSignalWire.Received::atNanos).filter(t -> t - since >= 0)
        .sorted().toList();
    int most = 0;
    for (int i = 0, j = 0; i < at.size(); i++) {
      while (j < at.size() && at.get(j) - at.get(i) < 1_000_000_000L) {
        j++;
      }
      most = Math.max(most, j - i);
    }
    assertThat(most).as("SignalWire calls in the busiest second (rate %d + burst %d); calls per 100 ms: %s; %s;"
        + " answers %s", PER_SECOND, BURST, tenths(at, since), marks, load.statuses)
        .isLessThanOrEqualTo(PER_SECOND + BURST);
  }

  /** The calls in each tenth of a second from {@code since}, one character each ({@code .} none, then 1 to 9, A...). */
  private static String tenths(List<Long> at, long since) {
    StringBuilder out = new StringBuilder();
    for (long t : at) {
      int slot = (int) ((t - since) / 100_000_000L);
      while (out.length() <= slot) {
        out.append('0');
      }
      out.setCharAt(slot, (char) (out.charAt(slot) == '9' ? 'A' : out.charAt(slot) + 1));
    }
    return out.toString().replace('0', '.');
  }

  private void mark(String what, long since) {
    marks.put(what, String.format("%.1f s", (System.nanoTime() - since) / 1e9));
  }

  private void awaitCalls(int more, String what) {
    int target = upstream.calls() + more;
    Await.until(() -> upstream.calls() >= target, 20_000, what);
  }

  /** A pod just past its warm-up: its late Redis replies count as at any time. */
  private GatewayHarness pod(Map<String, ?> extra) {
    Vertx own = Vertx.vertx();
    pods.add(own);
    Map<String, Object> settings = new HashMap<>(Map.of(
        "redis.url", RedisSupport.url(redis.port),
        "redis.timeoutMs", 500,
        "redis.warmupSeconds", 0,
        "upstream.timeoutMs", 5_000, // a loaded machine's slow answer is not what this test is about
        "cluster.expectedReplicas", 2,
        "upstream.rateLimit.perSecond", PER_SECOND,
        "upstream.rateLimit.burst", BURST,
        "upstream.rateLimit.maxWaitMs", 100));
    settings.putAll(extra);
    GatewayHarness gw = GatewayHarness.start(own, upstream, settings);
    started.add(gw);
    return gw;
  }

  private static int available(GatewayHarness pod) {
    return (int) pod.metric("gateway_redis_available").orElseThrow();
  }

  /** {@link #LOAD_PER_POD} requests a second to each pod, each for a cold token, from timers on one Vert.x. */
  static final class Load {
    private final Vertx vertx;
    private final List<GatewayHarness> targets;
    private final List<WebClient> clients = new ArrayList<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    final List<String> problems = Collections.synchronizedList(new ArrayList<>());
    final Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
    private long timer;
    private int sent;

    Load(Vertx vertx, List<GatewayHarness> targets) {
      this.vertx = vertx;
      this.targets = targets;
    }

    Load start() {
      for (GatewayHarness pod : targets) {
        clients.add(WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
            .setDefaultPort(pod.gateway.port()), new PoolOptions().setHttp1MaxSize(64)));
      }
      timer = vertx.setPeriodic(1_000 / LOAD_PER_POD, id -> {
        int n = sent++;
        for (int p = 0; p < clients.size(); p++) {
          inFlight.incrementAndGet();
          clients.get(p).post("/api/fabric/embeds/tokens")
              .sendJsonObject(new JsonObject().put("token", "c2c_restartload" + p + "x" + n))
              .onComplete(ar -> {
                inFlight.decrementAndGet();
                int status = ar.succeeded() ? ar.result().statusCode() : -1;
                statuses.merge(status, 1, Integer::sum);
                if (status != 201 && status != 503) {
                  problems.add(ar.succeeded() ? "status " + status : String.valueOf(ar.cause()));
                }
              });
        }
      });
      return this;
    }

    void stop() {
      vertx.cancelTimer(timer);
      Await.until(() -> inFlight.get() == 0, 10_000, "the load's last requests answered");
      clients.forEach(WebClient::close);
    }
  }
}
