package io.tokengateway.upstream;

/** The two SignalWire endpoints the gateway serves, with their paths (the same on both sides). */
public enum Endpoint {
  EMBEDS("embeds", "/api/fabric/embeds/tokens"),
  GUESTS("guests", "/api/fabric/guests/tokens");

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
