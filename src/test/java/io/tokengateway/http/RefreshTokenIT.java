package io.tokengateway.http;

import static io.tokengateway.support.Answers.assertError;
import static io.tokengateway.support.Await.await;
import static io.tokengateway.support.GatewayHarness.ADDRESS;
import static io.tokengateway.support.GatewayHarness.API_TOKEN;
import static io.tokengateway.support.GatewayHarness.PROJECT_ID;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokengateway.support.FakeSignalWire;
import io.tokengateway.support.GatewayHarness;
import io.tokengateway.upstream.Endpoint;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code POST /api/fabric/subscribers/tokens/refresh} end to end against a recording upstream: what reaches
 * SignalWire, never cached, and the same limits, breaker, metrics and CORS as the other endpoints.
 */
@ExtendWith(VertxExtension.class)
class RefreshTokenIT {

  static final String REFRESH = Endpoint.REFRESH.path();
  static final String REFRESH_TOKEN = FakeSignalWire.refreshTokenFor("tok-issued-earlier");

  private static String body(String refreshToken) {
    return new JsonObject().put("refresh_token", refreshToken).encode();
  }

  @Test
  void addsTheGatewaysBasicAuthNeverTheCallersAndForwardsExactlyTheRefreshToken(Vertx vertx) {
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    GatewayHarness gw = GatewayHarness.start(vertx, upstream, Map.of());
    try {
      MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer " + REFRESH_TOKEN);
      HttpResponse<Buffer> r = gw.post(REFRESH, "application/json", body(REFRESH_TOKEN), headers);

      assertThat(r.statusCode()).isEqualTo(201);
      assertThat(r.getHeader("Cache-Control")).isEqualTo("no-store");
      assertThat(r.getHeader("Content-Type")).isEqualTo("application/json");
      JsonObject answer = r.bodyAsJsonObject();
      assertThat(answer.fieldNames()).containsExactlyInAnyOrder("token", "refresh_token");
      assertThat(answer.getString("refresh_token")).isEqualTo(FakeSignalWire.refreshTokenFor(answer.getString("token")));
      assertThat(upstream.calls()).isEqualTo(1);
      FakeSignalWire.Received call = upstream.received().get(0);
      assertThat(call.method()).isEqualTo("POST");
      assertThat(call.path()).isEqualTo(REFRESH);
      assertThat(call.headers().getAll("Authorization")).containsExactly(basic());
      assertThat(call.body().toString(StandardCharsets.UTF_8)).isEqualTo("{\"refresh_token\":\"" + REFRESH_TOKEN + "\"}");
    } finally {
      gw.stop();
    }
  }

  @Test
  void neverCachedTwoIdenticalRefreshesAreTwoCalls(Vertx vertx) {
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    GatewayHarness gw = GatewayHarness.start(vertx, upstream, Map.of());
    try {
      HttpResponse<Buffer> first = gw.postJson(REFRESH, body(REFRESH_TOKEN));
      HttpResponse<Buffer> second = gw.postJson(REFRESH, body(REFRESH_TOKEN));
      assertThat(first.statusCode()).isEqualTo(201);
      assertThat(second.statusCode()).isEqualTo(201);
      assertThat(upstream.calls()).isEqualTo(2);
      assertThat(second.bodyAsJsonObject().getString("token")).isNotEqualTo(first.bodyAsJsonObject().getString("token"));
      assertThat(second.getHeader("X-Cache")).as("the embed cache is not involved").isNull();
    } finally {
      gw.stop();
    }
  }

  @Test
  void thePerClientLimitCountsRefreshesWithTheOtherTokenRequests(Vertx vertx) {
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    GatewayHarness gw = GatewayHarness.start(vertx, upstream, Map.of("client.rateLimit.perSecond", 1,
        "client.rateLimit.burst", 2));
    try {
      assertThat(gw.guest("{\"allowed_addresses\":[\"" + ADDRESS + "\"]}").statusCode()).isEqualTo(201);
      assertThat(gw.postJson(REFRESH, body(REFRESH_TOKEN)).statusCode()).isEqualTo(201);
      HttpResponse<Buffer> limited = gw.postJson(REFRESH, body(REFRESH_TOKEN));
      assertError(limited, 429, "Too Many Requests");
      assertThat(limited.getHeader("Retry-After")).isEqualTo("1");
      assertThat(gw.postJson(REFRESH, "not json").statusCode()).as("invalid ones count too").isEqualTo(429);
      assertThat(upstream.calls()).isEqualTo(2);
    } finally {
      gw.stop();
    }
  }

