package io.tokengateway.http;

import static io.tokengateway.support.Await.await;
import static io.tokengateway.support.GatewayHarness.C2C;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokengateway.support.FakeSignalWire;
import io.tokengateway.support.GatewayHarness;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Browser access as SignalWire's widget page needs it: preflight, then the POST, from allowed origins only. */
@ExtendWith(VertxExtension.class)
class CorsIT {

  private static final String PAGE = "https://www.example.com";
  private static final String EMBEDS = "/api/fabric/embeds/tokens";

  private FakeSignalWire upstream;
  private GatewayHarness gw;

  @BeforeEach
  void start(Vertx vertx) {
    upstream = FakeSignalWire.start(vertx);
    gw = GatewayHarness.start(vertx, upstream, Map.of("http.cors.origins", PAGE + ",https://shop.example.com",
        "client.rateLimit.perSecond", 1, "client.rateLimit.burst", 2));
  }

  @AfterEach
  void stop() {
    gw.stop();
  }

  private HttpResponse<Buffer> preflight(String origin, String requestHeaders) {
    var req = gw.client.request(HttpMethod.OPTIONS, EMBEDS)
        .putHeader("Origin", origin).putHeader("Access-Control-Request-Method", "POST");
    if (requestHeaders != null) {
      req.putHeader("Access-Control-Request-Headers", requestHeaders);
    }
    return await(req.send());
  }

  private HttpResponse<Buffer> post(String origin, String body) {
    return gw.post(EMBEDS, "application/json", body, MultiMap.caseInsensitiveMultiMap().add("Origin", origin));
  }

  @Test
  void preflightFromAnAllowedOriginIsCheapAndComplete() {
    for (int i = 0; i < 5; i++) {
      HttpResponse<Buffer> r = preflight(PAGE, "content-type, authorization, accept");
      assertThat(r.statusCode()).isEqualTo(204);
      assertThat(r.getHeader("Access-Control-Allow-Origin")).isEqualTo(PAGE);
      assertThat(r.getHeader("Access-Control-Allow-Methods")).isEqualTo("POST");
      assertThat(r.getHeader("Access-Control-Allow-Headers")).isEqualTo("content-type, accept");
      assertThat(r.getHeader("Access-Control-Max-Age")).isEqualTo("600");
      assertThat(r.headers().getAll("Vary")).contains("Origin");
      assertThat(r.body()).isNull();
    }
    assertThat(upstream.calls()).isZero();
    assertThat(post(PAGE, "{\"token\":\"" + C2C + "\"}").statusCode())
        .as("preflights cost no client permit (burst 2)").isEqualTo(201);
  }

  @Test
  void aPageMaySendW3cTraceContext() {
    HttpResponse<Buffer> r = preflight(PAGE, "content-type, traceparent, tracestate");
    assertThat(r.statusCode()).isEqualTo(204);
    assertThat(r.getHeader("Access-Control-Allow-Headers")).isEqualTo("content-type, traceparent, tracestate");
  }

  @Test
  void actualAnswersToAnAllowedOriginCarryTheOrigin() {
    HttpResponse<Buffer> created = post(PAGE, new JsonObject().put("token", C2C).encode());
    HttpResponse<Buffer> invalid = post(PAGE, "{\"token\":42}");
    assertThat(created.statusCode()).isEqualTo(201);
    assertThat(invalid.statusCode()).isEqualTo(422);
    for (HttpResponse<Buffer> r : java.util.List.of(created, invalid)) {
      assertThat(r.getHeader("Access-Control-Allow-Origin")).isEqualTo(PAGE);
      assertThat(r.getHeader("Access-Control-Expose-Headers"))
          .as("page scripts may read the token's age and the request's trace").isEqualTo("Age, X-Cache, traceparent");
      assertThat(r.headers().getAll("Vary")).contains("Origin");
    }
    assertThat(created.getHeader("Age")).isEqualTo("0");
  }

  @Test
  void aDisallowedOriginGetsNoAllowOrigin() {
    HttpResponse<Buffer> pre = preflight("https://evil.example.net", "content-type");
    assertThat(pre.getHeader("Access-Control-Allow-Origin")).isNull();
    assertThat(pre.getHeader("Access-Control-Allow-Methods")).isNull();
    HttpResponse<Buffer> r = post("https://evil.example.net", new JsonObject().put("token", C2C).encode());
    assertThat(r.getHeader("Access-Control-Allow-Origin")).isNull();
    assertThat(r.getHeader("Access-Control-Expose-Headers")).isNull();
    HttpResponse<Buffer> lookalike = post("https://www.example.com.evil.net", "{\"token\":42}");
    assertThat(lookalike.getHeader("Access-Control-Allow-Origin")).isNull();
  }
}
