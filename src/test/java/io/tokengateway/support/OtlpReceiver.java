package io.tokengateway.support;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * An OTLP/HTTP collector on a random loopback port: decodes every {@code ExportTraceServiceRequest} posted to
 * {@code /v1/traces} (protobuf, as the gateway's exporter sends it) and keeps its spans, with their resource's
 * attributes, for the test to look at. Answers an empty success.
 */
public final class OtlpReceiver {

  /** One exported span; ids in lowercase hex (the parent's empty for a root), attribute values as strings. */
  public record ReceivedSpan(String traceId, String spanId, String parentSpanId, String name, String kind,
      Map<String, String> attributes, String status, String statusMessage, String traceState,
      Map<String, String> resource) {

    public String attribute(String key) {
      return attributes.get(key);
    }

    /** Every string in this span: its name, status, tracestate, attribute keys and values, its resource's. */
    public List<String> strings() {
      List<String> all = new ArrayList<>(List.of(name, status, statusMessage, traceState));
      attributes.forEach((k, v) -> {
        all.add(k);
        all.add(v);
      });
      resource.forEach((k, v) -> {
        all.add(k);
        all.add(v);
      });
      return all;
    }
  }

  private final List<ReceivedSpan> spans = new CopyOnWriteArrayList<>();
  private final List<String> paths = new CopyOnWriteArrayList<>();
  private final java.util.Queue<HttpServerRequest> held = new java.util.concurrent.ConcurrentLinkedQueue<>();
  private volatile boolean hang;
  private volatile boolean refuse;
  private HttpServer server;

  public static OtlpReceiver start(Vertx vertx) {
    OtlpReceiver receiver = new OtlpReceiver();
    receiver.server = Await.await(vertx.createHttpServer().requestHandler(receiver::handle).listen(0, "127.0.0.1"));
    return receiver;
  }

  /** The collector's base URL, as {@code tracing.otlp.endpoint} takes it. */
  public String endpoint() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  public List<ReceivedSpan> spans() {
    return List.copyOf(spans);
  }

  /** The paths exports were posted to. */
  public List<String> paths() {
    return List.copyOf(paths);
  }

  /** The spans of {@code traceId}. */
  public List<ReceivedSpan> trace(String traceId) {
    return spans.stream().filter(s -> s.traceId().equals(traceId)).toList();
  }

  /** Waits (bounded) until {@code n} spans matching {@code which} arrived, and returns those. */
  public List<ReceivedSpan> await(int n, Predicate<ReceivedSpan> which, String what) {
    Await.until(() -> spans.stream().filter(which).count() >= n, 10_000, n + " exported spans: " + what);
    return spans.stream().filter(which).toList();
  }

  /** Waits (bounded) until the spans of {@code traceId} include {@code n}, and returns them. */
  public List<ReceivedSpan> awaitTrace(String traceId, int n) {
    return await(n, s -> s.traceId().equals(traceId), "of trace " + traceId);
  }

  /** From now on, read each export and never answer it (a stuck collector), until {@link #release}. */
  public OtlpReceiver hang() {
    hang = true;
    return this;
  }

  /** From now on, answer every export 400 (a collector refusing it: not retried). */
  public OtlpReceiver refuse() {
    refuse = true;
    return this;
  }

  /** Exports received and not answered. */
  public int held() {
    return held.size();
  }

  /** Answers (with a 503) every export held by {@link #hang}, and answers again from now on. */
  public void release() {
    hang = false;
    HttpServerRequest r;
    while ((r = held.poll()) != null) {
      r.response().setStatusCode(503).end();
    }
  }

  public Future<Void> close() {
    return server.close();
  }

  private void handle(HttpServerRequest request) {
    request.body().onSuccess(body -> {
      if (hang) {
        held.add(request);
        return;
      }
      if (refuse) {
        request.response().setStatusCode(400).end();
        return;
      }
      paths.add(request.path());
      try {
        record(ExportTraceServiceRequest.parseFrom(body.getBytes()));
      } catch (InvalidProtocolBufferException e) {
        request.response().setStatusCode(400).end();
        return;
      }
      request.response().putHeader("Content-Type", "application/x-protobuf")
          .end(Buffer.buffer(ExportTraceServiceResponse.getDefaultInstance().toByteArray()));
    });
  }

  private void record(ExportTraceServiceRequest export) {
    HexFormat hex = HexFormat.of();
    for (ResourceSpans rs : export.getResourceSpansList()) {
      Map<String, String> resource = attributes(rs.getResource().getAttributesList());
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        for (var s : ss.getSpansList()) {
          spans.add(new ReceivedSpan(hex.formatHex(s.getTraceId().toByteArray()),
              hex.formatHex(s.getSpanId().toByteArray()), hex.formatHex(s.getParentSpanId().toByteArray()),
              s.getName(), s.getKind().name(), attributes(s.getAttributesList()), s.getStatus().getCode().name(),
              s.getStatus().getMessage(), s.getTraceState(), resource));
        }
      }
    }
  }

  private static Map<String, String> attributes(List<KeyValue> list) {
    Map<String, String> out = new LinkedHashMap<>();
    for (KeyValue kv : list) {
      out.put(kv.getKey(), text(kv.getValue()));
    }
    return out;
  }

  private static String text(AnyValue v) {
    return switch (v.getValueCase()) {
      case STRING_VALUE -> v.getStringValue();
      case INT_VALUE -> Long.toString(v.getIntValue());
      case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
      case DOUBLE_VALUE -> Double.toString(v.getDoubleValue());
      default -> v.toString();
    };
  }
}