  @Test
  void metricsUseEndpointRefresh(Vertx vertx) {
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    GatewayHarness gw = GatewayHarness.start(vertx, upstream, Map.of());
    try {
      gw.postJson(REFRESH, body(REFRESH_TOKEN));
      gw.postJson(REFRESH, body("short"));
      String scrape = gw.get("/metrics").bodyAsString();
      assertThat(GatewayHarness.metric(scrape, "gateway_requests_total{endpoint=\"refresh\",status=\"201\"}"))
          .hasValue(1.0);
      assertThat(GatewayHarness.metric(scrape, "gateway_requests_total{endpoint=\"refresh\",status=\"422\"}"))
          .hasValue(1.0);
      assertThat(GatewayHarness.metric(scrape,
          "gateway_upstream_requests_total{endpoint=\"refresh\",outcome=\"success\"}")).hasValue(1.0);
      assertThat(GatewayHarness.metric(scrape, "gateway_upstream_duration_seconds_count{endpoint=\"refresh\"}"))
          .hasValue(1.0);
      assertThat(GatewayHarness.metric(scrape, "gateway_breaker_state{endpoint=\"refresh\"}")).hasValue(0.0);
      assertThat(scrape).doesNotContain(REFRESH_TOKEN).doesNotContain("/api/fabric");
    } finally {
      gw.stop();
    }
  }

  @Test
  void refreshHasABreakerOfItsOwn(Vertx vertx) {
    FakeSignalWire upstream = FakeSignalWire.start(vertx).answer(500, "{\"error\":\"Internal Server Error\"}");
    GatewayHarness gw = GatewayHarness.start(vertx, upstream, Map.of("breaker.maxFailures", 2,
        "breaker.resetSeconds", 30));
    try {
      assertThat(gw.postJson(REFRESH, body(REFRESH_TOKEN)).statusCode()).isEqualTo(502);
      assertThat(gw.postJson(REFRESH, body(REFRESH_TOKEN)).statusCode()).isEqualTo(502);
      HttpResponse<Buffer> open = gw.postJson(REFRESH, body(REFRESH_TOKEN));
      assertError(open, 503, "Service Unavailable");
      assertThat(open.getHeader("Retry-After")).isNotBlank();
      assertThat(upstream.calls()).as("no call while open").isEqualTo(2);
      assertThat(gw.gateway.upstreamGuard().breakerState(Endpoint.REFRESH)).isEqualTo(2);
      assertThat(gw.gateway.upstreamGuard().breakerState(Endpoint.GUESTS)).isZero();
      upstream.succeed();
      assertThat(gw.guest("{\"allowed_addresses\":[\"" + ADDRESS + "\"]}").statusCode())
          .as("the guests breaker is separate").isEqualTo(201);
      assertThat(GatewayHarness.metric(gw.get("/metrics").bodyAsString(), "gateway_breaker_state{endpoint=\"refresh\"}"))
          .hasValue(2.0);
    } finally {
      gw.stop();
    }
  }

  @Test
  void corsIsAsForTheOtherEndpoints(Vertx vertx) {
    String page = "https://www.example.com";
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    GatewayHarness gw = GatewayHarness.start(vertx, upstream, Map.of("http.cors.origins", page));
    try {
      HttpResponse<Buffer> pre = await(gw.client.request(HttpMethod.OPTIONS, REFRESH).putHeader("Origin", page)
          .putHeader("Access-Control-Request-Method", "POST")
          .putHeader("Access-Control-Request-Headers", "content-type, authorization").send());
      assertThat(pre.statusCode()).isEqualTo(204);
      assertThat(pre.getHeader("Access-Control-Allow-Origin")).isEqualTo(page);
      assertThat(pre.getHeader("Access-Control-Allow-Headers")).isEqualTo("content-type");
      HttpResponse<Buffer> r = gw.post(REFRESH, "application/json", body(REFRESH_TOKEN),
          MultiMap.caseInsensitiveMultiMap().add("Origin", page));
      assertThat(r.statusCode()).isEqualTo(201);
      assertThat(r.getHeader("Access-Control-Allow-Origin")).isEqualTo(page);
      assertThat(r.headers().getAll("Vary")).contains("Origin");
      HttpResponse<Buffer> other = gw.post(REFRESH, "application/json", body(REFRESH_TOKEN),
          MultiMap.caseInsensitiveMultiMap().add("Origin", "https://evil.example.net"));
      assertThat(other.getHeader("Access-Control-Allow-Origin")).isNull();
      assertThat(upstream.calls()).as("the preflight called nobody").isEqualTo(2);
    } finally {
      gw.stop();
    }
  }

  static String basic() {
    return "Basic " + Base64.getEncoder().encodeToString(
        (PROJECT_ID + ":" + API_TOKEN).getBytes(StandardCharsets.UTF_8));
  }
}
