package io.tokengateway.config;

import io.tokengateway.config.GatewayConfig.GuestOptions;
import io.tokengateway.config.GatewayConfig.HttpOptions;
import io.tokengateway.config.GatewayConfig.ManagementOptions;
import io.tokengateway.config.GatewayConfig.ShutdownOptions;
import java.util.regex.Pattern;

/**
 * The shape of {@code conf/gateway.yaml}, one component per section, as Jackson binds it. A section the code reads
 * as it is binds to its options record; the others bind to the records below, from which {@link #toConfig}
 * assembles the options read across sections: {@link UpstreamOptions} ({@code upstream}, {@code signalwire}),
 * {@link ResilienceOptions} ({@code breaker}, {@code upstream}, {@code client}), {@link ClusterOptions}
 * ({@code redis}, {@code cluster}), and the guest checks that depend on the CORS origins and the upstream mode.
 */
record ConfigFile(HttpOptions http, ManagementOptions management, Upstream upstream, SignalWire signalwire,
    Embed embed, Breaker breaker, Client client, Cache cache, Redis redis, Cluster cluster, GuestOptions guest,
    ShutdownOptions shutdown, LogOptions log, TracingOptions tracing, SimulatorOptions simulator) {

  record Upstream(String mode, @Range(min = 1, max = 600_000) int timeoutMs,
      @Range(min = 1_024, max = 16_777_216) int maxResponseBytes, @Range(min = 1, max = 100_000) int maxInFlight,
      RateLimit rateLimit, Pool pool) {
  }

  record RateLimit(@Range(min = 1, max = 1_000_000) int perSecond, @Range(min = 1, max = 1_000_000) int burst,
      @Range(max = 60_000) int maxWaitMs, @Range(max = 1_000_000) int maxQueue) {
  }

  record Pool(@Range(min = 1, max = 10_000) int maxSize, @Range(min = 1, max = 1_000) int http2MaxSize,
      @Range(max = 1_000_000) int maxWaitQueue, @Range(min = 1, max = 600_000) int connectTimeoutMs,
      @Range(min = 1, max = 86_400) int keepAliveSeconds, @Range(min = 1, max = 86_400) int idleTimeoutSeconds,
      boolean http2) {
  }

  record SignalWire(String space, String baseUrl, String projectId, Secret apiToken, boolean embedAuth) {
  }

  record Embed(Pattern tokenPattern) {
  }

  record Breaker(@Range(min = 1, max = 10_000) int maxFailures, @Range(min = 1, max = 3_600) int windowSeconds,
      @Range(min = 1, max = 3_600) int resetSeconds) {
  }

  record Client(ClientRateLimit rateLimit) {
  }

  record ClientRateLimit(@Range(min = 1, max = 1_000_000) int perSecond, @Range(min = 1, max = 1_000_000) int burst,
      @Range(min = 1, max = 50_000_000) int maxClients) {
  }

  record Cache(CacheOptions embed) {
  }

  record Redis(ClusterOptions.Mode mode, Secret url, String sentinelMaster, Secret password, String keyPrefix,
      @Range(min = 1, max = 60_000) int timeoutMs, @Range(min = 1, max = 1_000) int failuresToUnavailable,
      @Range(max = 3_600) int warmupSeconds, @Range(max = 60_000) int lockWaitMs,
      @Range(min = 1, max = 1_024) int poolSize) {
  }

  record Cluster(@Range(max = 10_000) int expectedReplicas) {
  }

  GatewayConfig toConfig() {
    UpstreamOptions up = UpstreamOptions.of(upstream, signalwire);
    RateLimit u = upstream.rateLimit();
    ClientRateLimit c = client.rateLimit();
    ResilienceOptions resilience = new ResilienceOptions(breaker.maxFailures(), breaker.windowSeconds(),
        breaker.resetSeconds(), u.perSecond(), u.burst(), u.maxWaitMs(), u.maxQueue(), upstream.maxInFlight(),
        c.perSecond(), c.burst(), c.maxClients());
    GuestOptions g = new GuestOptions(guest.allowedAddresses(), guest.maxTtlSeconds(),
        guest.captcha().within(http.cors(), up.mode()), guest.jwt(), guest.quota());
    return new GatewayConfig(http, up, embed.tokenPattern(), cache.embed(), resilience, g, management, shutdown,
        simulator, ClusterOptions.of(redis, cluster.expectedReplicas()), log, tracing);
  }
}
