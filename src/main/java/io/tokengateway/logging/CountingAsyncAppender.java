package io.tokengateway.logging;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * Logback's {@link AsyncAppender} (a bounded queue in front of the real appender, here stdout, written by its own
 * thread), counting in {@link LogDrops} every line it drops, which Logback itself does silently. It drops a line
 * in two places: a TRACE, DEBUG or INFO line once fewer than {@code discardingThreshold} slots are free, so a
 * flood of INFO lines is dropped before any WARN or ERROR is; and, with {@code neverBlock}, any line that finds
 * the queue full, so a logging thread (an event loop) never waits for stdout.
 *
 * <p>The first count is exact: Logback asks {@link #isDiscardable} only once the queue is past the threshold,
 * and a yes drops the line. The second is the queue's state just before the line is offered: a line that loses
 * the very last slot to another thread in between is dropped uncounted (it takes a full queue, that is over a
 * thousand WARN or ERROR lines waiting behind a stuck stdout).
 */
public class CountingAsyncAppender extends AsyncAppender {

  @Override
  protected boolean isDiscardable(ILoggingEvent event) {
    boolean discarded = super.isDiscardable(event);
    if (discarded) {
      LogDrops.dropped(event.getLevel());
    }
    return discarded;
  }

  @Override
  protected void append(ILoggingEvent event) {
    if (getRemainingCapacity() == 0) {
      LogDrops.dropped(event.getLevel());
      return;
    }
    super.append(event);
  }
}
