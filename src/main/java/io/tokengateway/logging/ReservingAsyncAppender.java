package io.tokengateway.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.util.concurrent.locks.LockSupport;
import net.logstash.logback.appender.LoggingEventAsyncDisruptorAppender;

/**
 * logstash-logback-encoder's asynchronous appender (an LMAX ring buffer in front of the real appender, here
 * stdout) with two additions: lines below WARN may not take the last {@code reservedForWarnings} slots, so a
 * flood of INFO lines is dropped before any WARN or ERROR is; and every line that is not written (over the
 * reserve, ring full, shutting down) is counted in {@link LogDrops}. With {@code appendTimeout} 0 a logging
 * thread never waits for the ring, so an event loop never blocks on stdout.
 */
public class ReservingAsyncAppender extends LoggingEventAsyncDisruptorAppender {

  private int reservedForWarnings = 1024;

  /** Ring slots only WARN and ERROR lines may take (default 1024). */
  public void setReservedForWarnings(int reservedForWarnings) {
    this.reservedForWarnings = reservedForWarnings;
  }

  public int getReservedForWarnings() {
    return reservedForWarnings;
  }

  @Override
  public void start() {
    if (reservedForWarnings < 0 || reservedForWarnings >= getRingBufferSize()) {
      addError("reservedForWarnings must be between 0 and ringBufferSize - 1, got " + reservedForWarnings);
      return;
    }
    super.start();
  }

  @Override
  protected void append(ILoggingEvent event) {
    if (!event.getLevel().isGreaterOrEqual(Level.WARN)
        && getDisruptor().getRingBuffer().remainingCapacity() <= reservedForWarnings) {
      LogDrops.dropped(event.getLevel());
      return;
    }
    super.append(event);
  }

  /**
   * Waits up to {@code millis} for every line taken so far to be written (true) or gives up (false): before
   * the process exits. A bounded poll, for a thread that may wait (never an event loop).
   */
  public boolean awaitWritten(long millis) {
    long deadline = System.nanoTime() + millis * 1_000_000L;
    while (isStarted() && !isRingBufferEmpty()) {
      if (System.nanoTime() - deadline > 0) {
        return false;
      }
      LockSupport.parkNanos(1_000_000L);
    }
    return true;
  }

  /** Every way the parent gives up on a line (ring full, shutting down, interrupted) ends here. */
  @Override
  protected void fireEventAppendFailed(ILoggingEvent event, Throwable reason) {
    LogDrops.dropped(event.getLevel());
    super.fireEventAppendFailed(event, reason);
  }
}
