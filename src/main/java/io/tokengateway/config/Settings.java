package io.tokengateway.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.BeanProperty;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonMappingException.Reference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.ContextualDeserializer;
import com.fasterxml.jackson.databind.deser.std.NumberDeserializers;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The layered settings ({@link ConfigLoader}): one tree shaped like {@code conf/gateway.yaml}, which Jackson binds
 * to the options records. A value that does not convert to its component's type, or lies outside its
 * {@link Range}, stops the start with one line: {@code <key> (<variable>) must be ..., got '<value>'} (a
 * {@link Secret} is never shown); the rules the records check themselves throw their own one-line message.
 */
public record Settings(ObjectNode tree, List<String> warnings) {

  private static final ObjectMapper MAPPER = JsonMapper.builder().addModule(Bounded.MODULE)
      .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS).disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
      .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
      .withCoercionConfigDefaults(c -> c.setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail)).build();
  private static final Map<Class<?>, String> EXPECTED = Map.of(int.class, "a whole number", long.class,
      "a whole number", double.class, "a number", boolean.class, "true or false", UUID.class, "a UUID",
      Pattern.class, "a regular expression");

  /** Every setting's key, in the order of {@code conf/gateway.yaml}. */
  public Set<String> keys() {
    Set<String> keys = new LinkedHashSet<>();
    ConfigLoader.leaves(tree, "", (key, value) -> keys.add(key));
    return keys;
  }

  /** The whole configuration. */
  GatewayConfig bind() {
    return bind("", tree, ConfigFile.class).toConfig();
  }

  /** The section {@code name} alone. */
  <T> T section(String name, Class<T> type) {
    return bind(name, tree.get(name), type);
  }

  private <T> T bind(String prefix, JsonNode node, Class<T> type) {
    try {
      return MAPPER.treeToValue(node, type);
    } catch (JsonProcessingException e) {
      throw refusal(prefix, e);
    }
  }

  private ConfigException refusal(String prefix, JsonProcessingException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConfigException rule) {
        return rule;
      }
    }
    String key = prefix;
    String at = prefix.isEmpty() ? "" : "/" + prefix;
    for (Reference r : e instanceof JsonMappingException m ? m.getPath() : List.<Reference>of()) {
      key += r.getFieldName() == null ? "" : (key.isEmpty() ? "" : ".") + r.getFieldName();
      at += "/" + (r.getFieldName() == null ? String.valueOf(r.getIndex()) : r.getFieldName());
    }
    if (e instanceof UnrecognizedPropertyException) {
      return new ConfigException("unknown setting '" + key + "'");
    }
    Class<?> type = e instanceof MismatchedInputException m ? m.getTargetType()
        : e.getCause() instanceof InputCoercionException c ? c.getTargetType() : null;
    JsonNode value = tree.at(at);
    String got = type == Secret.class ? "<redacted>" : "'" + (value.isValueNode() ? value.asText() : value) + "'";
    String named = key + " (" + ConfigLoader.envName(key) + ") ";
    if (type == null) { // out of its range, or thrown by a creator
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
    return Collection.class.isAssignableFrom(type) ? "a list" : type.isRecord() ? "a group of settings"
        : EXPECTED.getOrDefault(type, "text");
  }

  /** Jackson's own deserializer of an int, long or double, then the component's {@link Range}. */
  private static final class Bounded<T> extends StdDeserializer<T> implements ContextualDeserializer {
    static final SimpleModule MODULE = new SimpleModule().addDeserializer(int.class, new Bounded<>(int.class, null))
        .addDeserializer(long.class, new Bounded<>(long.class, null))
        .addDeserializer(double.class, new Bounded<>(double.class, null));

    private final Range range;

    private Bounded(Class<T> type, Range range) {
      super(type);
      this.range = range;
    }

    @Override
    public JsonDeserializer<?> createContextual(DeserializationContext ctxt, BeanProperty property) {
      Range r = property == null ? null : property.getAnnotation(Range.class);
      return r == null ? NumberDeserializers.find(handledType(), null) : new Bounded<>(handledType(), r);
    }

    @Override
    @SuppressWarnings("unchecked")
    public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      Number n = (Number) NumberDeserializers.find(handledType(), null).deserialize(p, ctxt);
      if (!(n.doubleValue() >= range.min() && n.doubleValue() <= range.max())) {
        throw new IllegalArgumentException("must be between " + (handledType() == double.class
            ? range.min() + " and " + range.max() : (long) range.min() + " and " + (long) range.max()));
      }
      return (T) n;
    }
  }
}
