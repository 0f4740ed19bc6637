package io.tokengateway.http;

import io.tokengateway.core.GatewayFailure;
import io.tokengateway.core.GatewayFailure.Outcome;
import io.tokengateway.metrics.GatewayMetrics;
import io.tokengateway.http.ClientAddress;
import io.tokengateway.resilience.ClientRateLimiter;

/**
 * The client limit stage of every token pipeline: one permit from the client's bucket per request (cache hits
 * included); over it, 429 with {@code Retry-After}. Reads the client's key once, for the stages after it.
 */
public final class ClientLimits {

  private final ClientAddress addresses;
  private final ClientRateLimiter limiter;
  private final GatewayMetrics metrics;

  public ClientLimits(ClientAddress addresses, ClientRateLimiter limiter, GatewayMetrics metrics) {
    this.addresses = addresses;
    this.limiter = limiter;
    this.metrics = metrics;
  }

  /** Takes a permit for the request's client: null when it may go on, else the 429 to answer. */
  GatewayFailure check(Exchange x) {
    x.client = addresses.of(x.request);
    int retryAfter = limiter.tryAcquire(x.client);
    if (retryAfter == 0) {
      return null;
    }
    metrics.rateLimited("client");
    return GatewayFailure.retryLater(429, retryAfter, Outcome.CLIENT_LIMITED, "client rate limit");
  }
}
