package io.tokengateway.guest;

import static io.tokengateway.support.Answers.assertError;
import static io.tokengateway.support.GatewayHarness.ADDRESS;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.tokengateway.support.Await;
import io.tokengateway.support.FakeSignalWire;
import io.tokengateway.support.FakeSiteverify;
import io.tokengateway.support.GatewayHarness;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/** CAPTCHA verification against a stand-in siteverify server that records what the gateway sends. */
@ExtendWith(VertxExtension.class)
class CaptchaIT {

  static final String GUESTS = "/api/fabric/guests/tokens";
  static final String BODY = "{\"allowed_addresses\":[\"" + ADDRESS + "\"]}";
  static final String SECRET = "0x4AAAAAAA-captcha-secret-of-the-site";
  static final String PAGE = "https://www.example.com";

  private Vertx vertx;
  private FakeSignalWire upstream;
  private FakeSiteverify provider;
  private GatewayHarness gw;

  @BeforeEach
  void start(Vertx vertx) {
    this.vertx = vertx;
    upstream = FakeSignalWire.start(vertx);
    provider = FakeSiteverify.start(vertx);
  }

  @AfterEach
  void stop() {
    provider.releaseHanging();
    if (gw != null) {
      gw.stop();
    }
  }

  private GatewayHarness gateway(String name, Map<String, ?> extra) {
    Map<String, Object> s = new HashMap<>(Map.of("guest.captcha.provider", name, "guest.captcha.secret", SECRET,
        "guest.captcha.verifyUrl", provider.url(), "http.cors.origins", PAGE));
    s.putAll(extra);
    gw = GatewayHarness.start(vertx, upstream, s);
    return gw;
  }

  private HttpResponse<Buffer> mint(String captchaToken) {
    return Await.await(mintAsync(captchaToken));
  }

  private Future<HttpResponse<Buffer>> mintAsync(String captchaToken) {
    MultiMap h = MultiMap.caseInsensitiveMultiMap();
    if (captchaToken != null) {
      h.add("X-Captcha-Token", captchaToken);
    }
    return gw.postAsync(GUESTS, "application/json", BODY, h);
  }

  static JsonObject solved(String name) {
    String at = "2026-06-01T12:00:00.000Z";
    return switch (name) {
      case "turnstile" -> new JsonObject().put("success", true).put("challenge_ts", at).put("hostname", "www.example.com")
          .put("error-codes", new JsonArray()).put("action", "").put("cdata", "")
          .put("metadata", new JsonObject().put("ephemeral_id", "x:9f78e0ed210960d7693b167e"));
      case "recaptcha" -> new JsonObject().put("success", true).put("challenge_ts", at).put("hostname", "www.example.com")
          .put("score", 0.9).put("action", "guest");
      default -> new JsonObject().put("success", true).put("challenge_ts", at).put("hostname", "www.example.com")
          .put("credit", false).put("error-codes", new JsonArray());
    };
  }

  static JsonObject refused(String name, String code) {
    JsonObject answer = new JsonObject().put("success", false).put("error-codes", new JsonArray().add(code));
    return name.equals("turnstile") ? answer.put("messages", new JsonArray()) : answer;
  }

  @ParameterizedTest
  @ValueSource(strings = {"turnstile", "recaptcha", "hcaptcha"})
  void theFormCarriesSecretResponseAndRemoteIpAndTheAnswerDecides(String name) {
    gateway(name, Map.of());
    provider.answer(solved(name));
    assertThat(mint("widget-response-1").statusCode()).isEqualTo(201);

    Map<String, String> form = provider.forms().get(0);
    assertThat(form).containsEntry("secret", SECRET).containsEntry("response", "widget-response-1")
        .containsEntry("remoteip", "127.0.0.1").containsEntry(":content-type", "application/x-www-form-urlencoded");
    if (name.equals("turnstile")) {
      assertThat(form.get("idempotency_key")).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    } else {
      assertThat(form).doesNotContainKey("idempotency_key");
    }

    String reused = name.equals("hcaptcha") ? "invalid-or-already-seen-response" : "timeout-or-duplicate";
    for (String code : new String[] {"invalid-input-response", reused, "missing-input-response", "bad-request"}) {
      provider.answer(refused(name, code));
      assertError(mint("widget-response-2"), 403, "Forbidden");
    }
    assertThat(upstream.calls()).isEqualTo(1);
    assertThat(gw.metric("gateway_guest_checks_total{check=\"captcha\",result=\"pass\"}")).hasValue(1.0);
    assertThat(gw.metric("gateway_guest_checks_total{check=\"captcha\",result=\"fail\"}")).hasValue(4.0);
  }

