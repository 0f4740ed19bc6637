package io.tokengateway.http;

import static io.tokengateway.support.GatewayHarness.ADDRESS;
import static io.tokengateway.support.GatewayHarness.C2C;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokengateway.config.GatewayConfig;
import io.tokengateway.support.FakeSignalWire;
import io.tokengateway.support.GatewayHarness;
import io.tokengateway.support.LogCapture;
import io.tokengateway.support.ManualTime;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The access line: its fields, the log.access modes, and floods of rejections collapsed into summaries. */
@ExtendWith(VertxExtension.class)
class AccessLogIT {

  private static final String EMBEDS = "/api/fabric/embeds/tokens";

  @Test
  void allModeWritesOneLinePerRequestWithTheDocumentedFields(Vertx vertx) {
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    List<JsonObject> lines = capture(vertx, upstream, Map.of(), gw -> {
      gw.embed(C2C);
      gw.embed(C2C);
      gw.postJson("/nowhere", "{}");
    });
    assertThat(lines).hasSize(3);
    JsonObject hit = lines.get(1);
    assertThat(hit.fieldNames()).containsExactlyInAnyOrder("@timestamp", "message", "logger_name", "thread_name",
        "level", "method", "path", "status", "durationMs", "upstream", "cache", "trace_id", "span_id");
    assertThat(hit.getString("logger_name")).isEqualTo("access");
    assertThat(hit.getString("level")).isEqualTo("INFO");
    assertThat(hit.getString("message")).isEqualTo("request");
    assertThat(hit.getString("method")).isEqualTo("POST");
    assertThat(hit.getString("path")).isEqualTo(EMBEDS);
    assertThat(hit.getInteger("status")).isEqualTo(201);
    assertThat(hit.getDouble("durationMs")).isNotNegative();
    assertThat(hit.getString("upstream")).isEqualTo("none");
    assertThat(hit.getString("cache")).isEqualTo("HIT");
    assertThat(lines.get(0).getString("upstream")).isEqualTo("success");
    assertThat(lines.get(0).getString("cache")).isEqualTo("MISS");
    assertThat(lines.get(2).getString("path")).isEqualTo("<other>");
    assertThat(lines.get(2).getInteger("status")).isEqualTo(404);
    assertThat(lines.get(2).getString("upstream")).as("a routed rejection").isEqualTo("invalid_request");
  }

  @Test
  void errorsModeWritesOnly4xxAnd5xx(Vertx vertx) {
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    List<JsonObject> lines = capture(vertx, upstream, Map.of("log.access", "errors"), gw -> {
      for (int i = 0; i < 20; i++) {
        gw.embed(C2C);
      }
      gw.postJson(EMBEDS, "{\"token\":\"not-a-c2c-token\"}");
      gw.get("/health/ready");
      upstream.answer(500, "{\"error\":\"Internal Server Error\"}");
      gw.embed("c2c_00000000cold");
    });
    assertThat(lines).extracting(l -> l.getInteger("status")).containsExactly(422, 502);
  }

  @Test
  void sampledModeWritesErrorsAndEveryNthOtherRequest(Vertx vertx) {
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    List<JsonObject> lines = capture(vertx, upstream, Map.of("log.access", "sampled", "log.accessSampleRate", 0.1),
        gw -> {
          for (int i = 0; i < 200; i++) {
            gw.embed(C2C);
          }
          for (int i = 0; i < 3; i++) {
            gw.postJson(EMBEDS, "not json");
          }
        });
    assertThat(lines).filteredOn(l -> l.getInteger("status") == 201).as("0.1 x 200, by a counter").hasSize(20);
    assertThat(lines).filteredOn(l -> l.getInteger("status") == 400).as("every error").hasSize(3);
  }

