package io.tokengateway.http.connection;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.tokengateway.core.GatewayFailure;
import java.util.List;

/**
 * The HTTP/1.1 rules (RFC 9112) a request must meet before anything of it is acted on, so that nothing a
 * proxy in front could read differently is ever read as a request (no smuggling behind a proxy that frames
 * differently).
 *
 * <p>On the parsed head ({@link #violation}, for every connection): the version is exactly {@code HTTP/1.0} or
 * {@code HTTP/1.1}, else 505 (RFC 9110 section 15.6.6, answered in HTTP/1.1); the method is at most
 * {@value #MAX_METHOD_LENGTH} characters, else 400 (the gateway serves GET, POST and DELETE, and a log line is
 * handed no more of a method than that); the body's framing (sections 6.1 and 6.3) is
 * no framing header, one {@code Content-Length} (Netty itself refuses several, even equal ones), or
 * {@code Transfer-Encoding} whose whole list is exactly {@code chunked} on HTTP/1.1, else 400: {@code
 * Content-Length} with {@code Transfer-Encoding} (seen by {@link StrictRequestDecoder} before Netty drops the
 * length), any other coding or list ({@code chunked, identity}, {@code gzip, chunked}, {@code chunked} twice,
 * parameters, unknown names), and {@code Transfer-Encoding} on HTTP/1.0.
 *
 * <p>On the bytes as sent ({@link StrictRequestDecoder}, which alone sees them): no obs-fold (section 5.2),
 * exactly one {@code Host} on HTTP/1.1 and at most one on HTTP/1.0 (section 3.2), and chunk-size lines as
 * {@link #chunkSize} reads them (section 7.1); else 400.
 */
final class Framing {

  /** The longest method accepted. */
  static final int MAX_METHOD_LENGTH = 16;
  /** A request whose body length is ambiguous or unsupported. */
  static final GatewayFailure BAD_FRAMING = GatewayFailure.invalid(400);
  /** A head that breaks HTTP/1.1's syntax: an obs-fold, {@code Host} missing or repeated, an overlong method. */
  static final GatewayFailure MALFORMED_HEAD = GatewayFailure.invalid(400);
  /** A request line with a version other than HTTP/1.0 or HTTP/1.1 (e.g. an HTTP/2 preface without h2c). */
  static final GatewayFailure BAD_VERSION = GatewayFailure.invalid(505);

  private Framing() {
  }

  /** The failure for {@code head}, or null when it is sound. One header lookup for most requests. */
  static GatewayFailure violation(HttpRequest head) {
    // Netty's HttpVersion.valueOf answers its two constants for exactly these texts, and a new version else
    HttpVersion version = head.protocolVersion();
    if (version != HttpVersion.HTTP_1_1 && version != HttpVersion.HTTP_1_0) {
      return BAD_VERSION;
    }
    if (head.method().name().length() > MAX_METHOD_LENGTH) {
      return MALFORMED_HEAD;
    }
    if (!head.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)) {
      return null;
    }
    List<String> codings = head.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING);
    if (version == HttpVersion.HTTP_1_0 || codings.size() != 1) {
      return BAD_FRAMING; // HTTP/1.0 has no chunked coding; several fields are a list of several codings
    }
    return "chunked".equalsIgnoreCase(codings.get(0).trim()) ? null : BAD_FRAMING;
  }

  /**
   * The size a chunk-size line announces, or -1 when the line is not {@code 1*HEXDIG [ BWS ";" extension ]}
   * with a size Netty can hold (at most {@link Integer#MAX_VALUE}): no sign, no {@code 0x}, no whitespace
   * before the digits or after them unless an extension follows, and an extension of visible characters, spaces
   * and tabs only (a lone CR or any other control character inside the line is refused). Netty's own reading
   * skips leading whitespace, ignores what follows a space, and wraps a size of nine hex digits or more to a small
   * number: each a way for two readers to disagree on where the body ends.
   *
   * @param line the line's bytes from {@code from} to {@code to} (exclusive), its CRLF excluded
   */
  static long chunkSize(ByteBuf line, int from, int to) {
    long size = 0;
    int i = from;
    for (; i < to; i++) {
      int digit = hexDigit(line.getByte(i));
      if (digit < 0) {
        break;
      }
      size = size * 16 + digit;
      if (size > Integer.MAX_VALUE) {
        return -1;
      }
    }
    if (i == from) {
      return -1; // no digit
    }
    int digitsEnd = i;
    while (i < to && isBlank(line.getByte(i))) {
      i++;
    }
    if (i == to) {
      return i == digitsEnd ? size : -1; // whitespace after the size is allowed only before an extension
    }
    if (line.getByte(i) != ';') {
      return -1;
    }
    for (i++; i < to; i++) {
      byte b = line.getByte(i);
      if ((b >= 0 && b < ' ' && b != '\t') || b == 0x7f) {
        return -1; // a control character: CR, NUL, ... (bytes 0x80 and up are obs-text, allowed)
      }
    }
    return size;
  }

  private static int hexDigit(byte b) {
    if (b >= '0' && b <= '9') {
      return b - '0';
    }
    int lower = b | 0x20;
    return lower >= 'a' && lower <= 'f' ? lower - 'a' + 10 : -1;
  }

  /** SP or HTAB: the whitespace a header line may start with only as an obs-fold. */
  static boolean isBlank(byte b) {
    return b == ' ' || b == '\t';
  }
}