  @Test
  void aMissingEmptyOrOverlongHeaderIsRefusedWithoutAskingTheProvider() {
    gateway("turnstile", Map.of());
    assertError(mint(null), 403, "Forbidden");
    assertError(mint(" "), 403, "Forbidden");
    assertError(mint("x".repeat(CaptchaVerifier.MAX_TOKEN_CHARS + 1)), 403, "Forbidden");
    assertThat(provider.calls()).isZero();
    assertThat(upstream.calls()).isZero();
  }

  @Test
  void verdictsAreNeverCached() {
    gateway("turnstile", Map.of());
    assertThat(mint("same-token").statusCode()).isEqualTo(201);
    provider.answer(refused("turnstile", "timeout-or-duplicate"));
    assertError(mint("same-token"), 403, "Forbidden");
    assertThat(provider.calls()).isEqualTo(2);
  }

  @Test
  void theHostnameMustBeOneOfTheConfiguredOrTheCorsOrigins() {
    gateway("turnstile", Map.of());
    provider.answer(solved("turnstile").put("hostname", "evil.example.net"));
    assertError(mint("t"), 403, "Forbidden");
    JsonObject noHostname = solved("turnstile");
    noHostname.remove("hostname");
    provider.answer(noHostname);
    assertError(mint("t"), 403, "Forbidden");
    provider.answer(solved("turnstile").put("hostname", 42));
    assertError(mint("t"), 403, "Forbidden");
    provider.answer(solved("turnstile").put("hostname", "WWW.Example.com"));
    assertThat(mint("t").statusCode()).as("from http.cors.origins, case-insensitive").isEqualTo(201);
    gw.stop();

    gateway("turnstile", Map.of("guest.captcha.hostnames", "shop.example.com"));
    assertError(mint("t"), 403, "Forbidden");
    provider.answer(solved("turnstile").put("hostname", "shop.example.com"));
    assertThat(mint("t").statusCode()).isEqualTo(201);
    assertThat(upstream.calls()).isEqualTo(2);
  }

  @Test
  void theActionMustMatchWhenConfigured() {
    gateway("recaptcha", Map.of("guest.captcha.action", "guest_token"));
    provider.answer(solved("recaptcha").put("action", "login"));
    assertError(mint("t"), 403, "Forbidden");
    JsonObject noAction = solved("recaptcha");
    noAction.remove("action");
    provider.answer(noAction);
    assertError(mint("t"), 403, "Forbidden");
    provider.answer(solved("recaptcha").put("action", "guest_token"));
    assertThat(mint("t").statusCode()).isEqualTo(201);
    assertThat(upstream.calls()).isEqualTo(1);
  }

  @Test
  void recaptchaScoresBelowTheMinimumAreRefused() {
    gateway("recaptcha", Map.of("guest.captcha.minScore", 0.7));
    provider.answer(solved("recaptcha").put("score", 0.6));
    assertError(mint("t"), 403, "Forbidden");
    provider.answer(solved("recaptcha").put("score", 0.7));
    assertThat(mint("t").statusCode()).isEqualTo(201);
  }

  @Test
  void hcaptchaRiskScoresAboveOneMinusTheMinimumAreRefused() {
    gateway("hcaptcha", Map.of("guest.captcha.minScore", 0.7));
    provider.answer(solved("hcaptcha").put("score", 0.4));
    assertError(mint("t"), 403, "Forbidden");
    provider.answer(solved("hcaptcha").put("score", 0.2));
    assertThat(mint("t").statusCode()).isEqualTo(201);
    provider.answer(solved("hcaptcha"));
    assertThat(mint("t").statusCode()).as("no score (not Enterprise): nothing to judge").isEqualTo(201);
  }

  @Test
  void aRefusedSecretIs502AndOneErrorLogWithoutTheSecret() {
    Logger logger = (Logger) LoggerFactory.getLogger(CaptchaVerifier.class);
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    logger.addAppender(logs);
    try {
      gateway("hcaptcha", Map.of());
      for (String code : new String[] {"invalid-input-secret", "missing-input-secret", "sitekey-secret-mismatch"}) {
        provider.answer(refused("hcaptcha", code));
        assertError(mint("t"), 502, "Bad Gateway");
      }
    } finally {
      logger.detachAppender(logs);
    }
    assertThat(upstream.calls()).isZero();
    assertThat(logs.list).filteredOn(e -> e.getLevel() == Level.ERROR).hasSize(1)
        .allSatisfy(e -> assertThat(e.getFormattedMessage()).contains("guest.captcha.secret")
            .contains("invalid-input-secret").doesNotContain(SECRET));
    assertThat(gw.metric("gateway_guest_checks_total{check=\"captcha\",result=\"error\"}")).hasValue(3.0);
  }

