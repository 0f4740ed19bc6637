package io.tokengateway.guest;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/**
 * One pooled Vert.x HTTP client for a guest check's own service (a CAPTCHA provider, a JWKS endpoint), where
 * every call has a total deadline and a bounded answer. It uses Vert.x's core {@code HttpClient} (the pooled
 * client {@code WebClient} wraps) because both bounds must be able to cancel the call: at the deadline, or as
 * soon as an answer outgrows {@code maxBytes}, the request is reset and its connection dropped, so a trickling
 * or endless answer never holds a pooled connection or buffers without limit. Never blocks; results complete
 * on the caller's context.
 */
final class BoundedHttp {

  /** An HTTP answer, read whole within the bounds. */
  record Reply(int status, Buffer body) {
  }

  /** Why a call got no usable answer; stackless, the message never holds a token or a secret. */
  static final class CallFailed extends RuntimeException {
    /** True when the pool's wait queue was full: local overload, not the service failing. */
    final boolean overloaded;

    CallFailed(String message, boolean overloaded) {
      super(message, null, false, false);
      this.overloaded = overloaded;
    }
  }

  static final CallFailed DEADLINE = new CallFailed("no complete answer within the deadline", false);
  static final CallFailed TOO_LARGE = new CallFailed("answer larger than allowed", false);
  static final CallFailed POOL_FULL = new CallFailed("too many calls waiting for a connection", true);

  private final Vertx vertx;
  private final HttpClientAgent client;
  private final int maxBytes;

  BoundedHttp(Vertx vertx, int poolSize, int maxWaitQueue, int connectTimeoutMs, int maxBytes) {
    this.vertx = vertx;
    this.maxBytes = maxBytes;
    this.client = vertx.createHttpClient(new HttpClientOptions()
            .setKeepAlive(true)
            .setKeepAliveTimeout(30)
            .setConnectTimeout(connectTimeoutMs)
            .setVerifyHost(true),
        new PoolOptions().setHttp1MaxSize(poolSize).setMaxWaitQueueSize(maxWaitQueue));
  }

  /** Sends {@code request} (with {@code body}, or none when null) and reads the answer within {@code deadlineMs}. */
  Future<Reply> send(RequestOptions request, Buffer body, long deadlineMs) {
    Promise<Reply> result = Promise.promise();
    HttpClientRequest[] sent = new HttpClientRequest[1];
    long timer = vertx.setTimer(Math.max(1, deadlineMs), id -> {
      if (result.tryFail(DEADLINE) && sent[0] != null) {
        sent[0].reset();
      }
    });
    client.request(request).onComplete(created -> {
      if (created.failed()) {
        vertx.cancelTimer(timer);
        result.tryFail(created.cause() instanceof ConnectionPoolTooBusyException ? POOL_FULL
            : new CallFailed(created.cause().getClass().getSimpleName(), false));
        return;
      }
      HttpClientRequest req = created.result();
      sent[0] = req;
      if (result.future().isComplete()) {
        req.reset(); // the deadline passed while waiting for a connection
        return;
      }
      (body == null ? req.send() : req.send(body)).onComplete(answered -> {
        if (answered.failed()) {
          vertx.cancelTimer(timer);
          result.tryFail(new CallFailed(answered.cause().getClass().getSimpleName(), false));
        } else {
          read(req, answered.result(), result, timer);
        }
      });
    });
    return result.future();
  }

  private void read(HttpClientRequest req, HttpClientResponse response, Promise<Reply> result, long timer) {
    String declared = response.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (declared != null && !fits(declared)) {
      tooLarge(req, result, timer);
      return;
    }
    Buffer received = Buffer.buffer();
    response.handler(chunk -> {
      if (received.length() + chunk.length() > maxBytes) {
        tooLarge(req, result, timer);
      } else if (!result.future().isComplete()) {
        received.appendBuffer(chunk);
      }
    });
    response.exceptionHandler(t -> {
      vertx.cancelTimer(timer);
      result.tryFail(new CallFailed(t.getClass().getSimpleName(), false));
    });
    response.endHandler(v -> {
      vertx.cancelTimer(timer);
      result.tryComplete(new Reply(response.statusCode(), received));
    });
  }

  private boolean fits(String contentLength) {
    try {
      return Long.parseLong(contentLength.trim()) <= maxBytes;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private void tooLarge(HttpClientRequest req, Promise<Reply> result, long timer) {
    vertx.cancelTimer(timer);
    if (result.tryFail(TOO_LARGE)) {
      req.reset();
    }
  }

  Future<Void> close() {
    return client.close();
  }
}
