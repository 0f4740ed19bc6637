package io.tokengateway.http;

import static io.tokengateway.support.GatewayHarness.C2C;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokengateway.support.FakeSignalWire;
import io.tokengateway.support.GatewayHarness;
import io.tokengateway.support.RawHttp;
import io.tokengateway.support.RawHttp.Answer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Clients that do not read their answers, on the wire: the gateway reads a connection only a few answers ahead of
 * what its client has taken, so such a client holds no more than its socket buffers, and closes it once its
 * answers have not moved for {@code http.writeTimeoutSeconds}; meanwhile other clients are served. Pipelining
 * clients that do read are served in full.
 */
@ExtendWith(VertxExtension.class)
class SlowReadersIT {

  private static final String EMBEDS = "/api/fabric/embeds/tokens";
  private static final byte[] GET = RawHttp.get("/health/live").getBytes(StandardCharsets.ISO_8859_1);
  /** Slack for a loaded CI machine on top of a rule of a few seconds. */
  private static final long MARGIN_MS = 2_500;
  /** What one non-reading client may write at most: far more than socket buffers hold (about 0.3 MiB here). */
  private static final long CAP = 2L * 1024 * 1024;

  private final List<NonReader> clients = new ArrayList<>();
  private FakeSignalWire upstream;
  private GatewayHarness gw;

  private void start(Vertx vertx, Map<String, ?> settings) {
    upstream = FakeSignalWire.start(vertx);
    gw = GatewayHarness.start(vertx, upstream, settings);
  }

  @AfterEach
  void stop() {
    clients.forEach(NonReader::close);
    if (gw != null) {
      gw.stop();
    }
  }

  @Test
  void aHundredClientsThatNeverReadHoldTheirSocketBuffersAtMostAndAreClosedWhileOthersAreServed(Vertx vertx)
      throws InterruptedException {
    int writeTimeoutSeconds = 2;
    // access lines only for errors: 100,000 lines on the test's stdout would cost more than the gateway's work
    start(vertx, Map.of("http.writeTimeoutSeconds", writeTimeoutSeconds, "http.idleTimeoutSeconds", 30,
        "log.access", "errors"));
    assertThat(gw.get("/health/live").statusCode()).isEqualTo(200);
    long heapBefore = liveHeap();
    Probe probe = Probe.start(gw.gateway.port());
    HeapWatch heap = HeapWatch.start();
    try {
      for (int i = 0; i < 100; i++) {
        clients.add(NonReader.start(gw.gateway.port(), 15_000));
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (clients.stream().anyMatch(c -> c.closedAt.get() == 0 && !c.done) && System.nanoTime() < deadline) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
      }
    } finally {
      probe.stop();
      heap.stop();
    }
    assertThat(clients).as("the gateway stopped reading each: no client could write its %d bytes", CAP)
        .allSatisfy(c -> assertThat(c.written.get()).isLessThan(CAP));
    // the gateway may still be answering what a client's buffers held after the client blocked: a margin for it
    assertThat(clients).as("each closed within the write timeout of its last accepted byte, plus a margin")
        .allSatisfy(c -> assertThat(c.closedAt.get()).isPositive()
            .isLessThanOrEqualTo(c.lastWriteAt.get() + TimeUnit.MILLISECONDS.toNanos(
                writeTimeoutSeconds * 1_000L + 3 * MARGIN_MS)));
    assertThat(probe.failed.get()).as("another client is answered throughout").isZero();
    assertThat(probe.ok.get()).isPositive();
    assertThat(heap.max.get() - heapBefore).as("heap growth, live after a GC").isLessThan(64L * 1024 * 1024);
  }

  @Test
  void aClientThatNeverReadsIsClosedByTheWriteTimeoutNotByTheIdleTimeout(Vertx vertx) {
    start(vertx, Map.of("http.writeTimeoutSeconds", 3, "http.idleTimeoutSeconds", 1));
    NonReader client = NonReader.start(gw.gateway.port(), 15_000);
    clients.add(client);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (client.closedAt.get() == 0 && !client.done && System.nanoTime() < deadline) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
    assertThat(client.closedAt.get()).as("closed").isPositive();
    // the write timeout counts from the gateway's last answer taken, a little before the client's buffers filled;
    // the idle timeout would have closed the connection a second after its last byte
    long afterLastByte = (client.closedAt.get() - client.lastWriteAt.get()) / 1_000_000L;
    assertThat(afterLastByte).as("answers waiting for the client keep it from being idle")
        .isGreaterThanOrEqualTo(2_000).isLessThanOrEqualTo(3_000 + MARGIN_MS);
  }

  @Test
  void pipelinedRequestsSentAtOnceAreAllAnsweredInOrder(Vertx vertx) {
    start(vertx, Map.of());
    int n = 300; // many times the read-ahead bound, all in the gateway's first reads
    StringBuilder burst = new StringBuilder();
    for (int i = 0; i < n; i++) {
      burst.append(i % 3 == 2 ? RawHttp.get("/nowhere") : RawHttp.get("/health/live"));
    }
    try (RawHttp raw = RawHttp.connect(gw.gateway.port())) {
      raw.send(burst.toString());
      for (int i = 0; i < n; i++) {
        Answer answer = raw.read(5_000);
        assertThat(answer).as("answer %d", i).isNotNull();
        assertThat(answer.status()).as("answer %d", i).isEqualTo(i % 3 == 2 ? 404 : 200);
      }
    }
  }

