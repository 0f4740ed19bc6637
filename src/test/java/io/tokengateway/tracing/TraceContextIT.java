package io.tokengateway.tracing;

import static io.tokengateway.support.Await.await;
import static io.tokengateway.support.GatewayHarness.ADDRESS;
import static io.tokengateway.support.GatewayHarness.C2C;
import static io.tokengateway.tracing.TracingIT.CALLER_SPAN;
import static io.tokengateway.tracing.TracingIT.CALLER_TRACE;
import static io.tokengateway.tracing.TracingIT.EMBEDS;
import static io.tokengateway.tracing.TracingIT.embed;
import static io.tokengateway.tracing.TracingIT.exporting;
import static io.tokengateway.tracing.TracingIT.only;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokengateway.support.AccessLines;
import io.tokengateway.support.FakeSignalWire;
import io.tokengateway.support.GatewayHarness;
import io.tokengateway.support.OtlpReceiver;
import io.tokengateway.support.RawHttp;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The W3C rules at the edge: a malformed {@code traceparent} starts a new trace and is never echoed (to the caller
 * or to SignalWire), nor is its {@code tracestate}; every answer, whatever the gateway answered, carries a
 * {@code traceparent} whose ids its access line repeats; with {@code tracing.propagation: none}, no trace
 * context at all.
 */
@ExtendWith(VertxExtension.class)
class TraceContextIT {

