package io.tokengateway.core;

/**
 * The one reading of a {@code Content-Length} value, for what a caller sends and what an upstream answers alike:
 * RFC 9110's {@code 1*DIGIT} and nothing else (no sign, no space, no list, not empty).
 *
 * <p>A malformed value reads as {@link Long#MAX_VALUE}, larger than any bound, so every size check refuses it
 * exactly as it refuses a declared length that is too large; a length past {@code Long.MAX_VALUE} saturates to it.
 */
public final class ContentLength {

  /** What {@link #declared} returns when there is no header: the length is not declared (chunked, or none). */
  public static final long ABSENT = -1;

  private static final long SATURATES_ABOVE = (Long.MAX_VALUE - 9) / 10;

  private ContentLength() {
  }

  /** The declared length; {@link #ABSENT} for null; {@link Long#MAX_VALUE} for a malformed value. */
  public static long declared(String header) {
    if (header == null) {
      return ABSENT;
    }
    if (header.isEmpty()) {
      return Long.MAX_VALUE;
    }
    long n = 0;
    for (int i = 0; i < header.length(); i++) {
      char c = header.charAt(i);
      if (c < '0' || c > '9') {
        return Long.MAX_VALUE;
      }
      n = n > SATURATES_ABOVE ? Long.MAX_VALUE : n * 10 + (c - '0');
    }
    return n;
  }
}
