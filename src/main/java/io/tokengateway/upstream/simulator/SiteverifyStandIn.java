package io.tokengateway.upstream.simulator;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * A stand-in for the three CAPTCHA providers' siteverify endpoints, on the simulator's port and at their own
 * paths ({@code /turnstile/v0/siteverify}, {@code /recaptcha/api/siteverify}, {@code /siteverify} for hCaptcha),
 * answering in each provider's JSON shape. It accepts the secret {@link #DEV_SECRET} and the response tokens
 * {@code test-pass} and {@code test-pass-<anything>}, each once ({@code timeout-or-duplicate} after that;
 * {@code already-seen-response} for hCaptcha; Turnstile repeats the first answer to a retry with the same
 * {@code idempotency_key}); anything else is {@code invalid-input-response}. Solved CAPTCHAs report the hostname
 * {@code localhost} and no action. One instance is shared by the simulator's verticles.
 */
public final class SiteverifyStandIn {

  /** The stand-in's secret (a development value, like the providers' published test secrets). */
  public static final String DEV_SECRET = "sim-captcha-secret";
  public static final String HOSTNAME = "localhost";

  private enum Shape { TURNSTILE, RECAPTCHA, HCAPTCHA }

  private static final Map<String, Shape> PATHS = Map.of(
      "/turnstile/v0/siteverify", Shape.TURNSTILE,
      "/recaptcha/api/siteverify", Shape.RECAPTCHA,
      "/siteverify", Shape.HCAPTCHA);

  /** Response tokens already verified (as real ones, they live 5 minutes), with the idempotency key used. */
  private final Cache<String, String> used = Caffeine.newBuilder().maximumSize(100_000)
      .expireAfterWrite(Duration.ofMinutes(5)).build();
  private final LongAdder calls = new LongAdder();

  /** Adds the three siteverify routes to the simulator's router. */
  void mount(Router router) {
    BodyHandler body = BodyHandler.create(false).setBodyLimit(16 * 1024);
    PATHS.forEach((path, shape) -> router.post(path).handler(body).handler(ctx -> verify(ctx, shape)));
  }

  /** Siteverify calls received. */
  public long calls() {
    return calls.sum();
  }

  private void verify(RoutingContext ctx, Shape shape) {
    calls.increment();
    Map<String, List<String>> form = new QueryStringDecoder(ctx.body().asString(StandardCharsets.UTF_8.name()), false)
        .parameters();
    String secret = first(form, "secret");
    String token = first(form, "response");
    String key = first(form, "idempotency_key");
    String failure = secret == null ? "missing-input-secret"
        : !DEV_SECRET.equals(secret) ? "invalid-input-secret"
        : token == null ? "missing-input-response"
        : !(token.equals("test-pass") || token.startsWith("test-pass-")) ? "invalid-input-response"
        : reused(token, shape == Shape.TURNSTILE ? key : null) ? duplicate(shape)
        : null;
    ctx.response().putHeader("Content-Type", "application/json")
        .end((failure == null ? solved(shape) : failed(shape, failure)).toBuffer());
  }

  /** Whether {@code token} was verified before (a Turnstile retry with the first call's key is not a reuse). */
  private boolean reused(String token, String idempotencyKey) {
    String mark = idempotencyKey == null ? "" : idempotencyKey;
    String first = used.asMap().putIfAbsent(token, mark);
    return first != null && (idempotencyKey == null || !first.equals(mark));
  }

  private static String duplicate(Shape shape) {
    return shape == Shape.HCAPTCHA ? "already-seen-response" : "timeout-or-duplicate";
  }

  private static JsonObject solved(Shape shape) {
    String at = Instant.now().toString();
    return switch (shape) {
      case TURNSTILE -> new JsonObject().put("success", true).put("error-codes", new JsonArray())
          .put("challenge_ts", at).put("hostname", HOSTNAME).put("action", "").put("cdata", "");
      case RECAPTCHA -> new JsonObject().put("success", true).put("score", 0.9).put("action", "")
          .put("hostname", HOSTNAME).put("challenge_ts", at).put("error-codes", new JsonArray());
      case HCAPTCHA -> new JsonObject().put("success", true).put("hostname", HOSTNAME).put("challenge_ts", at)
          .put("credit", false).put("error-codes", new JsonArray()).put("score", 0.1);
    };
  }

  private static JsonObject failed(Shape shape, String code) {
    JsonObject answer = new JsonObject().put("success", false).put("error-codes", new JsonArray().add(code));
    return shape == Shape.TURNSTILE ? answer.put("messages", new JsonArray()) : answer;
  }

  private static String first(Map<String, List<String>> form, String name) {
    List<String> values = form.get(name);
    return values == null || values.isEmpty() || values.get(0).isEmpty() ? null : values.get(0);
  }
}
