package io.tokengateway.config;

import java.util.List;

/** How the embedded SignalWire simulator behaves: its dev credentials, token format and injected faults. */
public record SimulatorOptions(
    int port,
    String projectId,
    Secret apiToken,
    TokenFormat tokenFormat,
    int embedLifetimeSeconds,
    List<String> unknownTokens,
    int latencyMs,
    double failureRate,
    double timeoutRate,
    double rateLimitRate,
    int retryAfterSeconds) {

  /** The shape of minted tokens: opaque like SignalWire's, or readable with an {@code exp}. */
  public enum TokenFormat { JWE, JWS }

  public static SimulatorOptions from(Settings s) {
    String format = s.string("simulator.tokenFormat").toUpperCase();
    if (!format.equals("JWE") && !format.equals("JWS")) {
      throw new ConfigException("simulator.tokenFormat must be jwe or jws, got '" + s.string("simulator.tokenFormat") + "'");
    }
    return new SimulatorOptions(
        s.intValue("simulator.port", 0, 65_535),
        s.string("simulator.projectId"),
        new Secret(s.string("simulator.apiToken")),
        TokenFormat.valueOf(format),
        s.intValue("simulator.embedLifetimeSeconds", 1, 31_536_000),
        s.list("simulator.unknownTokens"),
        s.intValue("simulator.latencyMs", 0, 600_000),
        s.doubleValue("simulator.failureRate", 0, 1),
        s.doubleValue("simulator.timeoutRate", 0, 1),
        s.doubleValue("simulator.rateLimitRate", 0, 1),
        s.intValue("simulator.retryAfterSeconds", 1, 86_400));
  }

  /** The same options on another port (the standalone simulator's {@code --port}). */
  public SimulatorOptions onPort(int newPort) {
    return new SimulatorOptions(newPort, projectId, apiToken, tokenFormat, embedLifetimeSeconds, unknownTokens,
        latencyMs, failureRate, timeoutRate, rateLimitRate, retryAfterSeconds);
  }
}
