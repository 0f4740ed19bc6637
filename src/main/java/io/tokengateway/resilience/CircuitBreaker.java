package io.tokengateway.resilience;

import com.github.benmanes.caffeine.cache.Ticker;
import io.tokengateway.core.GatewayFailure;
import io.tokengateway.core.GatewayFailure.Outcome;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One endpoint's circuit breaker, on the gateway's injected time source: {@code maxFailures} failures in a row
 * (no success between them) within {@code window} open it; while open every call is refused with a 503 and a
 * {@code Retry-After} until the reset time has passed; then one trial call at a time is let through (half-open),
 * and its success closes the breaker, its failure opens it again. What counts as a failure is a predicate chosen
 * at construction.
 *
 * <p>The states move by the clock, read when a call asks: no timer runs, so a test that moves its manual clock
 * past the reset time finds the breaker half-open at once. Lock-free: one immutable snapshot swapped by CAS.
 * (Vert.x Circuit Breaker 5.0.8 resets on {@code vertx.setTimer}, counts its window on the system clock and
 * synchronizes its state reads, none of which the injected time can drive.)
 */
public final class CircuitBreaker {

  /** The breaker's states, as the {@code gateway_breaker_state} gauge shows them (0, 1, 2). */
  public enum State { CLOSED, HALF_OPEN, OPEN }

  private static final Logger LOG = LoggerFactory.getLogger(CircuitBreaker.class);
  /** The answer while a trial call is under way: come back in a second. */
  private static final GatewayFailure TRIAL_UNDER_WAY =
      GatewayFailure.retryLater(503, 1, Outcome.REJECTED_BY_BREAKER, "breaker half-open, trial under way");

  /**
   * @param since CLOSED: when the current run of failures began; OPEN: when it opened
   * @param trial HALF_OPEN: whether the one trial call is under way
   */
  private record Snapshot(State state, int failures, long since, boolean trial) {
  }

  private static final Snapshot CLOSED = new Snapshot(State.CLOSED, 0, 0, false);

  private final String name;
  private final int maxFailures;
  private final long windowNanos;
  private final long resetNanos;
  private final Ticker ticker;
  private final Predicate<Throwable> isFailure;
  private final AtomicReference<Snapshot> snapshot = new AtomicReference<>(CLOSED);

  public CircuitBreaker(String name, int maxFailures, int windowSeconds, int resetSeconds, Ticker ticker,
      Predicate<Throwable> isFailure) {
    this.name = name;
    this.maxFailures = maxFailures;
    this.windowNanos = TimeUnit.SECONDS.toNanos(windowSeconds);
    this.resetNanos = TimeUnit.SECONDS.toNanos(resetSeconds);
    this.ticker = ticker;
    this.isFailure = isFailure;
  }

  /**
   * Asks to make one call: null when it may go (then {@link #record} or {@link #release} must follow), else the
   * 503 to answer.
   */
  public GatewayFailure tryAcquire() {
    while (true) {
      Snapshot s = snapshot.get();
      switch (s.state()) {
        case CLOSED:
          return null;
        case OPEN: {
          long left = resetNanos - (ticker.read() - s.since());
          if (left > 0) {
            return GatewayFailure.retryLater(503, GatewayFailure.retryAfterSeconds(left),
                Outcome.REJECTED_BY_BREAKER, "breaker open");
          }
          if (snapshot.compareAndSet(s, new Snapshot(State.HALF_OPEN, 0, s.since(), true))) {
            LOG.info("circuit breaker for SignalWire {} half-open: one trial call", name);
            return null;
          }
          break;
        }
        default: // HALF_OPEN
          if (s.trial()) {
            return TRIAL_UNDER_WAY;
          }
          if (snapshot.compareAndSet(s, new Snapshot(State.HALF_OPEN, 0, s.since(), true))) {
            return null;
          }
      }
    }
  }

  /** An admitted call did not go after all (no upstream permit): a trial it was may be taken by the next call. */
  public void release() {
    snapshot.updateAndGet(s -> s.state() == State.HALF_OPEN ? new Snapshot(State.HALF_OPEN, 0, s.since(), false) : s);
  }

  /** The outcome of an admitted call: {@code failure} null for a success. */
  public void record(Throwable failure) {
    if (failure == null || !isFailure.test(failure)) {
      succeeded();
    } else {
      failed();
    }
  }

  private void succeeded() {
    while (true) {
      Snapshot s = snapshot.get();
      if (s.state() == State.OPEN || s == CLOSED) {
        return; // a call admitted before the breaker opened ends late: it does not close it
      }
      if (snapshot.compareAndSet(s, CLOSED)) {
        if (s.state() == State.HALF_OPEN) {
          LOG.info("circuit breaker for SignalWire {} closed", name);
        }
        return;
      }
    }
  }

  private void failed() {
    while (true) {
      Snapshot s = snapshot.get();
      long now = ticker.read();
      Snapshot next;
      if (s.state() == State.OPEN) {
        return;
      } else if (s.state() == State.HALF_OPEN) {
        next = new Snapshot(State.OPEN, 0, now, false);
      } else {
        boolean runGoesOn = s.failures() > 0 && now - s.since() <= windowNanos;
        int failures = runGoesOn ? s.failures() + 1 : 1;
        next = failures >= maxFailures ? new Snapshot(State.OPEN, 0, now, false)
            : new Snapshot(State.CLOSED, failures, runGoesOn ? s.since() : now, false);
      }
      if (snapshot.compareAndSet(s, next)) {
        if (next.state() == State.OPEN) {
          LOG.warn("circuit breaker for SignalWire {} opened", name);
        }
        return;
      }
    }
  }

  /** The state now: an open breaker whose reset time has passed reads half-open (its next call is the trial). */
  public State state() {
    Snapshot s = snapshot.get();
    if (s.state() == State.OPEN && ticker.read() - s.since() >= resetNanos) {
      return State.HALF_OPEN;
    }
    return s.state();
  }
}
