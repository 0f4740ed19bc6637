package io.tokengateway.config;

/** Bad configuration: the message is one line that names the setting, shown at start before exiting. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message, null, false, false);
  }
}
