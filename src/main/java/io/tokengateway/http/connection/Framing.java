package io.tokengateway.http.connection;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.tokengateway.core.GatewayFailure;
import java.util.List;

/**
 * How a request's body is framed (RFC 9112 sections 6.1 and 6.3), judged on its head before any body byte is
 * read: a length two readers could disagree on is refused, so nothing after it on the connection is ever read as
 * a request (no smuggling behind a proxy that frames differently).
 *
 * <p>Accepted: no framing header, one {@code Content-Length} (Netty itself refuses several, even equal ones),
 * or {@code Transfer-Encoding} whose whole list is exactly {@code chunked} on HTTP/1.1. Refused with 400:
 * {@code Content-Length} with {@code Transfer-Encoding} (seen by {@link StrictRequestDecoder} before Netty drops
 * the length), any other coding or list ({@code chunked, identity}, {@code gzip, chunked}, {@code chunked} twice,
 * parameters, unknown names), and {@code Transfer-Encoding} on HTTP/1.0. A version other than 1.x is 505.
 */
final class Framing {

  /** A request whose body length is ambiguous or unsupported. */
  static final GatewayFailure BAD_FRAMING = GatewayFailure.invalid(400);
  /** A request line with a version other than HTTP/1.0 or HTTP/1.1 (e.g. an HTTP/2 preface without h2c). */
  static final GatewayFailure BAD_VERSION = GatewayFailure.invalid(505);

  private Framing() {
  }

  /** The failure for {@code head}, or null when its framing is sound. One header lookup for most requests. */
  static GatewayFailure violation(HttpRequest head) {
    if (head.protocolVersion().majorVersion() != 1) {
      return BAD_VERSION;
    }
    if (!head.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)) {
      return null;
    }
    List<String> codings = head.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING);
    if (head.protocolVersion().minorVersion() == 0 || codings.size() != 1) {
      return BAD_FRAMING; // HTTP/1.0 has no chunked coding; several fields are a list of several codings
    }
    return "chunked".equalsIgnoreCase(codings.get(0).trim()) ? null : BAD_FRAMING;
  }
}
