package io.tokengateway.guest;

import io.tokengateway.core.GatewayFailure;
import io.tokengateway.core.GatewayFailure.Outcome;
import io.vertx.core.AsyncResult;

/**
 * What the guest checks granted one request: a mint taken from its caller's quota (if quotas are on). After the
 * SignalWire call, {@link #settle} gives that mint back unless a token was minted or SignalWire refused the
 * request itself: a caller is charged for what it got and for what it asked wrongly (SignalWire's 4xx, e.g.
 * an address outside the project, which a caller could otherwise repeat for free), never for the gateway's or
 * SignalWire's own failures (rejected by a limiter or the breaker, 5xx, timeouts, lost connections).
 */
public final class GuestGrant {

  /** The grant when no quota applies. */
  static final GuestGrant UNCOUNTED = new GuestGrant(GuestQuota.Reservation.NONE);

  private final GuestQuota.Reservation mint;

  GuestGrant(GuestQuota.Reservation mint) {
    this.mint = mint;
  }

  /** A grant that counts nothing: for requests no quota applies to. */
  public static GuestGrant none() {
    return UNCOUNTED;
  }

  /** To call with the upstream call's result. */
  public void settle(AsyncResult<?> upstream) {
    if (upstream.succeeded()) {
      return;
    }
    boolean callerAtFault = upstream.cause() instanceof GatewayFailure f && f.outcome() == Outcome.CLIENT_ERROR
        && f.status() < 500;
    if (!callerAtFault) {
      mint.release();
    }
  }
}
