package io.tokengateway.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Connections written at the Netty level: the request is encoded once (as wrk does) and each send writes a
 * duplicate of those bytes; answers are parsed by Netty's {@link HttpResponseDecoder}. This costs a fraction of a
 * Vert.x {@code HttpClient} exchange (no request, stream, header map and futures per request), so one core
 * offers tens of thousands of requests per second with room to spare.
 */
final class NettyConnector implements Connector {

  private final MultiThreadIoEventLoopGroup group;
  private final Bootstrap bootstrap;
  private final ByteBuf request;
  private final boolean epoll;

  NettyConnector(URI url, int port, String contentType, byte[] body, long connectTimeoutMs) {
    epoll = Epoll.isAvailable();
    group = new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    bootstrap = new Bootstrap().group(group)
        .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeoutMs)
        .remoteAddress(url.getHost(), port);
    String head = "POST " + path(url) + " HTTP/1.1\r\nHost: " + url.getHost() + ":" + port + "\r\nContent-Type: "
        + contentType + "\r\nContent-Length: " + body.length + "\r\n\r\n";
    ByteBuf bytes = Unpooled.directBuffer(head.length() + body.length);
    bytes.writeBytes(head.getBytes(StandardCharsets.US_ASCII)).writeBytes(body);
    request = Unpooled.unreleasableBuffer(bytes);
  }

  static String path(URI url) {
    String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
    return url.getRawQuery() == null ? path : path + "?" + url.getRawQuery();
  }

  String transport() {
    return epoll ? "netty-epoll" : "netty-nio";
  }

  @Override
  public EventLoop eventLoop() {
    return (EventLoop) group.next();
  }

  @Override
  public CompletableFuture<ClientConnection> open(OpenLoop loop) {
    CompletableFuture<ClientConnection> opened = new CompletableFuture<>();
    NettyConnection connection = new NettyConnection(loop);
    Bootstrap b = bootstrap.clone(eventLoop()).handler(new ChannelInitializer<SocketChannel>() {
      @Override
      protected void initChannel(SocketChannel ch) {
        connection.channel = ch;
        ch.pipeline().addLast(new HttpResponseDecoder(), new Reader(connection));
      }
    });
    b.connect().addListener((ChannelFutureListener) f -> {
      if (f.isSuccess()) {
        opened.complete(connection);
      } else {
        opened.completeExceptionally(f.cause());
      }
    });
    return opened;
  }

  @Override
  public void shutdown() throws Exception {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).get(5, TimeUnit.SECONDS);
  }

  /** One connection: each send writes a duplicate of the prepared bytes. */
  private final class NettyConnection extends ClientConnection {
    private final OpenLoop loop;
    private Channel channel;
    private int status;
    private boolean keepAlive;

    NettyConnection(OpenLoop loop) {
      this.loop = loop;
    }

    @Override
    void send() {
      status = 0;
      channel.writeAndFlush(request.duplicate(), channel.voidPromise());
    }

    @Override
    void close() {
      channel.close();
    }
  }

  /** Reads what the decoder makes of the answer: the status from its head, the end from its last content. */
  private static final class Reader extends ChannelInboundHandlerAdapter {
    private final NettyConnection connection;

    Reader(NettyConnection connection) {
      this.connection = connection;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof HttpObject part && part.decoderResult().isFailure()) {
          connection.loop.failed(connection, false); // not HTTP: the decoder discards the rest, so replace it
          return;
        }
        if (msg instanceof HttpResponse head) {
          connection.status = head.status().code();
          connection.keepAlive = HttpUtil.isKeepAlive(head);
        }
        if (msg instanceof LastHttpContent) {
          connection.loop.answered(connection, connection.status, connection.keepAlive);
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      connection.loop.closed(connection);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      connection.loop.failed(connection, false);
    }
  }
}
