package io.tokengateway.cache;

/** How an embed answer was served, as the {@code X-Cache} header says. */
public enum CacheStatus {
  HIT, MISS, STALE, NEGATIVE,
  /** Served from the cluster's shared cache: another pod called SignalWire for it. */
  SHARED;

  private final String label = name().toLowerCase(java.util.Locale.ROOT);

  /** The metric label: {@code hit}, {@code miss}, {@code stale}, {@code negative}, {@code shared}. */
  public String label() {
    return label;
  }
}