  @Test
  void aProviderThatDoesNotAnswerInTimeGets503() {
    gateway("turnstile", Map.of("guest.captcha.timeoutMs", 300));
    provider.hang();
    long start = System.nanoTime();
    HttpResponse<Buffer> r = mint("t");
    long tookMs = (System.nanoTime() - start) / 1_000_000;
    assertError(r, 503, "Service Unavailable");
    assertThat(r.getHeader("Retry-After")).isEqualTo("5");
    assertThat(tookMs).isBetween(250L, 5_000L);
    assertThat(upstream.calls()).isZero();
  }

  @Test
  void theDeadlineIsTotalSoATricklingAnswerCannotHoldTheRequest() {
    gateway("recaptcha", Map.of("guest.captcha.timeoutMs", 400));
    provider.trickle(50);
    assertError(mint("t"), 503, "Service Unavailable");
    assertThat(upstream.calls()).isZero();
  }

  @Test
  void anOversizedAnswerIsNotBufferedWhole() {
    gateway("recaptcha", Map.of());
    provider.oversized(200_000);
    assertError(mint("t"), 503, "Service Unavailable");
    provider.answer(solved("recaptcha"));
    assertThat(mint("t").statusCode()).as("the pool recovered").isEqualTo(201);
  }

  @Test
  void providerErrorsAre503UnlessFailOpen() {
    gateway("recaptcha", Map.of());
    provider.answer(500, "{\"error\":\"oops\"}");
    assertError(mint("t"), 503, "Service Unavailable");
    provider.answer(200, "<html>maintenance</html>");
    assertError(mint("t"), 503, "Service Unavailable");
    provider.answer(refused("turnstile", "internal-error"));
    assertError(mint("t"), 503, "Service Unavailable");
    assertThat(upstream.calls()).isZero();
    gw.stop();

    gateway("recaptcha", Map.of("guest.captcha.failOpen", true, "guest.captcha.timeoutMs", 300));
    provider.answer(502, "bad gateway");
    assertThat(mint("t").statusCode()).isEqualTo(201);
    provider.hang();
    assertThat(mint("t").statusCode()).isEqualTo(201);
    provider.answer(refused("recaptcha", "invalid-input-response"));
    assertError(mint("t"), 403, "Forbidden");
    assertThat(upstream.calls()).isEqualTo(2);
    assertThat(gw.metric("gateway_guest_checks_total{check=\"captcha\",result=\"error\"}")).hasValue(2.0);
  }

  @Test
  void aFullConnectionQueueIs503EvenWithFailOpen() {
    gateway("recaptcha", Map.of("guest.captcha.failOpen", true, "guest.captcha.poolSize", 1,
        "guest.captcha.maxWaitQueue", 0, "guest.captcha.timeoutMs", 5_000));
    provider.hang();
    Future<HttpResponse<Buffer>> first = mintAsync("t1");
    Await.until(() -> provider.hangingCount() == 1, 5_000, "the first verification holds the one connection");

    assertError(mint("t2"), 503, "Service Unavailable");
    provider.releaseHanging();
    assertThat(Await.await(first).statusCode()).isEqualTo(201);
    assertThat(upstream.calls()).isEqualTo(1);
  }

  @Test
  void turnstileIsRetriedOnceWithTheSameIdempotencyKeyAfterALostConnection() {
    gateway("turnstile", Map.of());
    provider.cutNext(1);
    assertThat(mint("t").statusCode()).isEqualTo(201);
    assertThat(provider.calls()).isEqualTo(2);
    assertThat(provider.forms().get(1).get("idempotency_key")).isEqualTo(provider.forms().get(0).get("idempotency_key"));
    gw.stop();

    gateway("recaptcha", Map.of());
    provider.cutNext(1);
    assertError(mint("t"), 503, "Service Unavailable");
    assertThat(provider.calls()).as("no retry without an idempotency key: the token may be spent").isEqualTo(3);
  }

  @Test
  void preflightsAllowTheCaptchaHeaderOnlyWhenAProviderIsSet() {
    gateway("turnstile", Map.of());
    assertThat(preflightAllows()).isEqualTo("content-type, x-captcha-token");
    gw.stop();
    gw = GatewayHarness.start(vertx, upstream, Map.of("http.cors.origins", PAGE));
    assertThat(preflightAllows()).isEqualTo("content-type");
  }

  private String preflightAllows() {
    return Await.await(gw.client.request(HttpMethod.OPTIONS, GUESTS).putHeader("Origin", PAGE)
        .putHeader("Access-Control-Request-Method", "POST")
        .putHeader("Access-Control-Request-Headers", "content-type, x-captcha-token").send())
        .getHeader("Access-Control-Allow-Headers");
  }
}
