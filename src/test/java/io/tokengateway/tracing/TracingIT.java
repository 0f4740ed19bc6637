package io.tokengateway.tracing;

import static io.tokengateway.support.GatewayHarness.C2C;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokengateway.support.AccessLines;
import io.tokengateway.support.Await;
import io.tokengateway.support.FakeSignalWire;
import io.tokengateway.support.GatewayHarness;
import io.tokengateway.support.OtlpReceiver;
import io.tokengateway.support.OtlpReceiver.ReceivedSpan;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Trace context end to end, exported to a test OTLP/HTTP collector: a caller's trace continued through the
 * gateway's server span to the SignalWire call's client span and into the {@code traceparent} SignalWire
 * receives, the cache result and the outcome on the spans, parent-based sampling, export off by default.
 */
@ExtendWith(VertxExtension.class)
class TracingIT {

  static final String EMBEDS = "/api/fabric/embeds/tokens";
  static final String CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String CALLER_SPAN = "00f067aa0ba902b7";

  /** Settings exporting to {@code collector} at {@code ratio}, quickly (tests wait for the spans). */
  static Map<String, Object> exporting(OtlpReceiver collector, double ratio) {
    Map<String, Object> s = new HashMap<>();
    s.put("tracing.otlp.endpoint", collector.endpoint());
    s.put("tracing.sampleRatio", ratio);
    s.put("tracing.otlp.scheduleDelayMs", 10);
    return s;
  }