  static Stream<Arguments> malformed() {
    String t = CALLER_TRACE;
    String s = CALLER_SPAN;
    return Stream.of(
        Arguments.of("empty", ""),
        Arguments.of("trace id one digit short", "00-" + t.substring(1) + "-" + s + "-01"),
        Arguments.of("span id one digit short", "00-" + t + "-" + s.substring(1) + "-01"),
        Arguments.of("version 00 with more after it", "00-" + t + "-" + s + "-01-extra"),
        Arguments.of("version ff", "ff-" + t + "-" + s + "-01"),
        Arguments.of("version not hex", "0x-" + t + "-" + s + "-01"),
        Arguments.of("all-zero trace id", "00-" + "0".repeat(32) + "-" + s + "-01"),
        Arguments.of("all-zero span id", "00-" + t + "-" + "0".repeat(16) + "-01"),
        Arguments.of("uppercase hex", "00-" + t.toUpperCase() + "-" + s.toUpperCase() + "-01"),
        Arguments.of("trace id not hex", "00-" + t.substring(0, 31) + "g-" + s + "-01"),
        Arguments.of("span id not hex", "00-" + t + "-" + s.substring(0, 15) + "z-01"),
        Arguments.of("flags not hex", "00-" + t + "-" + s + "-0g"),
        Arguments.of("wrong delimiters", "00_" + t + "_" + s + "_01"),
        Arguments.of("a later version run on without a delimiter", "01-" + t + "-" + s + "-01x"),
        Arguments.of("a token pasted in", C2C));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void aMalformedTraceparentStartsANewTraceAndIsNeverEchoed(String why, String value, Vertx vertx) {
    OtlpReceiver collector = OtlpReceiver.start(vertx);
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    GatewayHarness gw = GatewayHarness.start(vertx, upstream, exporting(collector, 1.0));
    try {
      MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("traceparent", value)
          .add("tracestate", "congo=t61rcWkgMzE");
      HttpResponse<Buffer> r = gw.post(EMBEDS, "application/json", new JsonObject().put("token", C2C).encode(),
          headers);

      assertThat(r.statusCode()).isEqualTo(201);
      Traceparent answer = Traceparent.parse(r.getHeader("traceparent"));
      assertThat(answer.traceId()).as("a new trace").isNotEqualTo(CALLER_TRACE);
      assertThat(answer.traceId()).isNotEqualToIgnoringCase(CALLER_TRACE);
      MultiMap sent = upstream.received().get(0).headers();
      assertThat(Traceparent.parse(sent.get("traceparent")).traceId()).isEqualTo(answer.traceId());
      assertThat(sent.get("tracestate")).as("a tracestate is only read with a valid traceparent").isNull();
      for (MultiMap seen : List.of(r.headers(), sent)) {
        seen.forEach((name, v) -> {
          assertThat(v).as(name).doesNotContainIgnoringCase(CALLER_TRACE).doesNotContain("congo");
          if (!value.isEmpty()) {
            assertThat(v).as(name).doesNotContain(value);
          }
        });
      }
      var server = only(collector.awaitTrace(answer.traceId(), 2), "SPAN_KIND_SERVER");
      assertThat(server.parentSpanId()).as("a root span").isEmpty();
    } finally {
      gw.stop();
    }
  }

  @Test
  void twoTraceparentHeadersNameNoSingleParentAndStartANewTrace(Vertx vertx) {
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    GatewayHarness gw = GatewayHarness.start(vertx, upstream, Map.of());
    try {
      String other = "1bf92f3577b34da6a3ce929d0e0e4730";
      MultiMap headers = MultiMap.caseInsensitiveMultiMap()
          .add("traceparent", Traceparent.of(CALLER_TRACE, CALLER_SPAN, "01"))
          .add("traceparent", Traceparent.of(other, CALLER_SPAN, "01"));
      HttpResponse<Buffer> r = gw.post(EMBEDS, "application/json", new JsonObject().put("token", C2C).encode(),
          headers);
      assertThat(Traceparent.parse(r.getHeader("traceparent")).traceId()).isNotIn(CALLER_TRACE, other);
    } finally {
      gw.stop();
    }
  }

  @Test
  void aLaterVersionIsReadAsVersion00AndAnsweredInVersion00(Vertx vertx) {
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    GatewayHarness gw = GatewayHarness.start(vertx, upstream, Map.of());
    try {
      String later = "cc-" + CALLER_TRACE + "-" + CALLER_SPAN + "-01-what-the-future-holds";
      Traceparent answer = Traceparent.parse(embed(gw, C2C, later).getHeader("traceparent"));
      assertThat(answer.traceId()).isEqualTo(CALLER_TRACE);
      assertThat(answer.flags()).isEqualTo("01");
      assertThat(upstream.received().get(0).headers().get("traceparent")).startsWith("00-" + CALLER_TRACE + "-")
          .doesNotContain("future");
    } finally {
      gw.stop();
    }
  }

  @Test
  void everyAnswerCarriesATraceparentAndItsAccessLineTheSameIds(Vertx vertx) {
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    // every rejection written in full (by default the 6th of a reason in an interval is only counted)
    GatewayHarness gw = GatewayHarness.start(vertx, upstream, Map.of("log.rejectionLinesPerInterval", 100));
    List<String> answers = new ArrayList<>();
    try (AccessLines access = new AccessLines()) {
      answers.add(expect(gw.embed(C2C), 201)); // the fast path, a miss
      answers.add(expect(gw.embed(C2C), 201)); // a hit
      answers.add(expect(gw.postJson(EMBEDS, "{\"token\":42}"), 422));
      answers.add(expect(gw.post(EMBEDS, "text/plain", "{}", null), 415)); // routed
      answers.add(expect(gw.postJson(EMBEDS, "{\"token\":\"" + "a".repeat(5_000) + "\"}"), 413));
      answers.add(expect(gw.postJson("/nowhere", "{}"), 404));
      answers.add(expect(await(gw.client.request(HttpMethod.GET, EMBEDS).send()), 405));
      answers.add(expect(gw.get("/health/ready"), 200));
      var guest = gw.guest("{\"allowed_addresses\":[\"" + ADDRESS + "\"]}");
      answers.add(expect(guest, 201));
      answers.add(expect(gw.postJson("/api/fabric/subscribers/tokens/refresh",
          new JsonObject().put("refresh_token", guest.bodyAsJsonObject().getString("refresh_token")).encode()), 201));
      answers.add(expect(gw.postJson("/a%zz", "{}"), 400)); // a path Vert.x Web cannot decode
      try (RawHttp raw = RawHttp.connect(gw.gateway.port())) { // a head the framing rules refuse
        raw.send("POST " + EMBEDS + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
        RawHttp.Answer refused = raw.read(5_000);
        assertThat(refused.status()).isEqualTo(400);
        answers.add(refused.header("traceparent"));
      }

      for (FakeSignalWire.Received call : upstream.received()) { // the embed miss, the guest and the refresh
        String trace = Traceparent.parse(call.headers().get("traceparent")).traceId();
        assertThat(answers).as(call.path() + " carries the trace of the request it was made for")
            .anyMatch(a -> Traceparent.parse(a).traceId().equals(trace));
      }
      assertThat(upstream.received()).extracting(FakeSignalWire.Received::path)
          .contains(EMBEDS, "/api/fabric/guests/tokens", "/api/fabric/subscribers/tokens/refresh");

      List<JsonObject> lines = access.await(answers.size());
      assertThat(lines).hasSize(answers.size());
      for (String header : answers) {
        Traceparent t = Traceparent.parse(header);
        assertThat(lines).as("the access line of " + header)
            .anyMatch(l -> t.traceId().equals(l.getString("trace_id")) && t.spanId().equals(l.getString("span_id")));
      }
      assertThat(answers.stream().map(a -> Traceparent.parse(a).traceId()).distinct()).as("a trace each")
          .hasSize(answers.size());
    } finally {
      gw.stop();
    }
  }

  @Test
  void withPropagationNoneNoTraceIsReadAnsweredLoggedOrSentToSignalWire(Vertx vertx) {
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    GatewayHarness gw = GatewayHarness.start(vertx, upstream, Map.of("tracing.propagation", "none"));
    try (AccessLines access = new AccessLines()) {
      String caller = Traceparent.of(CALLER_TRACE, CALLER_SPAN, "01");
      List<HttpResponse<Buffer>> answers = List.of(embed(gw, C2C, caller), embed(gw, C2C, caller),
          gw.postJson(EMBEDS, "{\"token\":42}"), gw.guest("{\"allowed_addresses\":[\"" + ADDRESS + "\"]}"));
      assertThat(answers).extracting(HttpResponse::statusCode).containsExactly(201, 201, 422, 201);
      assertThat(answers).allSatisfy(r -> assertThat(r.getHeader("traceparent")).isNull());
      assertThat(upstream.received()).hasSize(2).allSatisfy(call -> {
        assertThat(call.headers().get("traceparent")).isNull();
        assertThat(call.headers().get("tracestate")).isNull();
      });
      List<JsonObject> lines = access.await(answers.size());
      assertThat(lines).hasSize(answers.size()).allSatisfy(line -> {
        assertThat(line.containsKey("trace_id")).isFalse();
        assertThat(line.containsKey("span_id")).isFalse();
        assertThat(line.encode()).doesNotContain(CALLER_TRACE);
      });
    } finally {
      gw.stop();
    }
  }

  private static String expect(HttpResponse<Buffer> r, int status) {
    assertThat(r.statusCode()).isEqualTo(status);
    return r.getHeader("traceparent");
  }
}
