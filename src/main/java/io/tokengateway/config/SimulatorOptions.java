package io.tokengateway.config;

import java.util.List;

/** How the embedded SignalWire simulator behaves ({@code simulator.*}): dev credentials, token format, faults. */
public record SimulatorOptions(@Range(max = 65_535) int port, String projectId, Secret apiToken,
    TokenFormat tokenFormat, @Range(min = 1, max = 31_536_000) int embedLifetimeSeconds, List<String> unknownTokens,
    @Range(max = 600_000) int latencyMs, @Range(max = 1) double failureRate, @Range(max = 1) double timeoutRate,
    @Range(max = 1) double rateLimitRate, @Range(min = 1, max = 86_400) int retryAfterSeconds) {

  /** The shape of minted tokens: opaque like SignalWire's, or readable with an {@code exp}. */
  public enum TokenFormat { JWE, JWS }

  /** The simulator's section alone (the standalone simulator needs no other setting to be valid). */
  public static SimulatorOptions from(Settings s) {
    return s.section("simulator", SimulatorOptions.class);
  }

  /** The same options on another port (the standalone simulator's {@code --port}). */
  public SimulatorOptions onPort(int newPort) {
    return new SimulatorOptions(newPort, projectId, apiToken, tokenFormat, embedLifetimeSeconds, unknownTokens,
        latencyMs, failureRate, timeoutRate, rateLimitRate, retryAfterSeconds);
  }
}
