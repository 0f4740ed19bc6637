package io.tokengateway.tracing;

import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.IdGenerator;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.tokengateway.config.TracingOptions;
import io.tokengateway.metrics.GatewayMetrics;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.internal.ContextInternal;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * W3C trace context on every request, and OpenTelemetry spans exported over OTLP/HTTP when
 * {@code tracing.otlp.endpoint} is set. One per process.
 *
 * <p>The request path calls it at a few points: {@link #start} when a request arrives (continues a valid
 * {@code traceparent}, else starts a trace; keeps the trace on the request's Vert.x context),
 * {@link RequestTrace#responseHeaders} before answering, {@link RequestTrace#cacheResult} and
 * {@link RequestTrace#end} once answered. The SignalWire client ({@link #upstream}) and the Redis link
 * ({@link #redis}) find the trace of the request they work for on their context, so no signature in between
 * carries it; work done for no request (probes, background tasks) has no trace and gets no span.
 *
 * <p>With export off no SDK exists: a trace is its ids (random, from the SDK's {@link IdGenerator}), and nothing
 * is recorded, queued or sent. With {@code tracing.propagation: none} there is not even that: every request gets
 * {@link RequestTrace#NONE}, no header is read and none is written.
 */
public final class Tracing {

  private static final String GATEWAY_SCOPE = "io.tokengateway";

  private final IdGenerator ids = IdGenerator.random();
  private final boolean propagate;
  /** Null with export off. */
  private final SdkTracerProvider provider;
  /** Null with export off. */
  private final Tracer tracer;

  private Tracing(boolean propagate, SdkTracerProvider provider) {
    this.propagate = propagate;
    this.provider = provider;
    this.tracer = provider == null ? null : provider.get(GATEWAY_SCOPE, OtlpExport.version());
  }

  /**
   * Tracing as {@code options} say: ids only, or the SDK exporting to the configured collector (what becomes of
   * its spans counted in {@code metrics}).
   */
  public static Tracing create(TracingOptions options, GatewayMetrics metrics) {
    return new Tracing(options.propagate(), options.exportEnabled() ? OtlpExport.provider(options, metrics) : null);
  }

  /** Whether spans are exported. */
  public boolean exporting() {
    return provider != null;
  }

  /**
   * The trace of a request that just arrived: the caller's continued when its {@code traceparent} is valid, else a
   * new one (a malformed value is ignored, never echoed). Kept on the current Vert.x context (the request's own)
   * for the calls made on its behalf. {@link RequestTrace#NONE}, kept nowhere, with propagation off.
   */
  public RequestTrace start(HttpServerRequest request) {
    if (!propagate) {
      return RequestTrace.NONE;
    }
    Context parent = TraceHeaders.extract(request.headers());
    RequestTrace trace = tracer == null ? RequestTrace.local(ids, parent)
        : RequestTrace.recorded(tracer, ids, parent, SpanNames.method(request.method()),
            SpanNames.route(request.path()));
    // Vert.x serves each request on a duplicate of its event loop's context; kept on the event loop's own context a
    // trace would be seen by everything that runs there later
    if (Vertx.currentContext() instanceof ContextInternal context && context.isDuplicate()) {
      TraceLocal.KEY.put(context, trace);
    }
    return trace;
  }

  /** The trace of the request the current Vert.x context serves, or null. */
  public static RequestTrace current() {
    io.vertx.core.Context context = Vertx.currentContext();
    return context == null ? null : TraceLocal.KEY.get(context);
  }

  /**
   * Starts the client span of a SignalWire call made for the current request and adds its {@code traceparent}
   * (and the caller's {@code tracestate}) to {@code call}'s headers. {@code path} is SignalWire's fixed path of
   * the endpoint (the span is named {@code POST <path>}), {@code endpoint} its label. End it with
   * {@link ChildSpan#endHttp}.
   */
  public static ChildSpan upstream(String endpoint, String path, RequestOptions call) {
    RequestTrace trace = current();
    if (trace == null) {
      return ChildSpan.NONE;
    }
    String method = call.getMethod().name();
    ChildSpan span = trace.upstream(method + " " + path, method, path, endpoint, call.getHost(),
        call.getPort() == null ? -1 : call.getPort());
    MultiMap headers = call.getHeaders();
    if (headers == null) {
      headers = MultiMap.caseInsensitiveMultiMap();
      call.setHeaders(headers);
    }
    span.inject(headers);
    return span;
  }

  /**
   * Runs a Redis command (or {@code batchSize} pipelined ones) in a span of the current request's trace when it
   * is recorded: named after {@code operation} (the command, {@code EVAL}, or {@code PIPELINE}), with
   * {@code db.system} and {@code db.operation}; no key, value or argument.
   */
  public static <T> Future<T> redis(String operation, int batchSize, Supplier<Future<T>> command) {
    RequestTrace trace = current();
    ChildSpan span = trace == null ? ChildSpan.NONE : trace.redis(operation, batchSize);
    if (span == ChildSpan.NONE) {
      return command.get();
    }
    return command.get().andThen(ar -> span.endCommand(ar.failed() ? ar.cause() : null));
  }

  /** Exports the spans still queued (within {@code tracing.otlp.timeoutMs}) and stops the exporter. */
  public Future<Void> close(Vertx vertx) {
    if (provider == null) {
      return Future.succeededFuture();
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    provider.shutdown().whenComplete(() -> done.complete(null));
    return Future.fromCompletionStage(done, vertx.getOrCreateContext());
  }
}
