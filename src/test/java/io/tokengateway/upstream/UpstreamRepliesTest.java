package io.tokengateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokengateway.core.GatewayFailure.Outcome;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import java.net.ConnectException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class UpstreamRepliesTest {

  @Test
  void retryAfterIsDeltaSecondsBoundedElseOne() {
    assertThat(UpstreamReplies.retryAfter(null)).isEqualTo(1);
    assertThat(UpstreamReplies.retryAfter("7")).isEqualTo(7);
    assertThat(UpstreamReplies.retryAfter(" 12 ")).isEqualTo(12);
    assertThat(UpstreamReplies.retryAfter("0")).isEqualTo(1);
    assertThat(UpstreamReplies.retryAfter("-5")).isEqualTo(1);
    assertThat(UpstreamReplies.retryAfter("999999")).isEqualTo(3600);
    assertThat(UpstreamReplies.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT")).isEqualTo(1);
  }

  @Test
  void failuresWithoutAnAnswerMapToGatewayErrors() {
    assertThat(UpstreamReplies.fromException(new TimeoutException()).status()).isEqualTo(504);
    assertThat(UpstreamReplies.fromException(new TimeoutException()).outcome()).isEqualTo(Outcome.TIMEOUT);
    assertThat(UpstreamReplies.fromException(new ConnectException()).status()).isEqualTo(502);
    assertThat(UpstreamReplies.fromException(new ConnectionPoolTooBusyException("busy")).status()).isEqualTo(502);
  }
}
