package io.tokengateway.cluster;

import static io.tokengateway.support.GatewayHarness.C2C;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.tokengateway.support.Await;
import io.tokengateway.support.GatewayHarness;
import io.tokengateway.support.LogEvents;
import io.tokengateway.support.RedisSupport;
import io.tokengateway.support.RedisTopology;
import io.tokengateway.support.TcpProxy;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The cluster-mode scenarios ({@link ClusterModeScenarios}) on the standalone Redis on 127.0.0.1:6379, and what
 * only a relay in front of it can show: a local hit sends no command, a half-open subscription is noticed.
 */
class ClusterModeIT extends ClusterModeScenarios {

  @Override
  protected RedisTopology topology() {
    return RedisTopology.STANDALONE;
  }

  @Override
  protected void assumeReady() {
    RedisSupport.assumeRunning();
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
      HttpResponse<Buffer> purged = purge(two, C2C);
      assertThat(purged.statusCode()).isEqualTo(200);
      Await.until(() -> one.gateway.embedCache().size() == 0, 2_000, "a purge reaches the pod again");
      assertThat(LogEvents.snapshot(logged)).as("the PINGs' answers on the subscription are no error")
          .noneMatch(e -> e.getLevel() == Level.ERROR);
    } finally {
      root.detachAppender(logged);
      started.forEach(GatewayHarness::stop);
      started.clear();
      relay.stop();
    }
  }
}
