package io.tokengateway.guest;

import io.vertx.core.Future;

/**
 * Guest tokens per caller per rolling hour. {@link #reserve} takes one of the caller's mints or fails with 429
 * and {@code Retry-After} (the seconds until the oldest mint in the window leaves it).
 */
interface GuestQuota {

  /** One mint taken from a caller's quota; {@link #release} gives it back (at most once). */
  interface Reservation {
    Reservation NONE = () -> { };

    void release();
  }

  Future<Reservation> reserve(String callerKey);
}
