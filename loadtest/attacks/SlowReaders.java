import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The slow-reader attack, against a gateway you run yourself: {@code connections} connections, each with a
 * 4 KiB receive buffer, pipeline up to {@code requests} {@code GET /health/live} each, as fast as the gateway
 * takes them, and never read an answer. Meanwhile one well-behaved client asks {@code /health/live} every 100 ms
 * on its own connection and reads its answers.
 *
 * <pre>
 *   java loadtest/attacks/SlowReaders.java PORT [connections=100] [requests=1000] [seconds=60] [mgmtPort] [host]
 * </pre>
 *
 * Prints once a second: the attack connections not seen closed (a connection is seen closed when a write
 * fails, so only while it still has requests to send), the gateway's own count of open connections when
 * {@code mgmtPort} is given (its {@code gateway_connections_open{listener="api"}}, the probe included), the bytes
 * the attackers managed to write, and the probe's answers (ok, failed, slowest). At the end: how long after its
 * last accepted byte each connection seen closed was closed.
 *
 * <p>A protected gateway stops reading a connection a few answers ahead of what its client has read (the
 * attacker's writes then block), closes it after {@code http.writeTimeoutSeconds}, and keeps answering the probe.
 * An unprotected one reads everything and piles up answers. Watch the gateway's heap meanwhile with
 * {@code jcmd <pid> GC.heap_info} (after {@code jcmd <pid> GC.run}). Run it only against a gateway you own.
 */
public final class SlowReaders {

  private static final byte[] REQUEST = "GET /health/live HTTP/1.1\r\nHost: attack\r\n\r\n"
      .getBytes(StandardCharsets.ISO_8859_1);
  private static final int BATCH = 64;

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: java SlowReaders.java PORT [connections=100] [requests=1000] [seconds=60]"
          + " [mgmtPort] [host=127.0.0.1]");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    int connections = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    int requests = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
    int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 60;
    int mgmtPort = args.length > 4 ? Integer.parseInt(args[4]) : 0;
    String host = args.length > 5 ? args[5] : "127.0.0.1";
    InetSocketAddress target = new InetSocketAddress(host, port);

    Probe probe = new Probe(target);
    Thread probeThread = new Thread(probe, "probe");
    probeThread.setDaemon(true);
    probeThread.start();

    long start = System.nanoTime();
    List<Attacker> attackers = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      Attacker a = new Attacker(target, requests, start + TimeUnit.SECONDS.toNanos(seconds));
      attackers.add(a);
      Thread t = new Thread(a, "attacker-" + i);
      t.setDaemon(true);
      t.start();
    }
    System.out.printf("%d connections x %d pipelined GET /health/live (%d bytes each) against %s%n",
        connections, requests, (long) requests * REQUEST.length, target);
    long end = start + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < end) {
      LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
      long open = attackers.stream().filter(a -> a.closedAt.get() == 0).count(); // as far as the attacker sees
      long written = attackers.stream().mapToLong(a -> a.written.get()).sum();
      String gateway = mgmtPort == 0 ? "" : "  gateway open: " + gatewayOpen(host, mgmtPort);
      System.out.printf("t=%3ds  not seen closed: %3d%s  bytes written: %,13d  probe: %d ok, %d failed,"
          + " slowest %d ms%n", (System.nanoTime() - start) / 1_000_000_000L, open, gateway, written, probe.ok.get(),
          probe.failed.get(), probe.slowestMs.getAndSet(0));
      if (open == 0) {
        break;
      }
    }
    long[] afterLastByte = attackers.stream().filter(a -> a.closedAt.get() != 0)
        .mapToLong(a -> (a.closedAt.get() - a.lastWriteAt.get()) / 1_000_000L).sorted().toArray();
    long stillOpen = attackers.stream().filter(a -> a.closedAt.get() == 0).count();
    System.out.printf("seen closed: %d of %d; not seen closed: %d%n", afterLastByte.length, connections, stillOpen);
    if (afterLastByte.length > 0) {
      System.out.printf("ms from a connection's last accepted byte to its close: min %d, median %d, max %d%n",
          afterLastByte[0], afterLastByte[afterLastByte.length / 2], afterLastByte[afterLastByte.length - 1]);
    }
    System.out.printf("bytes written in all: %,d; probe answers: %d ok, %d failed%n",
        attackers.stream().mapToLong(a -> a.written.get()).sum(), probe.ok.get(), probe.failed.get());
    attackers.forEach(Attacker::close);
  }

  /**
   * The gateway's {@code gateway_connections_open{listener="api"}}, from its management port; "?" when it does not
   * answer within a second.
   */
  private static String gatewayOpen(String host, int mgmtPort) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, mgmtPort), 1_000);
      s.setSoTimeout(1_000);
      s.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n"
          .getBytes(StandardCharsets.ISO_8859_1));
      String scrape = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      return Arrays.stream(scrape.split("\n")).filter(l -> l.startsWith("gateway_connections_open{listener=\"api\"}"))
          .map(l -> l.substring(l.lastIndexOf(' ') + 1)).findFirst().orElse("?");
    } catch (IOException e) {
      return "?";
    }
  }

  /** One connection that pipelines its requests, never reads, and notes when the gateway closes it. */
  private static final class Attacker implements Runnable {
    private final InetSocketAddress target;
    private final int requests;
    private final long deadline;
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong lastWriteAt = new AtomicLong();
    private final AtomicLong closedAt = new AtomicLong();
    private final Socket socket = new Socket();

    Attacker(InetSocketAddress target, int requests, long deadline) {
      this.target = target;
      this.requests = requests;
      this.deadline = deadline;
    }

    @Override
    public void run() {
      try {
        socket.setReceiveBufferSize(4096); // before connect, so the window announced is small
        socket.connect(target, 5_000);
        OutputStream out = socket.getOutputStream();
        byte[] batch = new byte[REQUEST.length * BATCH];
        for (int i = 0; i < BATCH; i++) {
          System.arraycopy(REQUEST, 0, batch, i * REQUEST.length, REQUEST.length);
        }
        for (int sent = 0; sent < requests && System.nanoTime() < deadline; sent += BATCH) {
          int n = Math.min(BATCH, requests - sent);
          out.write(batch, 0, n * REQUEST.length); // blocks once the gateway stops reading
          written.addAndGet((long) n * REQUEST.length);
          lastWriteAt.set(System.nanoTime());
        }
      } catch (IOException closed) {
        closedAt.set(System.nanoTime());
        if (lastWriteAt.get() == 0) {
          lastWriteAt.set(closedAt.get());
        }
      }
    }

    void close() {
      try {
        socket.close();
      } catch (IOException ignored) {
        // ending the run
      }
    }
  }

  /** A well-behaved client: one request every 100 ms on a keep-alive connection, each answer read. */
  private static final class Probe implements Runnable {
    private final InetSocketAddress target;
    private final AtomicInteger ok = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicLong slowestMs = new AtomicLong();

    Probe(InetSocketAddress target) {
      this.target = target;
    }

    @Override
    public void run() {
      Socket s = null;
      while (true) {
        long t0 = System.nanoTime();
        try {
          if (s == null) {
            s = new Socket();
            s.connect(target, 2_000);
            s.setSoTimeout(2_000);
          }
          s.getOutputStream().write(REQUEST);
          if (!readAnswer(s.getInputStream())) {
            throw new IOException("closed");
          }
          ok.incrementAndGet();
        } catch (IOException e) {
          failed.incrementAndGet();
          try {
            if (s != null) {
              s.close();
            }
          } catch (IOException ignored) {
            // a new connection next time
          }
          s = null;
        }
        slowestMs.accumulateAndGet((System.nanoTime() - t0) / 1_000_000L, Math::max);
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
      }
    }

    /** Reads one answer's head and its Content-Length body; false at EOF. */
    private static boolean readAnswer(InputStream in) throws IOException {
      StringBuilder head = new StringBuilder();
      while (!head.toString().endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          return false;
        }
        head.append((char) b);
      }
      int length = Arrays.stream(head.toString().split("\r\n"))
          .filter(l -> l.regionMatches(true, 0, "content-length:", 0, 15))
          .mapToInt(l -> Integer.parseInt(l.substring(15).trim())).findFirst().orElse(0);
      return in.readNBytes(length).length == length;
    }
  }
}
