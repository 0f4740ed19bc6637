package io.tokengateway.support;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;

/** Reading a {@link ListAppender} while the gateway's threads may still append to it. */
public final class LogEvents {

  private LogEvents() {
  }

  /**
   * The events appended so far, copied under the appender's lock ({@code AppenderBase.doAppend} appends holding
   * it): iterating {@code appender.list} itself while a pod logs throws ConcurrentModificationException.
   */
  public static List<ILoggingEvent> snapshot(ListAppender<ILoggingEvent> appender) {
    synchronized (appender) {
      return List.copyOf(appender.list);
    }
  }
}
