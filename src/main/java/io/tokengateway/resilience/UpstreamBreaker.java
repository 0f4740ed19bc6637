package io.tokengateway.resilience;

import com.github.benmanes.caffeine.cache.Ticker;
import io.tokengateway.core.GatewayFailure;
import io.tokengateway.core.GatewayFailure.Outcome;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SignalWire endpoint's circuit breaker: a Vert.x Circuit Breaker. {@code maxFailures} failures within
 * {@code windowSeconds} (counted per second), with no success between them, open it; while open every call is
 * refused with a 503 and a {@code Retry-After} of the seconds until the trial; after {@code resetSeconds} it is
 * half-open and one trial call at a time goes, whose success closes it and whose failure opens it again. What
 * counts as a failure is a predicate chosen at construction (the breaker's failure policy); any other outcome is
 * a success.
 *
 * <p>A call gets its upstream permit only once the breaker has let it through: an open breaker spends no permit,
 * and in half-open one call is chosen for the trial before it asks for its permit, the others answered at once.
 * A chosen call refused its permit never reaches the breaker, so the next call is chosen instead.
 *
 * <p>The breaker keeps its own time: Vert.x opens and counts on the system clock and resets on a Vert.x timer,
 * which the gateway's injected time cannot move. Only the {@code Retry-After} is read from the injected ticker,
 * from the moment the breaker opened. It has no timeout of its own (every call ends by {@code upstream.timeoutMs},
 * which resets the request), sends nothing on the event bus and runs no periodic timer.
 */
final class UpstreamBreaker {

  private static final Logger LOG = LoggerFactory.getLogger(UpstreamBreaker.class);
  /** The answer while the trial call is under way: come back in a second. */
  private static final GatewayFailure TRIAL_UNDER_WAY =
      GatewayFailure.retryLater(503, 1, Outcome.REJECTED_BY_BREAKER, "breaker half-open, trial under way");

  private final CircuitBreaker breaker;
  private final Ticker ticker;
  private final long resetNanos;
  /** Ticker time the breaker last opened. */
  private volatile long openedAt;
  /** Half-open: whether a call was chosen for the trial (and is getting its permit, or under way). */
  private final AtomicBoolean trial = new AtomicBoolean();

  UpstreamBreaker(Vertx vertx, String name, int maxFailures, int windowSeconds, int resetSeconds, Ticker ticker,
      Predicate<Throwable> isFailure) {
    this.ticker = ticker;
    this.resetNanos = TimeUnit.SECONDS.toNanos(resetSeconds);
    this.breaker = CircuitBreaker.create(name, vertx, options(maxFailures, windowSeconds, resetSeconds))
        .failurePolicy(result -> result.failed() && isFailure.test(result.cause()))
        .openHandler(v -> {
          openedAt = ticker.read();
          LOG.warn("circuit breaker for SignalWire {} opened", name);
        })
        .halfOpenHandler(v -> LOG.info("circuit breaker for SignalWire {} half-open: one trial call", name))
        .closeHandler(v -> LOG.info("circuit breaker for SignalWire {} closed", name));
  }

  /** The gateway's breaker options: the Vert.x defaults it does not want turned off. */
  static CircuitBreakerOptions options(int maxFailures, int windowSeconds, int resetSeconds) {
    return new CircuitBreakerOptions()
        .setMaxFailures(maxFailures)
        .setFailuresRollingWindow(TimeUnit.SECONDS.toMillis(windowSeconds))
        .setResetTimeout(TimeUnit.SECONDS.toMillis(resetSeconds))
        .setTimeout(-1) // the upstream deadline owns time, and it also cancels the call
        .setNotificationAddress(null) // no event-bus messages: no metrics object, no periodic timer
        .setMaxRetries(0)
        .setFallbackOnFailure(false);
  }

  /**
   * Runs {@code call} once {@code permit} has completed, if the breaker lets it through; otherwise fails at once
   * with the 503 (no permit taken).
   */
  <T> Future<T> run(Supplier<Future<Void>> permit, Supplier<Future<T>> call) {
    boolean chosen = false;
    switch (breaker.state()) {
      case OPEN:
        return Future.failedFuture(refusal());
      case HALF_OPEN:
        if (!trial.compareAndSet(false, true)) {
          return Future.failedFuture(TRIAL_UNDER_WAY);
        }
        chosen = true;
        break;
      default:
        break;
    }
    Future<T> result = permit.get().compose(v -> breaker.execute(call)
        .recover(t -> Future.failedFuture(t instanceof OpenCircuitException ? refusal() : t)));
    return chosen ? result.andThen(ar -> trial.set(false)) : result;
  }

  /** The 503 of an open breaker (or of one whose trial is under way). */
  private GatewayFailure refusal() {
    return switch (breaker.state()) {
      case OPEN -> GatewayFailure.retryLater(503,
          GatewayFailure.retryAfterSeconds(resetNanos - (ticker.read() - openedAt)), Outcome.REJECTED_BY_BREAKER,
          "breaker open");
      default -> TRIAL_UNDER_WAY;
    };
  }

  /** The state as the {@code gateway_breaker_state} gauge shows it: 0 closed, 1 half-open, 2 open. */
  int state() {
    return switch (breaker.state()) {
      case CLOSED -> 0;
      case HALF_OPEN -> 1;
      case OPEN -> 2;
    };
  }
}
