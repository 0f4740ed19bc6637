package io.tokengateway.cache;

import static io.tokengateway.support.Await.await;
import static io.tokengateway.support.GatewayHarness.ADDRESS;
import static io.tokengateway.support.GatewayHarness.C2C;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokengateway.core.Time;
import io.tokengateway.config.GatewayConfig;
import io.tokengateway.support.FakeSignalWire;
import io.tokengateway.support.GatewayHarness;
import io.tokengateway.support.ManualTime;
import java.time.Duration;
import java.time.Instant;
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

/** The cache seen through HTTP: X-Cache, headers, and the simulator's call counts under repeated traffic. */
@ExtendWith(VertxExtension.class)
class EmbedCacheIT {

  @Test
  void missThenHitWithXCacheAndNoStore(Vertx vertx) {
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    GatewayHarness gw = GatewayHarness.start(vertx, upstream, Map.of());
    try {
      HttpResponse<Buffer> first = gw.embed(C2C);
      HttpResponse<Buffer> second = gw.embed(C2C);
      assertThat(first.getHeader("X-Cache")).isEqualTo("MISS");
      assertThat(second.getHeader("X-Cache")).isEqualTo("HIT");
      assertThat(second.statusCode()).isEqualTo(201);
      assertThat(second.getHeader("Cache-Control")).isEqualTo("no-store");
      assertThat(second.bodyAsString()).isEqualTo(first.bodyAsString());
      assertThat(upstream.calls()).isEqualTo(1);
    } finally {
      gw.stop();
    }
  }

  @Test
  void everyEmbedTokenAnswerSaysItsAgeOnTheWire(Vertx vertx) {
    ManualTime time = new ManualTime(Instant.parse("2026-12-02T10:00:00Z"));
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    GatewayHarness gw = GatewayHarness.start(vertx, GatewayConfig.of(GatewayHarness.settings(upstream, Map.of())),
        time.time());
    try {
      HttpResponse<Buffer> miss = gw.embed(C2C);
      time.advance(Duration.ofSeconds(100));
      HttpResponse<Buffer> hit = gw.embed(C2C);
      time.advance(Duration.ofSeconds(600));
      upstream.answer(503, "{\"error\":\"Service Unavailable\"}");
      HttpResponse<Buffer> stale = gw.embed(C2C);
      upstream.succeed();
      HttpResponse<Buffer> renewed = gw.embed(C2C);

      assertThat(List.of(miss, hit, stale, renewed)).extracting(r -> r.getHeader("X-Cache"))
          .containsExactly("MISS", "HIT", "STALE", "MISS");
      assertThat(List.of(miss, hit, stale, renewed)).extracting(r -> r.getHeader("Age"))
          .containsExactly("0", "100", "700", "0");
      assertThat(stale.bodyAsString()).isEqualTo(miss.bodyAsString());
      assertThat(renewed.bodyAsString()).as("a token older than the fresh window is replaced")
          .isNotEqualTo(miss.bodyAsString());
      assertThat(upstream.calls()).isEqualTo(3);
    } finally {
      gw.stop();
    }
  }

  @Test
  void errorAnswersCarryNoAge(Vertx vertx) {
    FakeSignalWire upstream = FakeSignalWire.start(vertx).answer(404, "{\"error\":\"Not Found\"}");
    GatewayHarness gw = GatewayHarness.start(vertx, upstream, Map.of());
    try {
      assertThat(gw.embed(C2C).getHeader("Age")).isNull();
      assertThat(gw.embed(C2C).getHeader("Age")).as("NEGATIVE").isNull();
      assertThat(gw.embed("c2x_notAClickToCall").getHeader("Age")).isNull();
    } finally {
      gw.stop();
    }
  }

