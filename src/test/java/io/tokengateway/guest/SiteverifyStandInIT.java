package io.tokengateway.guest;

import static io.tokengateway.support.Answers.assertError;
import static io.tokengateway.support.Await.await;
import static io.tokengateway.support.GatewayHarness.ADDRESS;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokengateway.config.GatewayConfig;
import io.tokengateway.support.GatewayHarness;
import io.tokengateway.upstream.simulator.SiteverifyStandIn;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The simulator's siteverify stand-in: the curl demo of docs/security.md, and each provider's shape. */
@ExtendWith(VertxExtension.class)
class SiteverifyStandInIT {

  static final String GUESTS = "/api/fabric/guests/tokens";
  static final String BODY = "{\"allowed_addresses\":[\"" + ADDRESS + "\"]}";

  private GatewayHarness gw;

  @AfterEach
  void stop() {
    if (gw != null) {
      gw.stop();
    }
  }

  /** The gateway in simulator mode, as `GATEWAY_GUEST_CAPTCHA_PROVIDER=... java -jar` starts it. */
  private GatewayHarness simulator(Vertx vertx, Map<String, ?> extra) {
    Map<String, Object> s = new HashMap<>(GatewayHarness.settings(null, Map.of()));
    s.put("signalwire.projectId", "");
    s.put("signalwire.apiToken", "");
    s.putAll(extra);
    gw = GatewayHarness.start(vertx, GatewayConfig.of(s), io.tokengateway.core.Time.system(vertx));
    return gw;
  }

  private HttpResponse<Buffer> mint(String captchaToken) {
    MultiMap h = MultiMap.caseInsensitiveMultiMap();
    if (captchaToken != null) {
      h.add("X-Captcha-Token", captchaToken);
    }
    return gw.post(GUESTS, "application/json", BODY, h);
  }

  @Test
  void theCurlDemoMintsOncePerTestPassToken(Vertx vertx) {
    simulator(vertx, Map.of("guest.captcha.provider", "turnstile"));

    assertThat(mint("test-pass").statusCode()).isEqualTo(201);
    assertError(mint("test-pass"), 403, "Forbidden");
    assertError(mint(null), 403, "Forbidden");
    assertError(mint("anything-else"), 403, "Forbidden");
    assertThat(mint("test-pass-2").statusCode()).isEqualTo(201);
    assertThat(gw.gateway.simulator().stats().guests()).isEqualTo(2);
    assertThat(gw.gateway.simulator().siteverify().calls()).isEqualTo(4);
  }

  @Test
  void everyProviderWorksOnTheStandIn(Vertx vertx) {
    for (String provider : new String[] {"recaptcha", "hcaptcha"}) {
      simulator(vertx, Map.of("guest.captcha.provider", provider));
      assertThat(mint("test-pass-" + provider).statusCode()).as(provider).isEqualTo(201);
      assertError(mint("test-pass-" + provider), 403, "Forbidden");
      gw.stop();
      gw = null;
    }
  }

  @Test
  void anotherSecretThanTheStandInsIsAMisconfiguration(Vertx vertx) {
    simulator(vertx, Map.of("guest.captcha.provider", "turnstile", "guest.captcha.secret", "not-the-dev-secret"));
    assertError(mint("test-pass"), 502, "Bad Gateway");
    assertThat(gw.gateway.simulator().stats().guests()).isZero();
  }

  @Test
  void theStandInAnswersInEachProvidersShape(Vertx vertx) {
    simulator(vertx, Map.of());
    WebClient direct = WebClient.create(vertx);
    int port = gw.gateway.simulator().port();

    JsonObject turnstile = verify(direct, port, "/turnstile/v0/siteverify", SiteverifyStandIn.DEV_SECRET, "test-pass", "k1");
    assertThat(turnstile.fieldNames()).containsExactlyInAnyOrder("success", "error-codes", "challenge_ts", "hostname",
        "action", "cdata");
    assertThat(turnstile.getBoolean("success")).isTrue();
    assertThat(verify(direct, port, "/turnstile/v0/siteverify", SiteverifyStandIn.DEV_SECRET, "test-pass", "k1")
        .getBoolean("success")).as("a retry with the same idempotency_key gets the first answer").isTrue();
    assertThat(verify(direct, port, "/turnstile/v0/siteverify", SiteverifyStandIn.DEV_SECRET, "test-pass", "k2"))
        .isEqualTo(failure("timeout-or-duplicate").put("messages", new io.vertx.core.json.JsonArray()));

    JsonObject recaptcha = verify(direct, port, "/recaptcha/api/siteverify", SiteverifyStandIn.DEV_SECRET,
        "test-pass-r", null);
    assertThat(recaptcha.fieldNames()).containsExactlyInAnyOrder("success", "score", "action", "hostname",
        "challenge_ts", "error-codes");
    assertThat(verify(direct, port, "/recaptcha/api/siteverify", SiteverifyStandIn.DEV_SECRET, "test-pass-r", null))
        .isEqualTo(failure("timeout-or-duplicate"));

    JsonObject hcaptcha = verify(direct, port, "/siteverify", SiteverifyStandIn.DEV_SECRET, "test-pass-h", null);
    assertThat(hcaptcha.fieldNames()).containsExactlyInAnyOrder("success", "hostname", "challenge_ts", "credit",
        "error-codes", "score");
    assertThat(verify(direct, port, "/siteverify", SiteverifyStandIn.DEV_SECRET, "test-pass-h", null))
        .isEqualTo(failure("already-seen-response"));

    assertThat(verify(direct, port, "/siteverify", "wrong", "test-pass-x", null)).isEqualTo(failure("invalid-input-secret"));
    assertThat(verify(direct, port, "/siteverify", null, "test-pass-x", null)).isEqualTo(failure("missing-input-secret"));
    assertThat(verify(direct, port, "/siteverify", SiteverifyStandIn.DEV_SECRET, "solved-elsewhere", null))
        .isEqualTo(failure("invalid-input-response"));
    assertThat(verify(direct, port, "/siteverify", SiteverifyStandIn.DEV_SECRET, "test-pass-x", null)
        .getBoolean("success")).as("a refused secret did not use the token up").isTrue();
  }

  private static JsonObject failure(String code) {
    return new JsonObject().put("success", false).put("error-codes", new io.vertx.core.json.JsonArray().add(code));
  }

  private static JsonObject verify(WebClient client, int port, String path, String secret, String token, String key) {
    MultiMap form = MultiMap.caseInsensitiveMultiMap();
    if (secret != null) {
      form.add("secret", secret);
    }
    form.add("response", token).add("remoteip", "203.0.113.7");
    if (key != null) {
      form.add("idempotency_key", key);
    }
    return await(client.post(port, "127.0.0.1", path).sendForm(form)).bodyAsJsonObject();
  }
}
