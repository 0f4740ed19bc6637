package io.tokengateway.guest;

import static io.tokengateway.support.Answers.assertError;
import static io.tokengateway.support.GatewayHarness.ADDRESS;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokengateway.config.GatewayConfig;
import io.tokengateway.support.FakeSignalWire;
import io.tokengateway.support.FakeSiteverify;
import io.tokengateway.support.GatewayHarness;
import io.tokengateway.support.ManualTime;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Guest tokens per caller per rolling hour, in single-process mode, on the injected clock. */
@ExtendWith(VertxExtension.class)
class QuotaIT {

  static final String GUESTS = "/api/fabric/guests/tokens";
  static final String BODY = "{\"allowed_addresses\":[\"" + ADDRESS + "\"]}";

  private Vertx vertx;
  private FakeSignalWire upstream;
  private final ManualTime time = new ManualTime(Instant.parse("2026-06-01T12:00:00Z"));
  private GatewayHarness gw;

  @BeforeEach
  void start(Vertx vertx) {
    this.vertx = vertx;
    upstream = FakeSignalWire.start(vertx);
  }

  @AfterEach
  void stop() {
    if (gw != null) {
      gw.stop();
    }
  }

  private GatewayHarness gateway(Map<String, ?> extra) {
    Map<String, Object> s = new HashMap<>(Map.of("guest.quota.perClientPerHour", 2));
    s.putAll(extra);
    gw = GatewayHarness.start(vertx, GatewayConfig.of(GatewayHarness.settings(upstream, s)), time.time());
    return gw;
  }

  private HttpResponse<Buffer> mint(String header, String value) {
    MultiMap h = MultiMap.caseInsensitiveMultiMap();
    if (header != null) {
      h.add(header, value);
    }
    return gw.post(GUESTS, "application/json", BODY, h);
  }

  private HttpResponse<Buffer> mint() {
    return mint(null, null);
  }

  @Test
  void theCapHoldsInEveryRollingHour() {
    gateway(Map.of());
    assertThat(mint().statusCode()).isEqualTo(201);
    time.advance(Duration.ofMinutes(30));
    assertThat(mint().statusCode()).isEqualTo(201);
    time.advance(Duration.ofMinutes(15));
    HttpResponse<Buffer> over = mint();
    assertError(over, 429, "Too Many Requests");
    assertThat(over.getHeader("Retry-After")).as("until the first mint is an hour old").isEqualTo("900");

    time.advance(Duration.ofMinutes(15).plusSeconds(1));
    assertThat(mint().statusCode()).as("the first mint left the window").isEqualTo(201);
    time.advance(Duration.ofMinutes(1));
    HttpResponse<Buffer> again = mint();
    assertError(again, 429, "Too Many Requests");
    assertThat(Integer.parseInt(again.getHeader("Retry-After"))).as("the second mint, at 30 min, leaves at 90 min")
        .isBetween(28 * 60, 29 * 60);
    assertThat(upstream.calls()).isEqualTo(3);
    assertThat(gw.metric("gateway_guest_checks_total{check=\"quota\",result=\"pass\"}")).hasValue(3.0);
    assertThat(gw.metric("gateway_guest_checks_total{check=\"quota\",result=\"fail\"}")).hasValue(2.0);
  }

  @Test
  void ipv6CallersCountPer64AndIpv4PerAddress() {
    gateway(Map.of("guest.quota.perClientPerHour", 1, "http.trustedProxies", "127.0.0.0/8"));
    assertThat(mint("X-Forwarded-For", "2001:db8:1:2::aaaa").statusCode()).isEqualTo(201);
    assertError(mint("X-Forwarded-For", "2001:db8:1:2:ffff:1:2:3"), 429, "Too Many Requests");
    assertThat(mint("X-Forwarded-For", "2001:db8:1:3::aaaa").statusCode()).as("another /64").isEqualTo(201);
    assertThat(mint("X-Forwarded-For", "203.0.113.7").statusCode()).isEqualTo(201);
    assertThat(mint("X-Forwarded-For", "203.0.113.8").statusCode()).isEqualTo(201);
    assertError(mint("X-Forwarded-For", "203.0.113.8"), 429, "Too Many Requests");
    assertThat(upstream.calls()).isEqualTo(4);
  }

  @Test
  void withJwtTheCallerIsTheSubjectNotTheAddress() {
    gateway(Map.of("guest.quota.perClientPerHour", 1, "guest.jwt.secret", Jwts.HS_SECRET,
        "guest.jwt.issuer", Jwts.ISSUER, "guest.jwt.audience", Jwts.AUDIENCE));
    String alice = "Bearer " + Jwts.hs256(Jwts.HS_SECRET, Jwts.claims(time.instant(), "alice").build());
    String bob = "Bearer " + Jwts.hs256(Jwts.HS_SECRET, Jwts.claims(time.instant(), "bob").build());
    assertThat(mint("Authorization", alice).statusCode()).isEqualTo(201);
    assertError(mint("Authorization", alice), 429, "Too Many Requests");
    assertThat(mint("Authorization", bob).statusCode()).as("same address, another subject").isEqualTo(201);
  }

  @Test
  void aMintIsGivenBackWhenSignalWireFailedButNotWhenItRefusedTheRequest() {
    gateway(Map.of("guest.quota.perClientPerHour", 1));
    upstream.answer(500, "{\"error\":\"Internal Server Error\"}");
    assertThat(mint().statusCode()).isEqualTo(502);
    upstream.succeed();
    assertThat(mint().statusCode()).as("the failed call's mint was given back").isEqualTo(201);
    gw.stop();

    gateway(Map.of("guest.quota.perClientPerHour", 1));
    upstream.answer(422, "{\"errors\":[{\"type\":\"validation_error\",\"code\":\"must_belong_to_project\","
        + "\"message\":\"not in the project\",\"attribute\":\"allowed_addresses\",\"url\":\"https://x\"}]}");
    assertThat(mint().statusCode()).isEqualTo(422);
    upstream.succeed();
    assertError(mint(), 429, "Too Many Requests");
    assertThat(upstream.calls()).isEqualTo(3);
  }

  @Test
  void overTheQuotaCostsNoCaptchaVerificationAndAFailedCaptchaCostsNoMint() {
    FakeSiteverify provider = FakeSiteverify.start(vertx);
    gateway(Map.of("guest.quota.perClientPerHour", 1, "guest.captcha.provider", "turnstile",
        "guest.captcha.secret", "captcha-secret-for-quota-tests", "guest.captcha.verifyUrl", provider.url()));
    provider.answer(new io.vertx.core.json.JsonObject().put("success", false)
        .put("error-codes", new io.vertx.core.json.JsonArray().add("invalid-input-response")));
    assertError(mint("X-Captcha-Token", "wrong"), 403, "Forbidden");
    provider.answer(FakeSiteverify.SOLVED);
    assertThat(mint("X-Captcha-Token", "right").statusCode()).isEqualTo(201);
    assertError(mint("X-Captcha-Token", "right-again"), 429, "Too Many Requests");
    assertThat(provider.calls()).isEqualTo(2);
    assertThat(upstream.calls()).isEqualTo(1);
  }
}
