package io.tokengateway.config;

import io.tokengateway.config.GuestCheckOptions.CaptchaOptions;
import io.tokengateway.config.GuestCheckOptions.JwtOptions;
import io.tokengateway.config.GuestCheckOptions.QuotaOptions;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The whole validated configuration, bound once at start ({@link Settings}); invalid settings throw
 * {@link ConfigException}. Its records mirror the sections of {@code conf/gateway.yaml}, except the options read
 * across sections (upstream, resilience, cluster), which {@link ConfigFile} assembles. A new setting is its key,
 * default and comment in {@code conf/gateway.yaml}, a component (numbers with their {@link Range}) of its section's
 * record, and a row of the README's table; Jackson refuses to bind when the file and the records disagree.
 */
public record GatewayConfig(HttpOptions http, UpstreamOptions upstream, Pattern embedTokenPattern, CacheOptions cache,
    ResilienceOptions resilience, GuestOptions guest, ManagementOptions management, ShutdownOptions shutdown,
    SimulatorOptions simulator, ClusterOptions cluster, LogOptions log, TracingOptions tracing) {

  /**
   * The token API's listener. {@code instances}: event loops serving HTTP (0 in the file = one per core);
   * {@code idleTimeoutSeconds}: a connection with no bytes (and no answer owed) for this long is closed;
   * {@code requestTimeoutSeconds}: a request's head and body must arrive within this of its first byte;
   * {@code maxConnections}: open connections per process; {@code h2c}: HTTP/2 without TLS.
   */
  public record HttpOptions(@Range(max = 65_535) int port, String host, @Range(max = 1_024) int instances,
      @Range(min = 64, max = 1_048_576) int maxBodyBytes, @Range(min = 1, max = 3_600) int idleTimeoutSeconds,
      @Range(min = 1, max = 600) int requestTimeoutSeconds, @Range(min = 1, max = 3_600) int writeTimeoutSeconds,
      @Range(min = 1, max = 1_000_000) int maxConnections,
      @Range(min = 1, max = 1_000_000) int maxConnectionsPerClient, boolean h2c, List<Cidr> trustedProxies,
      CorsOptions cors) {
    public HttpOptions {
      instances = instances == 0 ? Runtime.getRuntime().availableProcessors() : instances;
      trustedProxies = List.copyOf(trustedProxies);
    }
  }

  /** The management listener: metrics, health and admin; port 0 = on the main port. */
  public record ManagementOptions(@Range(max = 65_535) int port, String host, boolean vertxMetrics,
      boolean vertxHttpServerMetrics, Secret adminToken, @Range(min = 1, max = 100_000) int maxConnections) {
  }

  /** Rules for guest token requests: the addresses, the longest lifetime, and who may mint one ({@link #checks}). */
  public record GuestOptions(Set<UUID> allowedAddresses, @Range(min = 60, max = 31_536_000) long maxTtlSeconds,
      CaptchaOptions captcha, JwtOptions jwt, QuotaOptions quota) {
    public GuestOptions {
      allowedAddresses = Set.copyOf(allowedAddresses);
    }

    /** CAPTCHA, the site's JWT, quotas. */
    public GuestCheckOptions checks() {
      return new GuestCheckOptions(captcha, jwt, quota);
    }
  }

  /** How a SIGTERM is handled. */
  public record ShutdownOptions(@Range(max = 3_600) int drainSeconds, @Range(max = 3_600) int timeoutSeconds) {
  }

  /** Browser access ({@code http.cors}). */
  public CorsOptions cors() {
    return http.cors();
  }

  /** Proxies whose {@code X-Forwarded-For} is believed ({@code http.trustedProxies}). */
  public List<Cidr> trustedProxies() {
    return http.trustedProxies();
  }

  public static GatewayConfig from(Settings s) {
    return s.bind();
  }

  /** The bundled defaults with {@code overrides} applied; the usual way tests build a configuration. */
  public static GatewayConfig of(Map<String, ?> overrides) {
    return from(ConfigLoader.withOverrides(overrides));
  }

  /** This configuration with its upstream replaced (the embedded simulator's address, once known). */
  public GatewayConfig withUpstream(UpstreamOptions newUpstream) {
    return new GatewayConfig(http, newUpstream, embedTokenPattern, cache, resilience, guest, management, shutdown,
        simulator, cluster, log, tracing);
  }
}
