package io.tokengateway.resilience;

import com.github.benmanes.caffeine.cache.Ticker;
import io.tokengateway.core.GatewayFailure;
import io.tokengateway.core.GatewayFailure.Outcome;
import io.tokengateway.config.GatewayConfig;
import io.tokengateway.metrics.GatewayMetrics;
import io.tokengateway.upstream.Endpoint;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import io.tokengateway.upstream.UpstreamReplies;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything an upstream call passes on its way to SignalWire, in order: the pause after SignalWire's 429
 * (per endpoint), the bulkhead ({@code maxInFlight}), the circuit breaker (per endpoint, {@link UpstreamBreaker}),
 * then the rate limiter ({@link UpstreamPermits}: per process or shared by the cluster, which also shares the
 * pause). Only 5xx, timeouts, connection errors and malformed or oversized answers count as breaker failures; the
 * gateway's own refusals never reach the breaker. Every rule but the breaker's reset and window runs on the
 * injected ticker.
 */
public final class UpstreamGuard {

  private static final Logger LOG = LoggerFactory.getLogger(UpstreamGuard.class);
  private static final Set<Outcome> BREAKER_FAILURES =
      Set.of(Outcome.SERVER_ERROR, Outcome.TIMEOUT, Outcome.CONNECTION_ERROR);
  private static final GatewayFailure BULKHEAD_FULL =
      GatewayFailure.retryLater(503, 1, Outcome.RATE_LIMITED, "too many upstream calls in flight");

  private final Ticker ticker;
  private final GatewayMetrics metrics;
  private final UpstreamPermits permits;
  private final int maxInFlight;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Map<Endpoint, Guarded> endpoints = new EnumMap<>(Endpoint.class);

  public UpstreamGuard(Vertx vertx, GatewayConfig options, UpstreamPermits permits, Ticker ticker,
      GatewayMetrics metrics) {
    this.ticker = ticker;
    this.metrics = metrics;
    this.permits = permits;
    this.maxInFlight = options.upstream().maxInFlight();
    for (Endpoint e : Endpoint.values()) {
      endpoints.put(e, new Guarded(vertx, e, options));
    }
  }

  /** Runs {@code call} for {@code endpoint} if every guard lets it through. */
  public <T> Future<T> call(Endpoint endpoint, Supplier<Future<T>> call) {
    Guarded g = endpoints.get(endpoint);
    long pausedFor = g.pausedFor(ticker.read());
    if (pausedFor > 0) {
      return rejected(endpoint, GatewayFailure.retryLater(429, GatewayFailure.retryAfterSeconds(pausedFor),
          Outcome.RATE_LIMITED, "paused after SignalWire's 429"));
    }
    if (inFlight.incrementAndGet() > maxInFlight) {
      inFlight.decrementAndGet();
      return rejected(endpoint, BULKHEAD_FULL);
    }
    long[] sentAt = {-1};
    return g.breaker.run(() -> permits.acquire(endpoint).onFailure(t -> metrics.rateLimited("upstream")), () -> {
      sentAt[0] = System.nanoTime();
      return started(call).recover(t -> Future.failedFuture(UpstreamReplies.fromException(t)));
    }).onComplete(ar -> {
      inFlight.decrementAndGet();
      String outcome = ar.succeeded() ? "success"
          : ar.cause() instanceof GatewayFailure f ? f.outcome().label() : Outcome.SERVER_ERROR.label();
      metrics.upstream(endpoint.label(), outcome, sentAt[0] < 0 ? -1 : System.nanoTime() - sentAt[0]);
      // SignalWire's own 429 (shared with the other pods), or a pause another pod shared
      if (ar.failed() && ar.cause() instanceof GatewayFailure f && f.status() == 429) {
        boolean fromSignalWire = sentAt[0] >= 0;
        g.pause(f.retryAfterSeconds(), fromSignalWire);
        if (fromSignalWire) {
          permits.paused(endpoint, f.retryAfterSeconds());
        }
      }
    });
  }

  private <T> Future<T> rejected(Endpoint endpoint, GatewayFailure failure) {
    metrics.rateLimited("upstream");
    metrics.upstream(endpoint.label(), failure.outcome().label(), -1);
    return Future.failedFuture(failure);
  }

  /** The call's future; a call that throws instead of failing its future fails it. */
  private static <T> Future<T> started(Supplier<Future<T>> call) {
    try {
      return call.get();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /** The breaker's state for {@code endpoint}: 0 closed, 1 half-open, 2 open. */
  public int breakerState(Endpoint endpoint) {
    return endpoints.get(endpoint).breaker.state();
  }

  /** One endpoint's breaker and 429 pause. */
  private final class Guarded {
    final Endpoint endpoint;
    final UpstreamBreaker breaker;
    /** Ticker time until which calls are paused; meaningful only while {@code paused} is set. */
    final AtomicLong pausedUntil = new AtomicLong();
    volatile boolean paused;

    Guarded(Vertx vertx, Endpoint endpoint, GatewayConfig o) {
      this.endpoint = endpoint;
      var b = o.breaker();
      this.breaker = new UpstreamBreaker(vertx, endpoint.label(), b.maxFailures(), b.windowSeconds(), b.resetSeconds(),
          ticker,
          t -> !(t instanceof GatewayFailure gf && !BREAKER_FAILURES.contains(gf.outcome())));
    }

    long pausedFor(long now) {
      return paused ? pausedUntil.get() - now : 0;
    }

    void pause(int seconds, boolean fromSignalWire) {
      long until = ticker.read() + TimeUnit.SECONDS.toNanos(seconds);
      pausedUntil.accumulateAndGet(until, (a, b) -> paused && a - b > 0 ? a : b);
      paused = true;
      if (fromSignalWire) {
        LOG.warn("SignalWire answered 429 on {}: pausing its calls for {} s", endpoint.label(), seconds);
      } else {
        LOG.info("another pod paused SignalWire calls on {}: pausing here too for {} s", endpoint.label(), seconds);
      }
    }
  }
}