  @Test
  void aFloodOfClientLimitedRequestsBecomesAFewLinesAndSummariesThatAddUp(Vertx vertx) {
    ManualTime time = new ManualTime(Instant.parse("2026-11-24T10:00:00Z"));
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    GatewayConfig config = GatewayConfig.of(GatewayHarness.settings(upstream, Map.of(
        "client.rateLimit.perSecond", 1, "client.rateLimit.burst", 1,
        "log.rejectionLinesPerInterval", 5, "log.rejectionIntervalSeconds", 10)));
    int limited = 0;
    double counted;
    List<JsonObject> lines;
    try (LogCapture capture = LogCapture.of("access")) {
      GatewayHarness gw = GatewayHarness.start(vertx, config, time.time());
      try {
        for (int i = 0; limited < 1_000; i++) {
          if (i == 600) {
            time.advance(Duration.ofSeconds(10)); // a second interval (and one more permit)
          }
          limited += gw.embed(C2C).statusCode() == 429 ? 1 : 0;
        }
        counted = gw.metric("gateway_requests_total{endpoint=\"embeds\",status=\"429\"}").orElseThrow();
      } finally {
        gw.stop(); // writes the summary of the interval under way
      }
      lines = capture.json();
    }
    assertThat(counted).as("the meters count every request").isEqualTo(1_000.0);
    List<JsonObject> full = lines.stream().filter(l -> l.getInteger("status", 0) == 429).toList();
    List<JsonObject> summaries = summaries(lines, "client_limited");
    assertThat(full).as("5 in full per interval").hasSize(10);
    assertThat(lines).filteredOn(l -> !"<other>".equals(l.getString("path"))) // the /metrics scrape
        .as("2 successes, 10 rejections, 2 summaries").hasSize(14);
    assertThat(summaries).extracting(s -> s.getLong("suppressed")).containsExactly(594L, 396L);
    assertThat(full.size() + summaries.stream().mapToLong(s -> s.getLong("suppressed")).sum())
        .as("every 429 is a line or in a summary").isEqualTo(1_000L);
    assertThat(summaries.stream().mapToLong(s -> s.getLong("rejected")).sum()).isEqualTo(1_000L);
    assertThat(summaries).allSatisfy(s -> {
      assertThat(s.fieldNames()).containsExactlyInAnyOrder("@timestamp", "message", "logger_name", "thread_name",
          "level", "reason", "rejected", "suppressed", "intervalSeconds");
      assertThat(s.getInteger("intervalSeconds")).isEqualTo(10);
    });
  }

  @Test
  void invalidRequestsAreCollapsedPerReasonAndOtherErrorsAreNot(Vertx vertx) {
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    List<JsonObject> lines = capture(vertx, upstream, Map.of("log.rejectionLinesPerInterval", 3), gw -> {
      for (int i = 0; i < 30; i++) {
        gw.postJson(EMBEDS, "{\"token\":\"x\"}");
        gw.postJson("/nowhere", "{}");
      }
      upstream.answer(500, "{\"error\":\"Internal Server Error\"}");
      for (int i = 0; i < 10; i++) {
        gw.embed("c2c_00000000cold" + i);
      }
    });
    assertThat(lines).filteredOn(l -> l.getInteger("status", 0) == 422 || l.getInteger("status", 0) == 404)
        .as("3 in full for the reason").hasSize(3);
    assertThat(lines).filteredOn(l -> l.getInteger("status", 0) == 502).as("not an expected rejection").hasSize(10);
    assertThat(summaries(lines, "invalid_request")).as("422 and 404 are both invalid requests").singleElement()
        .satisfies(s -> assertThat(s.getLong("suppressed")).isEqualTo(57L))
        .satisfies(s -> assertThat(s.getLong("rejected")).isEqualTo(60L));
  }

  @Test
  void routedErrorsLogTheirUpstreamOutcome(Vertx vertx) {
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    List<JsonObject> lines = capture(vertx, upstream, Map.of(), gw -> {
      gw.guest("{\"allowed_addresses\":[\"" + ADDRESS + "\"]}");
      gw.guest("{\"allowed_addresses\":[]}");
      upstream.answer(401, "{\"error\":\"Unauthorized\"}");
      gw.postJson(RefreshTokenIT.REFRESH, "{\"refresh_token\":\"" + RefreshTokenIT.REFRESH_TOKEN + "\"}");
      upstream.answer(500, "{\"error\":\"Internal Server Error\"}");
      gw.guest("{\"allowed_addresses\":[\"" + ADDRESS + "\"]}");
    });
    assertThat(lines).hasSize(4);
    assertThat(lines).extracting(l -> l.getInteger("status")).containsExactly(201, 422, 401, 502);
    assertThat(lines).extracting(l -> l.getString("upstream"))
        .containsExactly("success", "invalid_request", "client_error", "server_error");
    assertThat(lines.get(2).getString("path")).isEqualTo("/api/fabric/subscribers/tokens/refresh");
  }

  private static List<JsonObject> summaries(List<JsonObject> lines, String reason) {
    return lines.stream().filter(l -> "rejections summarized".equals(l.getString("message")))
        .filter(l -> reason.equals(l.getString("reason"))).toList();
  }

  private interface Traffic {
    void send(GatewayHarness gw);
  }

  /** The access lines written while {@code traffic} runs against a gateway with {@code extra} settings. */
  private static List<JsonObject> capture(Vertx vertx, FakeSignalWire upstream, Map<String, ?> extra,
      Traffic traffic) {
    try (LogCapture capture = LogCapture.of("access")) {
      GatewayHarness gw = GatewayHarness.start(vertx, upstream, extra);
      try {
        traffic.send(gw);
      } finally {
        gw.stop();
      }
      return capture.json();
    }
  }
}
