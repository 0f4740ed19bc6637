package io.tokengateway.upstream;

import io.tokengateway.core.GatewayFailure;
import io.tokengateway.core.GatewayFailure.Outcome;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.RequestOptions;

/**
 * One SignalWire call on the core {@link HttpClient}, bounded in time and in size, which Vert.x's WebClient
 * cannot do (its timeout is an idle timeout, it buffers whole bodies and it cannot cancel a request):
 *
 * <ul>
 *   <li><b>Deadline.</b> Connecting (or waiting for a pooled connection), the headers and the whole body must
 *       be done within {@code upstream.timeoutMs} of the start, on one timer cancelled on completion. Past it the
 *       request is reset and the caller gets 504.
 *   <li><b>Size.</b> An answer declaring a {@code Content-Length} above {@code upstream.maxResponseBytes} is
 *       refused on its headers; a streamed one as soon as its bytes pass the limit; nothing past the limit is
 *       ever buffered. The caller gets 502 ({@code server_error}, a breaker failure).
 * </ul>
 *
 * <p>A reset of an HTTP/1.1 request under way closes its connection (Vert.x frees its pool slot and never
 * reuses a half-read connection); over HTTP/2 it resets only that stream. All the work of one call runs on one
 * Vert.x context (the caller's event loop), so its state needs no locking.
 */
final class UpstreamCall {

  /** The deadline passed: 504. */
  static final GatewayFailure DEADLINE = GatewayFailure.upstream(504, Outcome.TIMEOUT,
      "SignalWire did not answer within upstream.timeoutMs");
  /** The answer is larger than allowed: 502. */
  static final GatewayFailure TOO_LARGE = GatewayFailure.upstream(502, Outcome.SERVER_ERROR,
      "SignalWire's answer is larger than upstream.maxResponseBytes");

  private final Vertx vertx;
  private final int maxBytes;
  private final Promise<UpstreamReply> result = Promise.promise();
  private long timer = -1;
  private HttpClientRequest request;

  private UpstreamCall(Vertx vertx, int maxBytes) {
    this.vertx = vertx;
    this.maxBytes = maxBytes;
  }

  /** Sends {@code payload} as {@code options} describe, within {@code deadlineMs} and {@code maxBytes}. */
  static Future<UpstreamReply> send(Vertx vertx, HttpClient client, RequestOptions options, Buffer payload,
      long deadlineMs, int maxBytes) {
    UpstreamCall call = new UpstreamCall(vertx, maxBytes);
    options.setConnectTimeout(deadlineMs); // also bounds the wait for a pooled connection
    Context context = vertx.getOrCreateContext();
    if (Vertx.currentContext() == context) {
      call.start(client, options, payload, deadlineMs);
    } else {
      context.runOnContext(v -> call.start(client, options, payload, deadlineMs));
    }
    return call.result.future();
  }

  private void start(HttpClient client, RequestOptions options, Buffer payload, long deadlineMs) {
    timer = vertx.setTimer(deadlineMs, id -> fail(DEADLINE));
    client.request(options).onComplete(created -> {
      if (created.failed()) {
        fail(UpstreamReplies.fromException(created.cause()));
        return;
      }
      request = created.result();
      if (result.future().isComplete()) {
        request.reset(); // the deadline passed while waiting for a connection: give it back unused
        return;
      }
      request.send(payload).onComplete(sent -> {
        if (sent.failed()) {
          fail(UpstreamReplies.fromException(sent.cause()));
        } else {
          receive(sent.result());
        }
      });
    });
  }

  private void receive(HttpClientResponse response) {
    if (result.future().isComplete()) {
      return;
    }
    long declared = declaredLength(response.getHeader(HttpHeaders.CONTENT_LENGTH));
    if (declared > maxBytes) {
      fail(TOO_LARGE);
      return;
    }
    Buffer body = Buffer.buffer(declared >= 0 ? (int) declared : Math.min(maxBytes, 4_096));
    response.exceptionHandler(t -> fail(UpstreamReplies.fromException(t)));
    response.handler(chunk -> {
      if (body.length() + chunk.length() > maxBytes) {
        fail(TOO_LARGE);
      } else if (!result.future().isComplete()) {
        body.appendBuffer(chunk);
      }
    });
    response.endHandler(v -> {
      if (result.tryComplete(new UpstreamReply(response.statusCode(), response.headers(), body))) {
        vertx.cancelTimer(timer);
      }
    });
  }

  private void fail(GatewayFailure failure) {
    if (result.tryFail(failure)) {
      vertx.cancelTimer(timer);
      if (request != null) {
        request.reset();
      }
    }
  }

  /** A {@code Content-Length} value, or -1 when absent or not a number (Netty refuses a malformed one). */
  private static long declaredLength(String header) {
    if (header == null) {
      return -1;
    }
    try {
      return Long.parseLong(header.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
