package io.tokengateway.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.Locale;

/**
 * How the gateway calls SignalWire ({@code upstream.*}): which upstream, one call's deadline and size bound, the
 * calls in flight, the rate limit and the connection pool. Where SignalWire is: {@link SignalWireOptions}.
 */
public record UpstreamOptions(Mode mode, @Range(min = 1, max = 600_000) int timeoutMs,
    @Range(min = 1_024, max = 16_777_216) int maxResponseBytes, @Range(min = 1, max = 100_000) int maxInFlight,
    RateLimit rateLimit, Pool pool) {

  /** Which upstream the gateway calls; empty in the file = decided by {@link #within}. */
  public enum Mode {
    SIMULATOR, SIGNALWIRE;

    @JsonCreator
    static Mode parse(String value) {
      try {
        return value.isEmpty() ? null : valueOf(value.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(
            "upstream.mode (GATEWAY_UPSTREAM) must be 'simulator' or 'signalwire', got '" + value + "'");
      }
    }
  }

  /** SignalWire calls per second ({@code upstream.rateLimit.*}): per process, or for all pods in cluster mode. */
  public record RateLimit(@Range(min = 1, max = 1_000_000) int perSecond, @Range(min = 1, max = 1_000_000) int burst,
      @Range(max = 60_000) int maxWaitMs, @Range(max = 1_000_000) int maxQueue) {
  }

  /** The connections to SignalWire ({@code upstream.pool.*}). */
  public record Pool(@Range(min = 1, max = 10_000) int maxSize, @Range(min = 1, max = 1_000) int http2MaxSize,
      @Range(max = 1_000_000) int maxWaitQueue, @Range(min = 1, max = 600_000) int connectTimeoutMs,
      @Range(min = 1, max = 86_400) int keepAliveSeconds, @Range(min = 1, max = 86_400) int idleTimeoutSeconds,
      boolean http2) {
  }

  /** The mode decided: {@code upstream.mode}, else signalwire when {@code sw} has a base URL, else simulator. */
  UpstreamOptions within(SignalWireOptions sw) {
    Mode decided = mode != null ? mode : sw.baseUrl().isEmpty() ? Mode.SIMULATOR : Mode.SIGNALWIRE;
    if (decided == Mode.SIGNALWIRE) {
      sw.requireCredentials();
    }
    return new UpstreamOptions(decided, timeoutMs, maxResponseBytes, maxInFlight, rateLimit, pool);
  }
}
