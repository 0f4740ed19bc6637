package io.tokengateway.config;

/**
 * Where SignalWire is and the gateway's credentials ({@code signalwire.*}). The base URL is {@code baseUrl}, else
 * built from the space. In simulator mode they are the embedded simulator's, once it listens ({@link #withSimulator}).
 */
public record SignalWireOptions(String space, String baseUrl, String projectId, Secret apiToken, boolean embedAuth) {

  public SignalWireOptions {
    if (baseUrl.isEmpty() && !space.isEmpty()) {
      if (!space.matches("[A-Za-z0-9][A-Za-z0-9-]*")) {
        throw new ConfigException("signalwire.space (SIGNALWIRE_SPACE) must be a space name like 'example', got '"
            + space + "'");
      }
      baseUrl = "https://" + space + ".signalwire.com";
    }
    baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
  }

  /** What signalwire mode needs: an http(s) base URL and the credentials. */
  void requireCredentials() {
    if (baseUrl.isEmpty()) {
      throw new ConfigException("upstream mode signalwire needs SIGNALWIRE_SPACE or SIGNALWIRE_BASE_URL");
    }
    ConfigException.requireHttpUrl("signalwire.baseUrl", "SIGNALWIRE_BASE_URL", baseUrl);
    if (projectId.isEmpty() || apiToken.isEmpty()) {
      throw new ConfigException("upstream mode signalwire needs SIGNALWIRE_PROJECT_ID and SIGNALWIRE_API_TOKEN");
    }
  }

  /** These options pointed at an embedded simulator listening on {@code port} with its dev credentials. */
  public SignalWireOptions withSimulator(int port, SimulatorOptions sim) {
    return new SignalWireOptions(space, "http://127.0.0.1:" + port, sim.projectId(), sim.apiToken(), embedAuth);
  }
}
