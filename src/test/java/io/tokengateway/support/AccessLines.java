package io.tokengateway.support;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.logstash.logback.encoder.LogstashEncoder;
import org.slf4j.LoggerFactory;

/** Captures the {@code access} logger's lines, as the JSON objects production writes, while open. */
public final class AccessLines implements AutoCloseable {

  private final Logger logger = (Logger) LoggerFactory.getLogger("access");
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final LogstashEncoder encoder = new LogstashEncoder();

  public AccessLines() {
    encoder.setContext((LoggerContext) LoggerFactory.getILoggerFactory());
    encoder.start();
    appender.start();
    logger.addAppender(appender);
  }

  /** The lines logged so far. */
  public List<JsonObject> lines() {
    List<JsonObject> out = new ArrayList<>();
    for (ILoggingEvent e : LogEvents.snapshot(appender)) {
      out.add(new JsonObject(new String(encoder.encode(e), StandardCharsets.UTF_8)));
    }
    return out;
  }

  /** Waits (bounded) until {@code n} lines were logged and returns them. */
  public List<JsonObject> await(int n) {
    Await.until(() -> lines().size() >= n, 5_000, n + " access lines");
    return lines();
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
  }
}
