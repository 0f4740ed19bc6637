package io.tokengateway.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonMappingException.Reference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The settings as one YAML tree, in layers: the defaults bundled in the jar (a copy of {@code conf/gateway.yaml}),
 * then the file named by {@code GATEWAY_CONFIG} (else {@code conf/gateway.yaml} when present), then environment
 * variables. The defaults define which keys exist: an unknown key in a file fails fast, an unknown {@code GATEWAY_*}
 * variable is a warning. A value takes the shape of the default it replaces: a list from a comma-separated string,
 * trimmed text from any scalar.
 *
 * <p>Jackson binds the tree to the records of {@link GatewayConfig}. A value that does not convert to its component's
 * type, or lies outside its {@link Range}, stops the start with one line: {@code <key> (<variable>) must be ...,
 * got '<value>'} (a {@link Secret} is never shown); the rules the records check themselves throw their own line.
 */
public record Settings(ObjectNode tree, List<String> warnings) {

  public static final String CONFIG_ENV = "GATEWAY_CONFIG";

  /** Fixed variable names that operators and manifests rely on, mapped to their keys. */
  public static final Map<String, String> ALIASES = Map.of("GATEWAY_PORT", "http.port", "GATEWAY_UPSTREAM",
      "upstream.mode", "SIGNALWIRE_SPACE", "signalwire.space", "SIGNALWIRE_BASE_URL", "signalwire.baseUrl",
      "SIGNALWIRE_PROJECT_ID", "signalwire.projectId", "SIGNALWIRE_API_TOKEN", "signalwire.apiToken",
      "GATEWAY_ADMIN_TOKEN", "management.adminToken");

  /** GATEWAY_* variables read elsewhere (logging), not settings of the file. */
  private static final Set<String> NOT_SETTINGS = Set.of(CONFIG_ENV, "GATEWAY_LOG_LEVEL");
  private static final YAMLMapper YAML = YAMLMapper.builder().enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
      .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
      .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
      .withCoercionConfigDefaults(c -> c.setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail)).build();
  private static final Map<Class<?>, String> EXPECTED = Map.of(int.class, "a whole number", long.class,
      "a whole number", double.class, "a number", boolean.class, "true or false", UUID.class, "a UUID",
      Pattern.class, "a regular expression");

  /** The settings for this process: defaults, then the config file, then {@code env}. */
  public static Settings load(Map<String, String> env) {
    ObjectNode tree = defaults();
    String named = env.getOrDefault(CONFIG_ENV, "");
    Path file = Path.of(named.isBlank() ? "conf/gateway.yaml" : named);
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

  /** Every setting's key, in the order of {@code conf/gateway.yaml}. */
  public Set<String> keys() {
    Set<String> keys = new LinkedHashSet<>();
    leaves(tree, "", (key, value) -> keys.add(key));
    return keys;
  }

  /** The section {@code name} ({@code ""}: the whole tree) as a {@code type}, every number within its range. */
  <T> T bind(String name, Class<T> type) {
    checkRanges(name.isEmpty() ? "" : name + ".", type);
    return convert(name, name.isEmpty() ? tree : tree.get(name), type);
  }

  /** Refuses a number outside its component's {@link Range} before a record checks its rules with it. */
  private void checkRanges(String prefix, Class<?> type) {
    for (RecordComponent c : type.getRecordComponents()) {
      String key = prefix + c.getName();
      Range r = c.getAnnotation(Range.class);
      if (c.getType().isRecord()) {
        checkRanges(key + ".", c.getType());
      } else if (r != null) {
        double n = ((Number) convert(key, tree.at(pointer(key)), c.getType())).doubleValue();
        if (!(n >= r.min() && n <= r.max())) {
          throw new ConfigException(key + " (" + envName(key) + ") must be between " + (c.getType() == double.class
              ? r.min() + " and " + r.max() : (long) r.min() + " and " + (long) r.max()) + ", got '"
              + tree.at(pointer(key)).asText() + "'");
        }
      }
    }
  }

  /** {@code node}, the value of {@code key}, as a {@code type}. */
  private <T> T convert(String key, JsonNode node, Class<T> type) {
    try {
      return YAML.treeToValue(node, type);
    } catch (JsonProcessingException e) {
      throw refusal(key, e);
    }
  }

  /** The one line for a value Jackson cannot bind: the rule a record threw, else the key and what it must be. */
  private ConfigException refusal(String key, JsonProcessingException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConfigException rule) {
        return rule;
      }
    }
    String at = key.isEmpty() ? "" : pointer(key);
    for (Reference r : e instanceof JsonMappingException m ? m.getPath() : List.<Reference>of()) {
      key += r.getFieldName() == null ? "" : (key.isEmpty() ? "" : ".") + r.getFieldName();
      at += "/" + (r.getFieldName() == null ? String.valueOf(r.getIndex()) : r.getFieldName());
    }
    if (e instanceof UnrecognizedPropertyException) {
      return new ConfigException("unknown setting '" + key + "'");
    }
    Class<?> type = e instanceof MismatchedInputException m ? m.getTargetType() : null;
    JsonNode value = tree.at(at);
    String got = type == Secret.class ? "<redacted>" : "'" + (value.isValueNode() ? value.asText() : value) + "'";
    String named = key + " (" + envName(key) + ") ";
    if (type == null) { // thrown by a creator
      return new ConfigException(named + e.getOriginalMessage().lines().findFirst().orElse("") + ", got " + got);
    }
    return new ConfigException(named + (at.matches(".*/\\d+") ? "holds " + got + ", not " + expected(type)
        : "must be " + expected(type) + ", got " + got));
  }

  private static String expected(Class<?> type) {
    if (type.isEnum()) {
      String names = Arrays.stream(type.getEnumConstants())
          .map(c -> "'" + ((Enum<?>) c).name().toLowerCase(Locale.ROOT) + "'").collect(Collectors.joining(", "));
      return names.replaceFirst(", ([^,]*)$", " or $1");
    }
    return EXPECTED.getOrDefault(type, "text");
  }

  private static String pointer(String key) {
    return "/" + key.replace('.', '/');
  }

  /** Calls {@code leaf} with the dotted key and value of every setting (mappings are walked, lists are values). */
  private static void leaves(JsonNode node, String prefix, BiConsumer<String, JsonNode> leaf) {
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
    try (InputStream in = Settings.class.getResourceAsStream("/gateway.yaml")) {
      return (ObjectNode) YAML.readTree(in);
    } catch (IOException | RuntimeException e) {
      throw new ConfigException("cannot read the bundled defaults /gateway.yaml: " + e.getMessage());
    }
  }

  /**
   * Sets {@code key}, a key of the defaults, to {@code value} in the shape of its default: a list (items trimmed,
   * blanks dropped) from a list or a comma-separated string, trimmed text from a scalar, empty from null.
   */
  private static void put(ObjectNode tree, String key, JsonNode value, String source) {
    int dot = key.lastIndexOf('.');
    JsonNode parent = dot < 0 ? tree : tree.at(pointer(key.substring(0, dot)));
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
