package io.tokengateway.logging;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import java.util.Iterator;
import org.slf4j.LoggerFactory;

/** The process's log output as {@code logback.xml} sets it up. */
public final class LogOutput {

  private LogOutput() {
  }

  /**
   * Before the process exits: waits up to {@code millis} for the lines still queued by the root logger's
   * {@link ReservingAsyncAppender}s to reach stdout. Bounded, so a stdout nobody reads cannot hold the exit.
   */
  public static void awaitWritten(long millis) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    long deadline = System.nanoTime() + millis * 1_000_000L;
    for (Iterator<Appender<ILoggingEvent>> it = context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders();
        it.hasNext(); ) {
      if (it.next() instanceof ReservingAsyncAppender ring) {
        ring.awaitWritten(Math.max(0, (deadline - System.nanoTime()) / 1_000_000L));
      }
    }
  }
}
