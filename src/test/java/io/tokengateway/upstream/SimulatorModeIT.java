package io.tokengateway.upstream;

import static io.tokengateway.support.Await.await;
import static io.tokengateway.support.GatewayHarness.ADDRESS;
import static io.tokengateway.support.GatewayHarness.C2C;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokengateway.config.GatewayConfig;
import io.tokengateway.support.GatewayHarness;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The gateway on its embedded simulator: the default a new user runs, and the simulator's own rules. */
@ExtendWith(VertxExtension.class)
class SimulatorModeIT {

  private static final String GUEST = "{\"allowed_addresses\":[\"" + ADDRESS + "\"]}";

  private static GatewayHarness start(Vertx vertx, Map<String, ?> extra) {
    Map<String, Object> s = new HashMap<>(GatewayHarness.settings(null, Map.of()));
    s.put("signalwire.projectId", "");
    s.put("signalwire.apiToken", "");
    s.putAll(extra);
    return GatewayHarness.start(vertx, GatewayConfig.of(s), io.tokengateway.core.Time.system(vertx));
  }

  @Test
  void servesBothEndpointsWithOpaqueJweTokensAndCountsCalls(Vertx vertx) {
    GatewayHarness gw = start(vertx, Map.of());
    try {
      HttpResponse<Buffer> embed = gw.embed(C2C);
      HttpResponse<Buffer> guest = gw.guest(GUEST);

      assertThat(embed.statusCode()).isEqualTo(201);
      assertThat(guest.statusCode()).isEqualTo(201);
      String token = embed.bodyAsJsonObject().getString("token");
      assertThat(token.split("\\.", -1)).hasSize(5);
      JsonObject header = new JsonObject(new String(Base64.getUrlDecoder().decode(token.split("\\.")[0]),
          StandardCharsets.UTF_8));
      assertThat(header.getString("alg")).isEqualTo("dir");
      assertThat(header.getString("enc")).isEqualTo("A256GCM");
      assertThat(guest.bodyAsJsonObject().getString("refresh_token")).isNotBlank();
      assertThat(gw.gateway.simulator().stats().toJson())
          .isEqualTo(new JsonObject().put("embeds", 1).put("guests", 1).put("refreshes", 0)
              .put("lastGuest", new JsonObject()));
      JsonObject ready = gw.get("/health/ready").bodyAsJsonObject();
      assertThat(ready.getString("upstream")).isEqualTo("simulator");
      assertThat(ready.getString("warning")).contains("simulator");
    } finally {
      gw.stop();
    }
  }

  @Test
  void statsEndpointAndUnknownTokens(Vertx vertx) {
    GatewayHarness gw = start(vertx, Map.of("simulator.unknownTokens", "c2c_unknown000000"));
    try {
      HttpResponse<Buffer> r = gw.embed("c2c_unknown000000");
      assertThat(r.statusCode()).isEqualTo(404);
      assertThat(r.bodyAsJsonObject()).isEqualTo(new JsonObject().put("error", "Not Found"));
      WebClient direct = WebClient.create(vertx);
      JsonObject stats = await(direct.get(gw.gateway.simulator().port(), "127.0.0.1", "/simulator/stats").send())
          .bodyAsJsonObject();
      assertThat(stats.getLong("embeds")).isEqualTo(1);
    } finally {
      gw.stop();
    }
  }

  @Test
  void aGuestTokenIsRefreshedThroughTheGatewayOnceWithEachRefreshToken(Vertx vertx) {
    GatewayHarness gw = start(vertx, Map.of());
    try {
      String refreshToken = gw.guest(GUEST).bodyAsJsonObject().getString("refresh_token");
      String refresh = new JsonObject().put("refresh_token", refreshToken).encode();

      HttpResponse<Buffer> refreshed = gw.postJson(Endpoint.REFRESH.path(), refresh);
      assertThat(refreshed.statusCode()).isEqualTo(201);
      String next = refreshed.bodyAsJsonObject().getString("refresh_token");
      assertThat(next).isNotEqualTo(refreshToken);
      HttpResponse<Buffer> spent = gw.postJson(Endpoint.REFRESH.path(), refresh);
      assertThat(spent.statusCode()).as("SignalWire's 401 for a spent refresh token is passed through").isEqualTo(401);
      assertThat(spent.bodyAsJsonObject()).isEqualTo(new JsonObject().put("error", "Unauthorized"));
      assertThat(gw.postJson(Endpoint.REFRESH.path(), new JsonObject().put("refresh_token", next).encode())
          .statusCode()).isEqualTo(201);
      assertThat(gw.gateway.simulator().stats().refreshes()).isEqualTo(3);
    } finally {
      gw.stop();
    }
  }

