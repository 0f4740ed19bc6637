package io.tokengateway.http.connection;

import io.netty.handler.codec.http.HttpMessage;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;

/**
 * Vert.x's own request decoder (same limits, same header interning), except that a head with both
 * {@code Content-Length} and {@code Transfer-Encoding: chunked} is an invalid message. Netty's default drops the
 * length and reads chunks, which lets a request hidden in the body run behind a proxy that framed by length.
 * Throwing here is the override Netty documents: the head is delivered with a failed decoder result and the
 * decoder reads nothing more from the connection.
 */
final class StrictRequestDecoder extends VertxHttpRequestDecoder {

  StrictRequestDecoder(HttpServerOptions options) {
    super(options);
  }

  @Override
  protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
    throw Framing.BAD_FRAMING;
  }
}
