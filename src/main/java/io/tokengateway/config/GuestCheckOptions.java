package io.tokengateway.config;

import io.tokengateway.config.ResilienceOptions.CorsOptions;
import io.tokengateway.config.UpstreamOptions.Mode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Who may mint a guest token: a solved CAPTCHA, the site's own sign-in (a JWT), a quota per caller. Each is
 * off by default; bad combinations stop the start with one line naming the settings.
 */
public record GuestCheckOptions(CaptchaOptions captcha, JwtOptions jwt, QuotaOptions quota) {

  /** Which CAPTCHA service answers, and where its siteverify endpoint is by default. */
  public enum Provider {
    NONE(""),
    TURNSTILE("https://challenges.cloudflare.com/turnstile/v0/siteverify"),
    RECAPTCHA("https://www.google.com/recaptcha/api/siteverify"),
    HCAPTCHA("https://api.hcaptcha.com/siteverify");

    private final String siteverifyUrl;

    Provider(String siteverifyUrl) {
      this.siteverifyUrl = siteverifyUrl;
    }

    public String siteverifyUrl() {
      return siteverifyUrl;
    }

    /** The path of the provider's siteverify endpoint (the simulator's stand-in serves the same paths). */
    public String siteverifyPath() {
      return siteverifyUrl.isEmpty() ? "" : URI.create(siteverifyUrl).getPath();
    }
  }

  /**
   * CAPTCHA verification. {@code verifyUrl} empty = the provider's own (or the simulator's stand-in, which the
   * wiring decides); {@code hostnames} empty = unchecked.
   */
  public record CaptchaOptions(Provider provider, Secret secret, String verifyUrl, Set<String> hostnames,
      String action, double minScore, int timeoutMs, boolean failOpen, int poolSize, int maxWaitQueue) {

    public boolean enabled() {
      return provider != Provider.NONE;
    }
  }

  /** The site's JWT: keys from a JWKS URL or one HS256 secret, and the claims a token must carry. */
  public record JwtOptions(String jwksUrl, Secret secret, String issuer, String audience, int clockSkewSeconds,
      String addressesClaim, int jwksRefreshSeconds, int jwksMinRefetchSeconds, int jwksTimeoutMs) {

    public boolean enabled() {
      return !jwksUrl.isEmpty() || !secret.isEmpty();
    }
  }

  /** Mints per caller per rolling hour; 0 = off. */
  public record QuotaOptions(int perClientPerHour, int maxCallers) {

    public boolean enabled() {
      return perClientPerHour > 0;
    }
  }

  static GuestCheckOptions from(Settings s, CorsOptions cors, Mode upstreamMode) {
    return new GuestCheckOptions(captcha(s, cors, upstreamMode), jwt(s),
        new QuotaOptions(s.intValue("guest.quota.perClientPerHour", 0, 1_000),
            s.intValue("guest.quota.maxCallers", 1, 10_000_000)));
  }

  private static CaptchaOptions captcha(Settings s, CorsOptions cors, Mode upstreamMode) {
    String name = s.string("guest.captcha.provider").toUpperCase(Locale.ROOT);
    Provider provider;
    try {
      provider = Provider.valueOf(name.isEmpty() ? "NONE" : name);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("guest.captcha.provider (GATEWAY_GUEST_CAPTCHA_PROVIDER) must be none, turnstile, "
          + "recaptcha or hcaptcha, got '" + s.string("guest.captcha.provider") + "'");
    }
    Secret secret = new Secret(s.string("guest.captcha.secret"));
    String verifyUrl = s.string("guest.captcha.verifyUrl");
    if (!verifyUrl.isEmpty()) {
      httpUrl("guest.captcha.verifyUrl", verifyUrl);
    }
    boolean standIn = upstreamMode == Mode.SIMULATOR && verifyUrl.isEmpty();
    if (provider != Provider.NONE && secret.isEmpty() && !standIn) {
      throw new ConfigException("guest.captcha.secret (GATEWAY_GUEST_CAPTCHA_SECRET) is required when "
          + "guest.captcha.provider is " + provider.name().toLowerCase(Locale.ROOT));
    }
    return new CaptchaOptions(provider, secret, verifyUrl, hostnames(s, cors), s.string("guest.captcha.action"),
        s.doubleValue("guest.captcha.minScore", 0, 1), s.intValue("guest.captcha.timeoutMs", 1, 60_000),
        s.bool("guest.captcha.failOpen"), s.intValue("guest.captcha.poolSize", 1, 1_000),
        s.intValue("guest.captcha.maxWaitQueue", 0, 1_000_000));
  }

  private static Set<String> hostnames(Settings s, CorsOptions cors) {
    List<String> named = s.list("guest.captcha.hostnames");
    Set<String> out = new LinkedHashSet<>();
    if (!named.isEmpty()) {
      named.forEach(h -> out.add(h.toLowerCase(Locale.ROOT)));
    } else {
      for (String origin : cors.origins()) {
        if (!origin.equals("*")) {
          out.add(URI.create(origin).getHost().toLowerCase(Locale.ROOT));
        }
      }
    }
    return Set.copyOf(out);
  }

  private static JwtOptions jwt(Settings s) {
    JwtOptions o = new JwtOptions(s.string("guest.jwt.jwksUrl"), new Secret(s.string("guest.jwt.secret")),
        s.string("guest.jwt.issuer"), s.string("guest.jwt.audience"),
        s.intValue("guest.jwt.clockSkewSeconds", 0, 3_600), s.string("guest.jwt.addressesClaim"),
        s.intValue("guest.jwt.jwksRefreshSeconds", 1, 86_400), s.intValue("guest.jwt.jwksMinRefetchSeconds", 1, 3_600),
        s.intValue("guest.jwt.jwksTimeoutMs", 1, 60_000));
    if (!o.jwksUrl().isEmpty() && !o.secret().isEmpty()) {
      throw new ConfigException("guest.jwt.jwksUrl and guest.jwt.secret are exclusive: set one of them");
    }
    if (!o.enabled()) {
      if (!o.addressesClaim().isEmpty()) {
        throw new ConfigException("guest.jwt.addressesClaim needs guest.jwt.jwksUrl or guest.jwt.secret");
      }
      return o;
    }
    if (o.issuer().isEmpty() || o.audience().isEmpty()) {
      throw new ConfigException("guest.jwt.issuer (GATEWAY_GUEST_JWT_ISSUER) and guest.jwt.audience "
          + "(GATEWAY_GUEST_JWT_AUDIENCE) are required when guest.jwt.jwksUrl or guest.jwt.secret is set");
    }
    if (!o.jwksUrl().isEmpty()) {
      httpUrl("guest.jwt.jwksUrl", o.jwksUrl());
    } else if (o.secret().reveal().getBytes(StandardCharsets.UTF_8).length < 32) {
      throw new ConfigException("guest.jwt.secret (GATEWAY_GUEST_JWT_SECRET) must be at least 32 bytes for HS256");
    }
    return o;
  }

  private static void httpUrl(String key, String url) {
    try {
      URI uri = URI.create(url);
      if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
        throw new IllegalArgumentException();
      }
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key + " (" + ConfigLoader.envName(key) + ") must be an http(s) URL, got '" + url + "'");
    }
  }
}
