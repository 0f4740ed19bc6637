package io.tokengateway.tracing;

import io.netty.util.AsciiString;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The {@code traceparent} a request answers with, built once as the bytes that go on the wire (a Netty
 * {@link AsciiString} over them, which the header encoder copies as is): version 00, the trace id, the span
 * id, the flags. Ids are drawn as the SDK's random id generator draws them (two random longs, then a random
 * non-zero one; {@link ThreadLocalRandom}) without making strings of them: with export off the hot path allocates
 * this header and nothing else for a trace, and the access line reads the ids out of it.
 */
final class TraceIds {

  static final int LENGTH = 55;
  static final int TRACE_ID = 3;
  static final int SPAN_ID = 36;
  private static final byte[] HEX = {'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};

  private TraceIds() {
  }

  /** A new trace with a new span: a random trace id (never all zeros) and span id. */
  static AsciiString newTrace(byte flags) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    byte[] out = frame(flags);
    long low;
    hex(random.nextLong(), out, TRACE_ID);
    do {
      low = random.nextLong();
    } while (low == 0);
    hex(low, out, TRACE_ID + 16);
    hex(spanId(random), out, SPAN_ID);
    return new AsciiString(out, false);
  }

  /** The caller's trace ({@code traceId}: 32 lowercase hex digits, as the propagator checked) with a new span. */
  static AsciiString continued(String traceId, byte flags) {
    byte[] out = frame(flags);
    copy(traceId, out, TRACE_ID);
    hex(spanId(ThreadLocalRandom.current()), out, SPAN_ID);
    return new AsciiString(out, false);
  }

  /** The {@code traceparent} of a span whose ids are known (the SDK's). */
  static AsciiString of(String traceId, String spanId, byte flags) {
    byte[] out = frame(flags);
    copy(traceId, out, TRACE_ID);
    copy(spanId, out, SPAN_ID);
    return new AsciiString(out, false);
  }

  static String traceId(AsciiString traceparent) {
    return traceparent.toString(TRACE_ID, TRACE_ID + 32);
  }

  static String spanId(AsciiString traceparent) {
    return traceparent.toString(SPAN_ID, SPAN_ID + 16);
  }

  private static long spanId(ThreadLocalRandom random) {
    long id;
    do {
      id = random.nextLong();
    } while (id == 0);
    return id;
  }

  private static byte[] frame(byte flags) {
    byte[] out = new byte[LENGTH];
    out[0] = '0';
    out[1] = '0';
    out[2] = '-';
    out[TRACE_ID + 32] = '-';
    out[SPAN_ID + 16] = '-';
    out[LENGTH - 2] = HEX[(flags >> 4) & 0xf];
    out[LENGTH - 1] = HEX[flags & 0xf];
    return out;
  }

  private static void hex(long value, byte[] out, int at) {
    for (int i = 15; i >= 0; i--) {
      out[at + i] = HEX[(int) (value & 0xf)];
      value >>>= 4;
    }
  }

  private static void copy(String ascii, byte[] out, int at) {
    for (int i = 0; i < ascii.length(); i++) {
      out[at + i] = (byte) ascii.charAt(i);
    }
  }
}
