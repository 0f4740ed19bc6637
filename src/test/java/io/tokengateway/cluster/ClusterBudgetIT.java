package io.tokengateway.cluster;

import static io.tokengateway.support.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokengateway.support.FakeSignalWire;
import io.tokengateway.support.GatewayHarness;
import io.tokengateway.support.RedisSupport;
import io.tokengateway.support.TcpProxy;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The shared upstream budget at the moment it is most at risk: two pods just started (each on its own Vert.x,
 * as two processes), a burst of cold tokens on both at once, and one Redis reply that comes late. One late reply
 * must not send a pod to its local bucket: both keep to the one bucket in Redis.
 */
@ExtendWith(VertxExtension.class)
class ClusterBudgetIT {

  static final int PER_SECOND = 5;
  static final int BURST = 5;
  static final int PER_POD = 30;

  private final List<Vertx> pods = new ArrayList<>();
  private final List<GatewayHarness> started = new ArrayList<>();
  private RedisSupport redis;
  private TcpProxy relay;
  private FakeSignalWire upstream;

  @BeforeEach
  void redis(Vertx vertx) {
    RedisSupport.assumeRunning();
    redis = new RedisSupport(vertx);
    relay = new TcpProxy(vertx, RedisSupport.PORT).start();
    upstream = FakeSignalWire.start(vertx);
  }

  @AfterEach
  void stop() {
    started.forEach(GatewayHarness::stop);
    pods.forEach(p -> await(p.close()));
    if (redis != null) {
      redis.close();
      relay.stop();
    }
  }

  /**
   * A pod just started, as in the incident: {@code redis.timeoutMs} at its default (50), and
   * {@code cluster.expectedReplicas} 1, so that a pod falling back to its local bucket alone would allow the
   * whole budget and any fall back shows in the count.
   */
  private GatewayHarness pod() {
    Vertx own = Vertx.vertx();
    pods.add(own);
    GatewayHarness gw = GatewayHarness.start(own, upstream, redis.settings(Map.of(
        "redis.url", RedisSupport.url(relay.port()),
        "redis.timeoutMs", 50,
        "cluster.expectedReplicas", 1,
        "upstream.rateLimit.perSecond", PER_SECOND,
        "upstream.rateLimit.burst", BURST,
        "upstream.rateLimit.maxWaitMs", 0)));
    started.add(gw);
    return gw;
  }

  @Test
  void twoColdPodsInABurstWithOneLateRedisReplyKeepToOneSharedBucket() {
    GatewayHarness one = pod();
    GatewayHarness two = pod();

    relay.slowNextAnswer("GET", 300);
    long start = System.nanoTime();
    List<Future<HttpResponse<Buffer>>> sent = new ArrayList<>();
    sent.addAll(burst(one, "one"));
    sent.addAll(burst(two, "two"));
    List<HttpResponse<Buffer>> answers = sent.stream().map(f -> await(f)).toList();
    // the bucket refills while the burst goes on: until the last call SignalWire received
    double seconds = (upstream.received().stream().mapToLong(FakeSignalWire.Received::atNanos).max().orElse(start)
        - start) / 1e9;

    long allowed = BURST + (long) Math.ceil(PER_SECOND * seconds);
    assertThat(upstream.calls()).as("SignalWire calls until %.2f s; one shared bucket allows %d", seconds, allowed)
        .isBetween(BURST, (int) allowed);
    assertThat(answers).allSatisfy(a -> assertThat(a.statusCode()).isIn(201, 503));
    assertThat(answers.stream().filter(a -> a.statusCode() == 201).count()).isEqualTo(upstream.calls());
    assertThat(available(one)).as("one late reply leaves Redis available").isEqualTo(1);
    assertThat(available(two)).isEqualTo(1);
  }

  /** {@link #PER_POD} requests for distinct cold tokens sent to {@code pod} at once, each on its own connection. */
  private static List<Future<HttpResponse<Buffer>>> burst(GatewayHarness pod, String name) {
    WebClient many = WebClient.create(pod.vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(pod.gateway.port()), new PoolOptions().setHttp1MaxSize(PER_POD));
    List<Future<HttpResponse<Buffer>>> sent = new ArrayList<>();
    for (int i = 0; i < PER_POD; i++) {
      sent.add(many.post("/api/fabric/embeds/tokens")
          .sendJsonObject(new JsonObject().put("token", "c2c_budget" + name + i + "cold")));
    }
    Future.all(sent).onComplete(ar -> many.close());
    return sent;
  }

  private static int available(GatewayHarness gw) {
    return (int) gw.metric("gateway_redis_available").orElseThrow();
  }
}