  @Test
  void jwsFormatMintsReadableTokensWithExp(Vertx vertx) {
    GatewayHarness gw = start(vertx, Map.of("simulator.tokenFormat", "jws", "simulator.embedLifetimeSeconds", 600));
    try {
      String token = gw.embed(C2C).bodyAsJsonObject().getString("token");
      String[] parts = token.split("\\.");
      assertThat(parts).hasSize(3);
      JsonObject claims = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
      long now = System.currentTimeMillis() / 1000;
      assertThat(claims.getLong("exp")).isBetween(now + 590, now + 610);
    } finally {
      gw.stop();
    }
  }

  @Test
  void simulatorChecksBasicAuthAndBodiesLikeSignalWire(Vertx vertx) {
    GatewayHarness gw = start(vertx, Map.of());
    try {
      WebClient direct = WebClient.create(vertx);
      int port = gw.gateway.simulator().port();
      HttpResponse<Buffer> noAuth = await(direct.post(port, "127.0.0.1", Endpoint.GUESTS.path())
          .sendJsonObject(new JsonObject(GUEST)));
      assertThat(noAuth.statusCode()).isEqualTo(401);
      assertThat(noAuth.bodyAsJsonObject()).isEqualTo(new JsonObject().put("error", "Unauthorized"));
      HttpResponse<Buffer> badBody = await(direct.post(port, "127.0.0.1", Endpoint.GUESTS.path())
          .basicAuthentication("sim-project", "sim-api-token").sendJsonObject(new JsonObject()));
      assertThat(badBody.statusCode()).isEqualTo(422);
      assertThat(badBody.bodyAsJsonObject().getJsonArray("errors").getJsonObject(0).getString("attribute"))
          .isEqualTo("allowed_addresses");
      HttpResponse<Buffer> badEmbed = await(direct.post(port, "127.0.0.1", Endpoint.EMBEDS.path())
          .sendJsonObject(new JsonObject().put("token", "nope")));
      assertThat(badEmbed.statusCode()).isEqualTo(422);
      for (String attr : new String[] {"region", "ch"}) {
        for (Object bad : new Object[] {"", "US-CENTRAL", "a".repeat(33), 7}) {
          HttpResponse<Buffer> badRegion = await(direct.post(port, "127.0.0.1", Endpoint.GUESTS.path())
              .basicAuthentication("sim-project", "sim-api-token")
              .sendJsonObject(new JsonObject(GUEST).put(attr, bad)));
          assertThat(badRegion.statusCode()).as(attr + " " + bad).isEqualTo(422);
          assertThat(badRegion.bodyAsJsonObject().getJsonArray("errors").getJsonObject(0).getString("attribute"))
              .isEqualTo(attr);
        }
      }
      assertThat(gw.gateway.simulator().stats().guests()).isEqualTo(10);
      assertThat(gw.gateway.simulator().stats().lastGuest()).as("nothing minted").isEmpty();
    } finally {
      gw.stop();
    }
  }

  @Test
  void theSimulatorRecordsTheRegionFieldsItWasSent(Vertx vertx) {
    GatewayHarness gw = start(vertx, Map.of());
    try {
      assertThat(gw.guest(new JsonObject(GUEST).put("region", "us-central").put("ch", "us-east").encode())
          .statusCode()).isEqualTo(201);
      assertThat(gw.gateway.simulator().stats().lastGuest())
          .isEqualTo(new JsonObject().put("region", "us-central").put("ch", "us-east"));
      assertThat(gw.guest(new JsonObject(GUEST).put("region", "eu-west").encode()).statusCode()).isEqualTo(201);
      WebClient direct = WebClient.create(vertx);
      JsonObject stats = await(direct.get(gw.gateway.simulator().port(), "127.0.0.1", "/simulator/stats").send())
          .bodyAsJsonObject();
      assertThat(stats.getJsonObject("lastGuest")).isEqualTo(new JsonObject().put("region", "eu-west"));
    } finally {
      gw.stop();
    }
  }

  @Test
  void injectedFaultsReachTheCallerAsDocumented(Vertx vertx) {
    GatewayHarness failing = start(vertx, Map.of("simulator.failureRate", 1.0));
    GatewayHarness limited = start(vertx, Map.of("simulator.rateLimitRate", 1.0, "simulator.retryAfterSeconds", 3));
    GatewayHarness hanging = start(vertx, Map.of("simulator.timeoutRate", 1.0, "upstream.timeoutMs", 200));
    GatewayHarness slow = start(vertx, Map.of("simulator.latencyMs", 150));
    try {
      assertThat(failing.embed(C2C).statusCode()).isEqualTo(502);
      HttpResponse<Buffer> r = limited.embed(C2C);
      assertThat(r.statusCode()).isEqualTo(429);
      assertThat(r.getHeader("Retry-After")).isEqualTo("3");
      assertThat(hanging.embed(C2C).statusCode()).isEqualTo(504);
      long start = System.nanoTime();
      assertThat(slow.embed(C2C).statusCode()).isEqualTo(201);
      assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(150);
    } finally {
      failing.stop();
      limited.stop();
      hanging.stop();
      slow.stop();
    }
  }
}
