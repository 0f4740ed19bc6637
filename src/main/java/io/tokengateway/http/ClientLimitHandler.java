package io.tokengateway.http;

import io.tokengateway.core.GatewayFailure;
import io.tokengateway.core.GatewayFailure.Outcome;
import io.tokengateway.metrics.GatewayMetrics;
import io.tokengateway.resilience.ClientAddress;
import io.tokengateway.resilience.ClientRateLimiter;
import io.vertx.ext.web.RoutingContext;

/** Counts every token request against its client's bucket; over it, 429 with {@code Retry-After}. */
public final class ClientLimitHandler {

  private final ClientAddress addresses;
  private final ClientRateLimiter limiter;
  private final GatewayMetrics metrics;

  public ClientLimitHandler(ClientAddress addresses, ClientRateLimiter limiter, GatewayMetrics metrics) {
    this.addresses = addresses;
    this.limiter = limiter;
    this.metrics = metrics;
  }

  public void handle(RoutingContext ctx) {
    GatewayFailure limited = check(ctx.request());
    if (limited == null) {
      ctx.next();
    } else {
      Responses.error(ctx, limited);
    }
  }

  /** Takes a permit for the request's client: null when it may go on, else the 429 to answer. */
  GatewayFailure check(io.vertx.core.http.HttpServerRequest request) {
    int retryAfter = limiter.tryAcquire(addresses.of(request));
    if (retryAfter == 0) {
      return null;
    }
    metrics.rateLimited("client");
    return GatewayFailure.retryLater(429, retryAfter, Outcome.CLIENT_LIMITED, "client rate limit");
  }
}
