package io.tokengateway.http.connection;

import io.micrometer.core.instrument.Counter;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.tokengateway.config.GatewayConfig.HttpOptions;
import io.tokengateway.config.GatewayConfig.ManagementOptions;
import io.tokengateway.http.Lifecycle;
import io.tokengateway.metrics.GatewayMetrics;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.impl.Http1xServerConnection;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The connection rules of one listener ({@code api} or {@code management}), shared by every verticle instance
 * serving its port: at most {@code maxConnections} open per process (more are closed at once and counted), the
 * idle timeout, the request deadline and framing rules of {@link ConnectionGuard}, the read-ahead bound and
 * write timeout of {@link ReadAhead}, h2c only when configured with Netty's rapid-reset guard on, and the drain.
 *
 * <p>A connection is counted when Vert.x hands it over: at accept for HTTP/1.1; with {@code http.h2c} on, Vert.x
 * decides the protocol from the first bytes, so a connection counts from its first request (a silent one is
 * still closed by the idle timeout). With h2c on the first request of a connection is decoded by Vert.x's own
 * decoder, which drops a {@code Content-Length} sent with {@code chunked}: such a connection is closed after a
 * chunked request is answered, so nothing hidden after its body is ever read. HTTP/2 connections get the cap,
 * the idle timeout and HTTP/2's own limits (100 concurrent streams, the rapid-reset guard), not the HTTP/1.1
 * deadline.
 */
public final class ServerConnections {

  /**
   * Netty's rapid-reset guard (CVE-2023-44487) as Vert.x 5 sets it by default: more than this many RST_STREAM
   * frames from a client within {@link #RST_FLOOD_WINDOW_SECONDS} end its connection with GOAWAY
   * ENHANCE_YOUR_CALM. Kept explicit, so that an upgrade cannot switch it off unnoticed.
   */
  public static final int RST_FLOOD_MAX_FRAMES = 200;
  public static final int RST_FLOOD_WINDOW_SECONDS = 30;
  /**
   * Each connection's socket send buffer (the kernel doubles it). Fixed rather than grown by the kernel up to
   * {@code net.ipv4.tcp_wmem} (4 MiB a connection by default): answers a client does not read then stop at this,
   * and {@link ReadAhead} stops reading (socket buffers count in the pod's memory). The gateway's answers are
   * small; this is still 64 MB/s to a client 1 ms away.
   */
  static final int SEND_BUFFER_BYTES = 64 * 1024;

  private final int maxConnections;
  private final long requestTimeoutNanos;
  private final long writeTimeoutNanos;
  private final boolean h2c;
  private final HttpServerOptions options;
  private final Lifecycle lifecycle;
  private final AtomicInteger open = new AtomicInteger();
  private final Counter rejected;
  private final Set<ConnectionGuard> guards = ConcurrentHashMap.newKeySet();

  private ServerConnections(String listener, int maxConnections, HttpOptions http, boolean h2c,
      Lifecycle lifecycle, GatewayMetrics metrics) {
    this.maxConnections = maxConnections;
    this.requestTimeoutNanos = TimeUnit.SECONDS.toNanos(http.requestTimeoutSeconds());
    this.writeTimeoutNanos = TimeUnit.SECONDS.toNanos(http.writeTimeoutSeconds());
    this.h2c = h2c;
    this.lifecycle = lifecycle;
    this.options = new HttpServerOptions()
        .setCompressionSupported(false)
        .setSendBufferSize(SEND_BUFFER_BYTES)
        .setIdleTimeout(http.idleTimeoutSeconds())
        .setIdleTimeoutUnit(TimeUnit.SECONDS)
        .setHttp2ClearTextEnabled(h2c)
        .setHttp2RstFloodMaxRstFramePerWindow(RST_FLOOD_MAX_FRAMES)
        .setHttp2RstFloodWindowDuration(RST_FLOOD_WINDOW_SECONDS)
        .setHttp2RstFloodWindowDurationTimeUnit(TimeUnit.SECONDS);
    this.rejected = metrics.connections(listener, open);
    lifecycle.whenDraining(this::drain);
  }

  /** The token API's listener: {@code http.maxConnections}. */
  public static ServerConnections api(HttpOptions http, Lifecycle lifecycle, GatewayMetrics metrics) {
    return new ServerConnections("api", http.maxConnections(), http, http.h2c(), lifecycle, metrics);
  }

  /** The management listener: its own {@code management.maxConnections}, the API's timeouts, never h2c. */
  public static ServerConnections management(ManagementOptions management, HttpOptions http, Lifecycle lifecycle,
      GatewayMetrics metrics) {
    return new ServerConnections("management", management.maxConnections(), http, false, lifecycle, metrics);
  }

  /** Options for a server on {@code host:port} that follows these rules. */
  public HttpServerOptions serverOptions(int port, String host) {
    return new HttpServerOptions(options).setPort(port).setHost(host);
  }

  /** Makes {@code server} follow these rules and serve {@code requests}; before it listens. */
  public HttpServer apply(HttpServer server, Handler<HttpServerRequest> requests) {
    return server.requestHandler(requests).connectionHandler(connection -> accept(connection, requests));
  }

  /** Connections open now on this listener. */
  public int open() {
    return open.get();
  }

  private void accept(HttpConnection connection, Handler<HttpServerRequest> requests) {
    ConnectionBase base = (ConnectionBase) connection; // Vert.x internals: see package-info
    Channel channel = base.channel();
    if (open.incrementAndGet() > maxConnections) {
      open.decrementAndGet();
      rejected.increment();
      channel.close(); // before any request is read
      return;
    }
    channel.closeFuture().addListener(f -> open.decrementAndGet());
    if (connection instanceof Http1xServerConnection http1) {
      ChannelPipeline pipeline = base.channelHandlerContext().pipeline();
      // at accept (h2c off) the decoder has read nothing yet and can be swapped; with h2c on it already has
      boolean strict = !h2c;
      if (strict) {
        pipeline.replace("httpDecoder", "httpDecoder", new StrictRequestDecoder(options));
      }
      ReadAhead readAhead = new ReadAhead(writeTimeoutNanos);
      ConnectionGuard guard = new ConnectionGuard(this, http1, readAhead, requestTimeoutNanos, strict);
      pipeline.addBefore("handler", "gatewayReadAhead", readAhead);
      pipeline.addBefore("handler", "gatewayConnectionGuard", guard);
      http1.handler(guard.tracking(requests)); // Vert.x set its own before calling us: ours wins
    }
  }

  boolean draining() {
    return lifecycle.isDraining();
  }

  void opened(ConnectionGuard guard) {
    guards.add(guard);
  }

  void closed(ConnectionGuard guard) {
    guards.remove(guard);
  }

  /** Starts the drain on every open connection, each on its own event loop. */
  private void drain() {
    guards.forEach(ConnectionGuard::drainLater);
  }
}
