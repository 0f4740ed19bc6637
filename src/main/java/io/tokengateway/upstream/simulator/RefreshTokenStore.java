package io.tokengateway.upstream.simulator;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The refresh tokens the simulator minted and nobody has spent yet, shared by its instances. Each is valid for
 * {@link #LIFETIME} (SignalWire's 2 h 5 min) on the injected clock and can be spent once. Memory is bounded:
 * at most {@link #MAX_TOKENS} tokens (Caffeine drops the least useful first), each gone once expired.
 */
final class RefreshTokenStore {

  static final Duration LIFETIME = Duration.ofMinutes(125);
  static final long MAX_TOKENS = 100_000;

  private final Clock clock;
  /** Token -> when it expires (epoch ms); expiry is also checked on use, so an unswept entry never counts. */
  private final Cache<String, Long> live;

  RefreshTokenStore(Clock clock) {
    this.clock = clock;
    this.live = Caffeine.newBuilder()
        .maximumSize(MAX_TOKENS)
        .expireAfterWrite(LIFETIME)
        .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
        .executor(Runnable::run)
        .build();
  }

  /** The epoch second at which a refresh token minted at {@code nowEpochSeconds} expires. */
  static long expiresAt(long nowEpochSeconds) {
    return nowEpochSeconds + LIFETIME.toSeconds();
  }

  /** Remembers a refresh token just minted. */
  void issue(String token) {
    live.put(token, clock.millis() + LIFETIME.toMillis());
  }

  /** Spends {@code token}: true once for a token minted here and still valid, false ever after. */
  boolean spend(String token) {
    Long expiresAtMillis = live.asMap().remove(token);
    return expiresAtMillis != null && clock.millis() < expiresAtMillis;
  }
}
