package io.tokengateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.redis.client.impl.types.ErrorType;
import org.junit.jupiter.api.Test;

/** What may be logged of a Redis problem, and which replies say the node reached is a replica. */
class RedisNodesTest {

  @Test
  void aProblemIsPrintedWithoutCredentialsAndOnOneLine() {
    // the cluster client names the node's URL, credentials included, when it cannot reach it
    RuntimeException problem = new RuntimeException("Failed obtaining connection to: redis://app:s3cret-pw@10.0.0.7:6379"
        + " and rediss://:other-secret@node-2:6380/0\n- io.netty.channel.ConnectTimeoutException: 10.0.0.7:6379");

    String printed = RedisNodes.printable(problem);

    assertThat(printed).isEqualTo("Failed obtaining connection to: redis://10.0.0.7:6379 and rediss://node-2:6380/0")
        .doesNotContain("s3cret").doesNotContain("other-secret");
    assertThat(RedisNodes.printable(null)).isEqualTo("null");
  }

  @Test
  void aReadOnlyReplyOrScriptErrorMeansAReplica() {
    assertThat(RedisNodes.readOnly(ErrorType.create("READONLY You can't write against a read only replica."))).isTrue();
    assertThat(RedisNodes.readOnly(ErrorType.create("ERR Error running script (call to f_1): @user_script:1:"
        + " @user_script: 1: -READONLY You can't write against a read only replica."))).isTrue();
    assertThat(RedisNodes.readOnly(ErrorType.create("LOADING Redis is loading the dataset in memory"))).isFalse();
    assertThat(RedisNodes.readOnly(new RuntimeException("READONLY in a connection problem is not a reply"))).isFalse();
  }
}
