package io.tokengateway.cache;

import io.tokengateway.config.CacheOptions;
import io.tokengateway.upstream.TokenAnswer;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

/**
 * How long an embed token lives, counted from its receipt: the configured lifetime, shortened to the token's
 * {@code exp} where it is readable; served until the expiry margin; refreshed from the refresh-ahead point.
 * The one place these rules live, for the local cache and the cluster's shared one.
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

  /** Time from receipt until the token stops being served on its own. */
  public long servableNanos(long lifetimeNanos) {
    return lifetimeNanos - TimeUnit.SECONDS.toNanos(options.expiryMarginSeconds());
  }

  /** Time from receipt after which a hit starts a background refresh. */
  public long refreshNanos(long lifetimeNanos) {
    return (long) (servableNanos(lifetimeNanos) * options.refreshAheadRatio());
  }
}
