package io.tokengateway.config;

/**
 * The embed token cache ({@code cache.embed.*}): the windows of a token's life (fresh, reserve until the margin),
 * the refresh-ahead point, negative caching and the bound.
 */
public record CacheOptions(boolean enabled, @Range(min = 1, max = 604_800) long tokenLifetimeSeconds,
    @Range(min = 1, max = 604_800) long freshSeconds, @Range(max = 86_400) long expiryMarginSeconds,
    @Range(min = 0.05, max = 1) double refreshAheadRatio, @Range(max = 86_400) long negativeTtlSeconds,
    @Range(min = 1, max = 50_000_000) int maxEntries) {

  public CacheOptions {
    if (freshSeconds + expiryMarginSeconds > tokenLifetimeSeconds) {
      throw new ConfigException("cache.embed.freshSeconds (" + freshSeconds + ") + cache.embed.expiryMarginSeconds ("
          + expiryMarginSeconds + ") must not exceed cache.embed.tokenLifetimeSeconds (" + tokenLifetimeSeconds + ")");
    }
  }
}
