package io.tokengateway.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Layers the configuration: the defaults bundled in the jar (a copy of {@code conf/gateway.yaml}), then
 * the file named by {@code GATEWAY_CONFIG} (else {@code conf/gateway.yaml} when present), then environment
 * variables. The bundled defaults define which keys exist: an unknown key in a file fails fast, an unknown
 * {@code GATEWAY_*} variable is reported as a warning.
 */
public final class ConfigLoader {

  public static final String DEFAULTS_RESOURCE = "/gateway.yaml";
  public static final String CONFIG_ENV = "GATEWAY_CONFIG";
  public static final Path DEFAULT_FILE = Path.of("conf", "gateway.yaml");

  /** Fixed variable names that operators and manifests rely on, mapped to their keys. */
  public static final Map<String, String> ALIASES = Map.of(
      "GATEWAY_PORT", "http.port",
      "GATEWAY_UPSTREAM", "upstream.mode",
      "SIGNALWIRE_SPACE", "signalwire.space",
      "SIGNALWIRE_BASE_URL", "signalwire.baseUrl",
      "SIGNALWIRE_PROJECT_ID", "signalwire.projectId",
      "SIGNALWIRE_API_TOKEN", "signalwire.apiToken",
      "GATEWAY_ADMIN_TOKEN", "management.adminToken");

  /** GATEWAY_* variables read elsewhere (logging, admin), not settings of the file. */
  static final java.util.Set<String> NOT_SETTINGS = java.util.Set.of(CONFIG_ENV, "GATEWAY_LOG_LEVEL");

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private ConfigLoader() {
  }

  /** The settings for this process: defaults, then the config file, then {@code env}. */
  public static Settings load(Map<String, String> env) {
    Map<String, Object> values = defaults();
    String named = env.get(CONFIG_ENV);
    Path file = named != null && !named.isBlank() ? Path.of(named) : DEFAULT_FILE;
    if (named != null && !named.isBlank() && !Files.isRegularFile(file)) {
      throw new ConfigException(CONFIG_ENV + " names " + file + ", which is not a readable file");
    }
    if (Files.isRegularFile(file)) {
      overlay(values, readFile(file), file.toString());
    }
    List<String> warnings = overlayEnv(values, env);
    return new Settings(values, warnings);
  }

  /** The bundled defaults overlaid with {@code overrides} (dotted keys); for tests and embedding. */
  public static Settings withOverrides(Map<String, ?> overrides) {
    Map<String, Object> values = defaults();
    overlay(values, overrides, "overrides");
    return new Settings(values, List.of());
  }

  /** The environment variable that overrides {@code key}: GATEWAY_ + the key in upper snake case. */
  public static String envName(String key) {
    return "GATEWAY_" + key.replaceAll("([a-z0-9])([A-Z])", "$1_$2").replace('.', '_').toUpperCase();
  }

  static Map<String, Object> defaults() {
    try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULTS_RESOURCE)) {
      if (in == null) {
        throw new ConfigException("bundled defaults " + DEFAULTS_RESOURCE + " are missing from the classpath");
      }
      return flatten(YAML.readValue(in, Map.class));
    } catch (IOException e) {
      throw new ConfigException("cannot read bundled defaults: " + e.getMessage());
    }
  }

  private static Map<String, Object> readFile(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      Object parsed = YAML.readValue(in, Object.class);
      if (parsed == null) {
        return Map.of();
      }
      if (!(parsed instanceof Map<?, ?> map)) {
        throw new ConfigException(file + " must hold a YAML mapping of settings");
      }
      return flatten(map);
    } catch (IOException e) {
      throw new ConfigException("cannot read " + file + ": " + e.getMessage().lines().findFirst().orElse(""));
    }
  }

  private static void overlay(Map<String, Object> values, Map<String, ?> layer, String source) {
    for (Map.Entry<String, ?> e : layer.entrySet()) {
      if (!values.containsKey(e.getKey())) {
        throw new ConfigException("unknown setting '" + e.getKey() + "' in " + source);
      }
      values.put(e.getKey(), e.getValue());
    }
  }

  private static List<String> overlayEnv(Map<String, Object> values, Map<String, String> env) {
    Map<String, String> byEnvName = new LinkedHashMap<>();
    for (String key : values.keySet()) {
      byEnvName.put(envName(key), key);
    }
    ALIASES.forEach((name, key) -> {
      if (env.containsKey(name)) {
        values.put(key, env.get(name));
      }
    });
    List<String> warnings = new ArrayList<>();
    for (Map.Entry<String, String> e : env.entrySet()) {
      String key = byEnvName.get(e.getKey());
      if (key != null) {
        values.put(key, e.getValue());
      } else if (e.getKey().startsWith("GATEWAY_") && !ALIASES.containsKey(e.getKey())
          && !NOT_SETTINGS.contains(e.getKey())) {
        warnings.add("ignoring unknown environment variable " + e.getKey());
      }
    }
    return warnings;
  }

  static Map<String, Object> flatten(Map<?, ?> nested) {
    Map<String, Object> flat = new LinkedHashMap<>();
    flatten("", nested, flat);
    return flat;
  }

  private static void flatten(String prefix, Map<?, ?> nested, Map<String, Object> flat) {
    for (Map.Entry<?, ?> e : nested.entrySet()) {
      String key = prefix + e.getKey();
      if (e.getValue() instanceof Map<?, ?> child) {
        flatten(key + ".", child, flat);
      } else {
        flat.put(key, e.getValue());
      }
    }
  }
}
