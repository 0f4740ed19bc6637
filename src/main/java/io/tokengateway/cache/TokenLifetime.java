package io.tokengateway.cache;

import io.tokengateway.config.CacheOptions;
import io.tokengateway.upstream.TokenAnswer;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

/**
 * The windows of an embed token's life, counted from its receipt (by the pod that called SignalWire):
 * <ol>
 *   <li><b>fresh</b> until {@code cache.embed.freshSeconds}: served as a hit; one background refresh from
 *       {@code refreshAheadRatio} of it;</li>
 *   <li><b>reserve</b> until {@code expiry - expiryMarginSeconds}: never a plain hit, served only when a refresh
 *       fails transiently (stale);</li>
 *   <li><b>margin</b>: never served.</li>
 * </ol>
 * Expiry is receipt + {@code tokenLifetimeSeconds}, or an earlier {@code exp} where the token shows one. The one
 * place these rules live, for the local cache and the cluster's shared one.
 */
public final class TokenLifetime {

  private final CacheOptions options;
  private final Clock clock;

  public TokenLifetime(CacheOptions options, Clock clock) {
    this.options = options;
    this.clock = clock;
  }

  /** Lifetime from receipt, in nanoseconds (an answer {@link TokenAnswer#ageMillis() aged} elsewhere included). */
  public long lifetimeNanos(TokenAnswer answer) {
    long lifetime = TimeUnit.SECONDS.toNanos(options.tokenLifetimeSeconds());
    var exp = TokenExpiry.exp(answer.token());
    if (exp.isPresent()) {
      long remaining = exp.getAsLong() - clock.instant().getEpochSecond();
      long sinceReceipt = TimeUnit.SECONDS.toNanos(Math.max(0, remaining))
          + TimeUnit.MILLISECONDS.toNanos(answer.ageMillis());
      lifetime = Math.min(lifetime, sinceReceipt);
    }
    return lifetime;
  }

  /** Time from receipt until the margin: the end of the reserve window, past which the token is never served. */
  public long usableNanos(long lifetimeNanos) {
    return lifetimeNanos - TimeUnit.SECONDS.toNanos(options.expiryMarginSeconds());
  }

  /** Time from receipt until the token stops being served as a hit: the fresh window (never past the margin). */
  public long freshNanos(long lifetimeNanos) {
    return Math.min(TimeUnit.SECONDS.toNanos(options.freshSeconds()), usableNanos(lifetimeNanos));
  }

  /** Time from receipt after which a hit starts a background refresh, inside the fresh window. */
  public long refreshNanos(long lifetimeNanos) {
    return (long) (freshNanos(lifetimeNanos) * options.refreshAheadRatio());
  }
}
