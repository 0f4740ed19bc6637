package io.tokengateway.upstream;

/**
 * The SignalWire endpoints the gateway serves, with their paths (the same on both sides). Each has its own
 * circuit breaker, 429 pause and metric label.
 */
public enum Endpoint {
  EMBEDS("embeds", "/api/fabric/embeds/tokens"),
  GUESTS("guests", "/api/fabric/guests/tokens"),
  /** Refreshes a guest (subscriber) token with its refresh token. */
  REFRESH("refresh", "/api/fabric/subscribers/tokens/refresh");

  private final String label;
  private final String path;

  Endpoint(String label, String path) {
    this.label = label;
    this.path = path;
  }

  /** Low-cardinality name for logs and metrics. */
  public String label() {
    return label;
  }

  public String path() {
    return path;
  }
}
