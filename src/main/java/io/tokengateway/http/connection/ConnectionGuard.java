package io.tokengateway.http.connection;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.tokengateway.core.GatewayFailure;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.impl.Http1xServerConnection;
import io.vertx.core.net.impl.ShutdownEvent;
import java.util.concurrent.TimeUnit;

/**
 * The rules of one HTTP/1.1 connection, between Netty's codec and Vert.x's connection, all on the connection's
 * event loop:
 * <ul>
 *   <li><b>Request deadline.</b> A request's head and body must be in within the request timeout of its first
 *   byte. One timer per connection, armed only when a read ends with a request incomplete (a request that
 *   arrives in one read costs a clock read, no timer). Past it: no head yet, the connection is closed; head in,
 *   the request's body read fails with 408, its handler answers it, and the connection is closed.</li>
 *   <li><b>Framing.</b> A head {@link Framing} refuses goes to Vert.x's invalid request handler (400) and
 *   nothing after it is read. A body the decoder cannot read (an invalid chunk size) fails the request with
 *   400, answered by its handler, then the close.</li>
 *   <li><b>Idle.</b> Vert.x's idle timeout closes a connection with no byte for its length, except while an
 *   answer is owed (a request waiting for SignalWire is not cut) or not yet taken by the client (then
 *   {@link ReadAhead}'s write timeout rules).</li>
 *   <li><b>Last answer.</b> An answer that says {@code Connection: close} (a refused request, as the HTTP
 *   layer decides; a request that asked for it; the drain) is the connection's last: nothing more is read
 *   from the moment it is written, not even the rest of its request's body. Once it is written the connection's
 *   end (FIN) follows it, and the close {@link #LINGER_NANOS} later.</li>
 *   <li><b>Drain.</b> Once the process drains or the listener closes, every answer says {@code Connection:
 *   close} and the connection is closed after it; a connection owing nothing and quiet for {@link #QUIET_NANOS}
 *   is closed. A request already sent is answered: Vert.x's own shutdown, which drops a request arriving
 *   between answers, never reaches the connection.</li>
 * </ul>
 * The deadlines run on the event loop's scheduler and its ticker: one clock for a deadline and its wait. They
 * are wire rules, tested on the wire with one-second settings.
 */
final class ConnectionGuard extends ChannelDuplexHandler {

