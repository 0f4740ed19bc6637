package io.tokengateway.http.connection;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * How far an HTTP/1.1 connection is read ahead of its answers, and how long its client may leave them unread, on
 * the connection's event loop (between Vert.x's idle handler and {@link ConnectionGuard}):
 * <ul>
 *   <li><b>Read ahead.</b> Reading stops while {@link #MAX_UNSENT} answers are not yet taken by the socket (the
 *   client does not read them), while the connection is not writable, or while a pipelined request waits behind
 *   one not answered yet (Vert.x answers pipelined requests one at a time: reading further buys nothing). It
 *   resumes once that drains. What the client sends meanwhile stays undecoded bytes, in the socket buffers and
 *   the decoder's buffer, so the heap a connection holds is bounded by those and by {@link #MAX_UNSENT} answers,
 *   not by what the client sends.</li>
 *   <li><b>Write timeout.</b> A connection with an answer not taken whole within the write timeout of the
 *   previous one (or of its own write) is closed: a client that never reads cannot hold a connection.</li>
 *   <li><b>Idle.</b> A connection with answers not taken is not idle: the write timeout rules it.</li>
 * </ul>
 * <p>To stop, the channel's autoRead goes off (no socket read) and the decoder decodes one message per read, so
 * the rest of what was read stays bytes; every read request passing here is held back. To resume, the decoder
 * is given what it holds to decode, then reads resume. {@link #stop} stops reading for good (a refused request:
 * nothing more of it is read). Vert.x turns autoRead off and on for its own back-pressure: off once 8 messages
 * wait in its queue (a pipelined request, or a paused request's body), on when they are handled. The gateway
 * never pauses a request, and the pipelining bound leaves Vert.x at most a few messages queued, so Vert.x never
 * turns autoRead off here; its request to read again when it turns it on passes here and is held like any other.
 */
final class ReadAhead extends ChannelDuplexHandler {

  /** Answers written but not yet taken by the socket past which nothing more is read. */
  static final int MAX_UNSENT = 16;
  /** Vert.x's name for the HTTP/1.1 request decoder in a connection's pipeline. */
  private static final String DECODER = "httpDecoder";

  private final long writeTimeoutNanos;
  private ChannelHandlerContext ctx;
  private ChannelHandlerContext decoderCtx;
  private int heads;
  private int answers;
  private int sent;
  private int passed;
  private boolean informational;
  private boolean holding;
  private boolean stopped;
  private boolean resumeScheduled;
  private long lastProgress;
  private ScheduledFuture<?> writeTimer;

  ReadAhead(long writeTimeoutNanos) {
    this.writeTimeoutNanos = writeTimeoutNanos;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    decoderCtx = ctx.pipeline().context(DECODER);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (writeTimer != null) {
      writeTimer.cancel(false);
      writeTimer = null;
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    passed++;
    if (msg instanceof HttpRequest && ++heads - answers > 1) {
      hold(); // Vert.x queues this one behind the answer it owes; the next waits undecoded
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof HttpResponse response) {
      informational = response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
    }
    if (!(msg instanceof LastHttpContent) || informational) {
      ctx.write(msg, promise);
      return;
    }
    if (answers++ == sent) {
      lastProgress = now(); // the first answer waiting for the socket
      if (writeTimer == null) {
        writeTimer = ctx.executor().schedule(this::checkProgress, writeTimeoutNanos, TimeUnit.NANOSECONDS);
      }
    }
    ChannelPromise p = promise.unvoid();
    p.addListener(this::taken);
    ctx.write(msg, p);
    if (answers - sent >= MAX_UNSENT) {
      hold();
    } else if (holding) {
      resumeLater(); // one answer owed less
    }
  }

  private void taken(Future<? super Void> written) {
    sent++;
    lastProgress = now();
    if (holding) {
      resumeLater();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (!ctx.channel().isWritable()) {
      hold();
    } else if (holding) {
      resumeLater();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void read(ChannelHandlerContext ctx) {
    if (!holding) {
      ctx.read();
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof IdleStateEvent && answers > sent) {
      return; // answers wait for the client: the write timeout rules
    }
    ctx.fireUserEventTriggered(event);
  }

  /** Reads nothing more on this connection: what is left of a refused request stays unread. */
  void stop() {
    stopped = true;
    hold();
  }

  private boolean mustHold() {
    return stopped || answers - sent >= MAX_UNSENT || heads - answers > 1 || !ctx.channel().isWritable();
  }

  private void hold() {
    if (holding) {
      return;
    }
    holding = true;
    ByteToMessageDecoder decoder = decoder();
    if (decoder != null) {
      decoder.setSingleDecode(true);
    }
    ctx.channel().config().setAutoRead(false);
  }

  /** Resumes once the events that may allow it are over (Vert.x hands over a queued request after an answer). */
  private void resumeLater() {
    if (!resumeScheduled) {
      resumeScheduled = true;
      ctx.executor().execute(this::resume);
    }
  }

  private void resume() {
    resumeScheduled = false;
    if (!holding || mustHold() || !ctx.channel().isActive()) {
      return;
    }
    holding = false;
    ByteToMessageDecoder decoder = decoder();
    if (decoder != null) {
      decoder.setSingleDecode(false);
      decodeBuffered(decoder);
    }
    if (!holding) { // what was buffered did not reach a bound again
      ctx.channel().config().setAutoRead(true);
      ctx.read(); // Vert.x may have turned autoRead on meanwhile: its read request was held here
    }
  }

  /** Lets the decoder decode what it read before reading stopped; a read-complete only if it gave messages. */
  private void decodeBuffered(ByteToMessageDecoder decoder) {
    int before = passed;
    try {
      decoder.channelRead(decoderCtx, Unpooled.EMPTY_BUFFER);
      if (passed != before) {
        decoder.channelReadComplete(decoderCtx);
      }
    } catch (Exception e) {
      decoderCtx.fireExceptionCaught(e);
    }
  }

  private ByteToMessageDecoder decoder() {
    return decoderCtx != null && !decoderCtx.isRemoved() && decoderCtx.handler() instanceof ByteToMessageDecoder d
        ? d : null;
  }

  private void checkProgress() {
    writeTimer = null;
    if (!ctx.channel().isActive() || answers == sent) {
      return;
    }
    long left = lastProgress + writeTimeoutNanos - now();
    if (left > 0) {
      writeTimer = ctx.executor().schedule(this::checkProgress, left, TimeUnit.NANOSECONDS);
    } else {
      ctx.close(); // the client has not taken an answer for the whole write timeout
    }
  }

  private long now() {
    return ctx.executor().ticker().nanoTime();
  }
}
