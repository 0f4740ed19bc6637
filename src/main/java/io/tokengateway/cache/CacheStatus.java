package io.tokengateway.cache;

/** How an embed answer was served, as the {@code X-Cache} header says. */
public enum CacheStatus {
  HIT, MISS, STALE, NEGATIVE;

  private final String label = name().toLowerCase(java.util.Locale.ROOT);

  /** The metric label: {@code hit}, {@code miss}, {@code stale}, {@code negative}. */
  public String label() {
    return label;
  }
}
