package io.tokengateway.support;

import static io.tokengateway.support.Await.await;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A loopback TCP relay in front of a real Redis, that a test can take away and bring back on the same port (the
 * way to stop Redis mid-test without touching the shared server), slow down, or black-hole one connection of.
 * It also counts the Redis commands its clients sent, read on the wire.
 */
public final class TcpProxy {

  private final Vertx vertx;
  private volatile int targetPort;
  private final NetClient client;
  private final Set<Link> links = ConcurrentHashMap.newKeySet();
  private final Queue<Runnable> held = new ConcurrentLinkedQueue<>();
  private final Map<String, AtomicInteger> commands = new ConcurrentHashMap<>();
  private final AtomicReference<Slow> slowNext = new AtomicReference<>();
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

  /**
   * Relays the connections opened from now on to {@code port}; those open stay where they are, as when a DNS
   * name or a virtual address moves to another server.
   */
  public void retarget(int port) {
    targetPort = port;
  }

  /** Stops listening and cuts every relayed connection, as a Redis that went away. */
  public void stop() {
    await(server.close());
    links.forEach(Link::close);
    links.clear();
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

  /**
   * Delays by {@code millis} the answer to the next Redis command {@code command} (e.g. {@code GET}) a client
   * sends, on whichever connection: one slow reply. Later answers on that connection wait behind it; other
   * connections relay as before. (The Vert.x client sends one command or batch at a time on a pooled connection.)
   */
  public void slowNextAnswer(String command, long millis) {
    slowNext.set(new Slow(command.toUpperCase(), millis));
  }

  private record Slow(String command, long millis) {
  }

  /**
   * Stops relaying, both ways and without closing anything, on every open connection whose client has sent the
   * Redis command {@code command} (e.g. {@code SUBSCRIBE}): a half-open connection, as after a silent network
   * fault. Connections opened later relay as before.
   */
  public int blackHole(String command) {
    int n = 0;
    for (Link link : links) {
      if (link.sent.contains(command.toUpperCase())) {
        link.blackHoled = true;
        n++;
      }
    }
    return n;
  }

  /** How many times clients have sent the Redis command {@code command} through this relay. */
  public int sent(String command) {
    AtomicInteger n = commands.get(command.toUpperCase());
    return n == null ? 0 : n.get();
  }

  /** How many Redis commands clients have sent through this relay, other than {@code except}. */
  public int sentExcept(String... except) {
    Set<String> skipped = new java.util.HashSet<>();
    for (String c : except) {
      skipped.add(c.toUpperCase());
    }
    return commands.entrySet().stream().filter(e -> !skipped.contains(e.getKey()))
        .mapToInt(e -> e.getValue().get()).sum();
  }

  public int port() {
    return port;
  }

  private void relay(NetSocket inbound) {
    inbound.pause();
    Future<NetSocket> outbound = client.connect(targetPort, "127.0.0.1");
    outbound.onSuccess(out -> {
      Link link = new Link(inbound, out);
      links.add(link);
      inbound.handler(link::fromClient);
      out.handler(link::fromServer);
      inbound.closeHandler(v -> {
        links.remove(link);
        out.close();
      });
      out.closeHandler(v -> inbound.close());
      inbound.resume();
    }).onFailure(t -> inbound.close());
  }

  /** One relayed connection: the client's side, the server's side, and what the client sent on it. */
  private final class Link {
    final NetSocket inbound;
    final NetSocket out;
    final Set<String> sent = ConcurrentHashMap.newKeySet();
    final RespCommands parser = new RespCommands();
    final ArrayDeque<Buffer> delayed = new ArrayDeque<>();
    volatile boolean blackHoled;
    /** The delay of the next answer on this connection, once its client sent the command to slow down. */
    volatile long slowAnswer;
    boolean delaying;

    Link(NetSocket inbound, NetSocket out) {
      this.inbound = inbound;
      this.out = out;
    }

    void fromClient(Buffer data) {
      parser.feed(data, name -> {
        sent.add(name);
        commands.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
        Slow slow = slowNext.get();
        if (slow != null && slow.command().equals(name) && slowNext.compareAndSet(slow, null)) {
          slowAnswer = slow.millis();
        }
      });
      if (!blackHoled) {
        out.write(data);
      }
    }

    void fromServer(Buffer answer) {
      if (blackHoled) {
        return;
      }
      long slow = slowAnswer;
      if (slow > 0) {
        slowAnswer = 0;
        delaying = true;
        vertx.setTimer(slow, id -> {
          delaying = false;
          Buffer b;
          while ((b = delayed.poll()) != null) {
            toClient(b);
          }
        });
      }
      if (delaying) {
        delayed.add(answer);
      } else {
        toClient(answer);
      }
    }

    void toClient(Buffer answer) {
      if (stalled) {
        held.add(() -> inbound.write(answer));
      } else {
        inbound.write(answer);
      }
    }

    void close() {
      inbound.close();
      out.close();
    }
  }
}
