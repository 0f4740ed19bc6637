package io.tokengateway.config;

import io.tokengateway.config.UpstreamOptions.Mode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Who may mint a guest token ({@code guest.captcha.*}, {@code guest.jwt.*}, {@code guest.quota.*}): a solved
 * CAPTCHA, the site's own sign-in (a JWT), a quota per caller. Each is off by default; bad combinations stop the
 * start with one line naming the settings.
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
   * wiring decides); {@code hostnames} empty = those of the CORS origins ({@link #within}), still empty = unchecked.
   */
  public record CaptchaOptions(Provider provider, Secret secret, String verifyUrl, Set<String> hostnames,
      String action, @Range(max = 1) double minScore, @Range(min = 1, max = 60_000) int timeoutMs, boolean failOpen,
      @Range(min = 1, max = 1_000) int poolSize, @Range(max = 1_000_000) int maxWaitQueue) {

    public CaptchaOptions {
      hostnames = hostnames.stream().map(h -> h.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
      if (!verifyUrl.isEmpty()) {
        ConfigException.requireHttpUrl("guest.captcha.verifyUrl", "GATEWAY_GUEST_CAPTCHA_VERIFY_URL", verifyUrl);
      }
    }

    public boolean enabled() {
      return provider != Provider.NONE;
    }

    /**
     * These options for a page on {@code cors}'s origins, in front of {@code upstream}: the hostnames default to
     * the origins' hosts; a provider needs its secret unless the simulator's stand-in answers.
     */
    CaptchaOptions within(CorsOptions cors, Mode upstream) {
      if (enabled() && secret.isEmpty() && !(upstream == Mode.SIMULATOR && verifyUrl.isEmpty())) {
        throw new ConfigException("guest.captcha.secret (GATEWAY_GUEST_CAPTCHA_SECRET) is required when "
            + "guest.captcha.provider is " + provider.name().toLowerCase(Locale.ROOT));
      }
      Set<String> hosts = !hostnames.isEmpty() ? hostnames : cors.origins().stream().filter(o -> !o.equals("*"))
          .map(o -> URI.create(o).getHost()).collect(Collectors.toSet());
      return new CaptchaOptions(provider, secret, verifyUrl, hosts, action, minScore, timeoutMs, failOpen, poolSize,
          maxWaitQueue);
    }
  }

  /** The site's JWT: keys from a JWKS URL or one HS256 secret, and the claims a token must carry. */
  public record JwtOptions(String jwksUrl, Secret secret, String issuer, String audience,
      @Range(max = 3_600) int clockSkewSeconds, String addressesClaim,
      @Range(min = 1, max = 86_400) int jwksRefreshSeconds, @Range(min = 1, max = 3_600) int jwksMinRefetchSeconds,
      @Range(min = 1, max = 60_000) int jwksTimeoutMs) {

    public JwtOptions {
      if (!jwksUrl.isEmpty() && !secret.isEmpty()) {
        throw new ConfigException("guest.jwt.jwksUrl and guest.jwt.secret are exclusive: set one of them");
      }
      if (jwksUrl.isEmpty() && secret.isEmpty() && !addressesClaim.isEmpty()) {
        throw new ConfigException("guest.jwt.addressesClaim needs guest.jwt.jwksUrl or guest.jwt.secret");
      }
      if ((!jwksUrl.isEmpty() || !secret.isEmpty()) && (issuer.isEmpty() || audience.isEmpty())) {
        throw new ConfigException("guest.jwt.issuer (GATEWAY_GUEST_JWT_ISSUER) and guest.jwt.audience "
            + "(GATEWAY_GUEST_JWT_AUDIENCE) are required when guest.jwt.jwksUrl or guest.jwt.secret is set");
      }
      if (!jwksUrl.isEmpty()) {
        ConfigException.requireHttpUrl("guest.jwt.jwksUrl", "GATEWAY_GUEST_JWT_JWKS_URL", jwksUrl);
      } else if (!secret.isEmpty() && secret.reveal().getBytes(StandardCharsets.UTF_8).length < 32) {
        throw new ConfigException("guest.jwt.secret (GATEWAY_GUEST_JWT_SECRET) must be at least 32 bytes for HS256");
      }
    }

    public boolean enabled() {
      return !jwksUrl.isEmpty() || !secret.isEmpty();
    }
  }

  /** Mints per caller per rolling hour; 0 = off. */
  public record QuotaOptions(@Range(max = 1_000) int perClientPerHour,
      @Range(min = 1, max = 10_000_000) int maxCallers) {

    public boolean enabled() {
      return perClientPerHour > 0;
    }
  }
}
