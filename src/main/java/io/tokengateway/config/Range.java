package io.tokengateway.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.BeanProperty;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.deser.ContextualDeserializer;
import com.fasterxml.jackson.databind.deser.std.NumberDeserializers;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** The bounds of a numeric setting (a record component), checked by {@link Check} as Jackson binds it. */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
@interface Range {
  double min() default 0;

  double max();

  /** Jackson's own deserializer of an int, long or double, then the component's range. */
  final class Check<T> extends StdDeserializer<T> implements ContextualDeserializer {
    static final SimpleModule MODULE = new SimpleModule().addDeserializer(int.class, new Check<>(int.class, null))
        .addDeserializer(long.class, new Check<>(long.class, null))
        .addDeserializer(double.class, new Check<>(double.class, null));

    private final Range range;

    private Check(Class<T> type, Range range) {
      super(type);
      this.range = range;
    }

    @Override
    public JsonDeserializer<?> createContextual(DeserializationContext ctxt, BeanProperty property) {
      Range r = property == null ? null : property.getAnnotation(Range.class);
      return r == null ? NumberDeserializers.find(handledType(), null) : new Check<>(handledType(), r);
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
