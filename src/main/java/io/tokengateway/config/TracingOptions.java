package io.tokengateway.config;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * Tracing (io.tokengateway.tracing). W3C trace context is on unless {@code propagation} is {@code none} (no
 * {@code traceparent} read, answered or sent, no ids in access lines). {@code sampleRatio} is the share of new
 * traces recorded (parent-based: a caller's sampled flag decides for its own traces). Spans are exported over
 * OTLP/HTTP only when {@code otlp.endpoint} is set, which needs propagation on.
 */
public record TracingOptions(Propagation propagation, @Range(max = 1) double sampleRatio, Otlp otlp) {

  /** Whether trace context is read, continued and sent. */
  public enum Propagation { W3C, NONE }

  /**
   * The export: {@code endpoint} is the collector's base URL (spans go to its {@code /v1/traces}, unless the URL
   * already names that path). The batch processor keeps at most {@code queueSize} ended spans (more are dropped,
   * never waited for), sends at most {@code batchSize} per export, at least every {@code scheduleDelayMs}, and
   * gives one export {@code timeoutMs}.
   */
  public record Otlp(String endpoint, @Range(min = 100, max = 60_000) int timeoutMs,
      @Range(min = 1, max = 1_000_000) int queueSize, @Range(min = 1, max = 100_000) int batchSize,
      @Range(min = 10, max = 60_000) int scheduleDelayMs) {

    public Otlp {
      if (!endpoint.isEmpty()) {
        checkEndpoint(endpoint);
      }
      if (batchSize > queueSize) {
        throw new ConfigException("tracing.otlp.batchSize (GATEWAY_TRACING_OTLP_BATCH_SIZE) must not exceed"
            + " tracing.otlp.queueSize (GATEWAY_TRACING_OTLP_QUEUE_SIZE), got " + batchSize + " > " + queueSize);
      }
    }
  }

  public TracingOptions {
    if (propagation == Propagation.NONE && !otlp.endpoint().isEmpty()) {
      throw new ConfigException("tracing.otlp.endpoint (GATEWAY_TRACING_OTLP_ENDPOINT) needs tracing.propagation"
          + " (GATEWAY_TRACING_PROPAGATION) w3c: with none there is no trace to export");
    }
  }

  /** Whether W3C trace context is on. */
  public boolean propagate() {
    return propagation == Propagation.W3C;
  }

  /** Whether spans are exported (an OTLP endpoint is set). */
  public boolean exportEnabled() {
    return !otlp.endpoint().isEmpty();
  }

  /** The URL spans are posted to: the endpoint's {@code /v1/traces}. */
  public String tracesUrl() {
    String base = otlp.endpoint().replaceAll("/+$", "");
    return base.endsWith("/v1/traces") ? base : base + "/v1/traces";
  }

  private static void checkEndpoint(String endpoint) {
    String rule = "tracing.otlp.endpoint (GATEWAY_TRACING_OTLP_ENDPOINT) must be an http:// or https:// URL such"
        + " as http://otel-collector:4318";
    URI uri;
    try {
      uri = new URI(endpoint);
    } catch (URISyntaxException e) {
      throw new ConfigException(rule + ", got '" + endpoint + "'");
    }
    if (uri.getRawUserInfo() != null) {
      throw new ConfigException(rule + " without credentials in it (they would travel in every export's URL)");
    }
    if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null
        || uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new ConfigException(rule + ", got '" + endpoint + "'");
    }
  }
}