  static HttpResponse<Buffer> embed(GatewayHarness gw, String c2c, String traceparent) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    if (traceparent != null) {
      headers.add("traceparent", traceparent);
    }
    return gw.post(EMBEDS, "application/json", new JsonObject().put("token", c2c).encode(), headers);
  }

  static ReceivedSpan only(List<ReceivedSpan> spans, String kind) {
    List<ReceivedSpan> of = spans.stream().filter(s -> s.kind().equals(kind)).toList();
    assertThat(of).as("one " + kind + " span in " + spans).hasSize(1);
    return of.get(0);
  }

  @Test
  void aCallersTraceIsContinuedThroughTheServerSpanAndTheClientSpanToSignalWire(Vertx vertx) {
    OtlpReceiver collector = OtlpReceiver.start(vertx);
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    GatewayHarness gw = GatewayHarness.start(vertx, upstream, exporting(collector, 0.0));
    try (AccessLines access = new AccessLines()) {
      HttpResponse<Buffer> miss = embed(gw, C2C, Traceparent.of(CALLER_TRACE, CALLER_SPAN, "01"));

      assertThat(miss.statusCode()).isEqualTo(201);
      Traceparent answer = Traceparent.parse(miss.getHeader("traceparent"));
      assertThat(answer.traceId()).as("the caller's trace, continued").isEqualTo(CALLER_TRACE);
      assertThat(answer.spanId()).as("the gateway's own span").isNotEqualTo(CALLER_SPAN);
      assertThat(answer.flags()).isEqualTo("01");
      Traceparent toSignalWire = Traceparent.parse(upstream.received().get(0).headers().get("traceparent"));
      assertThat(toSignalWire.traceId()).isEqualTo(CALLER_TRACE);
      assertThat(toSignalWire.spanId()).as("a child span's id").isNotIn(CALLER_SPAN, answer.spanId());
      assertThat(toSignalWire.flags()).isEqualTo("01");

      List<ReceivedSpan> spans = collector.awaitTrace(CALLER_TRACE, 2);
      ReceivedSpan server = only(spans, "SPAN_KIND_SERVER");
      ReceivedSpan client = only(spans, "SPAN_KIND_CLIENT");
      assertThat(server.name()).isEqualTo("POST /api/fabric/embeds/tokens");
      assertThat(server.spanId()).isEqualTo(answer.spanId());
      assertThat(server.parentSpanId()).as("the server span's parent is the caller's span").isEqualTo(CALLER_SPAN);
      assertThat(server.attributes()).containsEntry("http.request.method", "POST")
          .containsEntry("http.route", EMBEDS).containsEntry("http.response.status_code", "201")
          .containsEntry("tokengateway.cache", "MISS").containsEntry("tokengateway.upstream", "success");
      assertThat(server.status()).isEqualTo("STATUS_CODE_UNSET");
      assertThat(client.name()).isEqualTo("POST /api/fabric/embeds/tokens");
      assertThat(client.parentSpanId()).as("the client span's parent is the server span").isEqualTo(server.spanId());
      assertThat(client.spanId()).as("SignalWire's parent is the client span").isEqualTo(toSignalWire.spanId());
      assertThat(client.attributes()).containsEntry("http.request.method", "POST")
          .containsEntry("url.template", EMBEDS).containsEntry("tokengateway.endpoint", "embeds")
          .containsEntry("server.address", "127.0.0.1").containsEntry("server.port", String.valueOf(upstream.port()))
          .containsEntry("http.response.status_code", "201");
      assertThat(server.resource()).containsEntry("service.name", "token-gateway").containsKey("service.instance.id");
      assertThat(server.resource().get("service.version")).as("the build's version").matches("\\d+\\.\\d+\\.\\d+.*");
      assertThat(collector.paths()).containsOnly("/v1/traces");
      Await.until(() -> gw.metric("gateway_trace_spans_total{stage=\"exported\"}").orElse(0) >= 2, 10_000,
          "the exported spans counted");
      assertThat(gw.metric("gateway_trace_spans_total{stage=\"failed\"}").orElseThrow()).isZero();

      String otherTrace = "5bf92f3577b34da6a3ce929d0e0e4737";
      HttpResponse<Buffer> hit = embed(gw, C2C, Traceparent.of(otherTrace, CALLER_SPAN, "01"));
      assertThat(hit.getHeader("X-Cache")).isEqualTo("HIT");
      ReceivedSpan hitSpan = only(collector.awaitTrace(otherTrace, 1), "SPAN_KIND_SERVER");
      assertThat(hitSpan.attributes()).containsEntry("tokengateway.cache", "HIT")
          .containsEntry("tokengateway.upstream", "none");
      assertThat(collector.trace(otherTrace)).as("a hit calls nobody").hasSize(1);
      assertThat(upstream.calls()).isEqualTo(1);

      access.await(3);
      List<JsonObject> lines = access.lines().stream().filter(l -> EMBEDS.equals(l.getString("path"))).toList();
      assertThat(lines).hasSize(2);
      assertThat(lines.get(0).getString("trace_id")).isEqualTo(CALLER_TRACE);
      assertThat(lines.get(0).getString("span_id")).isEqualTo(server.spanId());
      assertThat(lines.get(1).getString("trace_id")).isEqualTo(otherTrace);
      assertThat(lines.get(1).getString("span_id")).isEqualTo(hitSpan.spanId());
    } finally {
      gw.stop();
    }
  }

  @Test
  void theCallersTracestateIsPassedOnToSignalWireWithOrWithoutExport(Vertx vertx) {
    OtlpReceiver collector = OtlpReceiver.start(vertx);
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    for (Map<String, Object> settings : List.of(Map.<String, Object>of(), exporting(collector, 1.0))) {
      GatewayHarness gw = GatewayHarness.start(vertx, upstream, settings);
      try {
        int before = upstream.calls();
        MultiMap headers = MultiMap.caseInsensitiveMultiMap()
            .add("traceparent", Traceparent.of(CALLER_TRACE, CALLER_SPAN, "01"))
            .add("tracestate", "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7");
        HttpResponse<Buffer> r = gw.post(EMBEDS, "application/json",
            new JsonObject().put("token", "c2c_tracestate" + settings.size()).encode(), headers);
        assertThat(r.statusCode()).isEqualTo(201);
        MultiMap sent = upstream.received().get(before).headers();
        assertThat(Traceparent.parse(sent.get("traceparent")).traceId()).isEqualTo(CALLER_TRACE);
        assertThat(sent.get("tracestate")).as(settings.isEmpty() ? "export off" : "export on")
            .isEqualTo("congo=t61rcWkgMzE,rojo=00f067aa0ba902b7");
      } finally {
        gw.stop();
      }
    }
  }

  @Test
  void samplingIsParentBasedAnIncomingSampledFlagIsExportedEvenAtRatioZeroAndAnUnsampledOneIsNot(Vertx vertx) {
    OtlpReceiver collector = OtlpReceiver.start(vertx);
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    GatewayHarness gw = GatewayHarness.start(vertx, upstream, exporting(collector, 0.0));
    try {
      String unsampled = "6bf92f3577b34da6a3ce929d0e0e4738";
      HttpResponse<Buffer> notSampled = embed(gw, "c2c_unsampled01", Traceparent.of(unsampled, CALLER_SPAN, "00"));
      assertThat(Traceparent.parse(notSampled.getHeader("traceparent")).flags()).isEqualTo("00");
      Traceparent toSignalWire = Traceparent.parse(upstream.received().get(0).headers().get("traceparent"));
      assertThat(toSignalWire.traceId()).isEqualTo(unsampled);
      assertThat(toSignalWire.flags()).as("the flag is passed on as the caller set it").isEqualTo("00");
      HttpResponse<Buffer> fresh = embed(gw, "c2c_unsampled02", null);
      Traceparent freshTrace = Traceparent.parse(fresh.getHeader("traceparent"));
      assertThat(freshTrace.flags()).as("a new trace at ratio 0 is not sampled (its id random: W3C level 2)")
          .isEqualTo("02");

      String sampled = "7bf92f3577b34da6a3ce929d0e0e4739";
      HttpResponse<Buffer> yes = embed(gw, "c2c_sampled0001", Traceparent.of(sampled, CALLER_SPAN, "01"));
      assertThat(Traceparent.parse(yes.getHeader("traceparent")).flags()).isEqualTo("01");
      collector.awaitTrace(sampled, 2); // exported in the order they ended: the earlier ones would be in by now

      assertThat(collector.trace(unsampled)).as("the caller did not sample it").isEmpty();
      assertThat(collector.trace(freshTrace.traceId())).as("ratio 0").isEmpty();
      assertThat(collector.spans()).allMatch(s -> s.traceId().equals(sampled));
    } finally {
      gw.stop();
    }
  }

  @Test
  void atRatioOneEveryNewTraceIsSampledAndExported(Vertx vertx) {
    OtlpReceiver collector = OtlpReceiver.start(vertx);
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    GatewayHarness gw = GatewayHarness.start(vertx, upstream, exporting(collector, 1.0));
    try {
      Traceparent answer = Traceparent.parse(embed(gw, C2C, null).getHeader("traceparent"));
      assertThat(answer.flags()).as("sampled, and its id random (W3C level 2)").isEqualTo("03");
      ReceivedSpan server = only(collector.awaitTrace(answer.traceId(), 2), "SPAN_KIND_SERVER");
      assertThat(server.parentSpanId()).as("a root").isEmpty();
      assertThat(server.spanId()).isEqualTo(answer.spanId());
    } finally {
      gw.stop();
    }
  }

  @Test
  void upstreamFailuresMarkTheClientAndServerSpansAsErrorsWithTheirKindNotTheirMessage(Vertx vertx) {
    OtlpReceiver collector = OtlpReceiver.start(vertx);
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    GatewayHarness gw = GatewayHarness.start(vertx, upstream, exporting(collector, 1.0));
    try {
      upstream.answer(500, "{\"error\":\"Internal Server Error\"}");
      Traceparent failed = Traceparent.parse(embed(gw, "c2c_failing0001", null).getHeader("traceparent"));
      upstream.hang();
      Traceparent timedOut = Traceparent.parse(embed(gw, "c2c_timingout01", null).getHeader("traceparent"));

      List<ReceivedSpan> first = collector.awaitTrace(failed.traceId(), 2);
      assertThat(only(first, "SPAN_KIND_CLIENT").attributes()).containsEntry("http.response.status_code", "500")
          .containsEntry("error.type", "500");
      assertThat(only(first, "SPAN_KIND_CLIENT").status()).isEqualTo("STATUS_CODE_ERROR");
      assertThat(only(first, "SPAN_KIND_SERVER").attributes()).containsEntry("http.response.status_code", "502")
          .containsEntry("tokengateway.upstream", "server_error").containsEntry("error.type", "502");
      assertThat(only(first, "SPAN_KIND_SERVER").status()).isEqualTo("STATUS_CODE_ERROR");
      List<ReceivedSpan> second = collector.awaitTrace(timedOut.traceId(), 2);
      assertThat(only(second, "SPAN_KIND_CLIENT").attributes()).containsEntry("error.type", "timeout")
          .doesNotContainKey("http.response.status_code");
      assertThat(only(second, "SPAN_KIND_SERVER").attributes()).containsEntry("http.response.status_code", "504");
    } finally {
      upstream.releaseHanging();
      gw.stop();
    }
  }

  @Test
  void aCollectorThatNeverAnswersCostsDroppedSpansNeverARequestsTime(Vertx vertx) {
    OtlpReceiver collector = OtlpReceiver.start(vertx).hang();
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    Map<String, Object> settings = exporting(collector, 1.0);
    // an export waits up to a minute for the stuck collector; a tiny queue fills at once
    settings.putAll(Map.of("tracing.otlp.timeoutMs", 60_000, "tracing.otlp.queueSize", 8,
        "tracing.otlp.batchSize", 4));
    GatewayHarness gw = GatewayHarness.start(vertx, upstream, settings);
    try {
      long start = System.nanoTime();
      List<HttpResponse<Buffer>> answers = gw.embedsAtOnce(300, i -> C2C);
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertThat(answers).allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(201));
      assertThat(millis).as("300 requests, none waiting for the exporter's minute").isLessThan(30_000);
      assertThat(collector.held()).as("the exporter was stuck on the collector").isPositive();
      assertThat(upstream.calls()).isEqualTo(1);
    } finally {
      collector.release(); // else the flush at shutdown would wait out the export's minute
      gw.stop();
    }
  }

  @Test
  void spansTheCollectorRefusesAreCountedAsFailed(Vertx vertx) {
    OtlpReceiver collector = OtlpReceiver.start(vertx).refuse();
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    GatewayHarness gw = GatewayHarness.start(vertx, upstream, exporting(collector, 1.0));
    try {
      embed(gw, C2C, null);
      embed(gw, C2C, null);
      Await.until(() -> gw.metric("gateway_trace_spans_total{stage=\"failed\"}").orElse(0) >= 3, 10_000,
          "the refused spans counted");
      // (the scrapes of /metrics, on the API port here, are traced too)
      assertThat(gw.metric("gateway_trace_spans_total{stage=\"ended\"}").orElseThrow()).isGreaterThanOrEqualTo(3.0);
      assertThat(gw.metric("gateway_trace_spans_total{stage=\"exported\"}").orElseThrow()).isZero();
    } finally {
      gw.stop();
    }
  }

  @Test
  void spansStillQueuedAtShutdownAreExported(Vertx vertx) {
    OtlpReceiver collector = OtlpReceiver.start(vertx);
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    Map<String, Object> settings = exporting(collector, 1.0);
    settings.put("tracing.otlp.scheduleDelayMs", 60_000); // no export before the shutdown
    GatewayHarness gw = GatewayHarness.start(vertx, upstream, settings);
    Traceparent answer;
    try {
      answer = Traceparent.parse(embed(gw, C2C, null).getHeader("traceparent"));
      assertThat(collector.spans()).isEmpty();
      assertThat(exporterThreads()).as("with export on, the processor's thread runs").isPositive();
    } finally {
      gw.stop();
    }
    assertThat(collector.trace(answer.traceId())).as("flushed by the shutdown").hasSize(2);
  }

  @Test
  void exportIsOffByDefaultNoExporterThreadYetEveryAnswerAndSignalWireCallCarriesTraceContext(Vertx vertx) {
    long exporterThreadsBefore = exporterThreads();
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    GatewayHarness gw = GatewayHarness.start(vertx, upstream, Map.of());
    try {
      Traceparent answer = Traceparent.parse(embed(gw, C2C, null).getHeader("traceparent"));
      assertThat(answer.flags()).as("not sampled (nothing records it), its id random (W3C level 2)").isEqualTo("02");
      Traceparent toSignalWire = Traceparent.parse(upstream.received().get(0).headers().get("traceparent"));
      assertThat(toSignalWire.traceId()).isEqualTo(answer.traceId());
      assertThat(toSignalWire.spanId()).isNotEqualTo(answer.spanId());
      Traceparent continued = Traceparent.parse(embed(gw, C2C, Traceparent.of(CALLER_TRACE, CALLER_SPAN, "01"))
          .getHeader("traceparent"));
      assertThat(continued.traceId()).isEqualTo(CALLER_TRACE);
      assertThat(continued.flags()).as("the caller's flag, passed on").isEqualTo("01");
      assertThat(exporterThreads()).as("no batch processor or OTLP sender thread")
          .isLessThanOrEqualTo(exporterThreadsBefore);
    } finally {
      gw.stop();
    }
  }

  /** Threads of the SDK's batch processor and of the exporter's JDK HTTP sender. */
  static long exporterThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
        .filter(n -> n.contains("BatchSpanProcessor") || n.contains("jdkhttp")).count();
  }
}
