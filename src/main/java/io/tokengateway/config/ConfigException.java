package io.tokengateway.config;

/** Bad configuration: the message is one line that names the setting, shown at start before exiting. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message, null, false, false);
  }

  /** Refuses {@code url} unless it is an http(s) URL with a host. */
  static void requireHttpUrl(String key, String variable, String url) {
    try {
      java.net.URI uri = java.net.URI.create(url);
      if (uri.getHost() != null && ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
        return;
      }
    } catch (IllegalArgumentException e) {
      // refused below
    }
    throw new ConfigException(key + " (" + variable + ") must be an http(s) URL, got '" + url + "'");
  }
}
