package io.tokengateway.config;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The whole validated configuration, bound once at start ({@link Settings}); invalid settings throw
 * {@link ConfigException}. One component per section of {@code conf/gateway.yaml}, each record shaped like its
 * section, so Jackson binds the file as it is. A new setting is its key, default and comment in
 * {@code conf/gateway.yaml}, a component (numbers with their {@link Range}) of its section's record, and a row of
 * {@code docs/configuration.md}; Jackson refuses to bind when the file and the records disagree. The rules across
 * sections are decided here: the upstream mode, the CAPTCHA hostnames and secret, cluster mode's checks.
 */
public record GatewayConfig(HttpOptions http, ManagementOptions management, UpstreamOptions upstream,
    SignalWireOptions signalwire, EmbedOptions embed, BreakerOptions breaker, ClientOptions client, Caches cache,
    ClusterOptions redis, Fleet cluster, GuestOptions guest, ShutdownOptions shutdown, LogOptions log,
    TracingOptions tracing, SimulatorOptions simulator) {

  public GatewayConfig {
    upstream = upstream.within(signalwire);
    guest = new GuestOptions(guest.allowedAddresses(), guest.maxTtlSeconds(),
        guest.captcha().within(http.cors(), upstream.mode()), guest.jwt(), guest.quota());
    if (redis.enabled()) {
      redis.check(cluster.expectedReplicas());
    }
  }

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

  /** The C2C tokens accepted ({@code embed.tokenPattern}); others are refused without calling SignalWire. */
  public record EmbedOptions(Pattern tokenPattern) {
  }

  /** Each upstream endpoint's circuit breaker ({@code breaker.*}). */
  public record BreakerOptions(@Range(min = 1, max = 10_000) int maxFailures,
      @Range(min = 1, max = 3_600) int windowSeconds, @Range(min = 1, max = 3_600) int resetSeconds) {
  }

  /** The limits per client address ({@code client.*}). */
  public record ClientOptions(RateLimit rateLimit) {
    /** Token requests per client address ({@code client.rateLimit.*}) and how many addresses are tracked. */
    public record RateLimit(@Range(min = 1, max = 1_000_000) int perSecond, @Range(min = 1, max = 1_000_000) int burst,
        @Range(min = 1, max = 50_000_000) int maxClients) {
    }
  }

  /** The caches ({@code cache.*}): the embed token cache. */
  public record Caches(CacheOptions embed) {
  }

  /**
   * The pods of cluster mode ({@code cluster.*}); its Redis is {@link ClusterOptions}. {@code expectedReplicas} sizes
   * each pod's share of the budget while Redis is away: required in cluster mode, as no default suits every fleet.
   */
  public record Fleet(@Range(max = 10_000) int expectedReplicas) {
  }

  /** How a SIGTERM is handled. */
  public record ShutdownOptions(@Range(max = 3_600) int drainSeconds, @Range(max = 3_600) int timeoutSeconds) {
  }

  /** The configuration {@code settings} hold. */
  public static GatewayConfig from(Settings settings) {
    return settings.bind("", GatewayConfig.class);
  }

  /** The bundled defaults with {@code overrides} (dotted keys) applied; the usual way tests build a configuration. */
  public static GatewayConfig of(Map<String, ?> overrides) {
    return from(Settings.withOverrides(overrides));
  }

  /** This configuration calling another SignalWire (the embedded simulator's address and credentials, once known). */
  public GatewayConfig withUpstream(SignalWireOptions newSignalwire) {
    return new GatewayConfig(http, management, upstream, newSignalwire, embed, breaker, client, cache, redis, cluster,
        guest, shutdown, log, tracing, simulator);
  }
}