  /** The answer to a request whose body did not arrive in time. */
  static final GatewayFailure REQUEST_TIMEOUT = GatewayFailure.invalid(408);
  /** The answer to a body the decoder could not read (an invalid chunk). */
  static final GatewayFailure MALFORMED_BODY = GatewayFailure.invalid(400);
  /**
   * While draining, a connection owing nothing is closed once it has been quiet this long. A client that sends
   * its next request sooner (any client under load) is answered with {@code Connection: close} instead, so the
   * close never races a request already on its way.
   */
  static final long QUIET_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** How long a request's handler has to answer a failed request before the connection is closed anyway. */
  private static final long ANSWER_GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);
  /**
   * After a connection's last answer its end (FIN) follows the answer at once, and the close this much later: a
   * client still sending a body the gateway does not read is then reset only once it had the time to read the
   * answer (closing at once with unread bytes resets the connection, and the answer may be lost with it).
   */
  private static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

  /** What the connection is reading. */
  private enum Reading { BETWEEN_REQUESTS, HEAD, BODY, REFUSED }

  private final ServerConnections owner;
  private final Http1xServerConnection connection;
  private final ReadAhead readAhead;
  private final long requestTimeoutNanos;
  /** Whether the decoder refuses Content-Length with chunked itself; else chunked requests end the connection. */
  private final boolean strictDecoder;
  private ChannelHandlerContext ctx;
  private Reading reading = Reading.BETWEEN_REQUESTS;
  private long requestStart;
  private boolean decodedInThisRead;
  private ScheduledFuture<?> deadline;
  private int heads;
  /** Requests Vert.x has handed to the gateway's handler; the last one and its context. */
  private int handed;
  private HttpServerRequest current;
  private Context currentContext;
  private int answers;
  private boolean informational;
  /** Every answer says Connection: close and the connection closes after it. */
  private boolean closing;
  /** The request being read is the connection's last: nothing after its body is read. */
  private boolean lastRequest;
  /** An answer closing the connection was written: a request Vert.x still hands over is never run. */
  private boolean closingAnswerSent;
  private boolean draining;
  private boolean quiet;
  /** This connection's place among the listener's idle ones, which a full listener closes oldest first. */
  private IdleConnections.Entry idleness;

  ConnectionGuard(ServerConnections owner, Http1xServerConnection connection, ReadAhead readAhead,
      long requestTimeoutNanos, boolean strictDecoder) {
    this.owner = owner;
    this.connection = connection;
    this.readAhead = readAhead;
    this.requestTimeoutNanos = requestTimeoutNanos;
    this.strictDecoder = strictDecoder;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    owner.opened(this);
    idleness = owner.idleness(ctx.channel());
    noteIdleness();
    if (owner.draining()) {
      drain();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    owner.closed(this);
    idleness.idle(false);
    cancelDeadline();
    ctx.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    quiet = false;
    if (reading == Reading.REFUSED) {
      ReferenceCountUtil.release(msg); // nothing after a refused head or body is read as a request
      return;
    }
    decodedInThisRead = true;
    if (msg instanceof HttpRequest head && !head(head)) {
      return;
    }
    if (msg instanceof HttpContent content) {
      if (content.decoderResult().isFailure()) {
        ReferenceCountUtil.release(msg);
        fail(MALFORMED_BODY);
        return;
      }
      if (content instanceof LastHttpContent && lastRequest) {
        refuse();
        ctx.fireChannelRead(msg);
        return;
      }
      if (content instanceof LastHttpContent) {
        reading = Reading.BETWEEN_REQUESTS;
      }
    }
    ctx.fireChannelRead(msg);
  }

  /** Takes a request head in; false when it was refused (and already passed on to be answered). */
  private boolean head(HttpRequest head) {
    if (reading == Reading.BETWEEN_REQUESTS) {
      requestStart = now(); // the whole head came in one read
    }
    reading = Reading.BODY;
    heads++;
    GatewayFailure refused = head.decoderResult().isSuccess() ? Framing.violation(head) : Framing.BAD_FRAMING;
    if (refused == null) {
      if (!strictDecoder && HttpUtil.isTransferEncodingChunked(head)) {
        closing = true; // Vert.x's decoder may have dropped a Content-Length: read nothing after this body
        lastRequest = true;
      }
      return true;
    }
    if (head.decoderResult().isSuccess()) {
      head.setDecoderResult(DecoderResult.failure(refused));
    }
    if (refused == Framing.BAD_VERSION) {
      head.setProtocolVersion(HttpVersion.HTTP_1_1); // Vert.x answers in the request's version: say it in ours
    }
    refuse();
    ctx.fireChannelRead(head); // Vert.x's invalid request handler answers, then closes the connection
    return false;
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    quiet = false;
    if (reading == Reading.BETWEEN_REQUESTS && !decodedInThisRead) {
      reading = Reading.HEAD; // bytes came in and no head is out yet: a request has begun
      requestStart = now();
    }
    decodedInThisRead = false;
    if ((reading == Reading.HEAD || reading == Reading.BODY) && deadline == null) {
      deadline = ctx.executor().schedule(this::checkDeadline, requestStart + requestTimeoutNanos - now(),
          TimeUnit.NANOSECONDS);
    }
    noteIdleness();
    ctx.fireChannelReadComplete();
  }

  private void checkDeadline() {
    deadline = null;
    if (!ctx.channel().isActive() || (reading != Reading.HEAD && reading != Reading.BODY)) {
      return;
    }
    int earlierUnanswered = heads - answers - (reading == Reading.BODY ? 1 : 0);
    if (earlierUnanswered > 0) {
      requestStart = now(); // a pipelined request waits on the gateway, not on its sender
    }
    long left = requestStart + requestTimeoutNanos - now();
    if (left > 0) {
      deadline = ctx.executor().schedule(this::checkDeadline, left, TimeUnit.NANOSECONDS);
    } else if (reading == Reading.HEAD) {
      ctx.close(); // no request to answer yet
    } else {
      fail(REQUEST_TIMEOUT);
    }
  }

  /** {@code next}, noting each request it is handed (the one a failure of its body is answered on). */
  Handler<HttpServerRequest> tracking(Handler<HttpServerRequest> next) {
    return request -> {
      if (closingAnswerSent) {
        return; // pipelined behind an answer that closes the connection: the client knows it was not run
      }
      handed++;
      current = request;
      currentContext = Vertx.currentContext();
      next.handle(request);
    };
  }

  /**
   * Ends the request being read with {@code failure}: answered (on its own context, through the HTTP layer's answers,
   * so the access line shows it) when the gateway holds it and has not answered yet, then the connection closes.
   * Its body read then fails with {@code failure} too, which releases whatever waits for the body (answering
   * first keeps Vert.x Web from reporting the request as reset before the answer is out).
   */
  private void fail(GatewayFailure failure) {
    refuse();
    cancelDeadline();
    HttpServerRequest request = current;
    if (answers >= heads || handed != heads || request == null) {
      ctx.close(); // answered already (e.g. 413 before the body), or still queued behind a pipelined answer
      return;
    }
    currentContext.runOnContext(v -> {
      owner.answer(request, failure);
      connection.handleException(failure);
    });
    ctx.executor().schedule(() -> ctx.close(), ANSWER_GRACE_NANOS, TimeUnit.NANOSECONDS);
  }

  private void refuse() {
    reading = Reading.REFUSED;
    closing = true;
    readAhead.stop();
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof HttpResponse response) {
      informational = response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
      if (closing && !informational) {
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      }
      if (!informational && reading != Reading.REFUSED
          && response.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE, true)) {
        refuse(); // the connection's last answer: nothing more is read, whatever is left of the request's body
      }
    }
    if (msg instanceof LastHttpContent && !informational) {
      answers++;
      noteIdleness();
      if (closing) {
        closingAnswerSent = true;
        ChannelPromise p = promise.unvoid();
        p.addListener(written -> endConnection());
        ctx.write(msg, p);
        return;
      }
    }
    ctx.write(msg, promise);
  }

  /** Ends the connection after its last answer: its end at once, the close after {@link #LINGER_NANOS}. */
  private void endConnection() {
    if (ctx.channel() instanceof DuplexChannel duplex && duplex.isActive()) {
      duplex.shutdownOutput();
      ctx.executor().schedule(() -> ctx.close(), LINGER_NANOS, TimeUnit.NANOSECONDS);
    } else {
      ctx.close();
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof ShutdownEvent) {
      drain(); // instead of Vert.x's shutdown; the server closes what is left at shutdown.timeoutSeconds
      return;
    }
    if (event instanceof IdleStateEvent && heads > answers) {
      return; // an answer is owed: the wait is the gateway's, not the client's
    }
    ctx.fireUserEventTriggered(event);
  }

  /**
   * Idle (the listener may close it to make room): no request being read, no answer owed, not closing. Noted
   * whenever that can change: after each read, each answer, and at the close.
   */
  private void noteIdleness() {
    idleness.idle(reading == Reading.BETWEEN_REQUESTS && heads == answers && !closing && ctx.channel().isActive());
  }

  /** From now on every answer closes the connection; a connection owing nothing closes once quiet. */
  void drain() {
    if (draining) {
      return;
    }
    draining = true;
    closing = true;
    awaitQuiet();
  }

  private void awaitQuiet() {
    quiet = true;
    ctx.executor().schedule(this::closeIfQuiet, QUIET_NANOS, TimeUnit.NANOSECONDS);
  }

  private void closeIfQuiet() {
    if (!ctx.channel().isActive() || reading != Reading.BETWEEN_REQUESTS || heads > answers) {
      return; // a request is coming in or being answered: its answer closes the connection
    }
    if (quiet) {
      ctx.close();
    } else {
      awaitQuiet();
    }
  }

  /** Runs {@link #drain} on the connection's event loop. */
  void drainLater() {
    ctx.executor().execute(this::drain);
  }

  private void cancelDeadline() {
    if (deadline != null) {
      deadline.cancel(false);
      deadline = null;
    }
  }

  private long now() {
    return ctx.executor().ticker().nanoTime();
  }
}
