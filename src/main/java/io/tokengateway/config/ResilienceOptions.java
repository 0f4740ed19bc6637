package io.tokengateway.config;

import java.util.List;

/** The circuit breaker, the upstream rate limiter and bulkhead, and the per-client limits. */
public record ResilienceOptions(
    int breakerMaxFailures,
    int breakerWindowSeconds,
    int breakerResetSeconds,
    int upstreamPerSecond,
    int upstreamBurst,
    int upstreamMaxWaitMs,
    int upstreamMaxQueue,
    int upstreamMaxInFlight,
    int clientPerSecond,
    int clientBurst,
    int maxClients) {

  static ResilienceOptions from(Settings s) {
    return new ResilienceOptions(
        s.intValue("breaker.maxFailures", 1, 10_000),
        s.intValue("breaker.windowSeconds", 1, 3_600),
        s.intValue("breaker.resetSeconds", 1, 3_600),
        s.intValue("upstream.rateLimit.perSecond", 1, 1_000_000),
        s.intValue("upstream.rateLimit.burst", 1, 1_000_000),
        s.intValue("upstream.rateLimit.maxWaitMs", 0, 60_000),
        s.intValue("upstream.rateLimit.maxQueue", 0, 1_000_000),
        s.intValue("upstream.maxInFlight", 1, 100_000),
        s.intValue("client.rateLimit.perSecond", 1, 1_000_000),
        s.intValue("client.rateLimit.burst", 1, 1_000_000),
        s.intValue("client.rateLimit.maxClients", 1, 50_000_000));
  }

  /** Browser access: allowed origins and preflight lifetime. */
  public record CorsOptions(List<String> origins, int maxAgeSeconds) {
    static CorsOptions from(Settings s) {
      List<String> origins = s.list("http.cors.origins").stream().map(o -> o.replaceAll("/+$", "")).toList();
      for (String o : origins) {
        if (!o.equals("*") && !o.matches("https?://[^/\\s]+")) {
          throw new ConfigException("http.cors.origins (GATEWAY_HTTP_CORS_ORIGINS) holds '" + o
              + "': use exact origins like https://www.example.com");
        }
      }
      return new CorsOptions(origins, s.intValue("http.cors.maxAgeSeconds", 0, 86_400));
    }
  }
}
