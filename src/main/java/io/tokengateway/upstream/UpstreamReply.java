package io.tokengateway.upstream;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

/**
 * What a service answered, read whole but never past the call's size bound ({@link BoundedHttp}; for SignalWire
 * {@code upstream.maxResponseBytes}). The accessors are named like Vert.x's {@code HttpResponse}, so the rules in
 * {@link UpstreamReplies} read the same.
 *
 * @param statusCode the HTTP status
 * @param headers the response headers
 * @param body the body, at most the call's size bound (empty when there was none)
 */
public record UpstreamReply(int statusCode, MultiMap headers, Buffer body) {

  /** The first value of header {@code name}, or null. */
  public String getHeader(String name) {
    return headers.get(name);
  }
}
