package io.tokengateway.support;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A raw TCP server on a random loopback port that resets every connection ({@code SO_LINGER} 0, then close: a
 * TCP RST, not a FIN) as soon as a request's first bytes arrive: before any answer, or after the head and the
 * first bytes of a body that was declared longer ({@link #midAnswer}), or after any bytes ({@link #answering}).
 * Counts the requests it cut.
 */
public final class ResettingServer {

  private final AtomicInteger resets = new AtomicInteger();
  private volatile Buffer before = Buffer.buffer();
  private NetServer server;

  public static ResettingServer start(Vertx vertx) {
    ResettingServer s = new ResettingServer();
    s.server = Await.await(vertx.createNetServer(new NetServerOptions().setSoLinger(0)).connectHandler(socket ->
        socket.handler(data -> {
          socket.handler(null);
          s.resets.incrementAndGet();
          socket.write(s.before).onComplete(ar -> socket.close());
        })).listen(0, "127.0.0.1"));
    return s;
  }

  /** From now on, each connection gets a 201 head declaring 1,000 bytes and 10 of them before its reset. */
  public ResettingServer midAnswer() {
    return answering("HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
        + "{\"token\":\"");
  }

  /** From now on, each connection gets {@code bytes} (as written, head and all) before its reset. */
  public ResettingServer answering(String bytes) {
    before = Buffer.buffer(bytes);
    return this;
  }

  public int port() {
    return server.actualPort();
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port();
  }

  /** How many connections were reset. */
  public int resets() {
    return resets.get();
  }

  public Future<Void> close() {
    return server.close();
  }
}
