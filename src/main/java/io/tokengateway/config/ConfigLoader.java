package io.tokengateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Layers the configuration as one YAML tree: the defaults bundled in the jar (a copy of {@code conf/gateway.yaml}),
 * then the file named by {@code GATEWAY_CONFIG} (else {@code conf/gateway.yaml} when present), then environment
 * variables. The defaults define which keys exist: an unknown key in a file fails fast, an unknown
 * {@code GATEWAY_*} variable is reported as a warning. A value takes the shape of the default it replaces: a list
 * from a comma-separated string, text from any scalar; Jackson converts text to numbers and booleans as it binds.
 */
public final class ConfigLoader {

  public static final String DEFAULTS_RESOURCE = "/gateway.yaml";
  public static final String CONFIG_ENV = "GATEWAY_CONFIG";
  public static final Path DEFAULT_FILE = Path.of("conf", "gateway.yaml");

  /** Fixed variable names that operators and manifests rely on, mapped to their keys. */
  public static final Map<String, String> ALIASES = Map.of("GATEWAY_PORT", "http.port", "GATEWAY_UPSTREAM",
      "upstream.mode", "SIGNALWIRE_SPACE", "signalwire.space", "SIGNALWIRE_BASE_URL", "signalwire.baseUrl",
      "SIGNALWIRE_PROJECT_ID", "signalwire.projectId", "SIGNALWIRE_API_TOKEN", "signalwire.apiToken",
      "GATEWAY_ADMIN_TOKEN", "management.adminToken");

  /** GATEWAY_* variables read elsewhere (logging, admin), not settings of the file. */
  static final Set<String> NOT_SETTINGS = Set.of(CONFIG_ENV, "GATEWAY_LOG_LEVEL");

  private static final YAMLMapper YAML = new YAMLMapper();

  private ConfigLoader() {
  }

  /** The settings for this process: defaults, then the config file, then {@code env}. */
  public static Settings load(Map<String, String> env) {
    ObjectNode tree = defaults();
    String named = env.getOrDefault(CONFIG_ENV, "");
    Path file = named.isBlank() ? DEFAULT_FILE : Path.of(named);
    if (!named.isBlank() && !Files.isRegularFile(file)) {
      throw new ConfigException(CONFIG_ENV + " names " + file + ", which is not a readable file");
    }
    if (Files.isRegularFile(file)) {
      try (InputStream in = Files.newInputStream(file)) {
        leaves(YAML.readTree(in), "", (key, value) -> put(tree, key, value, file.toString()));
      } catch (IOException e) {
        throw new ConfigException("cannot read " + file + ": " + e.getMessage().lines().findFirst().orElse(""));
      }
    }
    Map<String, String> keys = new LinkedHashMap<>(ALIASES); // aliases first: GATEWAY_<KEY> wins over them
    leaves(tree, "", (key, value) -> keys.put(envName(key), key));
    keys.forEach((name, key) -> {
      if (env.containsKey(name)) {
        put(tree, key, TextNode.valueOf(env.get(name)), name);
      }
    });
    return new Settings(tree, env.keySet().stream().filter(name -> name.startsWith("GATEWAY_")
        && !keys.containsKey(name) && !NOT_SETTINGS.contains(name))
        .map(name -> "ignoring unknown environment variable " + name).toList());
  }

  /** The bundled defaults overlaid with {@code overrides} (dotted keys); for tests and embedding. */
  public static Settings withOverrides(Map<String, ?> overrides) {
    ObjectNode tree = defaults();
    overrides.forEach((key, value) -> put(tree, key, YAML.valueToTree(value), "overrides"));
    return new Settings(tree, List.of());
  }

  /** The environment variable that overrides {@code key}: GATEWAY_ + the key in upper snake case. */
  public static String envName(String key) {
    return "GATEWAY_" + key.replaceAll("([a-z0-9])([A-Z])", "$1_$2").replace('.', '_').toUpperCase();
  }

  /** Calls {@code leaf} with the dotted key and value of every setting (mappings are walked, lists are values). */
  static void leaves(JsonNode node, String prefix, BiConsumer<String, JsonNode> leaf) {
    if (!node.isObject() && !node.isMissingNode() && !node.isNull()) {
      throw new ConfigException("a configuration file must hold a YAML mapping of settings");
    }
    node.fields().forEachRemaining(e -> {
      if (e.getValue().isObject()) {
        leaves(e.getValue(), prefix + e.getKey() + ".", leaf);
      } else {
        leaf.accept(prefix + e.getKey(), e.getValue());
      }
    });
  }

  private static ObjectNode defaults() {
    try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULTS_RESOURCE)) {
      return (ObjectNode) YAML.readTree(in);
    } catch (IOException | RuntimeException e) {
      throw new ConfigException("cannot read the bundled defaults " + DEFAULTS_RESOURCE + ": " + e.getMessage());
    }
  }

  /**
   * Sets {@code key}, a key of the defaults, to {@code value} in the shape of its default: a list (items trimmed,
   * blanks dropped) from a list or a comma-separated string, trimmed text from a scalar, empty from null.
   */
  private static void put(ObjectNode tree, String key, JsonNode value, String source) {
    int dot = key.lastIndexOf('.');
    JsonNode parent = dot < 0 ? tree : tree.at("/" + key.substring(0, dot).replace('.', '/'));
    String name = key.substring(dot + 1);
    JsonNode old = parent.get(name);
    if (old == null || old.isObject() && !value.isNull()) {
      throw new ConfigException("unknown setting '" + key + "' in " + source);
    }
    if (old.isArray()) {
      ArrayNode list = YAML.createArrayNode();
      for (JsonNode item : value.isArray() ? value : YAML.valueToTree(value.isNull() ? new String[0]
          : value.asText().split(","))) {
        if (!item.asText().isBlank()) {
          list.add(item.asText().trim());
        }
      }
      value = list;
    } else if (value.isNull() || value.isValueNode() && (value.isTextual() || old.isTextual())) {
      value = TextNode.valueOf(value.isNull() ? "" : value.asText().trim());
    }
    if (!old.isObject()) { // a section left empty keeps its defaults
      ((ObjectNode) parent).set(name, value);
    }
  }
}
