package io.tokengateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tokengateway.config.GuestOptions.Provider;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The guest checks' settings: off by default, one-line start errors for bad combinations, secrets never shown. */
class GuestCheckOptionsTest {

  private static final String SPACE = "example";

  private static GuestOptions checks(Map<String, String> env) {
    return GatewayConfig.from(Settings.load(env)).guest();
  }

  /** Signalwire mode (no stand-in) with credentials, plus {@code env}. */
  private static Map<String, String> signalwire(Map<String, String> env) {
    Map<String, String> all = new HashMap<>(Map.of("SIGNALWIRE_SPACE", SPACE, "SIGNALWIRE_PROJECT_ID", "p",
        "SIGNALWIRE_API_TOKEN", "t"));
    all.putAll(env);
    return all;
  }

  private static void assertOneLineError(Map<String, String> env, String... mentions) {
    assertThatThrownBy(() -> checks(env)).isInstanceOf(ConfigException.class)
        .satisfies(e -> {
          assertThat(e.getMessage()).doesNotContain("\n");
          for (String m : mentions) {
            assertThat(e.getMessage()).contains(m);
          }
        });
  }

  @Test
  void everyCheckIsOffByDefault() {
    GuestOptions o = checks(Map.of());
    assertThat(o.captcha().enabled()).isFalse();
    assertThat(o.jwt().enabled()).isFalse();
    assertThat(o.quota().enabled()).isFalse();
    assertThat(o.captcha().minScore()).isEqualTo(0.5);
    assertThat(o.captcha().timeoutMs()).isEqualTo(2000);
    assertThat(o.captcha().failOpen()).isFalse();
    assertThat(o.jwt().clockSkewSeconds()).isEqualTo(30);
  }

  @Test
  void captchaSettingsAndTheProvidersSiteverifyUrls() {
    GuestOptions o = checks(signalwire(Map.of("GATEWAY_GUEST_CAPTCHA_PROVIDER", "HCaptcha",
        "GATEWAY_GUEST_CAPTCHA_SECRET", "0x-secret-value-42", "GATEWAY_HTTP_CORS_ORIGINS",
        "https://www.example.com,https://Shop.Example.com:8443,*")));
    assertThat(o.captcha().provider()).isEqualTo(Provider.HCAPTCHA);
    assertThat(o.captcha().secret().reveal()).isEqualTo("0x-secret-value-42");
    assertThat(o.toString()).doesNotContain("0x-secret-value-42");
    assertThat(o.captcha().hostnames()).as("from http.cors.origins").containsExactlyInAnyOrder("www.example.com",
        "shop.example.com");
    assertThat(Provider.TURNSTILE.siteverifyUrl()).isEqualTo("https://challenges.cloudflare.com/turnstile/v0/siteverify");
    assertThat(Provider.RECAPTCHA.siteverifyUrl()).isEqualTo("https://www.google.com/recaptcha/api/siteverify");
    assertThat(Provider.HCAPTCHA.siteverifyUrl()).isEqualTo("https://api.hcaptcha.com/siteverify");
    assertThat(checks(signalwire(Map.of("GATEWAY_GUEST_CAPTCHA_PROVIDER", "turnstile", "GATEWAY_GUEST_CAPTCHA_SECRET", "s",
        "GATEWAY_GUEST_CAPTCHA_HOSTNAMES", "A.example.com", "GATEWAY_HTTP_CORS_ORIGINS", "https://b.example.com")))
        .captcha().hostnames()).containsExactly("a.example.com");
  }

  @Test
  void badCaptchaSettingsStopTheStart() {
    assertOneLineError(Map.of("GATEWAY_GUEST_CAPTCHA_PROVIDER", "friendly"), "guest.captcha.provider", "friendly");
    assertOneLineError(signalwire(Map.of("GATEWAY_GUEST_CAPTCHA_PROVIDER", "turnstile")),
        "guest.captcha.secret", "GATEWAY_GUEST_CAPTCHA_SECRET");
    assertOneLineError(Map.of("GATEWAY_GUEST_CAPTCHA_PROVIDER", "turnstile", "GATEWAY_GUEST_CAPTCHA_VERIFY_URL",
        "https://siteverify.example.com/x"), "guest.captcha.secret");
    assertOneLineError(Map.of("GATEWAY_GUEST_CAPTCHA_VERIFY_URL", "ftp://x"), "guest.captcha.verifyUrl");
    assertOneLineError(Map.of("GATEWAY_GUEST_CAPTCHA_MIN_SCORE", "1.5"), "guest.captcha.minScore");
    assertThat(checks(Map.of("GATEWAY_GUEST_CAPTCHA_PROVIDER", "turnstile")).captcha().enabled())
        .as("simulator mode: the stand-in needs no secret").isTrue();
  }

  @Test
  void jwtNeedsIssuerAudienceAndOneKindOfKey() {
    assertOneLineError(Map.of("GATEWAY_GUEST_JWT_JWKS_URL", "https://auth.example.com/jwks.json"),
        "guest.jwt.issuer", "guest.jwt.audience");
    assertOneLineError(Map.of("GATEWAY_GUEST_JWT_SECRET", "x".repeat(40), "GATEWAY_GUEST_JWT_ISSUER", "i"),
        "guest.jwt.audience");
    assertOneLineError(Map.of("GATEWAY_GUEST_JWT_SECRET", "x".repeat(40), "GATEWAY_GUEST_JWT_JWKS_URL",
        "https://auth.example.com/jwks.json", "GATEWAY_GUEST_JWT_ISSUER", "i", "GATEWAY_GUEST_JWT_AUDIENCE", "a"),
        "exclusive");
    assertOneLineError(Map.of("GATEWAY_GUEST_JWT_SECRET", "too-short-secret", "GATEWAY_GUEST_JWT_ISSUER", "i",
        "GATEWAY_GUEST_JWT_AUDIENCE", "a"), "at least 32 bytes");
    assertThatThrownBy(() -> checks(Map.of("GATEWAY_GUEST_JWT_SECRET", "too-short-secret", "GATEWAY_GUEST_JWT_ISSUER",
        "i", "GATEWAY_GUEST_JWT_AUDIENCE", "a"))).hasMessageNotContaining("too-short-secret");
    assertOneLineError(Map.of("GATEWAY_GUEST_JWT_JWKS_URL", "not a url", "GATEWAY_GUEST_JWT_ISSUER", "i",
        "GATEWAY_GUEST_JWT_AUDIENCE", "a"), "guest.jwt.jwksUrl");
    assertOneLineError(Map.of("GATEWAY_GUEST_JWT_ADDRESSES_CLAIM", "addr"), "guest.jwt.addressesClaim");
    GuestOptions ok = checks(Map.of("GATEWAY_GUEST_JWT_JWKS_URL", "https://auth.example.com/jwks.json",
        "GATEWAY_GUEST_JWT_ISSUER", "https://auth.example.com/", "GATEWAY_GUEST_JWT_AUDIENCE", "tokens"));
    assertThat(ok.jwt().enabled()).isTrue();
  }

  @Test
  void quotaIsBounded() {
    assertThat(checks(Map.of("GATEWAY_GUEST_QUOTA_PER_CLIENT_PER_HOUR", "5")).quota().enabled()).isTrue();
    assertOneLineError(Map.of("GATEWAY_GUEST_QUOTA_PER_CLIENT_PER_HOUR", "-1"), "guest.quota.perClientPerHour");
    assertOneLineError(Map.of("GATEWAY_GUEST_QUOTA_MAX_CALLERS", "0"), "guest.quota.maxCallers");
  }
}
