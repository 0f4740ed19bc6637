package io.tokengateway.config;

/**
 * The embed token cache: the windows of a token's life (fresh, reserve until the margin), the refresh-ahead
 * point, negative caching and the bound.
 */
public record CacheOptions(
    boolean enabled,
    long tokenLifetimeSeconds,
    long freshSeconds,
    long expiryMarginSeconds,
    double refreshAheadRatio,
    long negativeTtlSeconds,
    int maxEntries) {

  static CacheOptions from(Settings s) {
    CacheOptions options = new CacheOptions(
        s.bool("cache.embed.enabled"),
        s.longValue("cache.embed.tokenLifetimeSeconds", 1, 86_400 * 7),
        s.longValue("cache.embed.freshSeconds", 1, 86_400 * 7),
        s.longValue("cache.embed.expiryMarginSeconds", 0, 86_400),
        s.doubleValue("cache.embed.refreshAheadRatio", 0.05, 1.0),
        s.longValue("cache.embed.negativeTtlSeconds", 0, 86_400),
        s.intValue("cache.embed.maxEntries", 1, 50_000_000));
    if (options.freshSeconds() + options.expiryMarginSeconds() > options.tokenLifetimeSeconds()) {
      throw new ConfigException("cache.embed.freshSeconds (" + options.freshSeconds()
          + ") + cache.embed.expiryMarginSeconds (" + options.expiryMarginSeconds()
          + ") must not exceed cache.embed.tokenLifetimeSeconds (" + options.tokenLifetimeSeconds() + ")");
    }
    return options;
  }
}
