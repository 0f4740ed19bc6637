package io.tokengateway.cluster;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one connection subscribed to the gateway's channels, kept alive by {@link RedisLink}'s probe: every
 * {@link #tick} (once a second while Redis is available) it sends a PING on the subscription, and a
 * subscription that has not answered the previous one is half-open (a silent network fault: nothing arrives,
 * nothing closes) and is dropped like a closed one. A lost subscription is re-established on the next tick, and
 * then every channel receives {@link RedisLink#EVERYTHING}: what was published meanwhile never arrived.
 *
 * <p>Where it subscribes is {@link RedisNodes#subscriptionNode}: the one Redis, the master the Sentinels name,
 * or a master of the cluster (classic PUBLISH reaches every node; when that node fails the connection is lost
 * and the next tick subscribes on another). In sentinel mode every tick also asks the Sentinels for the master:
 * once it has moved, the subscription follows it at once, since an old master that is still up (Sentinel turns
 * it into a replica only some seconds later) no longer hears what is published on the new one.
 *
 * <p>Any reply on the connection proves it alive, matched to nothing: in subscribed mode a PING is answered
 * {@code PONG} (RESP3) or with a {@code pong} message (RESP2), and the client may hand either to the handler
 * or to the PING's own future. Logs as {@link RedisLink}: one logger for Redis's state.
 */
final class RedisSubscription {

  private static final Logger LOG = LoggerFactory.getLogger(RedisLink.class);

  private final RedisNodes nodes;
  private final Map<String, Consumer<String>> channels;
  private final AtomicReference<RedisConnection> connection = new AtomicReference<>();
  /** The node the current subscription is on. */
  private volatile RedisNodes.Node node;
  private volatile boolean subscribing;
  /** Set once a subscription has been lost: what was published meanwhile never reached this pod. */
  private volatile boolean missedMessages;
  private volatile boolean pinged;
  private volatile boolean heard;
  private volatile boolean closed;

  /** @param channels each channel's messages go to its consumer, on the subscription's context */
  RedisSubscription(RedisNodes nodes, Map<String, Consumer<String>> channels) {
    this.nodes = nodes;
    this.channels = Map.copyOf(channels);
  }

  /** Checks the subscription's last PING was answered, sends the next, and subscribes when not subscribed. */
  void tick() {
    RedisConnection conn = connection.get();
    if (conn != null) {
      if (pinged && !heard) {
        lost(conn, "no answer to the last PING on it");
      } else {
        heard = false;
        pinged = true;
        conn.send(Request.cmd(Command.PING)).onSuccess(this::received);
        if (nodes.followsMaster()) {
          RedisNodes.Node on = node;
          nodes.master().onSuccess(master -> {
            if (!master.equals(on)) {
              lost(conn, "the master is now " + master + ", not " + on);
            }
          });
        }
      }
    }
    if (connection.get() == null && !subscribing && !closed && !channels.isEmpty()) {
      subscribe();
    }
  }

  Future<Void> close() {
    closed = true;
    RedisConnection conn = connection.getAndSet(null);
    return conn == null ? Future.succeededFuture() : conn.close().otherwiseEmpty();
  }

  private void subscribe() {
    subscribing = true;
    RedisNodes.Node[] on = new RedisNodes.Node[1];
    nodes.subscriptionNode().compose(n -> {
      on[0] = n;
      return nodes.client(n).connect();
    }).compose(conn -> {
      conn.handler(this::received);
      conn.exceptionHandler(t -> lost(conn, RedisNodes.printable(t)));
      conn.endHandler(v -> lost(conn, "connection closed"));
      Request subscribe = Request.cmd(Command.SUBSCRIBE);
      channels.keySet().forEach(subscribe::arg);
      return conn.send(subscribe).map(conn);
    }).onComplete(ar -> {
      subscribing = false;
      if (ar.failed()) {
        LOG.debug("subscribing to {} failed ({}): again in a second", channels.keySet(),
            RedisNodes.printable(ar.cause()));
        return;
      }
      pinged = false;
      node = on[0];
      connection.set(ar.result());
      if (closed) {
        close();
      } else if (missedMessages) {
        missedMessages = false;
        LOG.info("subscribed again to {} on {}: acting as if everything was purged meanwhile", channels.keySet(),
            node);
        channels.values().forEach(c -> c.accept(RedisLink.EVERYTHING));
      }
    });
  }

  /** Anything the connection delivers: proof it is alive, and a message when it is one. */
  private void received(Response reply) {
    heard = true;
    if (reply != null && (reply.type() == ResponseType.PUSH || reply.type() == ResponseType.MULTI)
        && reply.size() == 3 && "message".equals(reply.get(0).toString())) {
      Consumer<String> to = channels.get(reply.get(1).toString());
      if (to != null) {
        to.accept(reply.get(2).toString());
      }
    }
  }

  private void lost(RedisConnection conn, String why) {
    if (connection.compareAndSet(conn, null)) {
      missedMessages = true;
      LOG.warn("subscription to {} lost ({}): subscribing again; local entries are dropped once it is back",
          channels.keySet(), why);
      conn.close();
    }
  }
}