  @Test
  void c2tTokensAreEmbedTokensAndOtherPrefixesAreRefused(Vertx vertx) {
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    GatewayHarness gw = GatewayHarness.start(vertx, upstream, Map.of());
    try {
      HttpResponse<Buffer> c2t = gw.embed("c2t_7acc0e5e968706a032983cd80cdca219");
      assertThat(c2t.statusCode()).isEqualTo(201);
      assertThat(upstream.received().get(0).json().getString("token")).isEqualTo("c2t_7acc0e5e968706a032983cd80cdca219");
      for (String bad : List.of("c2x_7acc0e5e968706a032983cd80cdca219", "C2C_7acc0e5e968706a0", "c2c7acc0e5e968706a")) {
        HttpResponse<Buffer> r = gw.embed(bad);
        assertThat(r.statusCode()).as(bad).isEqualTo(422);
        assertThat(r.bodyAsJsonObject().getJsonArray("errors").getJsonObject(0).getString("attribute"))
            .isEqualTo("token");
      }
      assertThat(upstream.calls()).isEqualTo(1);
    } finally {
      gw.stop();
    }
  }

  @Test
  void theSimulatorTakesC2tTokensToo(Vertx vertx) {
    Map<String, Object> s = new HashMap<>(GatewayHarness.settings(null, Map.of()));
    s.put("signalwire.projectId", "");
    s.put("signalwire.apiToken", "");
    GatewayHarness gw = GatewayHarness.start(vertx, GatewayConfig.of(s), Time.system(vertx));
    try {
      assertThat(gw.embed("c2t_7acc0e5e968706a032983cd80cdca219").statusCode()).isEqualTo(201);
      assertThat(gw.gateway.simulator().stats().embeds()).isEqualTo(1);
    } finally {
      gw.stop();
    }
  }

  @Test
  void negativeAnswersCarryXCacheNegative(Vertx vertx) {
    FakeSignalWire upstream = FakeSignalWire.start(vertx).answer(404, "{\"error\":\"Not Found\"}");
    GatewayHarness gw = GatewayHarness.start(vertx, upstream, Map.of());
    try {
      assertThat(gw.embed(C2C).getHeader("X-Cache")).isEqualTo("MISS");
      HttpResponse<Buffer> again = gw.embed(C2C);
      assertThat(again.statusCode()).isEqualTo(404);
      assertThat(again.getHeader("X-Cache")).isEqualTo("NEGATIVE");
      assertThat(again.bodyAsJsonObject()).isEqualTo(new JsonObject().put("error", "Not Found"));
      assertThat(upstream.calls()).isEqualTo(1);
    } finally {
      gw.stop();
    }
  }

  @Test
  void guestTokensAreNeverCached(Vertx vertx) {
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    GatewayHarness gw = GatewayHarness.start(vertx, upstream, Map.of());
    try {
      String body = "{\"allowed_addresses\":[\"" + ADDRESS + "\"]}";
      String a = gw.guest(body).bodyAsJsonObject().getString("token");
      String b = gw.guest(body).bodyAsJsonObject().getString("token");
      assertThat(a).isNotEqualTo(b);
      assertThat(upstream.calls()).isEqualTo(2);
    } finally {
      gw.stop();
    }
  }

  @Test
  void simulatorSeesOneCallPerC2cTokenUnderThousandsOfRequests(Vertx vertx) {
    Map<String, Object> s = new HashMap<>(GatewayHarness.settings(null, Map.of()));
    s.put("signalwire.projectId", "");
    s.put("signalwire.apiToken", "");
    s.put("simulator.latencyMs", 20);
    s.put("upstream.timeoutMs", 10_000); // a total deadline: the 3000 requests at once share the machine with the calls
    GatewayHarness gw = GatewayHarness.start(vertx, GatewayConfig.of(s), Time.system(vertx));
    try {
      List<HttpResponse<Buffer>> all = gw.embedsAtOnce(3000, i -> "c2c_pageToken000" + (i % 5));
      assertThat(all).allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(201));
      assertThat(gw.gateway.simulator().stats().embeds()).isEqualTo(5);
    } finally {
      gw.stop();
    }
  }
}
