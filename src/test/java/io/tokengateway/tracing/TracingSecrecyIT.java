package io.tokengateway.tracing;

import static io.tokengateway.support.GatewayHarness.ADDRESS;
import static io.tokengateway.support.GatewayHarness.API_TOKEN;
import static io.tokengateway.support.GatewayHarness.C2C;
import static io.tokengateway.support.GatewayHarness.PROJECT_ID;
import static io.tokengateway.tracing.TracingIT.EMBEDS;
import static io.tokengateway.tracing.TracingIT.exporting;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.tokengateway.support.FakeSignalWire;
import io.tokengateway.support.FakeSiteverify;
import io.tokengateway.support.GatewayHarness;
import io.tokengateway.support.OtlpReceiver;
import io.tokengateway.support.OtlpReceiver.ReceivedSpan;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every span of a run through all three endpoints, the guest checks and the failures, as the collector
 * received it (names, attributes, status, tracestate, resource), holds no token, C2C token, credential, JWT,
 * CAPTCHA token or secret.
 */
@ExtendWith(VertxExtension.class)
class TracingSecrecyIT {

  private static final String REFRESH = "/api/fabric/subscribers/tokens/refresh";
  private static final String GUESTS = "/api/fabric/guests/tokens";
  private static final String CALLER_AUTH = "Bearer caller-secret-abc123";
  private static final String JWT_SECRET = "hs256-shared-secret-of-the-site-0123456789";
  private static final String CAPTCHA_SECRET = "0x4AAAAAAA-captcha-secret-never-in-a-span";
  private static final String CAPTCHA_TOKEN = "captcha-token-passing-0001";
  private static final String SUBJECT = "visitor-secret-subject";

  @Test
  void noTokenOrCredentialInAnyExportedSpan(Vertx vertx) throws JOSEException {
    OtlpReceiver collector = OtlpReceiver.start(vertx);
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    FakeSiteverify captcha = FakeSiteverify.start(vertx);
    Map<String, Object> settings = new HashMap<>(exporting(collector, 1.0));
    settings.putAll(Map.of("guest.captcha.provider", "turnstile", "guest.captcha.secret", CAPTCHA_SECRET,
        "guest.captcha.verifyUrl", captcha.url(), "guest.jwt.secret", JWT_SECRET,
        "guest.jwt.issuer", "https://auth.example.com/", "guest.jwt.audience", "token-gateway",
        "guest.quota.perClientPerHour", 1_000));
    GatewayHarness gw = GatewayHarness.start(vertx, upstream, settings);
    String jwt = jwt();
    List<String> secrets = new ArrayList<>(List.of(C2C, API_TOKEN, CALLER_AUTH, "caller-secret-abc123", jwt,
        jwt.split("\\.")[2], JWT_SECRET, CAPTCHA_SECRET, CAPTCHA_TOKEN, SUBJECT,
        Base64.getEncoder().encodeToString((PROJECT_ID + ":" + API_TOKEN).getBytes(StandardCharsets.UTF_8))));
    String guestBody = "{\"allowed_addresses\":[\"" + ADDRESS + "\"]}";
    MultiMap callerAuth = MultiMap.caseInsensitiveMultiMap().add("Authorization", CALLER_AUTH);
    String last;
    try {
      secrets.add(gw.embed(C2C).bodyAsJsonObject().getString("token"));
      gw.embed(C2C);
      gw.post(EMBEDS + "?token=" + C2C, "application/json", "{\"token\":\"" + C2C + "\"}", callerAuth);
      gw.postJson(EMBEDS, "{\"token\":\"" + C2C + "!\"}");
      gw.post("/" + C2C, "application/json", "{\"token\":\"" + C2C + "\"}", callerAuth);
      gw.post(EMBEDS, "application/json", "{\"token\":\"" + C2C + "\"}",
          MultiMap.caseInsensitiveMultiMap().add("traceparent", C2C).add("tracestate", "k=" + C2C.substring(4)));
      MultiMap checks = MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer " + jwt)
          .add("X-Captcha-Token", CAPTCHA_TOKEN);
      JsonObject guest = gw.post(GUESTS, "application/json", guestBody, checks).bodyAsJsonObject();
      secrets.add(guest.getString("token"));
      secrets.add(guest.getString("refresh_token"));
      String refreshBody = new JsonObject().put("refresh_token", guest.getString("refresh_token")).encode();
      JsonObject refreshed = gw.post(REFRESH, "application/json", refreshBody, callerAuth).bodyAsJsonObject();
      secrets.add(refreshed.getString("token"));
      secrets.add(refreshed.getString("refresh_token"));
      upstream.answer(401, "{\"error\":\"Unauthorized\"}");
      gw.post(GUESTS, "application/json", guestBody, checks);
      gw.post(REFRESH, "application/json", refreshBody, callerAuth);
      upstream.answer(500, "{\"error\":\"Internal Server Error\"}");
      gw.embed("c2c_00000000cold");
      upstream.hang();
      gw.embed("c2c_00000000hang");
      upstream.succeed();
      last = gw.embed("c2c_00000000last").getHeader("traceparent");
      collector.awaitTrace(Traceparent.parse(last).traceId(), 2);
    } finally {
      upstream.releaseHanging();
      gw.stop(); // flushes what is still queued
    }

    List<ReceivedSpan> spans = collector.spans();
    assertThat(spans).extracting(ReceivedSpan::name).as("all three endpoints were traced, and SignalWire's calls")
        .contains("POST /api/fabric/embeds/tokens", "POST /api/fabric/guests/tokens",
            "POST /api/fabric/subscribers/tokens/refresh", "POST <other>");
    assertThat(spans).filteredOn(s -> s.kind().equals("SPAN_KIND_CLIENT")).hasSizeGreaterThanOrEqualTo(6);
    for (ReceivedSpan span : spans) {
      for (String text : span.strings()) {
        for (String secret : secrets) {
          assertThat(text).as("a string of span " + span.name()).doesNotContain(secret);
        }
      }
    }
  }

  private static String jwt() throws JOSEException {
    Instant now = Instant.now();
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder()
        .issuer("https://auth.example.com/").audience("token-gateway").subject(SUBJECT)
        .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300))).build());
    jwt.sign(new MACSigner(JWT_SECRET));
    return jwt.serialize();
  }
}
