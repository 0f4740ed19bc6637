package io.tokengateway.support;

import com.github.benmanes.caffeine.cache.Ticker;
import io.tokengateway.core.Time;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A ticker, a wall clock and timers that move together, only when a test says so: {@link #advance} moves both
 * clocks and runs every timer that came due, each on the Vert.x context it was set from.
 */
public final class ManualTime extends Clock implements Ticker, Time {

  private record Due(long atNanos, long id) {
  }

  private record Timer(Context context, Runnable action) {
  }

  private final Instant start;
  private final AtomicLong nanos = new AtomicLong();
  private final AtomicLong ids = new AtomicLong();
  private final ConcurrentSkipListMap<Due, Timer> timers = new ConcurrentSkipListMap<>(
      Comparator.comparingLong(Due::atNanos).thenComparingLong(Due::id));

  public ManualTime(Instant start) {
    this.start = start;
  }

  /** This, as the gateway's time source. */
  public Time time() {
    return this;
  }

  /** Moves the clocks on and runs the timers that came due, in order. */
  public void advance(Duration d) {
    long now = nanos.addAndGet(d.toNanos());
    List<Timer> due = new ArrayList<>();
    while (!timers.isEmpty() && timers.firstKey().atNanos() <= now) {
      var e = timers.pollFirstEntry();
      if (e != null) {
        due.add(e.getValue());
      }
    }
    for (Timer t : due) {
      if (t.context() != null) {
        t.context().runOnContext(v -> t.action().run());
      } else {
        t.action().run();
      }
    }
  }

  /** Timers set and not yet run. */
  public int pendingTimers() {
    return timers.size();
  }

  public long epochSecond() {
    return instant().getEpochSecond();
  }

  @Override
  public Clock clock() {
    return this;
  }

  @Override
  public Ticker ticker() {
    return this;
  }

  @Override
  public long setTimer(long delayMillis, Runnable action) {
    long id = ids.incrementAndGet();
    timers.put(new Due(nanos.get() + TimeUnit.MILLISECONDS.toNanos(Math.max(1, delayMillis)), id),
        new Timer(Vertx.currentContext(), action));
    return id;
  }

  @Override
  public boolean cancelTimer(long id) {
    return timers.keySet().removeIf(d -> d.id() == id);
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
