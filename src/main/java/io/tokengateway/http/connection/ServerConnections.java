package io.tokengateway.http.connection;

import io.micrometer.core.instrument.Counter;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.tokengateway.config.GatewayConfig.HttpOptions;
import io.tokengateway.config.GatewayConfig.ManagementOptions;
import io.tokengateway.core.GatewayFailure;
import io.tokengateway.core.Lifecycle;
import io.tokengateway.metrics.GatewayMetrics;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.impl.Http1xServerConnection;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The connection rules of one listener ({@code api} or {@code management}), shared by every verticle instance
 * serving its port:
 * <ul>
 *   <li>on the API port, at most {@code http.maxConnectionsPerClient} open per client, its TCP peer (IPv6 by
 *   /64; a peer in {@code http.trustedProxies} is not bounded): past it a new connection is closed at accept,
 *   before any request is read, and counted;</li>
 *   <li>at most {@code maxConnections} open per process: a full listener closes its longest-idle HTTP/1.1
 *   connection to make room ({@link IdleConnections}), and only when none is idle closes the new one at
 *   accept, counted;</li>
 *   <li>the idle timeout, the request deadline and framing rules of {@link ConnectionGuard}, h2c only when
 *   configured with Netty's rapid-reset guard on, and the drain.</li>
 * </ul>
 *
 * <p>A connection is counted when Vert.x hands it over: at accept for HTTP/1.1; with {@code http.h2c} on, Vert.x
 * decides the protocol from the first bytes, so a connection counts from its first request (a silent one is
 * still closed by the idle timeout). With h2c on the first request of a connection is decoded by Vert.x's own
 * decoder, which drops a {@code Content-Length} sent with {@code chunked}: such a connection is closed after a
 * chunked request is answered, so nothing hidden after its body is ever read. HTTP/2 connections get the cap,
 * the bound per client, the idle timeout and HTTP/2's own limits (100 concurrent streams, the rapid-reset
 * guard), not the HTTP/1.1 deadline, and are never closed to make room.
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
  /**
   * Who a connection's client is (its peer's key: an IPv4 address, an IPv6 /64; null for a trusted proxy), and
   * how many each holds; null when connections are not bounded per client.
   */
  private final Function<SocketAddress, String> clients;
  private final ClientConnections perClient;
  private final IdleConnections idle;
  private final Set<ConnectionGuard> guards = ConcurrentHashMap.newKeySet();
  private final Answers answers;

  /**
   * How a request the connection rules end (a body too slow, a chunk malformed) is answered: the HTTP layer's
   * one place that writes errors, handed in so this package never depends on it.
   */
  @FunctionalInterface
  public interface Answers {
    /** Writes the answer to {@code request} for {@code failure}. */
    void error(HttpServerRequest request, GatewayFailure failure);
  }

  private ServerConnections(String listener, int maxConnections, HttpOptions http, boolean h2c,
      Function<SocketAddress, String> clients, Lifecycle lifecycle, Answers answers, GatewayMetrics metrics) {
    this.maxConnections = maxConnections;
    this.answers = answers;
    this.clients = clients;
    this.perClient = clients == null ? null : new ClientConnections(http.maxConnectionsPerClient(),
        metrics.connectionsRejected(listener, "per_client"));
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
    metrics.connectionsOpen(listener, open);
    this.rejected = metrics.connectionsRejected(listener, "max_connections");
    this.idle = new IdleConnections(metrics.connectionsEvicted(listener, "idle"));
    lifecycle.whenDraining(this::drain);
  }

  /**
   * The token API's listener: {@code http.maxConnections}, and {@code http.maxConnectionsPerClient} for each
   * client {@code clients} names (a peer it names null, a trusted proxy, is not bounded).
   */
  public static ServerConnections api(HttpOptions http, Function<SocketAddress, String> clients,
      Lifecycle lifecycle, Answers answers, GatewayMetrics metrics) {
    return new ServerConnections("api", http.maxConnections(), http, http.h2c(), clients, lifecycle, answers,
        metrics);
  }

  /**
   * The management listener: its own {@code management.maxConnections} (the longest-idle closed to make room,
   * so a probe gets in), no bound per client (its few clients, Prometheus and the kubelet, come from one
   * address each), the API's timeouts, never h2c.
   */
  public static ServerConnections management(ManagementOptions management, HttpOptions http, Lifecycle lifecycle,
      Answers answers, GatewayMetrics metrics) {
    return new ServerConnections("management", management.maxConnections(), http, false, null, lifecycle,
        answers, metrics);
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
    if (perClient != null && !perClient.open(clients.apply(connection.remoteAddress()), channel)
        || !placeFor(channel)) {
      return; // closed before any request is read
    }
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

  /**
   * Counts {@code channel} in: false (it is closed and counted) when the listener is full and no connection is
   * idle to make room. While a connection is being closed for it, on its own event loop, the count is one over
   * the bound (the newcomer reads nothing meanwhile).
   */
  private boolean placeFor(Channel channel) {
    if (open.incrementAndGet() > maxConnections && !idle.makeRoom(channel, () -> refuse(channel))) {
      open.decrementAndGet();
      refuse(channel);
      return false;
    }
    channel.closeFuture().addListener(f -> open.decrementAndGet());
    return true;
  }

  private void refuse(Channel channel) {
    rejected.increment();
    channel.close();
  }

  IdleConnections.Entry idleness(Channel channel) {
    return idle.entry(channel);
  }

  /** Answers {@code request} with {@code failure} through the HTTP layer. */
  void answer(HttpServerRequest request, GatewayFailure failure) {
    answers.error(request, failure);
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
