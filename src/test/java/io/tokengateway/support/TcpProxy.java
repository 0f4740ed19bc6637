package io.tokengateway.support;

import static io.tokengateway.support.Await.await;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback TCP relay in front of a real server, that a test can take away and bring back on the same port:
 * the way to stop Redis mid-test without touching the shared server.
 */
public final class TcpProxy {

  private final Vertx vertx;
  private final int targetPort;
  private final NetClient client;
  private final Set<NetSocket> open = ConcurrentHashMap.newKeySet();
  private final java.util.Queue<Runnable> held = new java.util.concurrent.ConcurrentLinkedQueue<>();
  private volatile boolean stalled;
  private NetServer server;
  private int port;

  public TcpProxy(Vertx vertx, int targetPort) {
    this.vertx = vertx;
    this.targetPort = targetPort;
    this.client = vertx.createNetClient();
  }

  /** Listens (on a free port the first time, then on the same one again). */
  public TcpProxy start() {
    server = vertx.createNetServer().connectHandler(this::relay);
    port = await(server.listen(port, "127.0.0.1")).actualPort();
    return this;
  }

  /** Stops listening and cuts every relayed connection, as a Redis that went away. */
  public void stop() {
    await(server.close());
    open.forEach(NetSocket::close);
    open.clear();
  }

  /** Holds every answer from the server until {@link #flow()}: a server that has become slow. */
  public void stall() {
    stalled = true;
  }

  /** Delivers what was held and relays as before. */
  public void flow() {
    vertx.runOnContext(v -> {
      stalled = false;
      Runnable r;
      while ((r = held.poll()) != null) {
        r.run();
      }
    });
  }

  public int port() {
    return port;
  }

  private void relay(NetSocket inbound) {
    inbound.pause();
    open.add(inbound);
    Future<NetSocket> outbound = client.connect(targetPort, "127.0.0.1");
    outbound.onSuccess(out -> {
      open.add(out);
      inbound.handler(out::write);
      out.handler(answer -> {
        if (stalled) {
          held.add(() -> inbound.write(answer));
        } else {
          inbound.write(answer);
        }
      });
      inbound.closeHandler(v -> out.close());
      out.closeHandler(v -> inbound.close());
      inbound.resume();
    }).onFailure(t -> inbound.close());
  }
}
