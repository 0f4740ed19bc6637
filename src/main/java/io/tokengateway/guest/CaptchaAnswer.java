package io.tokengateway.guest;

import io.tokengateway.config.GuestOptions.CaptchaOptions;
import io.tokengateway.config.GuestOptions.Provider;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What a siteverify answer means for the request, for the three providers' shapes (Turnstile: success,
 * error-codes, hostname, action, cdata; reCAPTCHA: success, score, action, hostname, error-codes; hCaptcha:
 * success, hostname, credit, error-codes, and with Enterprise a risk score).
 */
enum CaptchaAnswer {
  /** A solved, fresh CAPTCHA for the expected hostname, action and score. */
  PASS,
  /** Not solved, reused, expired, or solved for another hostname or action, or a bot-like score: 403. */
  FAIL,
  /** The provider refused the gateway's own secret or site key: 502, the operator must act. */
  MISCONFIGURED,
  /** No verdict: the provider failed or answered something else than its documented JSON. */
  UNAVAILABLE;

  /** Error codes that mean the gateway's secret (or its pairing with the site key) is wrong. */
  private static final Set<String> SECRET_ERRORS =
      Set.of("missing-input-secret", "invalid-input-secret", "sitekey-secret-mismatch");

  /** The verdict on {@code answer} (a 200 answer's JSON body) under {@code rules}. */
  static CaptchaAnswer judge(CaptchaOptions rules, JsonObject answer) {
    Object success = answer.getValue("success");
    if (!(success instanceof Boolean solved)) {
      return UNAVAILABLE;
    }
    if (!solved) {
      List<String> codes = errorCodes(answer);
      if (codes.stream().anyMatch(SECRET_ERRORS::contains)) {
        return MISCONFIGURED;
      }
      return codes.contains("internal-error") ? UNAVAILABLE : FAIL; // Turnstile's own failure: retry later
    }
    if (!rules.hostnames().isEmpty()) {
      Object hostname = answer.getValue("hostname");
      if (!(hostname instanceof String h) || !rules.hostnames().contains(h.toLowerCase(Locale.ROOT))) {
        return FAIL;
      }
    }
    if (!rules.action().isEmpty() && !rules.action().equals(answer.getValue("action"))) {
      return FAIL;
    }
    return scoreAccepted(rules, answer.getValue("score")) ? PASS : FAIL;
  }

  /**
   * reCAPTCHA v3 scores run from 0.0 (a bot) to 1.0 (a person); hCaptcha Enterprise's are risk scores, from 0.0
   * (safe) to 1.0 (a bot). An answer without a score (Turnstile, reCAPTCHA v2, hCaptcha without Enterprise)
   * has nothing to judge.
   */
  private static boolean scoreAccepted(CaptchaOptions rules, Object score) {
    if (!(score instanceof Number n)) {
      return true;
    }
    double value = n.doubleValue();
    return rules.provider() == Provider.HCAPTCHA ? value <= 1.0 - rules.minScore() : value >= rules.minScore();
  }

  /** The answer's {@code error-codes}: short lowercase words only (safe to log), anything else dropped. */
  static List<String> errorCodes(JsonObject answer) {
    Object codes = answer.getValue("error-codes");
    if (!(codes instanceof JsonArray list)) {
      return List.of();
    }
    return list.stream().filter(c -> c instanceof String s && s.matches("[a-z0-9-]{1,64}"))
        .map(String.class::cast).limit(10).toList();
  }
}
