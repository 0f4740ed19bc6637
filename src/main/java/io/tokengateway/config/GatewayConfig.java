package io.tokengateway.config;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** The whole validated configuration, read once at start; invalid settings throw {@link ConfigException}. */
public record GatewayConfig(
    HttpOptions http,
    UpstreamOptions upstream,
    Pattern embedTokenPattern,
    CacheOptions cache,
    ResilienceOptions resilience,
    ResilienceOptions.CorsOptions cors,
    java.util.List<Cidr> trustedProxies,
    GuestOptions guest,
    ManagementOptions management,
    ShutdownOptions shutdown,
    SimulatorOptions simulator,
    ClusterOptions cluster,
    LogOptions log,
    TracingOptions tracing) {

  /**
   * The token API's listener. {@code idleTimeoutSeconds}: a connection with no bytes (and no answer owed) for
   * this long is closed; {@code requestTimeoutSeconds}: a request's head and body must arrive within this of its
   * first byte; {@code maxConnections}: open connections per process; {@code h2c}: HTTP/2 without TLS.
   */
  public record HttpOptions(int port, String host, int instances, int maxBodyBytes, int idleTimeoutSeconds,
      int requestTimeoutSeconds, int writeTimeoutSeconds, int maxConnections, int maxConnectionsPerClient,
      boolean h2c) {
  }

  /** The management listener: metrics, health and admin; port 0 = on the main port. */
  public record ManagementOptions(int port, String host, boolean vertxMetrics, boolean vertxHttpServerMetrics,
      Secret adminToken,
      int maxConnections) {
  }

  /** Rules for guest token requests; {@code checks}: who may mint one (CAPTCHA, the site's JWT, quotas). */
  public record GuestOptions(Set<UUID> allowedAddresses, long maxTtlSeconds, GuestCheckOptions checks) {
  }

  /** How a SIGTERM is handled. */
  public record ShutdownOptions(int drainSeconds, int timeoutSeconds) {
  }

  public static GatewayConfig from(Settings s) {
    int instances = s.intValue("http.instances", 0, 1024);
    HttpOptions http = new HttpOptions(
        s.intValue("http.port", 0, 65_535),
        s.string("http.host"),
        instances == 0 ? Runtime.getRuntime().availableProcessors() : instances,
        s.intValue("http.maxBodyBytes", 64, 1_048_576),
        s.intValue("http.idleTimeoutSeconds", 1, 3_600),
        s.intValue("http.requestTimeoutSeconds", 1, 600),
        s.intValue("http.writeTimeoutSeconds", 1, 3_600),
        s.intValue("http.maxConnections", 1, 1_000_000),
        s.intValue("http.maxConnectionsPerClient", 1, 1_000_000),
        s.bool("http.h2c"));
    ShutdownOptions shutdown = new ShutdownOptions(
        s.intValue("shutdown.drainSeconds", 0, 3_600), s.intValue("shutdown.timeoutSeconds", 0, 3_600));
    UpstreamOptions upstream = UpstreamOptions.from(s);
    ResilienceOptions resilience = ResilienceOptions.from(s);
    ResilienceOptions.CorsOptions cors = ResilienceOptions.CorsOptions.from(s);
    GuestOptions guest = new GuestOptions(addresses(s), s.longValue("guest.maxTtlSeconds", 60, 31_536_000),
        GuestCheckOptions.from(s, cors, upstream.mode()));
    return new GatewayConfig(http, upstream, pattern(s), CacheOptions.from(s), resilience,
        cors, s.list("http.trustedProxies").stream().map(Cidr::parse).toList(),
        guest, new ManagementOptions(s.intValue("management.port", 0, 65_535), s.string("management.host"),
            s.bool("management.vertxMetrics"), s.bool("management.vertxHttpServerMetrics"),
            new Secret(s.string("management.adminToken")),
            s.intValue("management.maxConnections", 1, 100_000)), shutdown, SimulatorOptions.from(s),
        ClusterOptions.from(s), LogOptions.from(s), TracingOptions.from(s));
  }

  /** The bundled defaults with {@code overrides} applied; the usual way tests build a configuration. */
  public static GatewayConfig of(Map<String, ?> overrides) {
    return from(ConfigLoader.withOverrides(overrides));
  }

  /** This configuration with its upstream replaced (the embedded simulator's address, once known). */
  public GatewayConfig withUpstream(UpstreamOptions newUpstream) {
    return new GatewayConfig(http, newUpstream, embedTokenPattern, cache, resilience, cors, trustedProxies, guest,
        management, shutdown, simulator, cluster, log, tracing);
  }

  private static Pattern pattern(Settings s) {
    try {
      return Pattern.compile(s.string("embed.tokenPattern"));
    } catch (PatternSyntaxException e) {
      throw new ConfigException("embed.tokenPattern is not a valid regular expression: " + e.getDescription());
    }
  }

  private static Set<UUID> addresses(Settings s) {
    Set<UUID> out = new LinkedHashSet<>();
    for (String a : s.list("guest.allowedAddresses")) {
      try {
        out.add(UUID.fromString(a));
      } catch (IllegalArgumentException e) {
        throw new ConfigException("guest.allowedAddresses (GATEWAY_GUEST_ALLOWED_ADDRESSES) holds '" + a + "', not a UUID");
      }
    }
    return Set.copyOf(out);
  }
}
