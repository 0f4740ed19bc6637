package io.tokengateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import io.tokengateway.support.PrimaryEndpointTopology;
import io.tokengateway.support.RedisProcess;
import io.tokengateway.support.RedisTopology;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The cluster-mode scenarios in standalone mode on a primary with a replica behind one address (a managed
 * primary endpoint), and a failover behind it: the old primary stays up as a replica, and the pooled connections
 * to it answer READONLY to every write until the gateway connects again.
 */
class PrimaryEndpointIT extends ClusterModeScenarios {

  private static PrimaryEndpointTopology endpoint;

  @BeforeAll
  static void startPair() {
    RedisProcess.assumeBinaries();
    endpoint = PrimaryEndpointTopology.start();
  }

  @AfterAll
  static void stopPair() {
    if (endpoint != null) {
      endpoint.close();
    }
  }

  @Override
  protected RedisTopology topology() {
    return endpoint;
  }

  @Test
  void aFailoverBehindThePrimaryEndpointIsFollowedOnceTheOldPrimaryAnswersReadOnly() {
    int before = endpoint.masterPort();

    List<ILoggingEvent> logged = survives(endpoint::failover, key -> endpoint.masterPort());

    assertThat(endpoint.masterPort()).isNotEqualTo(before);
    assertThat(logged).map(ILoggingEvent::getFormattedMessage).as("the pods noticed and connected again")
        .anyMatch(m -> m.contains("answered READONLY"));
  }
}
