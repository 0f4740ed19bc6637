package io.tokengateway.bench;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A constant-rate (open-loop) HTTP/1.1 load client: one event loop, {@code --connections} keep-alive connections
 * without pipelining, requests at fixed intended times ({@link OpenLoop}), latencies from the intended time into
 * an HdrHistogram, a warm-up at the same rate that is not recorded. It prints one line
 *
 * <pre>RESULT target_rps=.. sent_rps=.. rps=.. p50_ms=.. p99_ms=.. max_ms=.. errors=.. timeouts=.. ... status=ok</pre>
 *
 * and exits 0. When it did not send the target rate within 1% during the window it says so loudly, prints
 * {@code status=INVALID} and exits 3: the latencies then describe another rate (or a backlog). It also prints its own CPU use
 * (one core = 100%) and timer lag, so a reader can tell whether the client was the bottleneck.
 *
 * <p>{@code --client=netty} (default) writes prepared request bytes and parses answers with Netty's decoder;
 * {@code --client=vertx} uses a Vert.x 5 {@code HttpClient} (a request, stream, header map and futures per
 * request), to cross-check. Both run on epoll when the native transport loads (sub-millisecond timers), else on
 * NIO, whose timers round up to a millisecond. Within {@code --spin-us} (500) of the next request the event loop
 * polls instead of sleeping: on a VM each wake-up from sleep costs tens of microseconds, which made requests
 * leave late and in bursts; polling keeps the timer lag to microseconds but keeps the load core busy (its CPU
 * use then says little: the timer lag is what tells whether the client kept up). {@code --spin-us=0} always
 * sleeps on a timer.
 *
 * <pre>java -cp ... io.tokengateway.bench.RateClient --url=http://127.0.0.1:18080/api/fabric/embeds/tokens
 *     --rate=40000 [--connections=64] [--warmup=8] [--duration=15] [--body=JSON] [--content-type=...]
 *     [--timeout-ms=2000] [--spin-us=500] [--client=netty|vertx]</pre>
 */
public final class RateClient {

  static final String DEFAULT_BODY = "{\"token\":\"c2c_7acc0e5e968706a032983cd80cdca219\"}";
  /** Sent off the target by more than this share: the figures are invalid. */
  static final double TOLERANCE = 0.01;

  private RateClient() {
  }

  public static void main(String[] args) throws Exception {
    RateOptions o;
    try {
      o = RateOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("RateClient: " + e.getMessage());
      System.exit(2);
      return;
    }
    URI url = o.url();
    int port = url.getPort() > 0 ? url.getPort() : 80;
    byte[] body = o.body().getBytes(StandardCharsets.UTF_8);
    Connector connector;
    String transport;
    if ("vertx".equals(o.client())) {
      VertxConnector v = new VertxConnector(url, port, o.contentType(), body, o.timeoutMs());
      connector = v;
      transport = v.transport();
    } else {
      NettyConnector n = new NettyConnector(url, port, o.contentType(), body, o.timeoutMs());
      connector = n;
      transport = n.transport();
    }
    if (transport.endsWith("nio")) {
      System.err.println("RateClient: epoll unavailable: NIO timers round up to 1 ms (see timer_lag)");
    }
    int code;
    try {
      RateReport report = measure(connector, o, transport);
      System.out.println(report.line());
      report.warnings().forEach(System.err::println);
      code = report.valid() ? 0 : 3;
    } catch (ConnectException e) {
      System.err.println("RateClient: " + e.getMessage());
      code = 1;
    }
    connector.shutdown();
    System.exit(code);
  }

  /** Runs the warm-up and the measured window at the offered rate, then waits for the answers still due. */
  static RateReport measure(Connector connector, RateOptions o, String transport) throws Exception {
    long t0 = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
    OpenLoop loop = new OpenLoop(connector, o.rate(), TimeUnit.MICROSECONDS.toNanos(o.spinMicros()),
        TimeUnit.MILLISECONDS.toNanos(o.timeoutMs()), t0, TimeUnit.SECONDS.toNanos(o.warmupSeconds()),
        TimeUnit.SECONDS.toNanos(o.durationSeconds()));
    List<CompletableFuture<ClientConnection>> opened = new ArrayList<>();
    for (int i = 0; i < o.connections(); i++) {
      opened.add(connector.open(loop));
    }
    List<ClientConnection> connections = new ArrayList<>();
    try {
      for (CompletableFuture<ClientConnection> f : opened) {
        connections.add(f.get(o.timeoutMs() + 5_000L, TimeUnit.MILLISECONDS));
      }
    } catch (Exception e) {
      throw new ConnectException("cannot open " + o.connections() + " connections to " + o.url() + ": "
          + (e.getCause() != null ? e.getCause() : e));
    }
    long loopThread = onLoop(connector, () -> {
      connections.forEach(loop::added);
      loop.start();
      return Thread.currentThread().getId();
    });
    ClientUsage usage = new ClientUsage(loopThread);
    sleepUntil(loop.measureStart());
    usage.begin();
    sleepUntil(loop.measureEnd());
    usage.end();
    long drainDeadline = loop.measureEnd() + TimeUnit.MILLISECONDS.toNanos(o.timeoutMs() + 500L);
    while (!onLoop(connector, loop::drained) && System.nanoTime() < drainDeadline) {
      Thread.sleep(10);
    }
    return onLoop(connector, () -> {
      RateReport r = new RateReport(o, transport, loop, usage);
      loop.stop();
      return r;
    });
  }

  /** The connections could not be opened: there is nothing to measure. */
  static final class ConnectException extends Exception {
    ConnectException(String message) {
      super(message);
    }
  }

  private static <T> T onLoop(Connector connector, Callable<T> read) throws Exception {
    return connector.eventLoop().submit(read).get(5, TimeUnit.SECONDS);
  }

  private static void sleepUntil(long nanoTime) throws InterruptedException {
    long wait;
    while ((wait = nanoTime - System.nanoTime()) > 0) {
      TimeUnit.NANOSECONDS.sleep(Math.min(wait, TimeUnit.MILLISECONDS.toNanos(100)));
    }
  }
}
