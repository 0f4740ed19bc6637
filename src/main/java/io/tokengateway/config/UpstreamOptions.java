package io.tokengateway.config;

import java.net.URI;

/**
 * Where SignalWire is and how the gateway talks to it. In simulator mode the base URL and credentials are
 * those of the embedded simulator, filled in once it listens ({@link #withSimulator}).
 */
public record UpstreamOptions(
    Mode mode,
    String baseUrl,
    String projectId,
    Secret apiToken,
    boolean embedAuth,
    int timeoutMs,
    int poolMaxSize,
    int poolHttp2MaxSize,
    int poolMaxWaitQueue,
    int connectTimeoutMs,
    int keepAliveSeconds,
    int idleTimeoutSeconds,
    boolean http2,
    int maxResponseBytes) {

  /** Which upstream the gateway calls. */
  public enum Mode { SIMULATOR, SIGNALWIRE }

  static UpstreamOptions from(Settings s) {
    String space = s.string("signalwire.space");
    String baseUrl = s.string("signalwire.baseUrl");
    if (baseUrl.isEmpty() && !space.isEmpty()) {
      if (!space.matches("[A-Za-z0-9][A-Za-z0-9-]*")) {
        throw new ConfigException("signalwire.space (SIGNALWIRE_SPACE) must be a space name like 'example', got '" + space + "'");
      }
      baseUrl = "https://" + space + ".signalwire.com";
    }
    Mode mode = mode(s.string("upstream.mode"), baseUrl);
    if (mode == Mode.SIGNALWIRE) {
      requireSignalWire(s, baseUrl);
    }
    return new UpstreamOptions(mode, stripSlash(baseUrl), s.string("signalwire.projectId"),
        new Secret(s.string("signalwire.apiToken")), s.bool("signalwire.embedAuth"),
        s.intValue("upstream.timeoutMs", 1, 600_000),
        s.intValue("upstream.pool.maxSize", 1, 10_000),
        s.intValue("upstream.pool.http2MaxSize", 1, 1_000),
        s.intValue("upstream.pool.maxWaitQueue", 0, 1_000_000),
        s.intValue("upstream.pool.connectTimeoutMs", 1, 600_000),
        s.intValue("upstream.pool.keepAliveSeconds", 1, 86_400),
        s.intValue("upstream.pool.idleTimeoutSeconds", 1, 86_400),
        s.bool("upstream.pool.http2"),
        s.intValue("upstream.maxResponseBytes", 1_024, 16_777_216));
  }

  /** These options pointed at an embedded simulator listening on {@code port} with its dev credentials. */
  public UpstreamOptions withSimulator(int port, SimulatorOptions sim) {
    return new UpstreamOptions(mode, "http://127.0.0.1:" + port, sim.projectId(), sim.apiToken(), embedAuth,
        timeoutMs, poolMaxSize, poolHttp2MaxSize, poolMaxWaitQueue, connectTimeoutMs, keepAliveSeconds,
        idleTimeoutSeconds, http2, maxResponseBytes);
  }

  private static Mode mode(String value, String baseUrl) {
    return switch (value.toLowerCase()) {
      case "" -> baseUrl.isEmpty() ? Mode.SIMULATOR : Mode.SIGNALWIRE;
      case "simulator" -> Mode.SIMULATOR;
      case "signalwire" -> Mode.SIGNALWIRE;
      default -> throw new ConfigException(
          "upstream.mode (GATEWAY_UPSTREAM) must be 'simulator' or 'signalwire', got '" + value + "'");
    };
  }

  private static void requireSignalWire(Settings s, String baseUrl) {
    if (baseUrl.isEmpty()) {
      throw new ConfigException("upstream mode signalwire needs SIGNALWIRE_SPACE or SIGNALWIRE_BASE_URL");
    }
    try {
      URI uri = URI.create(baseUrl);
      if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
        throw new IllegalArgumentException();
      }
    } catch (IllegalArgumentException e) {
      throw new ConfigException("signalwire.baseUrl (SIGNALWIRE_BASE_URL) must be an http(s) URL, got '" + baseUrl + "'");
    }
    if (s.string("signalwire.projectId").isEmpty() || s.string("signalwire.apiToken").isEmpty()) {
      throw new ConfigException("upstream mode signalwire needs SIGNALWIRE_PROJECT_ID and SIGNALWIRE_API_TOKEN");
    }
  }

  private static String stripSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
