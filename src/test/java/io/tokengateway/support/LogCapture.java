package io.tokengateway.support;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.spi.AppenderAttachable;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/**
 * Captures what one logger (and its children) logs while open, and renders it as the production
 * {@code logback.xml} writes it to stdout: the JSON lines, through the same encoder.
 */
public final class LogCapture implements AutoCloseable {

  private final Logger logger;
  private final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();
  private final AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
    @Override
    protected void append(ILoggingEvent event) {
      events.add(event);
    }
  };

  private LogCapture(Logger logger) {
    this.logger = logger;
    appender.setContext(logger.getLoggerContext());
    appender.start();
    logger.addAppender(appender);
  }

  /** Captures {@code name} ({@code "ROOT"} for everything). */
  public static LogCapture of(String name) {
    return new LogCapture((Logger) LoggerFactory.getLogger(name));
  }

  public List<ILoggingEvent> events() {
    return List.copyOf(events);
  }

  /** The captured events as the JSON lines stdout would get. */
  public List<String> lines() {
    Encoder<ILoggingEvent> encoder = productionEncoder();
    return events.stream().map(e -> new String(encoder.encode(e), StandardCharsets.UTF_8).strip()).toList();
  }

  /** The captured lines, parsed. */
  public List<JsonObject> json() {
    return lines().stream().map(JsonObject::new).toList();
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    appender.stop();
  }

  /** The encoder of the STDOUT appender behind the root logger's ASYNC appender in {@code logback.xml}. */
  @SuppressWarnings("unchecked")
  public static Encoder<ILoggingEvent> productionEncoder() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    var async = (AppenderAttachable<ILoggingEvent>) context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("ASYNC");
    return ((OutputStreamAppender<ILoggingEvent>) async.getAppender("STDOUT")).getEncoder();
  }
}
