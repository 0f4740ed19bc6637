package io.tokengateway.guest;

import static io.tokengateway.support.GatewayHarness.ADDRESS;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.tokengateway.support.FakeJwks;
import io.tokengateway.support.FakeSignalWire;
import io.tokengateway.support.FakeSiteverify;
import io.tokengateway.support.GatewayHarness;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.logstash.logback.encoder.LogstashEncoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/** The guest checks' passes, refusals and failures never put a secret, a JWT or a CAPTCHA token in a log line. */
@ExtendWith(VertxExtension.class)
class GuestChecksLogSecrecyIT {

  static final String CAPTCHA_SECRET = "0x4AAAAAAA-captcha-secret-never-logged";
  static final String BODY = "{\"allowed_addresses\":[\"" + ADDRESS + "\"]}";

  @Test
  void noSecretJwtOrCaptchaTokenInAnyLogLine(Vertx vertx) {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> captured = new ListAppender<>();
    captured.start();
    root.addAppender(captured);
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    FakeSiteverify provider = FakeSiteverify.start(vertx);
    FakeJwks site = FakeJwks.start(vertx, Jwts.jwks(Jwts.rsa("k1")));
    site.down(true);
    String good = Jwts.hs256(Jwts.HS_SECRET, Jwts.claims(Instant.now(), "visitor-secret-subject").build());
    String forged = Jwts.hs256("a-forged-secret-of-more-than-32-bytes!", Jwts.claims(Instant.now(), "x").build());
    String rsaSigned = Jwts.rs256(Jwts.rsa("k2"), Jwts.claims(Instant.now(), "y").build());
    List<String> captchaTokens = List.of("captcha-token-passing-0001", "captcha-token-refused-0002",
        "captcha-token-misconfig-0003", "captcha-token-timeout-0004");
    GatewayHarness checks = GatewayHarness.start(vertx, upstream, Map.of("guest.captcha.provider", "turnstile",
        "guest.captcha.secret", CAPTCHA_SECRET, "guest.captcha.verifyUrl", provider.url(),
        "guest.captcha.timeoutMs", 300, "guest.jwt.secret", Jwts.HS_SECRET, "guest.jwt.issuer", Jwts.ISSUER,
        "guest.jwt.audience", Jwts.AUDIENCE, "guest.quota.perClientPerHour", 1_000));
    GatewayHarness jwksDown = GatewayHarness.start(vertx, upstream, Map.of("guest.jwt.jwksUrl", site.url(),
        "guest.jwt.issuer", Jwts.ISSUER, "guest.jwt.audience", Jwts.AUDIENCE));
    try {
      mint(checks, good, captchaTokens.get(0));
      mint(checks, forged, captchaTokens.get(0));
      provider.answer(refused("invalid-input-response"));
      mint(checks, good, captchaTokens.get(1));
      provider.answer(refused("invalid-input-secret"));
      mint(checks, good, captchaTokens.get(2));
      provider.hang();
      mint(checks, good, captchaTokens.get(3));
      mint(jwksDown, rsaSigned, null);
    } finally {
      provider.releaseHanging();
      checks.stop();
      jwksDown.stop();
      root.detachAppender(captured);
    }

    List<String> lines = encode(captured.list);
    assertThat(lines).as("the misconfiguration was logged").anyMatch(l -> l.contains("guest.captcha.secret"));
    assertThat(lines).as("the JWKS outage was logged").anyMatch(l -> l.contains("JWKS"));
    assertThat(lines).as("the provider outage was logged").anyMatch(l -> l.contains("CAPTCHA provider turnstile failed"));
    List<String> secrets = new ArrayList<>(List.of(CAPTCHA_SECRET, Jwts.HS_SECRET, good, forged, rsaSigned,
        "visitor-secret-subject", good.split("\\.")[2], rsaSigned.split("\\.")[2]));
    secrets.addAll(captchaTokens);
    for (String line : lines) {
      for (String secret : secrets) {
        assertThat(line).doesNotContain(secret);
      }
    }
  }

  private static void mint(GatewayHarness gw, String jwt, String captcha) {
    MultiMap h = MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer " + jwt);
    if (captcha != null) {
      h.add("X-Captcha-Token", captcha);
    }
    gw.post("/api/fabric/guests/tokens", "application/json", BODY, h);
  }

  private static JsonObject refused(String code) {
    return new JsonObject().put("success", false).put("error-codes", new JsonArray().add(code));
  }

  private static List<String> encode(List<ILoggingEvent> events) {
    LogstashEncoder encoder = new LogstashEncoder();
    encoder.setContext((LoggerContext) LoggerFactory.getILoggerFactory());
    encoder.start();
    List<String> out = new ArrayList<>();
    for (ILoggingEvent e : events) {
      out.add(new String(encoder.encode(e), StandardCharsets.UTF_8));
    }
    return out;
  }
}
