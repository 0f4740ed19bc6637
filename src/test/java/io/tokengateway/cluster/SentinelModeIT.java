package io.tokengateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokengateway.support.GatewayHarness;
import io.tokengateway.support.RedisProcess;
import io.tokengateway.support.RedisTopology;
import io.tokengateway.support.SentinelTopology;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The cluster-mode scenarios on a Sentinel master set (a master, a replica and a Sentinel this class starts,
 * behind a password: {@code redis.mode: sentinel}), and a failover by {@code SENTINEL FAILOVER} mid-traffic.
 */
class SentinelModeIT extends ClusterModeScenarios {

  private static SentinelTopology sentinel;

  @BeforeAll
  static void startSentinel() {
    RedisProcess.assumeBinaries();
    sentinel = SentinelTopology.start();
  }

  @AfterAll
  static void stopSentinel() {
    if (sentinel != null) {
      sentinel.close();
    }
  }

  @Override
  protected RedisTopology topology() {
    return sentinel;
  }

  @Test
  void theGatewayWritesOnTheMasterTheSentinelNamesAndSubscribesThere() {
    GatewayHarness one = pod(vertx, Map.of());
    one.embed("c2c_onthesentinelmaster");
    int master = sentinel.masterPort();
    assertThat(redis.keys(master)).anyMatch(k -> k.endsWith("}:embed"));
    RedisProcess.until(() -> redis.subscribers(master) == 1, 5_000, "subscribed on the master");
  }

  /**
   * The old master stays up as a master for some seconds after the switch (the Sentinel turns it into a replica
   * only 8 to 18 s later): its pooled connections must go unused and the subscriptions must move to the new
   * master, else the purge after the failover would not reach the other pod in time.
   */
  @Test
  void aSentinelFailoverMidTrafficIsSurvivedAndBothPodsFollowTheNewMaster() {
    int before = sentinel.masterPort();

    survives(() -> {
      sentinel.failover();
      RedisProcess.until(() -> redis.subscribers(sentinel.masterPort()) == 2, 5_000,
          "both pods subscribed on the new master");
    }, key -> sentinel.masterPort());

    assertThat(sentinel.masterPort()).isNotEqualTo(before);
  }
}
