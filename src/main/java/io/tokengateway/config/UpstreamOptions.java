package io.tokengateway.config;

import java.util.Locale;

/**
 * Where SignalWire is and how the gateway talks to it ({@code upstream.*} and {@code signalwire.*}). In simulator
 * mode the base URL and credentials are those of the embedded simulator, filled in once it listens
 * ({@link #withSimulator}).
 */
public record UpstreamOptions(Mode mode, String baseUrl, String projectId, Secret apiToken, boolean embedAuth,
    int timeoutMs, int poolMaxSize, int poolHttp2MaxSize, int poolMaxWaitQueue, int connectTimeoutMs,
    int keepAliveSeconds, int idleTimeoutSeconds, boolean http2, int maxResponseBytes) {

  /** Which upstream the gateway calls. */
  public enum Mode { SIMULATOR, SIGNALWIRE }

  /**
   * The base URL is {@code signalwire.baseUrl}, else built from the space; the mode is {@code upstream.mode}, else
   * signalwire when there is a base URL. Signalwire mode needs an http(s) base URL and the credentials.
   */
  static UpstreamOptions of(ConfigFile.Upstream upstream, ConfigFile.SignalWire sw) {
    String baseUrl = sw.baseUrl();
    if (baseUrl.isEmpty() && !sw.space().isEmpty()) {
      if (!sw.space().matches("[A-Za-z0-9][A-Za-z0-9-]*")) {
        throw new ConfigException("signalwire.space (SIGNALWIRE_SPACE) must be a space name like 'example', got '"
            + sw.space() + "'");
      }
      baseUrl = "https://" + sw.space() + ".signalwire.com";
    }
    Mode mode = switch (upstream.mode().toLowerCase(Locale.ROOT)) {
      case "" -> baseUrl.isEmpty() ? Mode.SIMULATOR : Mode.SIGNALWIRE;
      case "simulator" -> Mode.SIMULATOR;
      case "signalwire" -> Mode.SIGNALWIRE;
      default -> throw new ConfigException(
          "upstream.mode (GATEWAY_UPSTREAM) must be 'simulator' or 'signalwire', got '" + upstream.mode() + "'");
    };
    if (mode == Mode.SIGNALWIRE) {
      if (baseUrl.isEmpty()) {
        throw new ConfigException("upstream mode signalwire needs SIGNALWIRE_SPACE or SIGNALWIRE_BASE_URL");
      }
      ConfigException.requireHttpUrl("signalwire.baseUrl", "SIGNALWIRE_BASE_URL", baseUrl);
      if (sw.projectId().isEmpty() || sw.apiToken().isEmpty()) {
        throw new ConfigException("upstream mode signalwire needs SIGNALWIRE_PROJECT_ID and SIGNALWIRE_API_TOKEN");
      }
    }
    ConfigFile.Pool pool = upstream.pool();
    return new UpstreamOptions(mode, baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl,
        sw.projectId(), sw.apiToken(), sw.embedAuth(), upstream.timeoutMs(), pool.maxSize(), pool.http2MaxSize(),
        pool.maxWaitQueue(), pool.connectTimeoutMs(), pool.keepAliveSeconds(), pool.idleTimeoutSeconds(),
        pool.http2(), upstream.maxResponseBytes());
  }

  /** These options pointed at an embedded simulator listening on {@code port} with its dev credentials. */
  public UpstreamOptions withSimulator(int port, SimulatorOptions sim) {
    return new UpstreamOptions(mode, "http://127.0.0.1:" + port, sim.projectId(), sim.apiToken(), embedAuth,
        timeoutMs, poolMaxSize, poolHttp2MaxSize, poolMaxWaitQueue, connectTimeoutMs, keepAliveSeconds,
        idleTimeoutSeconds, http2, maxResponseBytes);
  }
}
