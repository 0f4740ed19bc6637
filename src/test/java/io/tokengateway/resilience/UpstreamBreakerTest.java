package io.tokengateway.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.circuitbreaker.CircuitBreakerOptions;
import org.junit.jupiter.api.Test;

/**
 * What the gateway turns off in Vert.x Circuit Breaker: a call timeout of its own (10 s by default; the upstream
 * deadline owns time and also cancels the call), event-bus notifications (by default every state change and
 * a message every 2 s, with a metrics object per breaker) and retries.
 */
class UpstreamBreakerTest {

  @Test
  void theBreakerHasNoTimeoutNoNotificationsAndNoRetries() {
    CircuitBreakerOptions options = UpstreamBreaker.options(5, 10, 30);

    assertThat(options.getTimeout()).isEqualTo(-1);
    assertThat(options.getNotificationAddress()).as("no notifications, so no periodic timer either").isNull();
    assertThat(options.getMaxRetries()).isZero();
    assertThat(options.isFallbackOnFailure()).isFalse();
  }

  @Test
  void theSettingsGoInAsMilliseconds() {
    CircuitBreakerOptions options = UpstreamBreaker.options(5, 10, 30);

    assertThat(options.getMaxFailures()).isEqualTo(5);
    assertThat(options.getFailuresRollingWindow()).isEqualTo(10_000);
    assertThat(options.getResetTimeout()).isEqualTo(30_000);
  }
}
