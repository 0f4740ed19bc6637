package io.tokengateway.upstream.simulator;

import static io.tokengateway.support.Await.await;
import static io.tokengateway.support.GatewayHarness.ADDRESS;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokengateway.config.GatewayConfig;
import io.tokengateway.support.ManualTime;
import io.tokengateway.upstream.Endpoint;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The simulator's refresh endpoint on an injected clock: minted refresh tokens work once, while valid. */
@ExtendWith(VertxExtension.class)
class SimulatorRefreshIT {

  private static final JsonObject GUEST = new JsonObject().put("allowed_addresses", new JsonArray().add(ADDRESS));
  private static final JsonObject UNAUTHORIZED = new JsonObject().put("error", "Unauthorized");

  private final ManualTime time = new ManualTime(Instant.parse("2026-12-01T10:00:00Z"));
  private final SimulatorStats stats = new SimulatorStats();
  private WebClient client;
  private int port;

  @BeforeEach
  void start(Vertx vertx) {
    SimulatorVerticle simulator = new SimulatorVerticle(GatewayConfig.of(Map.of()).simulator(), stats, "127.0.0.1",
        time);
    await(vertx.deployVerticle(simulator));
    port = simulator.actualPort();
    client = WebClient.create(vertx);
  }

  @AfterEach
  void stop() {
    client.close();
  }

  private HttpRequest<Buffer> post(Endpoint endpoint) {
    return client.post(port, "127.0.0.1", endpoint.path()).basicAuthentication("sim-project", "sim-api-token");
  }

  private String mintedRefreshToken() {
    HttpResponse<Buffer> guest = await(post(Endpoint.GUESTS).sendJsonObject(GUEST));
    assertThat(guest.statusCode()).isEqualTo(201);
    return guest.bodyAsJsonObject().getString("refresh_token");
  }

  private HttpResponse<Buffer> refresh(String refreshToken) {
    return await(post(Endpoint.REFRESH).sendJsonObject(new JsonObject().put("refresh_token", refreshToken)));
  }

  @Test
  void aMintedRefreshTokenRefreshesOnceThenIsSpent() {
    String minted = mintedRefreshToken();
    assertThat(header(minted).getString("typ")).isEqualTo("Refresh");

    HttpResponse<Buffer> first = refresh(minted);
    assertThat(first.statusCode()).isEqualTo(201);
    JsonObject pair = first.bodyAsJsonObject();
    assertThat(pair.fieldNames()).containsExactlyInAnyOrder("token", "refresh_token");
    assertThat(pair.getString("refresh_token")).isNotEqualTo(minted);

    HttpResponse<Buffer> again = refresh(minted);
    assertThat(again.statusCode()).as("the old refresh token is spent").isEqualTo(401);
    assertThat(again.bodyAsJsonObject()).isEqualTo(UNAUTHORIZED);
    assertThat(refresh(pair.getString("refresh_token")).statusCode())
        .as("a refresh token minted by a refresh works too").isEqualTo(201);
    assertThat(stats.toJson().getLong("refreshes")).isEqualTo(3);
    assertThat(stats.refreshes()).isEqualTo(3);
  }

  @Test
  void anUnknownRefreshTokenIs401() {
    mintedRefreshToken();
    String forged = "eyJhbGciOiJkaXIiLCJ0eXAiOiJSZWZyZXNoIn0..aXZpdml2aXY.Zm9yZ2Vk.dGFndGFn";
    HttpResponse<Buffer> r = refresh(forged);
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.bodyAsJsonObject()).isEqualTo(UNAUTHORIZED);
  }

  @Test
  void aRefreshTokenExpiresAfterTwoHoursFiveMinutes() {
    String used = mintedRefreshToken();
    String late = mintedRefreshToken();
    time.advance(Duration.ofMinutes(125).minusSeconds(1));
    assertThat(refresh(used).statusCode()).as("still valid a second before").isEqualTo(201);
    time.advance(Duration.ofSeconds(1));
    HttpResponse<Buffer> expired = refresh(late);
    assertThat(expired.statusCode()).isEqualTo(401);
    assertThat(expired.bodyAsJsonObject()).isEqualTo(UNAUTHORIZED);
  }

  @Test
  void refreshNeedsTheProjectsBasicAuthAndABodyWithARefreshToken() {
    String minted = mintedRefreshToken();
    JsonObject body = new JsonObject().put("refresh_token", minted);
    HttpResponse<Buffer> none = await(client.post(port, "127.0.0.1", Endpoint.REFRESH.path()).sendJsonObject(body));
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.bodyAsJsonObject()).isEqualTo(UNAUTHORIZED);
    HttpResponse<Buffer> wrong = await(client.post(port, "127.0.0.1", Endpoint.REFRESH.path())
        .basicAuthentication("sim-project", "not-the-token").sendJsonObject(body));
    assertThat(wrong.statusCode()).isEqualTo(401);

    for (JsonObject bad : new JsonObject[] {new JsonObject(), new JsonObject().put("refresh_token", 42),
        new JsonObject().put("refresh_token", "")}) {
      HttpResponse<Buffer> r = await(post(Endpoint.REFRESH).sendJsonObject(bad));
      assertThat(r.statusCode()).isEqualTo(422);
      assertThat(r.bodyAsJsonObject().getJsonArray("errors").getJsonObject(0).getString("attribute"))
          .isEqualTo("refresh_token");
    }
    assertThat(refresh(minted).statusCode()).as("refused calls did not spend it").isEqualTo(201);
  }

  @Test
  void refreshTokensAreSharedByTheInstancesOnOnePort(Vertx vertx) {
    var options = GatewayConfig.of(Map.of()).simulator().onPort(freePort());
    Simulator two = await(Simulator.start(vertx, options, "127.0.0.1", 2));
    try {
      WebClient direct = WebClient.create(vertx, new io.vertx.ext.web.client.WebClientOptions().setKeepAlive(false));
      JsonObject minted = await(direct.post(two.port(), "127.0.0.1", Endpoint.GUESTS.path())
          .basicAuthentication("sim-project", "sim-api-token").sendJsonObject(GUEST)).bodyAsJsonObject();
      String refreshToken = minted.getString("refresh_token");
      java.util.List<Integer> statuses = new java.util.ArrayList<>();
      for (int i = 0; i < 4; i++) { // one connection each: Vert.x hands them to the instances in turn
        statuses.add(await(direct.post(two.port(), "127.0.0.1", Endpoint.REFRESH.path())
            .basicAuthentication("sim-project", "sim-api-token")
            .sendJsonObject(new JsonObject().put("refresh_token", refreshToken))).statusCode());
      }
      assertThat(statuses).as("the other instance accepts it first, then every instance knows it is spent")
          .containsExactly(201, 401, 401, 401);
      assertThat(two.stats().refreshes()).isEqualTo(4);
      direct.close();
    } finally {
      await(two.stop());
    }
  }

  private static JsonObject header(String token) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(token.split("\\.")[0]), StandardCharsets.UTF_8));
  }

  private static int freePort() {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }
}
