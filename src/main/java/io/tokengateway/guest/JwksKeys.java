package io.tokengateway.guest;

import com.github.benmanes.caffeine.cache.Ticker;
import com.nimbusds.jose.jwk.JWKSet;
import io.tokengateway.upstream.BoundedHttp;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The site's signing keys, fetched from {@code guest.jwt.jwksUrl} without blocking and kept until a newer fetch
 * succeeds: an unreachable JWKS endpoint never takes away keys already held. A fetch happens at start, when a
 * token names a key that is not held, and in the background once the keys are {@code jwksRefreshSeconds} old;
 * never more often than once per {@code jwksMinRefetchSeconds} (on the injected ticker), so tokens with made-up
 * key ids cannot turn the gateway into a flood against the site. Concurrent callers share one fetch, and each
 * gets its result on its own context. Keys are parsed by Nimbus JOSE+JWT.
 */
final class JwksKeys {

  private static final Logger LOG = LoggerFactory.getLogger(JwksKeys.class);
  private static final int MAX_JWKS_BYTES = 64 * 1024;

  private final Vertx vertx;
  private final BoundedHttp http;
  private final HttpClientAgent client;
  private final String url;
  private final String shownUrl;
  private final Ticker ticker;
  private final long minRefetchNanos;
  private final long refreshNanos;
  private final int timeoutMs;
  private volatile JWKSet keys;
  private volatile long fetchedAt;
  private volatile boolean lastFetchFailed;
  private final AtomicLong lastAttempt = new AtomicLong();
  private volatile boolean attempted;
  private final AtomicReference<Future<JWKSet>> inFlight = new AtomicReference<>();

  JwksKeys(Vertx vertx, BoundedHttp http, String url, int timeoutMs, int minRefetchSeconds, int refreshSeconds,
      Ticker ticker) {
    this.vertx = vertx;
    this.http = http;
    this.url = url;
    URI uri = URI.create(url);
    this.shownUrl = uri.getScheme() + "://" + uri.getAuthority() + uri.getPath(); // never a query string
    this.timeoutMs = timeoutMs;
    this.ticker = ticker;
    this.minRefetchNanos = TimeUnit.SECONDS.toNanos(minRefetchSeconds);
    this.refreshNanos = TimeUnit.SECONDS.toNanos(refreshSeconds);
    this.client = GuestChecks.serviceClient(http, 2, 64);
  }

  /** The keys held, or null when no fetch has succeeded yet. */
  JWKSet current() {
    return keys;
  }

  /** Whether the latest fetch failed (the keys held, if any, may be out of date). */
  boolean lastFetchFailed() {
    return lastFetchFailed;
  }

  /** Whole seconds until a fetch is allowed again, at least 1 (for {@code Retry-After}). */
  int retryAfterSeconds() {
    long left = minRefetchNanos - (ticker.read() - lastAttempt.get());
    return io.tokengateway.core.GatewayFailure.retryAfterSeconds(attempted ? left : 0);
  }

  /**
   * A fetch of the keys, completed on the caller's context: the one under way, else a new one; null when the
   * last one started less than {@code jwksMinRefetchSeconds} ago.
   */
  Future<JWKSet> refetch() {
    Future<JWKSet> running = inFlight.get();
    if (running == null) {
      long now = ticker.read();
      long last = lastAttempt.get();
      if (attempted && now - last < minRefetchNanos || !lastAttempt.compareAndSet(last, now)) {
        running = inFlight.get();
        return running == null ? null : onCallerContext(running);
      }
      attempted = true;
      Promise<JWKSet> fetch = Promise.promise();
      inFlight.set(fetch.future());
      running = fetch.future();
      fetch().onComplete(ar -> {
        inFlight.set(null);
        fetch.handle(ar);
      });
    }
    return onCallerContext(running);
  }

  /** Starts a background fetch when the keys held are older than {@code jwksRefreshSeconds}. */
  void refreshIfStale() {
    if (keys != null && ticker.read() - fetchedAt > refreshNanos) {
      refetch();
    }
  }

  private Future<JWKSet> fetch() {
    RequestOptions get = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url)
        .putHeader(HttpHeaders.ACCEPT, "application/json").putHeader(HttpHeaders.USER_AGENT, "token-gateway");
    return http.send(client, "jwks", get, null, timeoutMs, MAX_JWKS_BYTES).compose(reply -> {
      if (reply.statusCode() != 200) {
        return Future.failedFuture("status " + reply.statusCode());
      }
      try {
        return Future.succeededFuture(JWKSet.parse(reply.body().toString(StandardCharsets.UTF_8)).toPublicJWKSet());
      } catch (java.text.ParseException | RuntimeException e) {
        return Future.failedFuture("not a JWK set");
      }
    }).andThen(ar -> {
      if (ar.succeeded()) {
        keys = ar.result();
        fetchedAt = ticker.read();
        if (lastFetchFailed) {
          LOG.info("JWKS {} answers again: {} keys", shownUrl, keys.size());
        }
        lastFetchFailed = false;
      } else {
        if (!lastFetchFailed) {
          LOG.warn("JWKS {} unavailable ({}): {}", shownUrl, ar.cause().getMessage(), keys == null
              ? "guest requests with a JWT answer 503 until it answers" : "keeping the " + keys.size() + " keys held");
        }
        lastFetchFailed = true;
      }
    });
  }

  private Future<JWKSet> onCallerContext(Future<JWKSet> shared) {
    Context caller = vertx.getOrCreateContext();
    Promise<JWKSet> mine = Promise.promise();
    shared.onComplete(ar -> caller.runOnContext(v -> mine.handle(ar)));
    return mine.future();
  }

  Future<Void> close() {
    return client.close();
  }
}
