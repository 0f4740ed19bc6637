package io.tokengateway.resilience;

import io.tokengateway.upstream.Endpoint;
import io.vertx.core.Future;

/**
 * Permission to send one call to SignalWire: the rate limit and the pause after SignalWire's 429, per process
 * ({@link UpstreamRateLimiter}) or shared by every pod (cluster mode).
 */
public interface UpstreamPermits {

  /**
   * Completes when a call to {@code endpoint} may go; fails with a {@link io.tokengateway.core.GatewayFailure}: 503
   * when no permit comes in time, 429 while a pause another pod recorded is running.
   */
  Future<Void> acquire(Endpoint endpoint);

  /** SignalWire answered 429 on {@code endpoint}: share a pause of {@code seconds} where there is anyone to tell. */
  default void paused(Endpoint endpoint, int seconds) {
  }
}
