package io.tokengateway.cache;

import io.tokengateway.core.GatewayFailure;
import io.vertx.core.buffer.Buffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What the cache holds for one C2C token, with its times on the cache's ticker (nanoseconds): a token received
 * at {@code receivedAt}, a hit until {@code freshUntil} (refreshed from {@code refreshAt}), then held in reserve
 * until {@code usableUntil} (served only when a refresh fails); or SignalWire's failure: a 404/422 remembered
 * until {@code usableUntil} (a negative entry), or any other failure kept for no time (it only carries the
 * error to the requests that waited for the call).
 */
final class EmbedEntry {

  /** Where an entry stands at some instant. */
  enum Window { FRESH, RESERVE, MARGIN }

  final Buffer body;
  /** SignalWire's failure, or null for a token. */
  final GatewayFailure failure;
  /** A negative entry's failure as later requests get it: remembered, SignalWire not asked. */
  final GatewayFailure remembered;
  final long receivedAt;
  final long refreshAt;
  final long freshUntil;
  final long usableUntil;
  /** Whether the token had usable lifetime left when it was received; if not it is returned, never kept. */
  final boolean cacheable;
  /** Whether it came from the cluster's shared cache. */
  final boolean shared;
  /** Set by the one request that starts the background refresh of this entry. */
  final AtomicBoolean refreshStarted = new AtomicBoolean();

  private EmbedEntry(Buffer body, GatewayFailure failure, long receivedAt, long refreshAt,
      long freshUntil, long usableUntil, boolean cacheable, boolean shared) {
    this.body = body;
    this.failure = failure;
    this.remembered = failure != null && cacheable ? failure.asRemembered() : null;
    this.receivedAt = receivedAt;
    this.refreshAt = refreshAt;
    this.freshUntil = freshUntil;
    this.usableUntil = usableUntil;
    this.cacheable = cacheable;
    this.shared = shared;
  }

  static EmbedEntry token(Buffer body, long now, long receivedAt, long refreshAt, long freshUntil, long usableUntil,
      boolean shared) {
    return new EmbedEntry(body, null, receivedAt, refreshAt, freshUntil, usableUntil, usableUntil - now > 0,
        shared);
  }

  /** SignalWire's 404 or 422, remembered until {@code expiresAt}: later requests get it {@code remembered}. */
  static EmbedEntry negative(GatewayFailure failure, long now, long expiresAt) {
    return new EmbedEntry(null, failure, now, expiresAt, expiresAt, expiresAt, true, false);
  }

  static EmbedEntry failed(GatewayFailure failure) {
    return new EmbedEntry(null, failure, Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE,
        false, false);
  }

  /** A failed call that is not kept. */
  boolean isFailure() {
    return failure != null && !cacheable;
  }

  /** A remembered 404/422. */
  boolean isNegative() {
    return failure != null && cacheable;
  }

  Window window(long now) {
    if (now - freshUntil < 0) {
      return Window.FRESH;
    }
    return now - usableUntil < 0 ? Window.RESERVE : Window.MARGIN;
  }

  /** Whole seconds since the token was received (its {@code Age}). */
  long ageSeconds(long now) {
    return TimeUnit.NANOSECONDS.toSeconds(Math.max(0, now - receivedAt));
  }
}
