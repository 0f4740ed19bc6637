package io.tokengateway.cache;

/** How an embed answer was served, as the {@code X-Cache} header says. */
public enum CacheStatus {
  HIT, MISS, STALE, NEGATIVE
}
