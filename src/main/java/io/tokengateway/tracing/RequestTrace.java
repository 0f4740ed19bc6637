package io.tokengateway.tracing;

import io.netty.util.AsciiString;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.IdGenerator;
import io.vertx.core.MultiMap;
import java.util.Locale;

/**
 * One request's trace: the caller's trace continued (or a new one), with the gateway's server span in it. With
 * export on it is an OpenTelemetry SDK span (recording when sampled); with export off only its ids exist (the
 * caller's trace id or a random one, a random span id), so the answer, the access line and the SignalWire call
 * still carry them at the cost of one header's bytes ({@link TraceIds}).
 *
 * <p>With {@code tracing.propagation: none} every request shares {@link #NONE}: no ids, no header, nothing
 * ended. Used by one request on its own context, so it needs no locking; {@link #end} counts once.
 */
public final class RequestTrace {

  /**
   * Flags of a trace started here with export off: not sampled (nothing records it), its id random (W3C Trace
   * Context level 2's random flag, as the SDK sets it on the traces it starts).
   */
  private static final TraceFlags NEW_TRACE = TraceFlags.fromByte((byte) 0x02);

  /** No trace context ({@code tracing.propagation: none}): nothing answered, logged or propagated. */
  static final RequestTrace NONE = new RequestTrace(null, null, null, null, TraceFlags.getDefault(), null);

  private final Tracer tracer;
  private final IdGenerator ids;
  /** The SDK's server span, or null with export off. */
  private final Span span;
  /** The answer's header: this trace, the gateway's span, the flags; the ids are read out of it. */
  private final AsciiString traceparent;
  private final TraceFlags flags;
  /** The caller's tracestate (export off), passed on to SignalWire; null when none. */
  private final TraceState traceState;
  private boolean ended;

  private RequestTrace(Tracer tracer, IdGenerator ids, Span span, AsciiString traceparent, TraceFlags flags,
      TraceState traceState) {
    this.tracer = tracer;
    this.ids = ids;
    this.span = span;
    this.traceparent = traceparent;
    this.flags = flags;
    this.traceState = traceState;
  }

  /** Export off: the caller's trace id and flags (or a new trace, not sampled) and a new span id. */
  static RequestTrace local(IdGenerator ids, Context parent) {
    if (parent == null) {
      return new RequestTrace(null, ids, null, TraceIds.newTrace(NEW_TRACE.asByte()), NEW_TRACE, null);
    }
    SpanContext caller = Span.fromContext(parent).getSpanContext();
    return new RequestTrace(null, ids, null, TraceIds.continued(caller.getTraceId(), caller.getTraceFlags().asByte()),
        caller.getTraceFlags(), caller.getTraceState().isEmpty() ? null : caller.getTraceState());
  }

  /** Export on: a server span, a child of the caller's when there is one, sampled as the SDK's sampler says. */
  static RequestTrace recorded(Tracer tracer, IdGenerator ids, Context parent, int method, int route) {
    var builder = tracer.spanBuilder(SpanNames.server(method, route)).setSpanKind(SpanKind.SERVER);
    if (parent == null) {
      builder.setNoParent();
    } else {
      builder.setParent(parent);
    }
    Span span = builder.startSpan();
    if (span.isRecording()) { // set after the sampler's decision: an unsampled span gets no attribute map
      span.setAttribute(TraceAttributes.HTTP_METHOD, SpanNames.method(method));
      span.setAttribute(TraceAttributes.HTTP_ROUTE, SpanNames.routeName(route));
    }
    SpanContext context = span.getSpanContext();
    return new RequestTrace(tracer, ids, span,
        TraceIds.of(context.getTraceId(), context.getSpanId(), context.getTraceFlags().asByte()),
        context.getTraceFlags(), null);
  }

  /** The trace id (32 hex digits), for the access line. */
  public String traceId() {
    return span != null ? span.getSpanContext().getTraceId() : TraceIds.traceId(traceparent);
  }

  /** The gateway's span id (16 hex digits), for the access line. */
  public String spanId() {
    return span != null ? span.getSpanContext().getSpanId() : TraceIds.spanId(traceparent);
  }

