package io.tokengateway.logging;

import ch.qos.logback.classic.Level;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * Log lines dropped by the process's asynchronous appender, per level. Process-wide like the logging system
 * itself: the appender is built by Logback from {@code logback.xml}, the meters read these counters
 * ({@code gateway_log_dropped_total{level}}).
 */
public final class LogDrops {

  /** The levels counted, most severe first; each is a {@code level} tag value. */
  public static final List<String> LEVELS = List.of("ERROR", "WARN", "INFO", "DEBUG", "TRACE");

  private static final LongAdder ERROR = new LongAdder();
  private static final LongAdder WARN = new LongAdder();
  private static final LongAdder INFO = new LongAdder();
  private static final LongAdder DEBUG = new LongAdder();
  private static final LongAdder TRACE = new LongAdder();

  private LogDrops() {
  }

  /** One line of {@code level} that will never be written. */
  static void dropped(Level level) {
    counter(level.levelStr).increment();
  }

  /** Lines of {@code level} (one of {@link #LEVELS}) dropped since the process started. */
  public static long count(String level) {
    return counter(level).sum();
  }

  private static LongAdder counter(String level) {
    return switch (level) {
      case "ERROR" -> ERROR;
      case "WARN" -> WARN;
      case "INFO" -> INFO;
      case "DEBUG" -> DEBUG;
      default -> TRACE;
    };
  }
}
