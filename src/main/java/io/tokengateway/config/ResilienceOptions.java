package io.tokengateway.config;

/**
 * The circuit breaker, the upstream rate limiter and bulkhead, and the per-client limits: {@code breaker.*},
 * {@code upstream.rateLimit.*}, {@code upstream.maxInFlight} and {@code client.rateLimit.*}, gathered by
 * {@link ConfigFile}.
 */
public record ResilienceOptions(int breakerMaxFailures, int breakerWindowSeconds, int breakerResetSeconds,
    int upstreamPerSecond, int upstreamBurst, int upstreamMaxWaitMs, int upstreamMaxQueue, int upstreamMaxInFlight,
    int clientPerSecond, int clientBurst, int maxClients) {
}
