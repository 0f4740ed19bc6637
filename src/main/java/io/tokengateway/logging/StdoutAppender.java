package io.tokengateway.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Logback's own {@link OutputStreamAppender} on the process's standard output through a 64 KiB buffer. With
 * {@code immediateFlush} false the ring's writer thread ({@link ReservingAsyncAppender}) flushes it at the end of
 * each batch it drains, so a burst of lines costs a few {@code write} calls instead of one per line, and a lone
 * line still leaves at once. ({@code System.out}, which Logback's ConsoleAppender writes to, is an autoflush
 * stream: one system call per line.) Stopping it flushes, never closes, the process's stdout.
 */
public class StdoutAppender extends OutputStreamAppender<ILoggingEvent> {

  static final int BUFFER_BYTES = 64 * 1024;

  @Override
  public void start() {
    OutputStream stdout = new FilterOutputStream(new FileOutputStream(FileDescriptor.out)) {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
      }

      @Override
      public void close() throws IOException {
        flush();
      }
    };
    setOutputStream(new BufferedOutputStream(stdout, BUFFER_BYTES));
    super.start();
  }
}
