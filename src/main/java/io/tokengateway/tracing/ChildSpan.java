package io.tokengateway.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.tokengateway.core.GatewayFailure;
import io.vertx.core.MultiMap;

/**
 * A span a request makes on its way: the SignalWire call (a client span whose context goes out as
 * {@code traceparent}) or a Redis command. With export off it carries only the ids the call propagates; for a
 * request without a trace (a background task) it is {@link #NONE}, which does nothing.
 */
public final class ChildSpan {

  /** No trace to continue: nothing is propagated or recorded. */
  public static final ChildSpan NONE = new ChildSpan(null);

  private final Span span;

  ChildSpan(Span span) {
    this.span = span;
  }

  /**
   * Adds this span's {@code traceparent} (the request's trace, this span's id as the parent) and the caller's
   * {@code tracestate} to an outgoing request's headers.
   */
  public void inject(MultiMap headers) {
    if (span != null) {
      TraceHeaders.inject(span, headers);
    }
  }

  /** This span's id (16 hex digits), or null for {@link #NONE}. */
  public String spanId() {
    return span == null ? null : span.getSpanContext().getSpanId();
  }

  /**
   * Ends an HTTP client span: {@code status} is the answer's (0 when none came), {@code failure} why the call
   * failed (its outcome or type is recorded, never its message).
   */
  public void endHttp(int status, Throwable failure) {
    if (span == null || !span.isRecording()) {
      return;
    }
    if (status > 0) {
      span.setAttribute(TraceAttributes.HTTP_STATUS, status);
    }
    if (failure != null || status >= 400) {
      span.setAttribute(TraceAttributes.ERROR_TYPE, failure != null ? errorType(failure) : Integer.toString(status));
      span.setStatus(StatusCode.ERROR);
    }
    span.end();
  }

  /** Ends a Redis span: {@code failure} null when Redis answered (an error reply is a failure). */
  public void endCommand(Throwable failure) {
    if (span == null || !span.isRecording()) {
      return;
    }
    if (failure != null) {
      if (failure instanceof io.vertx.redis.client.Response reply) {
        span.setAttribute(TraceAttributes.DB_STATUS, errorCode(reply.toString()));
        span.setAttribute(TraceAttributes.ERROR_TYPE, errorCode(reply.toString()));
      } else {
        span.setAttribute(TraceAttributes.ERROR_TYPE, errorType(failure));
      }
      span.setStatus(StatusCode.ERROR);
    }
    span.end();
  }

  /** A failure's kind: the gateway's outcome label ({@code timeout}, {@code connection_error}, ...) or its class. */
  static String errorType(Throwable failure) {
    return failure instanceof GatewayFailure f ? f.outcome().label() : failure.getClass().getSimpleName();
  }

  /** The code of a Redis error reply: its first word when that is 1 to 32 capital letters, else {@code ERR}. */
  static String errorCode(String reply) {
    int end = 0;
    while (end < reply.length() && end < 32 && reply.charAt(end) >= 'A' && reply.charAt(end) <= 'Z') {
      end++;
    }
    return end > 0 && (end == reply.length() || reply.charAt(end) == ' ') ? reply.substring(0, end) : "ERR";
  }
}
