package io.tokengateway.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import io.tokengateway.support.Await;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The stdout appender behind the async queue: a quiet gateway's line is written within the flush interval, never
 * left in the buffer, and a burst goes out in a few writes, not one per line.
 */
class StdoutAppenderTest {

  private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
  private final PrintStream stdout = System.out;
  private CountingAsyncAppender async;
  private Logger logger;

  /** Stdout as the appender sees it: every write counted; the first one held until released. */
  private static final class Output extends OutputStream {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final AtomicInteger writes = new AtomicInteger();
    final CountDownLatch release = new CountDownLatch(1);
    final CountDownLatch firstWrite = new CountDownLatch(1);

    @Override
    public void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      writes.incrementAndGet();
      firstWrite.countDown();
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      bytes.write(b, off, len);
    }

    synchronized String text() {
      return bytes.toString(StandardCharsets.UTF_8);
    }
  }

  private Logger start(Output output) {
    System.setOut(new PrintStream(output, false, StandardCharsets.UTF_8));
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern("%msg%n");
    encoder.start();
    StdoutAppender appender = new StdoutAppender();
    appender.setContext(context);
    appender.setEncoder(encoder);
    appender.start();
    async = new CountingAsyncAppender();
    async.setContext(context);
    async.setQueueSize(4096);
    async.setNeverBlock(true);
    async.addAppender(appender);
    async.start();
    logger = context.getLogger("io.tokengateway.test.stdout." + System.nanoTime());
    logger.setLevel(ch.qos.logback.classic.Level.INFO);
    logger.addAppender(async);
    logger.setAdditive(false);
    return logger;
  }

  @AfterEach
  void restore() {
    System.setOut(stdout);
    if (async != null) {
      async.stop();
      logger.detachAppender(async);
    }
  }

  @Test
  void aQuietLineIsWrittenWithoutAStop() {
    Output output = new Output();
    output.release.countDown();
    Logger logger = start(output);
    logger.info("one quiet line");
    Await.until(() -> output.text().equals("one quiet line\n"), 5_000, "the line written without a stop");
  }

  @Test
  void aBurstQueuedBehindASlowWriteGoesOutInAFewWrites() throws Exception {
    Output output = new Output();
    Logger logger = start(output);
    logger.info("line 0");
    assertThat(output.firstWrite.await(5, TimeUnit.SECONDS)).as("the writer is in its first write").isTrue();
    for (int i = 1; i <= 1_000; i++) {
      logger.info("line {}", i);
    }
    output.release.countDown();
    Await.until(() -> output.text().endsWith("line 1000\n"), 5_000, "every line written");
    assertThat(output.text().lines()).hasSize(1_001);
    assertThat(output.writes.get()).as("writes for 1,001 lines (64 KiB each at most)").isLessThan(10);
  }
}
