package io.tokengateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.tokengateway.support.Await;
import io.tokengateway.support.GatewayHarness;
import io.tokengateway.support.RedisClusterTopology;
import io.tokengateway.support.RedisProcess;
import io.tokengateway.support.RedisTopology;
import io.tokengateway.support.Resp;
import io.tokengateway.upstream.Endpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The cluster-mode scenarios on a Redis Cluster of 3 masters with a replica each (started by this class, behind
 * a password: {@code redis.mode: cluster}, the first masters as seeds), what only a cluster can show (hash
 * slots, pub/sub across nodes), a master killed mid-traffic and a slot handed over with {@code CLUSTER FAILOVER}.
 */
class RedisClusterModeIT extends ClusterModeScenarios {

  private static RedisClusterTopology cluster;

  @BeforeAll
  static void startCluster() {
    RedisProcess.assumeBinaries();
    cluster = RedisClusterTopology.start(3, 1);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Override
  protected RedisTopology topology() {
    return cluster;
  }

  @Test
  void theKeysOfEveryScriptShareAHashSlotAndTokensSpreadOverEveryMaster() {
    ClusterKeys keys = new ClusterKeys(redis.prefix);
    for (String c2c : SPREAD) {
      String hash = ClusterKeys.hash(c2c);
      assertThat(List.of(cluster.slot(keys.lock(hash)), cluster.slot(keys.generation(hash))))
          .containsOnly(cluster.slot(keys.embed(hash)));
    }
    for (Endpoint e : Endpoint.values()) {
      assertThat(cluster.slot(keys.pause(e))).isEqualTo(cluster.slot(keys.bucket()));
    }
    assertThat(SPREAD.stream().map(c2c -> cluster.masterOf(keys.embed(ClusterKeys.hash(c2c)))).distinct())
        .containsExactlyInAnyOrderElementsOf(cluster.masterPorts());
  }

  /** Classic PUBLISH, from a script too, reaches every node: a pod may subscribe on any one. */
  @Test
  void answersAndPurgesArePublishedToEveryNode() throws InterruptedException {
    ClusterKeys keys = new ClusterKeys(redis.prefix);
    List<Integer> nodes = cluster.nodePorts();
    assertThat(nodes).hasSize(6);
    List<BlockingQueue<String>> heard = nodes.stream()
        .map(port -> Resp.subscribe(port, cluster.password(), keys.answers(), keys.invalidations())).toList();
    GatewayHarness one = pod(vertx, Map.of());
    String hash = ClusterKeys.hash(GatewayHarness.C2C);

    one.embed(GatewayHarness.C2C); // the PUT script publishes on the answers channel
    assertThat(purge(one, GatewayHarness.C2C).statusCode()).isEqualTo(200);

    for (BlockingQueue<String> node : heard) {
      List<String> messages = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        messages.add(node.poll(5, TimeUnit.SECONDS));
      }
      assertThat(messages).containsExactly(keys.answers() + " " + hash, keys.invalidations() + " " + hash);
    }
  }

  /**
   * The master a pod is subscribed on is killed: until the cluster has failed it over (cluster-node-timeout and
   * an election, some seconds) the Vert.x client fails every command, since it connects to every node the slot
   * map lists; the pods go on without Redis, come back by themselves, and subscribe again elsewhere.
   */
  @Test
  void aMasterKilledMidTrafficIsFailedOverAndSurvived() {
    int[] killed = {0};
    try {
      List<ILoggingEvent> logged = survives(() -> {
        killed[0] = cluster.masterPorts().stream().max(java.util.Comparator.comparingInt(redis::subscribers))
            .orElseThrow();
        assertThat(redis.subscribers(killed[0])).as("a pod subscribed on the master to kill").isPositive();
        cluster.killMaster(killed[0]);
      }, cluster::masterOf);

      assertThat(cluster.masterPorts()).doesNotContain(killed[0]);
      assertThat(messages(logged, Level.WARN)).as("Redis counted as unavailable meanwhile, and the subscription lost")
          .anyMatch(m -> m.contains(" unavailable (")).anyMatch(m -> m.startsWith("subscription to"));
      assertThat(messages(logged, Level.INFO)).anyMatch(m -> m.startsWith("subscribed again to"));
    } finally {
      if (killed[0] != 0) {
        cluster.restart(killed[0]); // as a replica: the cluster whole again for the other tests
      }
    }
  }

  /** A graceful hand-over answers MOVED on the old master: the client follows it, and no command fails. */
  @Test
  void aSlotHandedOverWithClusterFailoverIsFollowedThroughMoved() {
    ClusterKeys keys = new ClusterKeys(redis.prefix);
    int old = cluster.masterOf(keys.bucket());
    long movedBefore = cluster.errorReplies(old, "MOVED");
    List<ILoggingEvent> logged = survives(() -> cluster.handOver(cluster.replicaOf(old)), cluster::masterOf);

    assertThat(cluster.errorReplies(old, "MOVED")).as("the old master redirected the pods' commands")
        .isGreaterThan(movedBefore);
    assertThat(messages(logged, Level.WARN)).as("nothing went wrong").noneMatch(m -> m.contains("unavailable"));
  }

  private static List<String> messages(List<ILoggingEvent> logged, Level level) {
    return logged.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage)
        .collect(Collectors.toList());
  }
}
