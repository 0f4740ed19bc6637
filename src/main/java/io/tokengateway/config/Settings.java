package io.tokengateway.config;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Flat, layered settings keyed by dotted names ({@code upstream.timeoutMs}) with typed, validating reads.
 * Values come from YAML (typed) or the environment (strings), so each read accepts both.
 */
public final class Settings {

  private final Map<String, Object> values;
  private final List<String> warnings;

  Settings(Map<String, Object> values, List<String> warnings) {
    this.values = new LinkedHashMap<>(values);
    this.warnings = List.copyOf(warnings);
  }

  /** Every known key, in the order of {@code conf/gateway.yaml}. */
  public java.util.Set<String> keys() {
    return Collections.unmodifiableSet(values.keySet());
  }

  /** Problems worth a WARN at start that do not stop the process. */
  public List<String> warnings() {
    return warnings;
  }

  public String string(String key) {
    Object v = raw(key);
    return v == null ? "" : String.valueOf(v).trim();
  }

  public long longValue(String key, long min, long max) {
    Object v = raw(key);
    long n;
    if (v instanceof Number num && !(v instanceof Double || v instanceof Float)) {
      n = num.longValue();
    } else {
      try {
        n = Long.parseLong(String.valueOf(v).trim());
      } catch (NumberFormatException e) {
        throw bad(key, "must be a whole number", v);
      }
    }
    if (n < min || n > max) {
      throw bad(key, "must be between " + min + " and " + max, v);
    }
    return n;
  }

  public int intValue(String key, int min, int max) {
    return (int) longValue(key, min, max);
  }

  public double doubleValue(String key, double min, double max) {
    Object v = raw(key);
    double d;
    try {
      d = v instanceof Number num ? num.doubleValue() : Double.parseDouble(String.valueOf(v).trim());
    } catch (NumberFormatException e) {
      throw bad(key, "must be a number", v);
    }
    if (Double.isNaN(d) || d < min || d > max) {
      throw bad(key, "must be between " + min + " and " + max, v);
    }
    return d;
  }

  public boolean bool(String key) {
    Object v = raw(key);
    if (v instanceof Boolean b) {
      return b;
    }
    String s = String.valueOf(v).trim().toLowerCase();
    if (s.equals("true") || s.equals("false")) {
      return Boolean.parseBoolean(s);
    }
    throw bad(key, "must be true or false", v);
  }

  /** A list from a YAML sequence or a comma-separated string; blank entries dropped. */
  public List<String> list(String key) {
    Object v = raw(key);
    if (v == null) {
      return List.of();
    }
    List<?> items = v instanceof List<?> l ? l : Arrays.asList(String.valueOf(v).split(","));
    return items.stream().map(o -> String.valueOf(o).trim()).filter(s -> !s.isEmpty()).toList();
  }

  private Object raw(String key) {
    if (!values.containsKey(key)) {
      throw new IllegalArgumentException("no such setting: " + key);
    }
    return values.get(key);
  }

  private static ConfigException bad(String key, String rule, Object value) {
    String shown = key.toLowerCase().contains("token") ? "<redacted>" : "'" + value + "'";
    return new ConfigException(key + " (" + ConfigLoader.envName(key) + ") " + rule + ", got " + shown);
  }
}
