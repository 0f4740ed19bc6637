package io.tokengateway.upstream;

import static net.logstash.logback.argument.StructuredArguments.kv;

import com.github.benmanes.caffeine.cache.Ticker;
import io.tokengateway.config.LogOptions;
import io.tokengateway.core.ContentLength;
import io.tokengateway.logging.RejectionSummaries;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every outgoing HTTP call of the gateway (SignalWire, the CAPTCHA siteverify, the site's JWKS), bounded in time
 * and in size on Vert.x's core {@link HttpClient}, which the WebClient cannot do (its timeout is an idle timeout,
 * it buffers whole bodies and it cannot cancel a request):
 *
 * <ul>
 *   <li><b>Deadline.</b> Connecting (or waiting for a pooled connection), the headers and the whole body must be
 *       done within {@code deadlineMs} of the start, on one timer cancelled on completion.
 *   <li><b>Size.</b> An answer declaring a {@code Content-Length} above {@code maxBytes} is refused on its
 *       headers, a streamed one as soon as its bytes pass the limit; nothing past the limit is ever buffered. A
 *       malformed {@code Content-Length} is refused the same way ({@link ContentLength}).
 *   <li><b>Reset.</b> Past either bound the request is reset: over HTTP/1.1 its connection is closed (Vert.x frees
 *       its pool slot and never reuses a half-read connection); over HTTP/2 only its stream.
 * </ul>
 *
 * <p>A call fails with a stackless {@link Failed} naming its {@link Fault}. Every failure is handled here: the
 * request, the response and (through {@link #client}) the connection all have their handlers before anything can
 * fail them, so Vert.x never logs one as unhandled. Faults are logged on this class's logger as the access log's
 * rejections are: {@code log.rejectionLinesPerInterval} lines per fault and interval, then one
 * {@code upstream faults summarized} line. All the work of one call runs on one Vert.x context (the caller's
 * event loop), so its state needs no locking.
 */
public final class BoundedHttp {

  private static final Logger LOG = LoggerFactory.getLogger(BoundedHttp.class);

  /** Why a call got no usable answer. */
  public enum Fault {
    /** The deadline passed first. */
    DEADLINE("deadline"),
    /** The answer declared or streamed more than allowed, or a malformed length. */
    TOO_LARGE("too_large"),
    /** The pool's wait queue was full: local overload, not the service failing. */
    POOL_FULL("pool_full"),
    /** The connection could not be made, or was lost or reset before the answer was whole. */
    LOST("connection_lost");

    private final String label;

    Fault(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  /** A call that failed; stackless, its message names no URL, token or secret. */
  public static final class Failed extends RuntimeException {
    private final Fault fault;

    private Failed(Fault fault, String message, Throwable cause) {
      super(message, cause, false, false);
      this.fault = fault;
    }

    public Fault fault() {
      return fault;
    }
  }

  private static final Failed DEADLINE = new Failed(Fault.DEADLINE, "no complete answer within the deadline", null);
  private static final Failed TOO_LARGE = new Failed(Fault.TOO_LARGE, "answer larger than allowed", null);
  private static final Failed POOL_FULL = new Failed(Fault.POOL_FULL, "too many calls waiting for a connection",
      null);

  private final Vertx vertx;
  private final RejectionSummaries faults;

  /** Calls on {@code vertx}, their faults summarized as {@code log} says for rejections, on {@code ticker}. */
  public BoundedHttp(Vertx vertx, LogOptions log, Ticker ticker) {
    this.vertx = vertx;
    this.faults = new RejectionSummaries(LOG, "upstream faults summarized",
        Arrays.stream(Fault.values()).map(Fault::label).toList(), log.rejectionLinesPerInterval(),
        log.rejectionIntervalSeconds(), ticker);
  }

  /**
   * A pooled client for {@link #send}: {@code options} and {@code pool} as given, and an exception handler on each
   * connection (a connection failing while no call is on it, e.g. an idle one reset, is only worth a debug line).
   */
  public HttpClientAgent client(HttpClientOptions options, PoolOptions pool) {
    return vertx.httpClientBuilder().with(options).with(pool)
        .withConnectHandler(connection -> connection.exceptionHandler(t ->
            LOG.debug("upstream connection failed: {}", t.getClass().getSimpleName())))
        .build();
  }

  /**
   * Sends {@code request} (with {@code payload}, or none when null) on {@code client} and reads the answer whole,
   * within {@code deadlineMs} and {@code maxBytes}. {@code service} names the callee in fault lines.
   */
  public Future<UpstreamReply> send(HttpClient client, String service, RequestOptions request, Buffer payload,
      long deadlineMs, int maxBytes) {
    Call call = new Call(service, maxBytes);
    request.setConnectTimeout(deadlineMs); // also bounds the wait for a pooled connection
    Context context = vertx.getOrCreateContext();
    if (Vertx.currentContext() == context) {
      call.start(client, request, payload, deadlineMs);
    } else {
      context.runOnContext(v -> call.start(client, request, payload, deadlineMs));
    }
    return call.result.future();
  }

  /** Writes the fault summaries whose interval is over (the gateway calls it every second). */
  public void summarizeEnded() {
    faults.summarizeEnded();
  }

  /** Writes every pending fault summary: at shutdown. */
  public void summarizeAll() {
    faults.summarizeAll();
  }

  private void logged(String service, Failed failure) {
    if (faults.admit(failure.fault.label)) {
      Throwable cause = failure.getCause();
      LOG.warn("upstream call failed", kv("service", service), kv("fault", failure.fault.label),
          kv("cause", cause == null ? failure.getMessage() : cause.getClass().getSimpleName()));
    }
  }

  /** One call's state. */
  private final class Call {
    final String service;
    final int maxBytes;
    final Promise<UpstreamReply> result = Promise.promise();
    long timer = -1;
    HttpClientRequest request;

    Call(String service, int maxBytes) {
      this.service = service;
      this.maxBytes = maxBytes;
    }

    void start(HttpClient client, RequestOptions options, Buffer payload, long deadlineMs) {
      timer = vertx.setTimer(Math.max(1, deadlineMs), id -> fail(DEADLINE));
      client.request(options).onComplete(created -> {
        if (created.failed()) {
          fail(created.cause() instanceof ConnectionPoolTooBusyException ? POOL_FULL : lost(created.cause()));
          return;
        }
        request = created.result();
        request.exceptionHandler(t -> fail(lost(t))); // before the reset below: else Vert.x logs it as unhandled
        if (result.future().isComplete()) {
          request.reset(); // the deadline passed while waiting for a connection: give it back unused
          return;
        }
        (payload == null ? request.send() : request.send(payload)).onComplete(sent -> {
          if (sent.failed()) {
            fail(lost(sent.cause()));
          } else {
            receive(sent.result());
          }
        });
      });
    }

    /** Sets every handler of the answer first, so that no failure of it, from here on, is unhandled. */
    void receive(HttpClientResponse response) {
      long declared = ContentLength.declared(response.getHeader(HttpHeaders.CONTENT_LENGTH));
      Buffer body = Buffer.buffer(declared >= 0 && declared <= maxBytes ? (int) declared : Math.min(maxBytes, 4_096));
      response.exceptionHandler(t -> fail(lost(t)));
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
      if (declared > maxBytes) {
        fail(TOO_LARGE);
      }
    }

    void fail(Failed failure) {
      if (result.tryFail(failure)) {
        vertx.cancelTimer(timer);
        if (request != null) {
          request.reset();
        }
        logged(service, failure);
      }
    }
  }

  private static Failed lost(Throwable cause) {
    return cause instanceof Failed f ? f : new Failed(Fault.LOST, cause.getClass().getSimpleName(), cause);
  }
}
