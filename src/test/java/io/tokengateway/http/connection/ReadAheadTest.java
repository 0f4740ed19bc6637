package io.tokengateway.http.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The read-ahead bounds one at a time, on a channel whose time and flushes the test drives: an answer written but
 * not flushed is one the client has not taken. The whole of it, with Vert.x and real sockets, is on the wire in
 * {@code SlowReadersIT}; here each bound alone, where the others cannot hide it.
 */
class ReadAheadTest {

  private static final long WRITE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final List<HttpRequest> handed = new ArrayList<>();
  private final List<Object> events = new ArrayList<>();
  private final ReadAhead readAhead = new ReadAhead(WRITE_TIMEOUT_NANOS);
  private boolean answerAtOnce = true;
  private int answerBytes = 16;
  private EmbeddedChannel channel;

  /** The decoder, the rule, and an application that answers each request as it comes (unflushed, as in a read). */
  private EmbeddedChannel channel() {
    channel = new EmbeddedChannel();
    channel.freezeTime();
    channel.pipeline().addLast("httpDecoder", new HttpRequestDecoder()).addLast(readAhead)
        .addLast(new ChannelInboundHandlerAdapter() {
          @Override
          public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest request) {
              handed.add(request);
              if (answerAtOnce) {
                ctx.write(answer());
              }
            }
            ReferenceCountUtil.release(msg);
          }

          @Override
          public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            events.add(event);
          }
        });
    return channel;
  }

  @AfterEach
  void finish() {
    channel.finishAndReleaseAll();
  }

  private FullHttpResponse answer() {
    return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
        Unpooled.wrappedBuffer(new byte[answerBytes]));
  }

  /** {@code n} pipelined requests in one read. */
  private static Object gets(int n) {
    return Unpooled.copiedBuffer("GET /health/live HTTP/1.1\r\nHost: h\r\n\r\n".repeat(n), StandardCharsets.US_ASCII);
  }

  @Test
  void readingStopsWhileSixteenAnswersAreNotTakenAndResumesAsTheClientTakesThem() {
    EmbeddedChannel ch = channel();
    ch.writeInbound(gets(40));
    assertThat(handed).as("16 answers, and the request decoded with the last of them").hasSize(17);
    assertThat(ch.config().isAutoRead()).as("no socket read").isFalse();

    ch.flush(); // the client takes every answer
    ch.runPendingTasks();
    assertThat(handed).as("what was read is decoded, up to the bound again").hasSize(34);
    ch.flush();
    ch.runPendingTasks();
    assertThat(handed).hasSize(40);
    assertThat(ch.config().isAutoRead()).as("reading again").isTrue();
    ch.flush();
  }

  @Test
  void aPipelinedRequestWaitsUndecodedWhileTheOneBeforeItIsNotAnswered() {
    answerAtOnce = false; // e.g. waiting for SignalWire
    EmbeddedChannel ch = channel();
    ch.writeInbound(gets(6));
    assertThat(handed).as("the unanswered one, the one queued behind it, and the one decoded with it").hasSize(3);
    assertThat(ch.config().isAutoRead()).isFalse();

    ch.writeAndFlush(answer());
    ch.runPendingTasks();
    assertThat(handed).as("two still wait for an answer").hasSize(3);
    ch.writeAndFlush(answer());
    ch.runPendingTasks();
    assertThat(handed).as("one waits: the next two come").hasSize(5);
  }

  @Test
  void readingStopsWhileTheConnectionIsNotWritable() {
    answerBytes = 4096;
    EmbeddedChannel ch = channel();
    ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(1024, 2048));
    ch.writeInbound(gets(10));
    assertThat(handed).as("the answer over the mark, and the request decoded with it").hasSize(2);
    assertThat(ch.config().isAutoRead()).isFalse();

    ch.flush();
    ch.runPendingTasks();
    assertThat(handed).hasSize(4);
    ch.flush();
  }

  @Test
  void aConnectionWhoseAnswersAreNotTakenForTheWriteTimeoutIsClosed() {
    EmbeddedChannel ch = channel();
    ch.writeInbound(gets(1));
    ch.advanceTimeBy(8, TimeUnit.SECONDS);
    ch.flush(); // taken after 8 s: progress
    ch.writeInbound(gets(1)); // another answer not taken, from 8 s on
    ch.advanceTimeBy(9_900, TimeUnit.MILLISECONDS);
    ch.runScheduledPendingTasks();
    assertThat(ch.isOpen()).as("17.9 s: no answer has waited 10 s").isTrue();
    ch.advanceTimeBy(200, TimeUnit.MILLISECONDS);
    ch.runScheduledPendingTasks();
    assertThat(ch.isOpen()).as("18.1 s: the second answer has waited 10.1 s").isFalse();
  }

  @Test
  void aConnectionWithAnswersNotTakenIsNotIdle() {
    EmbeddedChannel ch = channel();
    ch.writeInbound(gets(1));
    ch.pipeline().fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
    assertThat(events).as("the write timeout rules while an answer waits").isEmpty();
    ch.flush();
    ch.pipeline().fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
    assertThat(events).containsExactly(IdleStateEvent.ALL_IDLE_STATE_EVENT);
  }

  @Test
  void aStoppedConnectionReadsNothingMore() {
    EmbeddedChannel ch = channel();
    readAhead.stop();
    ch.writeInbound(gets(5));
    assertThat(handed).as("one request decoded from what was read, then nothing").hasSize(1);
    ch.flush();
    ch.runPendingTasks();
    assertThat(handed).hasSize(1);
    assertThat(ch.config().isAutoRead()).isFalse();
  }
}
