package io.tokengateway.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One blocking TCP connection to a server, for tests of what shows on the wire: writes exactly the bytes given
 * (however malformed), reads HTTP/1.1 answers (Content-Length bodies) and tells a connection the server closed
 * from one it keeps open. Test threads only.
 */
public final class RawHttp implements AutoCloseable {

  /** One HTTP/1.1 answer as read off the wire; header names in lower case. */
  public record Answer(int status, Map<String, String> headers, String body) {
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /** Whether the answer announces the server closes the connection after it. */
    public boolean connectionClose() {
      String c = header("connection");
      return c != null && c.toLowerCase(Locale.ROOT).contains("close");
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final ByteArrayOutputStream unread = new ByteArrayOutputStream();

  private RawHttp(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  public static RawHttp connect(int port) {
    return connect(port, "127.0.0.1");
  }

  /**
   * Connects to 127.0.0.1:{@code port} from {@code from}, a loopback address such as {@code 127.0.0.2}: another
   * client address for the server, on the same host.
   */
  public static RawHttp connect(int port, String from) {
    try {
      Socket s = new Socket();
      s.setTcpNoDelay(true);
      s.bind(new InetSocketAddress(from, 0));
      s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      return new RawHttp(s);
    } catch (IOException e) {
      throw new AssertionError("cannot connect to 127.0.0.1:" + port + " from " + from + ": " + e, e);
    }
  }

  /** A POST with a JSON body and an exact Content-Length, keep-alive. */
  public static String post(String path, String json) {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + "Content-Length: " + body.length + "\r\n\r\n" + json;
  }

  /** A GET, keep-alive. */
  public static String get(String path) {
    return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  }

  /** Writes {@code ascii} as is; false when the connection no longer takes bytes. */
  public boolean send(String ascii) {
    return send(ascii.getBytes(StandardCharsets.ISO_8859_1));
  }

  public boolean send(byte[] bytes) {
    try {
      out.write(bytes);
      out.flush();
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Reads one answer within {@code timeoutMs}; null when the connection ended (EOF or reset) before a whole
   * answer. Fails when nothing conclusive arrives in time.
   */
  public Answer read(long timeoutMs) {
    try {
      socket.setSoTimeout((int) timeoutMs);
      String head = readHead();
      if (head == null) {
        return null;
      }
      String[] lines = head.split("\r\n");
      int status = Integer.parseInt(lines[0].split(" ")[1]);
      Map<String, String> headers = new LinkedHashMap<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
      }
      String length = headers.get("content-length");
      byte[] body = in.readNBytes(length == null ? 0 : Integer.parseInt(length));
      return new Answer(status, headers, new String(body, StandardCharsets.UTF_8));
    } catch (SocketTimeoutException e) {
      throw new AssertionError("no answer and no close within " + timeoutMs + " ms");
    } catch (SocketException e) {
      return null; // reset
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** The first {@code n} bytes the server sends, or fewer when it closes first. */
  public byte[] readBytes(int n, long timeoutMs) {
    try {
      socket.setSoTimeout((int) timeoutMs);
      return in.readNBytes(n);
    } catch (SocketTimeoutException e) {
      throw new AssertionError("fewer than " + n + " bytes within " + timeoutMs + " ms");
    } catch (IOException e) {
      return new byte[0];
    }
  }

  /**
   * Milliseconds until the server closes the connection (EOF or reset); -1 when it is still open after
   * {@code timeoutMs}. Whatever the server sends meanwhile is kept in {@link #unread()}.
   */
  public long millisUntilClosed(long timeoutMs) {
    long start = System.nanoTime();
    long deadline = start + timeoutMs * 1_000_000L;
    byte[] buf = new byte[512];
    try {
      while (true) {
        long left = (deadline - System.nanoTime()) / 1_000_000L;
        if (left <= 0) {
          return -1;
        }
        socket.setSoTimeout((int) left);
        int n = in.read(buf);
        if (n < 0) {
          return (System.nanoTime() - start) / 1_000_000L;
        }
        unread.write(buf, 0, n);
      }
    } catch (SocketTimeoutException e) {
      return -1;
    } catch (IOException e) {
      return (System.nanoTime() - start) / 1_000_000L;
    }
  }

  /** Bytes {@link #millisUntilClosed} received before the close. */
  public String unread() {
    return unread.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing a test socket
    }
  }

  private String readHead() throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        return null;
      }
      head.write(b);
      matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
          ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    String text = head.toString(StandardCharsets.ISO_8859_1);
    return text.substring(0, text.length() - 4);
  }
}
