package io.tokengateway.guest;

import com.github.benmanes.caffeine.cache.Ticker;
import io.netty.util.NetUtil;
import io.tokengateway.core.GatewayFailure;
import io.tokengateway.core.GatewayFailure.Outcome;
import io.tokengateway.config.GuestCheckOptions.CaptchaOptions;
import io.tokengateway.config.GuestCheckOptions.Provider;
import io.tokengateway.metrics.GatewayMetrics;
import io.tokengateway.upstream.BoundedHttp;
import io.tokengateway.upstream.BoundedHttp.Fault;
import io.tokengateway.upstream.UpstreamReply;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the CAPTCHA a page solved: its response token ({@code X-Captcha-Token}) is POSTed, form-encoded with
 * the gateway's secret and the client's address, to the provider's siteverify endpoint, within
 * {@code guest.captcha.timeoutMs} in total. Verdicts are never cached (a response token is single-use).
 * Turnstile gets an {@code idempotency_key}, so the one retry after a lost connection or a 5xx is safe.
 */
final class CaptchaVerifier {

  static final String HEADER = "X-Captcha-Token";
  /**
   * Longer than any provider's response token (Turnstile's are at most 2,048 characters), shorter than the HTTP
   * server's header limit; longer tokens are refused without asking the provider.
   */
  static final int MAX_TOKEN_CHARS = 6_144;
  private static final int MAX_ANSWER_BYTES = 16 * 1024;
  private static final int RETRY_AFTER_SECONDS = 5;
  private static final long MISCONFIG_LOG_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);
  private static final Logger LOG = LoggerFactory.getLogger(CaptchaVerifier.class);

  static final GatewayFailure REFUSED = GatewayFailure.invalid(403);
  static final GatewayFailure MISCONFIGURED =
      GatewayFailure.upstream(502, Outcome.CHECK_UNAVAILABLE, "the CAPTCHA provider refused the gateway's secret");
  static final GatewayFailure UNAVAILABLE =
      GatewayFailure.retryLater(503, RETRY_AFTER_SECONDS, Outcome.CHECK_UNAVAILABLE, "the CAPTCHA provider failed");

  private final CaptchaOptions rules;
  private final String verifyUrl;
  private final String secret;
  private final BoundedHttp http;
  private final HttpClientAgent client;
  private final Ticker ticker;
  private final GatewayMetrics metrics;
  private final AtomicBoolean providerDown = new AtomicBoolean();
  private final AtomicLong misconfigLoggedAt = new AtomicLong(Long.MIN_VALUE);

  /**
   * @param verifyUrl where siteverify is (the provider's, the configured one, or the simulator's stand-in)
   * @param secret the secret sent to it (the configured one, or the stand-in's dev secret)
   */
  CaptchaVerifier(BoundedHttp http, CaptchaOptions rules, String verifyUrl, String secret, Ticker ticker,
      GatewayMetrics metrics) {
    this.rules = rules;
    this.verifyUrl = verifyUrl;
    this.secret = secret;
    this.ticker = ticker;
    this.metrics = metrics;
    this.http = http;
    this.client = GuestChecks.serviceClient(http, rules.poolSize(), rules.maxWaitQueue());
  }

  /** Succeeds when the request carries a solved CAPTCHA (or the provider fails and {@code failOpen} is set). */
  Future<Void> verify(HttpServerRequest request, String clientAddress) {
    String token = request.getHeader(HEADER);
    if (token == null || token.isBlank() || token.length() > MAX_TOKEN_CHARS) {
      metrics.guestCheck("captcha", "fail");
      return Future.failedFuture(REFUSED);
    }
    Buffer form = form(token.trim(), clientAddress);
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(rules.timeoutMs());
    return ask(form, deadline, rules.provider() == Provider.TURNSTILE)
        .recover(t -> Future.succeededFuture(fault(t) == Fault.POOL_FULL ? null : CaptchaAnswer.UNAVAILABLE))
        .compose(this::conclude);
  }

  /** The verdict on one call; null when the local pool's queue was full. */
  private Future<CaptchaAnswer> ask(Buffer form, long deadline, boolean mayRetry) {
    long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    if (leftMs <= 0) {
      return Future.succeededFuture(CaptchaAnswer.UNAVAILABLE);
    }
    RequestOptions post = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(verifyUrl)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/x-www-form-urlencoded")
        .putHeader(HttpHeaders.ACCEPT, "application/json")
        .putHeader(HttpHeaders.USER_AGENT, "token-gateway");
    return http.send(client, "captcha", post, form, leftMs, MAX_ANSWER_BYTES).transform(ar -> {
      boolean lost = ar.failed() && fault(ar.cause()) == Fault.LOST;
      if (mayRetry && (lost || ar.succeeded() && ar.result().statusCode() >= 500)) {
        return ask(form, deadline, false); // same idempotency_key: Turnstile answers the first verdict again
      }
      if (ar.failed()) {
        return Future.failedFuture(ar.cause());
      }
      return Future.succeededFuture(read(ar.result()));
    });
  }

  private static Fault fault(Throwable t) {
    return t instanceof BoundedHttp.Failed f ? f.fault() : null;
  }

  private CaptchaAnswer read(UpstreamReply reply) {
    JsonObject answer;
    try {
      answer = Json.decodeValue(reply.body()) instanceof JsonObject o ? o : null;
    } catch (RuntimeException e) {
      answer = null;
    }
    if (answer == null || reply.statusCode() >= 500 || reply.statusCode() == 429) {
      return CaptchaAnswer.UNAVAILABLE;
    }
    CaptchaAnswer verdict = CaptchaAnswer.judge(rules, answer);
    if (verdict == CaptchaAnswer.MISCONFIGURED) {
      logMisconfigured(answer);
    }
    return verdict;
  }

  private Future<Void> conclude(CaptchaAnswer verdict) {
    if (verdict == null) {
      metrics.guestCheck("captcha", "error");
      return Future.failedFuture(UNAVAILABLE); // local overload: never let a flood through, even with failOpen
    }
    if (verdict != CaptchaAnswer.UNAVAILABLE && providerDown.compareAndSet(true, false)) {
      LOG.info("CAPTCHA provider {} answers again", rules.provider().name().toLowerCase());
    }
    switch (verdict) {
      case PASS -> {
        metrics.guestCheck("captcha", "pass");
        return Future.succeededFuture();
      }
      case FAIL -> {
        metrics.guestCheck("captcha", "fail");
        return Future.failedFuture(REFUSED);
      }
      case MISCONFIGURED -> {
        metrics.guestCheck("captcha", "error");
        return Future.failedFuture(MISCONFIGURED);
      }
      default -> {
        metrics.guestCheck("captcha", "error");
        if (providerDown.compareAndSet(false, true)) {
          LOG.warn("CAPTCHA provider {} failed (timeout, 5xx or an unreadable answer): {}",
              rules.provider().name().toLowerCase(), rules.failOpen()
                  ? "letting guest requests through unverified (guest.captcha.failOpen) until it answers"
                  : "answering 503 until it answers");
        }
        return rules.failOpen() ? Future.succeededFuture() : Future.failedFuture(UNAVAILABLE);
      }
    }
  }

  private void logMisconfigured(JsonObject answer) {
    long now = ticker.read();
    long last = misconfigLoggedAt.get();
    if ((last == Long.MIN_VALUE || now - last >= MISCONFIG_LOG_EVERY_NANOS) && misconfigLoggedAt.compareAndSet(last, now)) {
      LOG.error("CAPTCHA provider {} refused the gateway's own secret (error codes {}): check guest.captcha.secret "
          + "(GATEWAY_GUEST_CAPTCHA_SECRET) and that it belongs to the page's site key",
          rules.provider().name().toLowerCase(), CaptchaAnswer.errorCodes(answer));
    }
  }

  private Buffer form(String token, String clientAddress) {
    StringBuilder form = new StringBuilder(token.length() + 160)
        .append("secret=").append(encode(secret))
        .append("&response=").append(encode(token));
    if (clientAddress != null && (NetUtil.isValidIpV4Address(clientAddress) || NetUtil.isValidIpV6Address(clientAddress))) {
      form.append("&remoteip=").append(encode(clientAddress));
    }
    if (rules.provider() == Provider.TURNSTILE) {
      form.append("&idempotency_key=").append(UUID.randomUUID());
    }
    return Buffer.buffer(form.toString());
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  Future<Void> close() {
    return client.close();
  }
}
