package io.tokengateway.cache;

import io.tokengateway.GatewayFailure;
import io.vertx.core.buffer.Buffer;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What the cache holds for one C2C token, with its times on the cache's ticker (nanoseconds): a token served
 * until {@code servableUntil}, refreshed from {@code refreshAt}, usable as stale until {@code expiresAt};
 * or a remembered 404/422 ({@code negative}) until {@code expiresAt}.
 */
final class EmbedEntry {

  final Buffer body;
  final GatewayFailure negative;
  /** A failed call, kept for no time: it only carries the error to the requests that waited for it. */
  final GatewayFailure failure;
  final long refreshAt;
  final long servableUntil;
  final long expiresAt;
  /** Whether the token had servable lifetime left when it was received; if not it is returned, never kept. */
  final boolean cacheable;
  /** Whether it came from the cluster's shared cache. */
  final boolean shared;
  /** Set by the one request that starts the background refresh of this entry. */
  final AtomicBoolean refreshStarted = new AtomicBoolean();

  private EmbedEntry(Buffer body, GatewayFailure negative, GatewayFailure failure, long refreshAt,
      long servableUntil, long expiresAt, boolean cacheable, boolean shared) {
    this.body = body;
    this.negative = negative;
    this.failure = failure;
    this.refreshAt = refreshAt;
    this.servableUntil = servableUntil;
    this.expiresAt = expiresAt;
    this.cacheable = cacheable;
    this.shared = shared;
  }

  static EmbedEntry token(Buffer body, long now, long refreshAt, long servableUntil, long expiresAt, boolean shared) {
    return new EmbedEntry(body, null, null, refreshAt, servableUntil, expiresAt, servableUntil - now > 0, shared);
  }

  static EmbedEntry negative(GatewayFailure failure, long expiresAt) {
    return new EmbedEntry(null, failure, null, expiresAt, expiresAt, expiresAt, true, false);
  }

  static EmbedEntry failed(GatewayFailure failure) {
    return new EmbedEntry(null, null, failure, Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE, false, false);
  }

  boolean isFailure() {
    return failure != null;
  }

  boolean isNegative() {
    return negative != null;
  }

  /** Whether this entry may answer a request on its own at {@code now}. */
  boolean servable(long now) {
    return now < servableUntil;
  }
}
