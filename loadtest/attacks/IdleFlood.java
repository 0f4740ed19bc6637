import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * An idle connection flood from one address while another address keeps opening connections: what issue 21
 * calls "one client can lock everyone out". The flood opens {@code --connections} TCP connections from
 * {@code --from} (or, with {@code --addresses N}, from N consecutive IPv4 addresses starting there, in turn) and
 * never sends a byte; the victim opens a new connection from {@code --victim-from} every
 * {@code --victim-every-ms}, sends {@code GET /health/live} and waits up to 2 s for the answer. Run with the
 * source launcher (Java 17), one process per 19,000 flood connections at most (each needs a file descriptor):
 *
 * <pre>
 *   java loadtest/attacks/IdleFlood.java --port 18080 --from 127.0.0.2 --connections 20000 \
 *       --victim-from 127.0.0.1 --seconds 30
 *   java loadtest/attacks/IdleFlood.java --port 18080 --from 127.0.1.1 --addresses 200 --connections 20000
 * </pre>
 *
 * Prints how the gateway treated the flood (closed within a second of connecting, closed later, still held)
 * and how many of the victim's connections got their answer, per 5 s and in total. A flood connection the
 * gateway closes is closed here too, so the descriptors in use stay near what the gateway holds.
 */
public final class IdleFlood {

  private static final long CLOSED_AT_ONCE_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final int MAX_CONNECTING = 512;

  public static void main(String[] args) throws Exception {
    Map<String, String> a = options(args);
    int port = Integer.parseInt(a.getOrDefault("port", "8080"));
    String host = a.getOrDefault("host", "127.0.0.1");
    String from = a.getOrDefault("from", "127.0.0.2");
    int addresses = Integer.parseInt(a.getOrDefault("addresses", "1"));
    int connections = Integer.parseInt(a.getOrDefault("connections", "20000"));
    String victimFrom = a.getOrDefault("victim-from", "127.0.0.1");
    long seconds = Long.parseLong(a.getOrDefault("seconds", "30"));
    long victimEveryMs = Long.parseLong(a.getOrDefault("victim-every-ms", "50"));
    InetSocketAddress target = new InetSocketAddress(host, port);
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);

    Victim victim = new Victim(target, victimFrom, victimEveryMs, end);
    Thread victimThread = new Thread(victim, "victim");
    if (!victimFrom.isEmpty()) {
      victimThread.start();
    }
    Flood flood = new Flood(target, addresses(from, addresses), connections);
    flood.run(end);
    victimThread.join();

