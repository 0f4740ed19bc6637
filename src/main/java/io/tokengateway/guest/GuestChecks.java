package io.tokengateway.guest;

import io.tokengateway.core.GatewayFailure;
import io.tokengateway.core.Time;
import io.tokengateway.cluster.RedisLink;
import io.tokengateway.config.GatewayConfig;
import io.tokengateway.config.GuestOptions;
import io.tokengateway.config.GuestOptions.CaptchaOptions;
import io.tokengateway.metrics.GatewayMetrics;
import io.tokengateway.upstream.BoundedHttp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may mint a guest token, decided after the body is validated and before any upstream permit is taken: the
 * site's JWT ({@code Authorization: Bearer}, 401; its {@code addressesClaim} bounds the addresses, 403), the
 * caller's quota (429), then a solved CAPTCHA ({@code X-Captcha-Token}, 403; 502 when the provider refuses the
 * gateway's secret; 503 while it fails). Each check is optional; they run local first, so a caller without a
 * valid JWT or over its quota costs no CAPTCHA verification. A mint taken from the quota is given back when the
 * CAPTCHA fails, and after the upstream call as {@link GuestGrant#settle} says. Every failure is a
 * {@link GatewayFailure}; SignalWire is never called for a request that fails a check.
 */
public final class GuestChecks {

  private static final Logger LOG = LoggerFactory.getLogger(GuestChecks.class);
  static final GatewayFailure ADDRESS_NOT_ALLOWED = GatewayFailure.invalid(403);

  private final JwtVerifier jwt;
  private final JwksKeys jwks;
  private final GuestQuota quota;
  private final CaptchaVerifier captcha;
  private final GatewayMetrics metrics;
  private final Set<String> requestHeaders;

  private GuestChecks(JwtVerifier jwt, JwksKeys jwks, GuestQuota quota, CaptchaVerifier captcha,
      GatewayMetrics metrics, Set<String> requestHeaders) {
    this.jwt = jwt;
    this.jwks = jwks;
    this.quota = quota;
    this.captcha = captcha;
    this.metrics = metrics;
    this.requestHeaders = requestHeaders;
  }

  /**
   * The checks {@code config} turns on.
   *
   * @param standIn the embedded simulator's siteverify stand-in (it serves CAPTCHAs when
   *     {@code guest.captcha.verifyUrl} is empty), or null without a simulator
   * @param redis cluster mode's Redis (the quota is shared through it), or null in single-process mode
   */
  public static GuestChecks create(Vertx vertx, BoundedHttp http, GatewayConfig config, StandIn standIn,
      RedisLink redis, Time time, GatewayMetrics metrics) {
    GuestOptions o = config.guest();
    Set<String> headers = new LinkedHashSet<>();
    JwksKeys jwks = null;
    JwtVerifier jwt = null;
    if (o.jwt().enabled()) {
      var j = o.jwt();
      jwks = j.jwksUrl().isEmpty() ? null : new JwksKeys(vertx, http, j.jwksUrl(), j.jwksTimeoutMs(),
          j.jwksMinRefetchSeconds(), j.jwksRefreshSeconds(), time.ticker());
      jwt = new JwtVerifier(j, jwks, time.clock(), metrics);
      headers.add("authorization");
    }
    GuestQuota quota = null;
    if (o.quota().enabled()) {
      LocalQuota local = new LocalQuota(o.quota().perClientPerHour(), o.quota().maxCallers(), time.ticker());
      quota = redis == null ? local
          : new SharedQuota(redis, config.redis().keyPrefix(), o.quota().perClientPerHour(), local);
    }
    CaptchaVerifier captcha = null;
    if (o.captcha().enabled()) {
      captcha = captcha(http, o.captcha(), standIn, time, metrics);
      headers.add(CaptchaVerifier.HEADER.toLowerCase(Locale.ROOT));
    }
    return new GuestChecks(jwt, jwks, quota, captcha, metrics, Set.copyOf(headers));
  }

  private static CaptchaVerifier captcha(BoundedHttp http, CaptchaOptions c, StandIn standIn, Time time,
      GatewayMetrics metrics) {
    boolean useStandIn = c.verifyUrl().isEmpty() && standIn != null;
    String url = !c.verifyUrl().isEmpty() ? c.verifyUrl()
        : useStandIn ? standIn.baseUrl() + c.provider().siteverifyPath() : c.provider().siteverifyUrl();
    String secret = c.secret().isEmpty() && useStandIn ? standIn.secret() : c.secret().reveal();
    if (c.hostnames().isEmpty()) {
      LOG.warn("guest.captcha.hostnames is empty and http.cors.origins names no host: the hostname a CAPTCHA was "
          + "solved on is not checked");
    }
    if (useStandIn) {
      LOG.warn("CAPTCHAs are verified by the simulator's stand-in at {} (response token test-pass): "
          + "set guest.captcha.secret and leave guest.captcha.verifyUrl empty outside simulator mode",
          standIn.baseUrl());
    }
    return new CaptchaVerifier(http, c, url, secret, time.ticker(), metrics);
  }

  /**
   * A siteverify service standing in for the CAPTCHA providers' (the embedded simulator's), wired in by the
   * process: its base URL (the providers' paths are appended) and the secret it accepts.
   */
  public record StandIn(String baseUrl, String secret) {
  }

  /**
   * A pooled client for a check's own service (a CAPTCHA provider, a JWKS endpoint): at most {@code poolSize}
   * connections kept alive 30 s, at most {@code maxWaitQueue} calls waiting for one, the host's certificate checked.
   */
  static HttpClientAgent serviceClient(BoundedHttp http, int poolSize, int maxWaitQueue) {
    return http.client(new HttpClientOptions().setKeepAlive(true).setKeepAliveTimeout(30).setVerifyHost(true),
        new PoolOptions().setHttp1MaxSize(poolSize).setMaxWaitQueueSize(maxWaitQueue));
  }

  /** The first fetch of the site's JWKS, when it has one; completes once it answered or failed (never fails). */
  public Future<Void> start() {
    Future<?> first = jwks == null ? null : jwks.refetch();
    return first == null ? Future.succeededFuture() : first.<Void>mapEmpty().otherwiseEmpty();
  }

  public Future<Void> close() {
    return Future.join(jwks == null ? Future.succeededFuture() : jwks.close(),
        captcha == null ? Future.succeededFuture() : captcha.close()).mapEmpty();
  }

  /** Request headers a page must be allowed to send cross-origin (lowercase): authorization, x-captcha-token. */
  public Set<String> requestHeaders() {
    return requestHeaders;
  }

  /**
   * Runs the configured checks for a validated guest request asking for {@code allowedAddresses}; fails with the
   * {@link GatewayFailure} to answer. {@code clientAddress} is the client's limiter key
   * ({@code http.ClientAddress.of}): what the quota counts, and the CAPTCHA's {@code remoteip} when it is an IP
   * literal.
   */
  public Future<GuestGrant> check(HttpServerRequest request, String clientAddress, List<String> allowedAddresses) {
    if (jwt == null && quota == null && captcha == null) {
      return Future.succeededFuture(GuestGrant.UNCOUNTED);
    }
    Future<JwtVerifier.Caller> caller = jwt == null ? Future.succeededFuture() : jwt.verify(request);
    return caller.compose(who -> {
      if (who != null && who.addresses() != null && !permitted(who.addresses(), allowedAddresses)) {
        return Future.failedFuture(ADDRESS_NOT_ALLOWED);
      }
      return reserve(who, clientAddress);
    }).compose(mint -> captcha == null ? Future.succeededFuture(new GuestGrant(mint))
        : captcha.verify(request, clientAddress).transform(ar -> {
          if (ar.failed()) {
            mint.release();
            return Future.failedFuture(ar.cause());
          }
          return Future.succeededFuture(new GuestGrant(mint));
        }));
  }

  private static boolean permitted(Set<String> bound, List<String> asked) {
    return asked.stream().allMatch(a -> bound.contains(a.toLowerCase(Locale.ROOT)));
  }

  private Future<GuestQuota.Reservation> reserve(JwtVerifier.Caller who, String clientAddress) {
    if (quota == null) {
      return Future.succeededFuture(GuestQuota.Reservation.NONE);
    }
    String key = who != null ? QuotaKeys.ofSubject(who.subject()) : QuotaKeys.ofClient(clientAddress);
    return quota.reserve(key).andThen(ar -> metrics.guestCheck("quota", ar.succeeded() ? "pass" : "fail"));
  }
}
