package io.tokengateway.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;

/** Bad configuration: the message is one line that names the setting, shown at start before exiting. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message, null, false, false);
  }

  /** Refuses {@code url} unless it is an http(s) URL with a host. */
  static void requireHttpUrl(String key, String variable, String url) {
    if (!hasHost(uri(url), "http", "https")) {
      throw new ConfigException(key + " (" + variable + ") must be an http(s) URL, got '" + url + "'");
    }
  }

  /** {@code text} as a URI, or null when it is not one. */
  static URI uri(String text) {
    try {
      return new URI(text);
    } catch (URISyntaxException e) {
      return null;
    }
  }

  /** Whether {@code uri} has a host and one of {@code schemes}. */
  static boolean hasHost(URI uri, String... schemes) {
    return uri != null && uri.getHost() != null && List.of(schemes).contains(uri.getScheme());
  }
}
