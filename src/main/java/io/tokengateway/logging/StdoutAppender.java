package io.tokengateway.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Logback's {@link OutputStreamAppender} on stdout through a 64 KiB buffer: written when full, and flushed by a
 * daemon timer every {@link #FLUSH_MILLIS} ms when it holds a line, so under load one write carries hundreds of
 * lines, and a quiet gateway's line shows within that interval. It sits behind the {@link CountingAsyncAppender},
 * whose writer thread is the only one appending; no event loop ever waits for stdout.
 *
 * <p>Why not Logback's {@code ConsoleAppender}: it writes through {@code System.out}, which flushes, that is makes
 * one write system call, per line. On the cached embed path that cost a third of the gateway's requests per second
 * on one core ({@code loadtest/bench.sh}, docs/performance.md). This appender still writes through
 * {@code System.out} (so a test runner that captures it still does), one call per buffer.
 */
public class StdoutAppender extends OutputStreamAppender<ILoggingEvent> {

  /** The longest a line waits in the buffer. */
  static final long FLUSH_MILLIS = 100;
  private static final int BUFFER_BYTES = 64 * 1024;

  private volatile boolean unflushed;
  private ScheduledExecutorService flusher;

  @Override
  public void start() {
    setImmediateFlush(false);
    setOutputStream(new BufferedOutputStream(System.out, BUFFER_BYTES));
    flusher = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "stdout-flusher");
      t.setDaemon(true);
      return t;
    });
    flusher.scheduleWithFixedDelay(this::flush, FLUSH_MILLIS, FLUSH_MILLIS, TimeUnit.MILLISECONDS);
    super.start();
  }

  @Override
  public void stop() {
    if (flusher != null) {
      flusher.shutdownNow();
    }
    super.stop(); // closing the buffer writes what it holds
  }

  @Override
  protected void subAppend(ILoggingEvent event) {
    super.subAppend(event);
    unflushed = true;
  }

  private void flush() {
    if (!unflushed) {
      return;
    }
    streamWriteLock.lock();
    try {
      unflushed = false;
      getOutputStream().flush();
    } catch (IOException e) {
      addError("could not flush stdout", e);
    } finally {
      streamWriteLock.unlock();
    }
  }
}
