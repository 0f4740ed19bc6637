package io.tokengateway.config;

import com.fasterxml.jackson.annotation.JsonCreator;

/** A credential that never shows itself in {@code toString}, so it cannot leak into a log by accident. */
public final class Secret {
  private final String value;

  @JsonCreator
  public Secret(String value) {
    this.value = value == null ? "" : value;
  }

  public String reveal() {
    return value;
  }

  public boolean isEmpty() {
    return value.isEmpty();
  }

  @Override
  public String toString() {
    return value.isEmpty() ? "<unset>" : "<redacted>";
  }
}
