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
 * <p>The writer also rests {@link #REST_NANOS} after each {@link #REST_NANOS} of work. Logback's queue wakes a
 * waiting writer for every line it is handed; on a busy core that is a thread switch per request. Resting, the
 * writer is not waiting, so lines queue up without a wake-up and are written in batches: at most a millisecond
 * more before a line is written, and still hundreds of thousands of lines a second at most.
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
  /** How long the writer works before it rests, and rests. */
  static final long REST_NANOS = 1_000_000;

  private volatile boolean unflushed;
  /** When the writer last started working after a rest (writer thread only). */
  private long workingSince = System.nanoTime();
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
    if (System.nanoTime() - workingSince >= REST_NANOS) {
      rest();
    }
  }

  /** Lets lines gather in the queue without waking the writer for each one. */
  private void rest() {
    try {
      TimeUnit.NANOSECONDS.sleep(REST_NANOS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the async appender is stopping: its writer ends after this line
    }
    workingSince = System.nanoTime();
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
