import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The endless-body attack, against a gateway you run yourself: {@code connections} connections each send a token
 * request whose body never ends, as fast as the gateway takes it, and read whatever the gateway answers.
 *
 * <pre>
 *   java loadtest/attacks/EndlessBody.java PORT declared|chunked [connections=1] [seconds=20] [host=127.0.0.1]
 * </pre>
 *
 * {@code declared}: {@code Content-Length: 1000000000000}; {@code chunked}: 8 KiB chunks without end. For each
 * connection it prints the answer's status line and {@code Connection} header, when it came, how many body bytes
 * the gateway let the client write before the connection ended, and when it ended. A protected gateway answers
 * 413 with {@code Connection: close} at once (a declared length) or as soon as the body passes
 * {@code http.maxBodyBytes} (chunked), reads nothing more and closes; the bytes written then are what the socket
 * buffers took. An unprotected one reads and discards the body until its request deadline.
 */
public final class EndlessBody {

  private static final String PATH = "/api/fabric/embeds/tokens";

  public static void main(String[] args) throws Exception {
    if (args.length < 2 || !List.of("declared", "chunked").contains(args[1])) {
      System.err.println("usage: java EndlessBody.java PORT declared|chunked [connections=1] [seconds=20] [host]");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    boolean chunked = args[1].equals("chunked");
    int connections = args.length > 2 ? Integer.parseInt(args[2]) : 1;
    int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 20;
    String host = args.length > 4 ? args[4] : "127.0.0.1";
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    List<Sender> senders = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      Sender s = new Sender(new InetSocketAddress(host, port), chunked, deadline);
      senders.add(s);
      Thread t = new Thread(s, "sender-" + i);
      t.setDaemon(true);
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join(TimeUnit.SECONDS.toMillis(seconds + 5));
    }
    long total = 0;
    for (int i = 0; i < senders.size(); i++) {
      Sender s = senders.get(i);
      total += s.bodyBytes.get();
      System.out.printf("connection %d: answer %s after %s; %,d body bytes written; %s%n", i,
          s.answer.get() == null ? "none" : "'" + s.answer.get() + "'", millis(s.answeredAt.get(), s.start),
          s.bodyBytes.get(), s.endedAt.get() == 0 ? "still open at the end of the run"
              : "connection ended after " + millis(s.endedAt.get(), s.start));
    }
    System.out.printf("body bytes written in all: %,d%n", total);
  }

  private static String millis(long at, long start) {
    return at == 0 ? "-" : (at - start) / 1_000_000L + " ms";
  }

  /** One connection: the head, then body bytes until a write fails or the run ends; a reader for the answer. */
  private static final class Sender implements Runnable {
    private final InetSocketAddress target;
    private final boolean chunked;
    private final long deadline;
    private final AtomicLong bodyBytes = new AtomicLong();
    private final AtomicReference<String> answer = new AtomicReference<>();
    private final AtomicLong answeredAt = new AtomicLong();
    private final AtomicLong endedAt = new AtomicLong();
    private long start;

    Sender(InetSocketAddress target, boolean chunked, long deadline) {
      this.target = target;
      this.chunked = chunked;
      this.deadline = deadline;
    }

    @Override
    public void run() {
      try (Socket socket = new Socket()) {
        socket.setSendBufferSize(64 * 1024); // a fixed buffer: what it holds is not counted as read by the gateway
        socket.connect(target, 5_000);
        start = System.nanoTime();
        Thread reader = new Thread(() -> read(socket), "reader");
        reader.setDaemon(true);
        reader.start();
        OutputStream out = socket.getOutputStream();
        out.write(("POST " + PATH + " HTTP/1.1\r\nHost: attack\r\nContent-Type: application/json\r\n"
            + (chunked ? "Transfer-Encoding: chunked" : "Content-Length: 1000000000000") + "\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1));
        byte[] data = new byte[8192];
        java.util.Arrays.fill(data, (byte) ' ');
        byte[] chunk = chunked ? frame(data) : data;
        while (System.nanoTime() < deadline) {
          out.write(chunk);
          bodyBytes.addAndGet(chunk.length);
        }
      } catch (IOException ended) {
        endedAt.compareAndSet(0, System.nanoTime());
      }
    }

    private static byte[] frame(byte[] data) {
      byte[] size = (Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
      byte[] framed = new byte[size.length + data.length + 2];
      System.arraycopy(size, 0, framed, 0, size.length);
      System.arraycopy(data, 0, framed, size.length, data.length);
      framed[framed.length - 2] = '\r';
      framed[framed.length - 1] = '\n';
      return framed;
    }

    /** Reads the answer's status line and Connection header, then until the gateway ends the connection. */
    private void read(Socket socket) {
      try {
        InputStream in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        int b = 0;
        while (!head.toString().endsWith("\r\n\r\n") && (b = in.read()) >= 0) {
          head.append((char) b);
        }
        if (head.length() > 0) {
          String[] lines = head.toString().split("\r\n");
          String connection = "";
          for (String line : lines) {
            if (line.regionMatches(true, 0, "connection:", 0, 11)) {
              connection = ", " + line;
            }
          }
          answer.set(lines[0] + connection);
          answeredAt.set(System.nanoTime());
        }
        while (b >= 0) {
          b = in.read();
        }
        endedAt.compareAndSet(0, System.nanoTime());
      } catch (IOException reset) {
        endedAt.compareAndSet(0, System.nanoTime());
      }
    }
  }
}
