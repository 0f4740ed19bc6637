package io.tokengateway.core;

import com.github.benmanes.caffeine.cache.Ticker;
import io.github.bucket4j.TimeMeter;
import io.vertx.core.Vertx;
import java.time.Clock;

/**
 * The one time source every time rule reads: a wall {@link Clock} for epoch times (a token's {@code exp}, a
 * guest's {@code expire_at}), a monotonic {@link Ticker} for durations (cache windows, limiter refills, the
 * breaker's {@code Retry-After}, the 429 pause, the cross-pod lock wait), and timers for what must happen later
 * (a permit's wait, the drain). Tests inject a manual one and move it; production reads the system clocks and
 * Vert.x timers.
 *
 * <p>Network deadlines (an upstream call's total deadline, a Redis command's timeout, the HTTP listener's read
 * deadlines) are not time rules: they measure real I/O and stay on the event loop's own timers. Nor is the
 * circuit breaker's own reset and failure window: Vert.x Circuit Breaker keeps them on its timer and the system
 * clock.
 */
public interface Time {

  Clock clock();

  Ticker ticker();

  /**
   * Runs {@code action} once, {@code delayMillis} from now on this time source, on the calling Vert.x context
   * (when there is one); returns an id for {@link #cancelTimer}.
   */
  long setTimer(long delayMillis, Runnable action);

  /** Cancels a timer that has not run; true when it had not. */
  boolean cancelTimer(long id);

  /** The ticker as a Bucket4j time source, so token buckets follow the same (injectable) time. */
  default TimeMeter timeMeter() {
    Ticker ticker = ticker();
    return new TimeMeter() {
      @Override
      public long currentTimeNanos() {
        return ticker.read();
      }

      @Override
      public boolean isWallClockBased() {
        return false;
      }
    };
  }

  /** The system's clocks and {@code vertx}'s timers. */
  static Time system(Vertx vertx) {
    return new Time() {
      @Override
      public Clock clock() {
        return Clock.systemUTC();
      }

      @Override
      public Ticker ticker() {
        return Ticker.systemTicker();
      }

      @Override
      public long setTimer(long delayMillis, Runnable action) {
        return vertx.setTimer(Math.max(1, delayMillis), id -> action.run());
      }

      @Override
      public boolean cancelTimer(long id) {
        return vertx.cancelTimer(id);
      }
    };
  }
}
