package io.tokengateway.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Tracing (io.tokengateway.tracing). W3C trace context is on unless {@code propagate} is false
 * ({@code tracing.propagation: none}: no {@code traceparent} read, answered or sent, no ids in access lines).
 * Spans are exported over OTLP/HTTP only when {@code otlpEndpoint} is set, which needs propagation on: the
 * collector's base URL (spans go to its {@code /v1/traces}, unless the URL already names that path).
 * {@code sampleRatio} is the share of new traces recorded (parent-based: a caller's sampled flag decides for its
 * own traces). The batch processor keeps at most {@code queueSize} ended spans (more are dropped, never waited
 * for), sends at most {@code batchSize} per export, at least every {@code scheduleDelayMs}, and gives one export
 * {@code timeoutMs}.
 */
public record TracingOptions(boolean propagate, String otlpEndpoint, double sampleRatio, int timeoutMs,
    int queueSize, int batchSize, int scheduleDelayMs) {

  static TracingOptions from(Settings s) {
    TracingOptions options = new TracingOptions(
        propagation(s.string("tracing.propagation")),
        s.string("tracing.otlp.endpoint"),
        s.doubleValue("tracing.sampleRatio", 0.0, 1.0),
        s.intValue("tracing.otlp.timeoutMs", 100, 60_000),
        s.intValue("tracing.otlp.queueSize", 1, 1_000_000),
        s.intValue("tracing.otlp.batchSize", 1, 100_000),
        s.intValue("tracing.otlp.scheduleDelayMs", 10, 60_000));
    if (options.exportEnabled()) {
      checkEndpoint(options.otlpEndpoint());
      if (!options.propagate()) {
        throw new ConfigException("tracing.otlp.endpoint (GATEWAY_TRACING_OTLP_ENDPOINT) needs tracing.propagation"
            + " (GATEWAY_TRACING_PROPAGATION) w3c: with none there is no trace to export");
      }
    }
    if (options.batchSize() > options.queueSize()) {
      throw new ConfigException("tracing.otlp.batchSize (GATEWAY_TRACING_OTLP_BATCH_SIZE) must not exceed"
          + " tracing.otlp.queueSize (GATEWAY_TRACING_OTLP_QUEUE_SIZE), got " + options.batchSize() + " > "
          + options.queueSize());
    }
    return options;
  }

  /** Whether spans are exported (an OTLP endpoint is set). */
  public boolean exportEnabled() {
    return !otlpEndpoint.isEmpty();
  }

  /** The URL spans are posted to: the endpoint's {@code /v1/traces}. */
  public String tracesUrl() {
    String base = otlpEndpoint.replaceAll("/+$", "");
    return base.endsWith("/v1/traces") ? base : base + "/v1/traces";
  }

  private static boolean propagation(String value) {
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "w3c" -> true;
      case "none" -> false;
      default -> throw new ConfigException(
          "tracing.propagation (GATEWAY_TRACING_PROPAGATION) must be 'w3c' or 'none', got '" + value + "'");
    };
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
