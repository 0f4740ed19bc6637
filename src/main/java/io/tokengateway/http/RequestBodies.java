package io.tokengateway.http;

import io.tokengateway.core.ContentLength;
import io.tokengateway.core.GatewayFailure;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

/**
 * The body stage of every token pipeline: a JSON content type (else 415), at most {@code http.maxBodyBytes}
 * (else 413: a declared length at once, without reading; a chunked body as soon as it grows past the limit),
 * read whole. A 413, and a 415 for a request with a body, end the connection ({@link Responses}): the rest of the
 * body is never read. A read that fails carries the connection rule's own failure (408, a framing 400) or says
 * the caller left.
 */
final class RequestBodies {

  private static final GatewayFailure UNSUPPORTED_MEDIA_TYPE = GatewayFailure.invalid(415);
  private static final GatewayFailure PAYLOAD_TOO_LARGE = GatewayFailure.invalid(413);
  private static final String JSON = "application/json";

  private final int maxBodyBytes;

  RequestBodies(int maxBodyBytes) {
    this.maxBodyBytes = maxBodyBytes;
  }

  /** The request's body, or a failed future with the 4xx to answer. */
  Future<Buffer> read(Exchange x) {
    HttpServerRequest request = x.request;
    if (!isJson(request.getHeader(HttpHeaders.CONTENT_TYPE))) {
      return Future.failedFuture(UNSUPPORTED_MEDIA_TYPE);
    }
    long declared = ContentLength.declared(request.getHeader(HttpHeaders.CONTENT_LENGTH));
    if (declared > maxBodyBytes) {
      return Future.failedFuture(PAYLOAD_TOO_LARGE);
    }
    return declared >= 0 ? request.body() : bounded(request);
  }

  /** A body of no declared length (chunked), read until it ends or passes the limit. */
  private Future<Buffer> bounded(HttpServerRequest request) {
    Promise<Buffer> body = Promise.promise();
    Buffer read = Buffer.buffer();
    request.handler(chunk -> {
      if (body.future().isComplete()) {
        return; // past the limit: the rest is dropped
      }
      if (read.length() + chunk.length() > maxBodyBytes) {
        body.tryFail(PAYLOAD_TOO_LARGE);
      } else {
        read.appendBuffer(chunk);
      }
    });
    request.exceptionHandler(body::tryFail);
    request.endHandler(v -> body.tryComplete(read));
    return body.future();
  }

  /** {@code application/json}, with parameters or not, in any case. */
  static boolean isJson(String type) {
    return type != null && type.regionMatches(true, 0, JSON, 0, JSON.length())
        && (type.length() == JSON.length() || type.charAt(JSON.length()) == ';'
            || type.charAt(JSON.length()) == ' ');
  }
}