  @Test
  void pipelinedTokenRequestsAwaitingSignalWireAreAllAnswered(Vertx vertx) {
    start(vertx, Map.of());
    upstream.delayed(50);
    int n = 20;
    StringBuilder burst = new StringBuilder();
    for (int i = 0; i < n; i++) {
      burst.append(RawHttp.post(EMBEDS, new JsonObject().put("token", C2C + i).encode()));
    }
    try (RawHttp raw = RawHttp.connect(gw.gateway.port())) {
      raw.send(burst.toString());
      for (int i = 0; i < n; i++) {
        Answer answer = raw.read(5_000);
        assertThat(answer).as("answer %d", i).isNotNull();
        assertThat(answer.status()).as("answer %d", i).isEqualTo(201);
      }
    }
    assertThat(upstream.calls()).isEqualTo(n);
  }

  @Test
  void aPipelinedRequestWaitingBehindASlowGatewayIsNotCutByTheRequestDeadline(Vertx vertx) {
    start(vertx, Map.of("http.requestTimeoutSeconds", 1, "upstream.timeoutMs", 10_000));
    upstream.delayed(1_800);
    try (RawHttp raw = RawHttp.connect(gw.gateway.port())) {
      raw.send(RawHttp.post(EMBEDS, new JsonObject().put("token", C2C + "a").encode())
          + RawHttp.post(EMBEDS, new JsonObject().put("token", C2C + "b").encode()));
      assertThat(raw.read(1_800 + MARGIN_MS).status()).isEqualTo(201);
      Answer second = raw.read(1_800 + MARGIN_MS);
      assertThat(second).as("the second waited 1.8 s behind the first, then its own 1.8 s").isNotNull();
      assertThat(second.status()).isEqualTo(201);
    }
  }

  /** Heap in use after a full collection. */
  private static long liveHeap() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /**
   * A client with a 4 KiB receive buffer (and a fixed 64 KiB send buffer) that pipelines {@code GET
   * /health/live} until its socket blocks, {@link #CAP} is written or {@code forMillis} pass, and never reads. A
   * write that fails tells the gateway closed the connection.
   */
  private static final class NonReader implements Runnable {
    private final Socket socket = new Socket();
    private final int port;
    private final long deadline;
    final AtomicLong written = new AtomicLong();
    final AtomicLong lastWriteAt = new AtomicLong();
    final AtomicLong closedAt = new AtomicLong();
    volatile boolean done;

    private NonReader(int port, long forMillis) {
      this.port = port;
      this.deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(forMillis);
    }

    static NonReader start(int port, long forMillis) {
      NonReader client = new NonReader(port, forMillis);
      Thread t = new Thread(client, "non-reader");
      t.setDaemon(true);
      t.start();
      return client;
    }

    @Override
    public void run() {
      byte[] batch = new byte[GET.length * 64];
      for (int i = 0; i < 64; i++) {
        System.arraycopy(GET, 0, batch, i * GET.length, GET.length);
      }
      try {
        socket.setReceiveBufferSize(4096); // before connect: the window it announces stays small
        socket.setSendBufferSize(64 * 1024);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        lastWriteAt.set(System.nanoTime());
        OutputStream out = socket.getOutputStream();
        while (written.get() < CAP && System.nanoTime() < deadline) {
          out.write(batch); // blocks once the gateway stops reading
          written.addAndGet(batch.length);
          lastWriteAt.set(System.nanoTime());
        }
      } catch (IOException closed) {
        closedAt.set(System.nanoTime());
      } finally {
        done = true;
      }
    }

    void close() {
      try {
        socket.close();
      } catch (IOException ignored) {
        // the test is over
      }
    }
  }

  /** A well-behaved client: {@code GET /health/live} every 50 ms on one connection, each answer read. */
  private static final class Probe implements Runnable {
    private final int port;
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile boolean stopped;
    private Thread thread;

    private Probe(int port) {
      this.port = port;
    }

    static Probe start(int port) {
      Probe probe = new Probe(port);
      probe.thread = new Thread(probe, "probe");
      probe.thread.setDaemon(true);
      probe.thread.start();
      return probe;
    }

    @Override
    public void run() {
      try (RawHttp raw = RawHttp.connect(port)) {
        while (!stopped) {
          raw.send(RawHttp.get("/health/live"));
          Answer answer = raw.read(5_000);
          if (answer != null && answer.status() == 200) {
            ok.incrementAndGet();
          } else {
            failed.incrementAndGet();
            return;
          }
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
      } catch (AssertionError timedOut) {
        failed.incrementAndGet();
      }
    }

    void stop() throws InterruptedException {
      stopped = true;
      thread.join(10_000);
    }
  }

  /** The largest live heap seen, sampled after a full collection every second. */
  private static final class HeapWatch implements Runnable {
    private final AtomicLong max = new AtomicLong();
    private volatile boolean stopped;
    private Thread thread;

    static HeapWatch start() {
      HeapWatch watch = new HeapWatch();
      watch.thread = new Thread(watch, "heap-watch");
      watch.thread.setDaemon(true);
      watch.thread.start();
      return watch;
    }

    @Override
    public void run() {
      while (!stopped) {
        max.accumulateAndGet(liveHeap(), Math::max);
        LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
      }
    }

    void stop() throws InterruptedException {
      stopped = true;
      thread.join(10_000);
      max.accumulateAndGet(liveHeap(), Math::max);
    }
  }
}