  /** Whether this trace is recorded and exported (export on and sampled). */
  public boolean recording() {
    return span != null && span.isRecording();
  }

  /** Whether the trace is sampled: the flag the answer's and SignalWire's {@code traceparent} carry. */
  public boolean sampled() {
    return flags.isSampled();
  }

  /**
   * The answer's {@code traceparent}: this trace and the gateway's span (built once, as wire bytes); null without
   * trace context ({@link #NONE}).
   */
  public CharSequence traceparent() {
    return traceparent;
  }

  /** Adds {@code traceparent} to the answer's headers, so a caller can quote it. */
  public void responseHeaders(MultiMap headers) {
    if (traceparent != null) {
      headers.set(TraceHeaders.name(), traceparent);
    }
  }

  /** Records how the cache served the answer ({@code HIT}, {@code MISS}, ...) on the server span. */
  public void cacheResult(String status) {
    if (span != null && status != null) {
      span.setAttribute(TraceAttributes.CACHE, status);
    }
  }

  /**
   * Ends the server span with the status the caller got (0 when the connection closed first) and the upstream
   * outcome; a 5xx or no answer at all marks the span as an error. Later calls do nothing.
   */
  public void end(int status, String outcome) {
    if (span == null || ended) { // no SDK span: nothing to end (and NONE, shared, is never written)
      return;
    }
    ended = true;
    if (!span.isRecording()) {
      return;
    }
    if (status > 0) {
      span.setAttribute(TraceAttributes.HTTP_STATUS, status);
    }
    span.setAttribute(TraceAttributes.OUTCOME, outcome == null ? "none" : outcome);
    if (status >= 500 || status == 0) {
      span.setAttribute(TraceAttributes.ERROR_TYPE, status == 0 ? "no_answer" : Integer.toString(status));
      span.setStatus(StatusCode.ERROR);
    }
    span.end();
  }

  /**
   * A client span for a SignalWire call: {@code name} as {@code POST /api/fabric/embeds/tokens} (SignalWire's
   * fixed path), {@code endpoint} its label. Its context is what SignalWire receives as {@code traceparent}.
   */
  ChildSpan upstream(String name, String method, String template, String endpoint, String host, int port) {
    if (span == null) {
      return new ChildSpan(Span.wrap(SpanContext.create(traceId(), ids.generateSpanId(), flags,
          traceState == null ? TraceState.getDefault() : traceState)));
    }
    Span client = tracer.spanBuilder(name).setSpanKind(SpanKind.CLIENT).setParent(Context.root().with(span))
        .setAttribute(TraceAttributes.HTTP_METHOD, method)
        .setAttribute(TraceAttributes.URL_TEMPLATE, template)
        .setAttribute(TraceAttributes.ENDPOINT, endpoint)
        .setAttribute(TraceAttributes.SERVER_ADDRESS, host)
        .setAttribute(TraceAttributes.SERVER_PORT, (long) port)
        .startSpan();
    return new ChildSpan(client);
  }

  /**
   * A client span for a Redis command or pipeline, only while this trace is recorded (nothing is propagated to
   * Redis, so an unrecorded trace needs no span): {@code command} is a command name, never a key or argument.
   */
  ChildSpan redis(String command, int batchSize) {
    if (!recording()) {
      return ChildSpan.NONE;
    }
    String operation = command.toUpperCase(Locale.ROOT); // Vert.x names its commands in lower case
    var builder = tracer.spanBuilder(operation).setSpanKind(SpanKind.CLIENT).setParent(Context.root().with(span))
        .setAttribute(TraceAttributes.DB_SYSTEM, "redis")
        .setAttribute(TraceAttributes.DB_SYSTEM_NAME, "redis")
        .setAttribute(TraceAttributes.DB_OPERATION, operation)
        .setAttribute(TraceAttributes.DB_OPERATION_NAME, operation);
    if (batchSize > 1) {
      builder.setAttribute(TraceAttributes.DB_BATCH_SIZE, (long) batchSize);
    }
    return new ChildSpan(builder.startSpan());
  }
}
