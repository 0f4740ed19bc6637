package io.tokengateway.support;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A blocking RESP2 client for the test thread: one command to one Redis process on the loopback, on a connection
 * of its own (so it reaches exactly that node, never routed), for setting up and inspecting topologies. Replies
 * are {@code String}, {@code Long}, {@code List<Object>} or null; an error reply is thrown as {@link Error}.
 */
public final class Resp {

  private Resp() {
  }

  /** A Redis error reply. */
  public static final class Error extends RuntimeException {
    Error(String message) {
      super(message);
    }
  }

  /** Sends {@code args} to 127.0.0.1:{@code port}, after AUTH when {@code password} is not null. */
  public static Object call(int port, String password, Object... args) {
    try (Socket s = socket(port)) {
      InputStream in = new BufferedInputStream(s.getInputStream());
      auth(s, in, password);
      write(s.getOutputStream(), args);
      return read(in);
    } catch (IOException e) {
      throw new UncheckedIOException("127.0.0.1:" + port + " " + args[0] + ": " + e.getMessage(), e);
    }
  }

  /** Whether the node answers PING now. */
  public static boolean pings(int port, String password) {
    try {
      return "PONG".equals(call(port, password, "PING"));
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** A {@code field:value} line of a text reply such as INFO or CLUSTER INFO; "" when absent. */
  public static String field(Object text, String field) {
    for (String line : String.valueOf(text).split("\r?\n")) {
      if (line.startsWith(field + ":")) {
        return line.substring(field.length() + 1).trim();
      }
    }
    return "";
  }

  /**
   * A connection subscribed to {@code channels} on one node, reading on a daemon thread: every message as
   * {@code channel + " " + message}.
   */
  public static BlockingQueue<String> subscribe(int port, String password, String... channels) {
    BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    try {
      Socket s = socket(port);
      InputStream in = new BufferedInputStream(s.getInputStream());
      auth(s, in, password);
      Object[] command = new Object[channels.length + 1];
      command[0] = "SUBSCRIBE";
      System.arraycopy(channels, 0, command, 1, channels.length);
      write(s.getOutputStream(), command);
      for (int i = 0; i < channels.length; i++) {
        read(in); // the confirmations
      }
      s.setSoTimeout(0);
      Thread reader = new Thread(() -> {
        try (s) {
          while (true) {
            List<?> push = (List<?>) read(in);
            if ("message".equals(push.get(0))) {
              messages.add(push.get(1) + " " + push.get(2));
            }
          }
        } catch (IOException | RuntimeException e) {
          // closed with the node
        }
      }, "resp-subscriber-" + port);
      reader.setDaemon(true);
      reader.start();
      return messages;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Socket socket(int port) throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
    s.setSoTimeout(5_000);
    return s;
  }

  private static void auth(Socket s, InputStream in, String password) throws IOException {
    if (password != null) {
      write(s.getOutputStream(), new Object[] {"AUTH", password});
      read(in);
    }
  }

  private static void write(OutputStream out, Object[] args) throws IOException {
    StringBuilder b = new StringBuilder("*").append(args.length).append("\r\n");
    for (Object a : args) {
      byte[] bytes = String.valueOf(a).getBytes(StandardCharsets.UTF_8);
      b.append('$').append(bytes.length).append("\r\n").append(String.valueOf(a)).append("\r\n");
    }
    out.write(b.toString().getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private static Object read(InputStream in) throws IOException {
    int type = in.read();
    if (type < 0) {
      throw new SocketTimeoutException("closed");
    }
    String line = line(in);
    return switch (type) {
      case '+' -> line;
      case '-' -> throw new Error(line);
      case ':' -> Long.parseLong(line);
      case '$' -> {
        int n = Integer.parseInt(line);
        if (n < 0) {
          yield null;
        }
        byte[] bytes = in.readNBytes(n + 2);
        yield new String(bytes, 0, n, StandardCharsets.UTF_8);
      }
      case '*' -> {
        int n = Integer.parseInt(line);
        if (n < 0) {
          yield null;
        }
        List<Object> items = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          items.add(read(in));
        }
        yield items;
      }
      default -> throw new IOException("not RESP2: " + (char) type + line);
    };
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0 && c != '\r') {
      b.append((char) c);
    }
    in.read(); // '\n'
    return b.toString();
  }
}
