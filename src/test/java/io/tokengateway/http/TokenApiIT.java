package io.tokengateway.http;

import static io.tokengateway.support.GatewayHarness.ADDRESS;
import static io.tokengateway.support.GatewayHarness.API_TOKEN;
import static io.tokengateway.support.GatewayHarness.C2C;
import static io.tokengateway.support.GatewayHarness.PROJECT_ID;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokengateway.support.FakeSignalWire;
import io.tokengateway.support.GatewayHarness;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The token API end to end against a recording upstream: success paths, auth, and what reaches SignalWire. */
@ExtendWith(VertxExtension.class)
class TokenApiIT {

  private FakeSignalWire upstream;
  private GatewayHarness gw;

  @BeforeEach
  void start(Vertx vertx) {
    upstream = FakeSignalWire.start(vertx);
    gw = GatewayHarness.start(vertx, upstream, Map.of());
  }

  @AfterEach
  void stop() {
    gw.stop();
  }

  @Test
  void embedTokenIsExchangedWithoutAuthorization() {
    HttpResponse<Buffer> r = gw.embed(C2C);

    assertThat(r.statusCode()).isEqualTo(201);
    assertThat(r.getHeader("Cache-Control")).isEqualTo("no-store");
    assertThat(r.getHeader("Content-Type")).isEqualTo("application/json");
    assertThat(r.bodyAsJsonObject().getString("token")).startsWith("tok-");
    assertThat(upstream.calls()).isEqualTo(1);
    FakeSignalWire.Received call = upstream.received().get(0);
    assertThat(call.path()).isEqualTo("/api/fabric/embeds/tokens");
    assertThat(call.json()).isEqualTo(new JsonObject().put("token", C2C));
    assertThat(call.headers().get("Authorization")).isNull();
  }

  @Test
  void embedAuthIsSentWhenConfigured(Vertx vertx) {
    GatewayHarness withAuth = GatewayHarness.start(vertx, upstream, Map.of("signalwire.embedAuth", true));
    try {
      assertThat(withAuth.embed(C2C).statusCode()).isEqualTo(201);
      assertThat(upstream.received().get(0).headers().get("Authorization")).isEqualTo(basic());
    } finally {
      withAuth.stop();
    }
  }

  @Test
  void guestTokenCarriesTheGatewaysBasicAuthNotTheCallers() {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Authorization", "Basic Y2FsbGVyOnNlY3JldA==");
    long expireAt = System.currentTimeMillis() / 1000 + 600;
    String body = new JsonObject().put("allowed_addresses", new JsonArray().add(ADDRESS))
        .put("expire_at", expireAt).encode();

    HttpResponse<Buffer> r = gw.post("/api/fabric/guests/tokens", "application/json", body, headers);

    assertThat(r.statusCode()).isEqualTo(201);
    assertThat(r.bodyAsJsonObject().fieldNames()).containsExactlyInAnyOrder("token", "refresh_token");
    FakeSignalWire.Received call = upstream.received().get(0);
    assertThat(call.path()).isEqualTo("/api/fabric/guests/tokens");
    assertThat(call.headers().getAll("Authorization")).containsExactly(basic());
    assertThat(call.json()).isEqualTo(new JsonObject()
        .put("allowed_addresses", new JsonArray().add(ADDRESS)).put("expire_at", expireAt));
  }

  @Test
  void guestRegionAndChAreForwardedWhenPresent() {
    String body = new JsonObject().put("allowed_addresses", new JsonArray().add(ADDRESS))
        .put("region", "us-central").put("ch", "eu-west-2").encode();
    assertThat(gw.guest(body).statusCode()).isEqualTo(201);
    assertThat(gw.guest(new JsonObject().put("allowed_addresses", new JsonArray().add(ADDRESS))
        .put("region", "us-central").put("ch", null).encode()).statusCode()).isEqualTo(201);

    assertThat(upstream.received().get(0).json()).isEqualTo(new JsonObject()
        .put("allowed_addresses", new JsonArray().add(ADDRESS)).put("region", "us-central").put("ch", "eu-west-2"));
    assertThat(upstream.received().get(1).json()).as("null means absent: SignalWire's default")
        .isEqualTo(new JsonObject().put("allowed_addresses", new JsonArray().add(ADDRESS)).put("region", "us-central"));
  }

  @Test
  void aChunkedEmbedRequestGetsTheSameAnswerAsADeclaredLength() {
    // a chunked body without Content-Length (WebClient would send both, which the gateway refuses)
    io.tokengateway.support.RawHttp.Answer first;
    try (var raw = io.tokengateway.support.RawHttp.connect(gw.gateway.port())) {
      String json = "{\"token\":\"" + C2C + "\"}";
      raw.send("POST /api/fabric/embeds/tokens HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          + "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(json.length()) + "\r\n" + json + "\r\n0\r\n\r\n");
      first = raw.read(5_000);
    }
    HttpResponse<Buffer> second = gw.embed(C2C);
    assertThat(first.status()).isEqualTo(201);
    assertThat(first.header("X-Cache")).isEqualTo("MISS");
    assertThat(first.header("Cache-Control")).isEqualTo("no-store");
    assertThat(second.getHeader("X-Cache")).as("one cache for both framings").isEqualTo("HIT");
    assertThat(second.bodyAsString()).isEqualTo(first.body());
  }

  @Test
  void contentTypeWithCharsetIsAccepted() {
    HttpResponse<Buffer> r = gw.post("/api/fabric/embeds/tokens", "application/json; charset=utf-8",
        "{\"token\":\"" + C2C + "\"}", null);
    assertThat(r.statusCode()).isEqualTo(201);
  }

  @Test
  void healthEndpointsAnswerJson() {
    HttpResponse<Buffer> live = gw.get("/health/live");
    HttpResponse<Buffer> ready = gw.get("/health/ready");

    assertThat(live.statusCode()).isEqualTo(200);
    assertThat(live.bodyAsJsonObject().getString("status")).isEqualTo("UP");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.bodyAsJsonObject().getString("upstream")).isEqualTo("signalwire");
    assertThat(ready.getHeader("Cache-Control")).isEqualTo("no-store");
  }

  @Test
  void readinessStaysUpWhileTheUpstreamIsDown() {
    upstream.answer(503, "{\"error\":\"Service Unavailable\"}");
    assertThat(gw.embed(C2C).statusCode()).isEqualTo(502);
    assertThat(gw.get("/health/ready").statusCode()).isEqualTo(200);
  }

  private static String basic() {
    return "Basic " + Base64.getEncoder().encodeToString(
        (PROJECT_ID + ":" + API_TOKEN).getBytes(StandardCharsets.UTF_8));
  }
}