    String sources = addresses == 1 ? from : addresses + " addresses from " + from;
    System.out.printf("flood:  %d connections from %s: %d connected, %d closed by the gateway within 1 s, "
        + "%d closed later, %d still open after %d s, %d failed to connect%n", connections, sources, flood.connected,
        flood.closedAtOnce, flood.closedLater, flood.open, seconds, flood.failed);
    if (!victimFrom.isEmpty()) {
      System.out.printf("victim: %d new connections from %s, one GET /health/live each: %d answered 200, %d not "
          + "(%s)%n", victim.sent.get(), victimFrom, victim.ok.get(), victim.sent.get() - victim.ok.get(),
          victim.windows);
    }
  }

  /** The flood: non-blocking connects, at most {@link #MAX_CONNECTING} at a time, then nothing but watching. */
  private static final class Flood {
    private final InetSocketAddress target;
    private final InetAddress[] from;
    private final int total;
    private int started;
    private int connecting;
    int connected;
    int closedAtOnce;
    int closedLater;
    int open;
    int failed;

    Flood(InetSocketAddress target, InetAddress[] from, int total) {
      this.target = target;
      this.from = from;
      this.total = total;
    }

    void run(long end) throws IOException {
      ByteBuffer sink = ByteBuffer.allocate(4096);
      try (Selector selector = Selector.open()) {
        while (System.nanoTime() < end) {
          while (started < total && connecting < MAX_CONNECTING) {
            start(selector);
          }
          selector.select(50);
          Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
          while (keys.hasNext()) {
            SelectionKey key = keys.next();
            keys.remove();
            handle(key, sink);
          }
        }
      }
    }

    private void start(Selector selector) throws IOException {
      started++;
      SocketChannel ch = SocketChannel.open();
      try {
        ch.configureBlocking(false);
        ch.bind(new InetSocketAddress(from[started % from.length], 0));
        ch.connect(target);
        ch.register(selector, SelectionKey.OP_CONNECT, new long[] {0});
        connecting++;
      } catch (IOException e) {
        failed++;
        ch.close();
      }
    }

    private void handle(SelectionKey key, ByteBuffer sink) {
      SocketChannel ch = (SocketChannel) key.channel();
      long[] connectedAt = (long[]) key.attachment();
      try {
        if (key.isConnectable()) {
          connecting--;
          ch.finishConnect();
          connectedAt[0] = System.nanoTime();
          connected++;
          open++;
          key.interestOps(SelectionKey.OP_READ);
          return;
        }
        sink.clear();
        if (ch.read(sink) >= 0) {
          return; // the gateway sent something (it never should to a silent connection): keep watching
        }
      } catch (IOException e) {
        if (connectedAt[0] == 0) {
          failed++;
          close(key);
          return;
        }
      }
      open--;
      if (System.nanoTime() - connectedAt[0] < CLOSED_AT_ONCE_NANOS) {
        closedAtOnce++;
      } else {
        closedLater++;
      }
      close(key);
    }

    private static void close(SelectionKey key) {
      key.cancel();
      try {
        key.channel().close();
      } catch (IOException ignored) {
        // the gateway closed it first
      }
    }
  }

  /** The other client: a new connection per request, answers counted per 5 s window. */
  private static final class Victim implements Runnable {
    private final InetSocketAddress target;
    private final String from;
    private final long everyNanos;
    private final long end;
    final AtomicInteger sent = new AtomicInteger();
    final AtomicInteger ok = new AtomicInteger();
    final StringBuilder windows = new StringBuilder("answered per 5 s:");

    Victim(InetSocketAddress target, String from, long everyMs, long end) {
      this.target = target;
      this.from = from;
      this.everyNanos = TimeUnit.MILLISECONDS.toNanos(everyMs);
      this.end = end;
    }

    @Override
    public void run() {
      long start = System.nanoTime();
      long windowEnd = start + TimeUnit.SECONDS.toNanos(5);
      int windowSent = 0;
      int windowOk = 0;
      for (long next = start; next < end; next += everyNanos) {
        LockSupport.parkNanos(next - System.nanoTime());
        if (System.nanoTime() >= windowEnd) {
          windows.append(' ').append(windowOk).append('/').append(windowSent);
          windowEnd += TimeUnit.SECONDS.toNanos(5);
          windowSent = 0;
          windowOk = 0;
        }
        sent.incrementAndGet();
        windowSent++;
        if (answered()) {
          ok.incrementAndGet();
          windowOk++;
        }
      }
      windows.append(' ').append(windowOk).append('/').append(windowSent);
    }

    private boolean answered() {
      try (Socket s = new Socket()) {
        s.bind(new InetSocketAddress(from, 0));
        s.connect(target, 2_000);
        s.setSoTimeout(2_000);
        s.getOutputStream().write(("GET /health/live HTTP/1.1\r\nHost: " + target.getHostString()
            + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        InputStream in = s.getInputStream();
        byte[] status = in.readNBytes(12);
        return new String(status, StandardCharsets.US_ASCII).equals("HTTP/1.1 200");
      } catch (IOException e) {
        return false;
      }
    }
  }

  /** {@code count} consecutive IPv4 addresses from {@code first}. */
  private static InetAddress[] addresses(String first, int count) throws IOException {
    byte[] start = InetAddress.getByName(first).getAddress();
    int base = ByteBuffer.wrap(start).getInt();
    InetAddress[] all = new InetAddress[count];
    for (int i = 0; i < count; i++) {
      all[i] = InetAddress.getByAddress(ByteBuffer.allocate(4).putInt(base + i).array());
    }
    return all;
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("expected --name value, got " + args[i]);
      }
      options.put(args[i].substring(2), args[i + 1]);
    }
    return options;
  }
}
