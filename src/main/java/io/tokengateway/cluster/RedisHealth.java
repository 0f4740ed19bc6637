package io.tokengateway.cluster;

import com.github.benmanes.caffeine.cache.Ticker;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether Redis counts as available, decided the way a circuit breaker does, on the injected ticker.
 *
 * <p>While available, a command that fails (no answer within {@code redis.timeoutMs}, or a lost connection)
 * counts, and any answer resets the count; {@code redis.failuresToUnavailable} failures in a row make Redis
 * unavailable. Commands already in flight when a failure was counted share its cause (one slow reply, one pause
 * of this JVM, one dropped connection), so their failures do not count again: one late reply is one failure,
 * whatever else was waiting with it. During {@code redis.warmupSeconds} after {@link #start}, late replies do not
 * count at all: a cold JVM answers late however healthy Redis is. A lost connection always counts.
 *
 * <p>While unavailable no command is sent; the probe's PING is the trial, and its answer makes Redis available
 * again ({@link #trialPassed}). Before the first probe has answered, Redis is unavailable. Thread-safe, lock-free.
 *
 * <p>Not a Vert.x Circuit Breaker, as the upstream breakers are ({@code resilience.UpstreamBreaker}), because
 * three of these rules are not its rules ({@code RedisHealthTest} fails on one built on it): it counts a failure
 * on a later turn of the event loop, so the commands sent meanwhile would still go out and a failure could not say
 * that it made Redis unavailable; it leaves the open state only on its reset timer, into half-open, so the probe's
 * answer could not bring Redis back at once; and under its failure policy whatever is not a failure is a success
 * that ends the run, where a failure sharing another's cause, or a late reply of the warm-up, must neither count
 * nor end it.
 */
final class RedisHealth {

  private final int failuresToUnavailable;
  private final long warmupNanos;
  private final Ticker ticker;
  private final AtomicBoolean available = new AtomicBoolean();
  /** Commands sent so far: each command's number is its place in this count. */
  private final AtomicLong sent = new AtomicLong();
  /** Commands numbered up to this were in flight when the last failure was counted. */
  private final AtomicLong inFlightAtLastFailure = new AtomicLong();
  private final AtomicInteger failures = new AtomicInteger();
  private volatile long startedAt;

  RedisHealth(int failuresToUnavailable, int warmupSeconds, Ticker ticker) {
    this.failuresToUnavailable = failuresToUnavailable;
    this.warmupNanos = TimeUnit.SECONDS.toNanos(warmupSeconds);
    this.ticker = ticker;
    this.startedAt = ticker.read();
  }

  /** The warm-up starts now. */
  void start() {
    startedAt = ticker.read();
  }

  boolean available() {
    return available.get();
  }

  /** A command is about to be sent: its number, for {@link #failed}. */
  long sending() {
    return sent.incrementAndGet();
  }

  /** Redis answered a command in time (an error reply is an answer too). */
  void answered() {
    if (failures.get() != 0) {
      failures.set(0);
    }
  }

  /**
   * Command {@code command} failed: {@code late} when its answer did not come in time, else its connection
   * failed. True when this failure makes Redis unavailable (the caller says so, once).
   */
  boolean failed(long command, boolean late) {
    if (late && warmingUp()) {
      return false;
    }
    long last;
    do {
      last = inFlightAtLastFailure.get();
      if (command <= last) {
        return false; // in flight when a failure was counted: the same trouble
      }
    } while (!inFlightAtLastFailure.compareAndSet(last, sent.get()));
    return failures.incrementAndGet() >= failuresToUnavailable && available.compareAndSet(true, false);
  }

  /** The probe was answered in time: Redis is available. True when it was not (the caller says so, once). */
  boolean trialPassed() {
    failures.set(0);
    inFlightAtLastFailure.set(sent.get());
    return available.compareAndSet(false, true);
  }

  /**
   * Redis answered the probe with an error (LOADING, WRONGPASS after a password change...): it cannot serve, so
   * unavailable at once. True when it was available.
   */
  boolean refused() {
    return available.compareAndSet(true, false);
  }

  /** Failures counted in a row so far. */
  int failuresInARow() {
    return failures.get();
  }

  /** Whether this JVM is still in its warm-up after start. */
  boolean warmingUp() {
    return ticker.read() - startedAt < warmupNanos;
  }
}
