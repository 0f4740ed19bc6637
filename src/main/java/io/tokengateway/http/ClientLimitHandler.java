package io.tokengateway.http;

import io.tokengateway.GatewayFailure;
import io.tokengateway.GatewayFailure.Outcome;
import io.tokengateway.resilience.ClientAddress;
import io.tokengateway.resilience.ClientRateLimiter;
import io.vertx.ext.web.RoutingContext;

/** Counts every token request against its client's bucket; over it, 429 with {@code Retry-After}. */
public final class ClientLimitHandler {

  private final ClientAddress addresses;
  private final ClientRateLimiter limiter;

  public ClientLimitHandler(ClientAddress addresses, ClientRateLimiter limiter) {
    this.addresses = addresses;
    this.limiter = limiter;
  }

  public void handle(RoutingContext ctx) {
    int retryAfter = limiter.tryAcquire(addresses.of(ctx.request()));
    if (retryAfter == 0) {
      ctx.next();
    } else {
      Responses.error(ctx, GatewayFailure.retryLater(429, retryAfter, Outcome.CLIENT_LIMITED, "client rate limit"));
    }
  }
}
