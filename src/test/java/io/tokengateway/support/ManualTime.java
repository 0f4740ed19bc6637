package io.tokengateway.support;

import com.github.benmanes.caffeine.cache.Ticker;
import io.tokengateway.Time;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/** A ticker and a wall clock that move together, only when a test says so. */
public final class ManualTime extends Clock implements Ticker {

  private final Instant start;
  private final AtomicLong nanos = new AtomicLong();

  public ManualTime(Instant start) {
    this.start = start;
  }

  public Time time() {
    return new Time(this, this);
  }

  public void advance(Duration d) {
    nanos.addAndGet(d.toNanos());
  }

  public long epochSecond() {
    return instant().getEpochSecond();
  }

  @Override
  public long read() {
    return nanos.get();
  }

  @Override
  public Instant instant() {
    return start.plusNanos(nanos.get());
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
