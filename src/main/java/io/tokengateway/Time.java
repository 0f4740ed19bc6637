package io.tokengateway;

import com.github.benmanes.caffeine.cache.Ticker;
import io.github.bucket4j.TimeMeter;
import java.time.Clock;

/**
 * The two clocks behaviour depends on: a monotonic {@link Ticker} for durations (cache lifetimes) and a wall
 * {@link Clock} for epoch times (a token's {@code exp}, a guest's {@code expire_at}). Tests inject both.
 */
public record Time(Clock clock, Ticker ticker) {

  public static Time system() {
    return new Time(Clock.systemUTC(), Ticker.systemTicker());
  }

  /** The ticker as a Bucket4j time source, so token buckets follow the same (injectable) time. */
  public TimeMeter timeMeter() {
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
}
