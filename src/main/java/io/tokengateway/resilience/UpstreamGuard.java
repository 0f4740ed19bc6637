package io.tokengateway.resilience;

import com.github.benmanes.caffeine.cache.Ticker;
import io.tokengateway.core.GatewayFailure;
import io.tokengateway.core.GatewayFailure.Outcome;
import io.tokengateway.config.ResilienceOptions;
import io.tokengateway.metrics.GatewayMetrics;
import io.tokengateway.upstream.Endpoint;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything an upstream call passes on its way to SignalWire, in order: the pause after SignalWire's 429
 * (per endpoint), the bulkhead ({@code maxInFlight}), the rate limiter ({@link UpstreamPermits}: per process or
 * shared by the cluster, which also shares the pause), then the circuit breaker (per endpoint). Only 5xx, timeouts, connection errors and malformed answers count as breaker failures.
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

  public UpstreamGuard(Vertx vertx, ResilienceOptions options, UpstreamPermits permits, Ticker ticker,
      GatewayMetrics metrics) {
    this.ticker = ticker;
    this.metrics = metrics;
    this.permits = permits;
    this.maxInFlight = options.upstreamMaxInFlight();
    for (Endpoint e : Endpoint.values()) {
      endpoints.put(e, new Guarded(vertx, e, options));
    }
  }

  /** Runs {@code call} for {@code endpoint} if every guard lets it through. */
  public <T> Future<T> call(Endpoint endpoint, Supplier<Future<T>> call) {
    Guarded g = endpoints.get(endpoint);
    long pausedFor = g.pausedFor(ticker.read());
    if (pausedFor > 0) {
      return rejected(endpoint, GatewayFailure.retryLater(429, GatewayFailure.retryAfterSeconds(pausedFor), Outcome.RATE_LIMITED,
          "paused after SignalWire's 429"), true);
    }
    if (g.breaker.state() == CircuitBreakerState.OPEN) {
      return rejected(endpoint, g.rejection(), false);
    }
    if (inFlight.incrementAndGet() > maxInFlight) {
      inFlight.decrementAndGet();
      return rejected(endpoint, BULKHEAD_FULL, true);
    }
    long[] sentAt = {-1};
    return permits.acquire(endpoint)
        .onFailure(t -> metrics.rateLimited("upstream"))
        .compose(v -> {
          sentAt[0] = System.nanoTime();
          return g.breaker.<T>execute(call).recover(t -> Future.failedFuture(g.translate(t)));
        })
        .onComplete(ar -> {
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

  private <T> Future<T> rejected(Endpoint endpoint, GatewayFailure failure, boolean rateLimited) {
    if (rateLimited) {
      metrics.rateLimited("upstream");
    }
    metrics.upstream(endpoint.label(), failure.outcome().label(), -1);
    return Future.failedFuture(failure);
  }

  /** The breaker's state for {@code endpoint}: 0 closed, 1 half-open, 2 open. */
  public int breakerState(Endpoint endpoint) {
    return switch (endpoints.get(endpoint).breaker.state()) {
      case CLOSED -> 0;
      case HALF_OPEN -> 1;
      case OPEN -> 2;
    };
  }

  /** One endpoint's breaker and 429 pause. */
  private final class Guarded {
    final Endpoint endpoint;
    final CircuitBreaker breaker;
    final long resetNanos;
    final AtomicLong openedAt = new AtomicLong();
    /** Ticker time until which calls are paused; meaningful only while {@code paused} is set. */
    final AtomicLong pausedUntil = new AtomicLong();
    volatile boolean paused;

    Guarded(Vertx vertx, Endpoint endpoint, ResilienceOptions o) {
      this.endpoint = endpoint;
      this.resetNanos = TimeUnit.SECONDS.toNanos(o.breakerResetSeconds());
      this.breaker = CircuitBreaker.create("signalwire-" + endpoint.label(), vertx, new CircuitBreakerOptions()
              .setMaxFailures(o.breakerMaxFailures())
              .setFailuresRollingWindow(TimeUnit.SECONDS.toMillis(o.breakerWindowSeconds()))
              .setResetTimeout(TimeUnit.SECONDS.toMillis(o.breakerResetSeconds()))
              // no timeout of its own: it could answer but not cancel the request. Every call ends by
              // upstream.timeoutMs, the SignalWire client's total deadline, which resets the request (UpstreamCall)
              .setTimeout(-1)
              .setNotificationAddress(null))
          .failurePolicy(f -> f.failed() && !(f.cause() instanceof GatewayFailure gf
              && !BREAKER_FAILURES.contains(gf.outcome())))
          .openHandler(v -> {
            openedAt.set(ticker.read());
            LOG.warn("circuit breaker for SignalWire {} opened", endpoint.label());
          })
          .halfOpenHandler(v -> LOG.info("circuit breaker for SignalWire {} half-open: one trial call", endpoint.label()))
          .closeHandler(v -> LOG.info("circuit breaker for SignalWire {} closed", endpoint.label()));
    }

    GatewayFailure rejection() {
      long left = resetNanos - (ticker.read() - openedAt.get());
      return GatewayFailure.retryLater(503, GatewayFailure.retryAfterSeconds(left), Outcome.REJECTED_BY_BREAKER, "breaker open");
    }

    /** The breaker's own failure (open while half-open) in the gateway's terms. */
    GatewayFailure translate(Throwable t) {
      if (t instanceof GatewayFailure f) {
        return f;
      }
      if (t instanceof io.vertx.circuitbreaker.OpenCircuitException) {
        return rejection();
      }
      return io.tokengateway.upstream.UpstreamReplies.fromException(t);
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
