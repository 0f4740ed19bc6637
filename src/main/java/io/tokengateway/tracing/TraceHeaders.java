package io.tokengateway.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import java.util.List;

/**
 * Reads and writes W3C trace context ({@code traceparent}, {@code tracestate}) in Vert.x headers, with the
 * OpenTelemetry API's {@link W3CTraceContextPropagator}: it refuses a {@code traceparent} of the wrong length or
 * layout, version {@code ff}, an id that is all zeros or not lowercase hex, and drops a {@code tracestate} it
 * cannot parse. A request with no {@code traceparent} costs one header lookup. Two {@code traceparent} headers
 * name no single parent and count as none; several {@code tracestate} headers are one list (RFC 9110).
 */
final class TraceHeaders {

  static final String TRACEPARENT = "traceparent";
  private static final CharSequence TRACEPARENT_NAME = HttpHeaders.createOptimized(TRACEPARENT);
  static final W3CTraceContextPropagator PROPAGATOR = W3CTraceContextPropagator.getInstance();

  static final TextMapGetter<MultiMap> GETTER = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(MultiMap carrier) {
      return carrier.names();
    }

    @Override
    public String get(MultiMap carrier, String key) {
      if (carrier == null) {
        return null;
      }
      List<String> values = carrier.getAll(key);
      if (values.isEmpty()) {
        return null;
      }
      if (values.size() == 1) {
        return values.get(0);
      }
      return TRACEPARENT.equals(key) ? null : String.join(",", values);
    }
  };

  static final TextMapSetter<MultiMap> SETTER = (carrier, key, value) -> {
    if (carrier != null) {
      carrier.set(key, value);
    }
  };

  private TraceHeaders() {
  }

  /** The caller's trace context as an OpenTelemetry context, or null when there is none or it is malformed. */
  static Context extract(MultiMap headers) {
    if (!headers.contains(TRACEPARENT_NAME)) {
      return null;
    }
    Context extracted = PROPAGATOR.extract(Context.root(), headers, GETTER);
    SpanContext parent = Span.fromContext(extracted).getSpanContext();
    return parent.isValid() && parent.isRemote() ? extracted : null;
  }

  /** Writes {@code span}'s {@code traceparent} (and the {@code tracestate} it carries) into {@code headers}. */
  static void inject(Span span, MultiMap headers) {
    PROPAGATOR.inject(Context.root().with(span), headers, SETTER);
  }

  static CharSequence name() {
    return TRACEPARENT_NAME;
  }
}
