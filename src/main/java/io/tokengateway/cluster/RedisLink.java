package io.tokengateway.cluster;

import io.tokengateway.config.ClusterOptions;
import io.tokengateway.metrics.GatewayMetrics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process's one Redis client. Every command is bounded by {@code redis.timeoutMs}; a timeout or a lost
 * connection marks Redis unavailable (logged once per change, gauge {@code gateway_redis_available}), and
 * from then on commands fail at once without touching the network until the probe (a PING every second)
 * gets an answer in time. Results complete on the caller's Vert.x context. One extra connection stays
 * subscribed to the invalidation channel and is re-established by the probe when lost; then
 * {@link #EVERYTHING} is delivered, as purges published meanwhile never arrived.
 */
public final class RedisLink {

  private static final Logger LOG = LoggerFactory.getLogger(RedisLink.class);
  static final long PROBE_INTERVAL_MS = 1_000;
  /** The first probe also loads classes and opens the first connection: it gets this long, not the timeout. */
  static final long FIRST_PROBE_MS = 2_000;

  /**
   * The message that stands for every key; also delivered after a lost subscription is back, since purges
   * published in between were missed (local entries then refill from the shared cache, not from SignalWire).
   */
  public static final String EVERYTHING = "*";

  /** A command not sent, or not answered in time: the caller falls back to local state. */
  static final RedisUnavailable UNAVAILABLE = new RedisUnavailable("Redis unavailable");
  private static final RedisUnavailable TIMED_OUT = new RedisUnavailable("Redis did not answer in time");

  private final Vertx vertx;
  private final ClusterOptions options;
  private final Redis client;
  private final String channel;
  private final Consumer<String> onMessage;
  private final AtomicBoolean available = new AtomicBoolean();
  private volatile RedisConnection subscriber;
  private volatile boolean subscribing;
  /** Set once a subscription has been lost: what was published meanwhile never reached this pod. */
  private volatile boolean missedMessages;
  private volatile boolean closed;
  /** Why the last probe failed (Redis's own error, or a connection problem): never holds a credential. */
  private volatile String lastProblem = "no answer yet";
  private long probeTimer = -1;

  /**
   * @param channel the channel whose messages go to {@code onMessage} (on the subscriber's context)
   */
  public RedisLink(Vertx vertx, ClusterOptions options, String channel, Consumer<String> onMessage,
      GatewayMetrics metrics) {
    this.vertx = vertx;
    this.options = options;
    this.channel = channel;
    this.onMessage = onMessage;
    RedisOptions redis = new RedisOptions()
        .setConnectionString(options.url().reveal())
        .setMaxPoolSize(options.poolSize() + 1)
        .setMaxPoolWaiting(1_024)
        .setMaxWaitingHandlers(4_096);
    if (!options.password().isEmpty()) {
      redis.setPassword(options.password().reveal());
    }
    // rediss:// turns TLS on; the server's certificate must then match its host name (the JVM's trust store)
    redis.getNetClientOptions().setConnectTimeout(Math.max(options.timeoutMs(), 100)).setTcpNoDelay(true)
        .setHostnameVerificationAlgorithm("HTTPS");
    this.client = Redis.createClient(vertx, redis);
    metrics.gauge("gateway.redis.available", "1 while Redis answers in time (cluster mode), else 0", available,
        a -> a.get() ? 1 : 0);
  }

  /** Probes once (so the state is known when the gateway reports ready), then every second. */
  public Future<Void> start() {
    return probe(Math.max(options.timeoutMs(), FIRST_PROBE_MS)).onComplete(ar -> {
      if (!available.get()) {
        LOG.warn("Redis {} unavailable ({}): serving from local state until it answers", options.endpoint(),
            lastProblem);
      }
      probeTimer = vertx.setPeriodic(PROBE_INTERVAL_MS, id -> probe(options.timeoutMs()));
    });
  }

  public Future<Void> close() {
    closed = true;
    vertx.cancelTimer(probeTimer);
    RedisConnection s = subscriber;
    return (s == null ? Future.<Void>succeededFuture() : s.close().otherwiseEmpty())
        .compose(v -> client.close().otherwiseEmpty());
  }

  public boolean available() {
    return available.get();
  }

  /** One command, or a failed future at once while Redis is unavailable. */
  public Future<Response> send(Request request) {
    if (!available.get()) {
      return Future.failedFuture(UNAVAILABLE);
    }
    return bounded(client.send(request), options.timeoutMs());
  }

  /** Several commands pipelined on one connection. */
  public Future<List<Response>> batch(List<Request> requests) {
    if (!available.get()) {
      return Future.failedFuture(UNAVAILABLE);
    }
    return bounded(client.batch(requests), options.timeoutMs());
  }

  /** Runs a Lua script ({@code EVAL}); the script text is small and Redis caches its compilation. */
  public Future<Response> eval(String script, List<String> keys, Object... args) {
    Request r = Request.cmd(Command.EVAL).arg(script).arg(keys.size());
    keys.forEach(r::arg);
    for (Object a : args) {
      r.arg(String.valueOf(a));
    }
    return send(r);
  }

  private Future<Void> probe(long withinMs) {
    return bounded(client.send(Request.cmd(Command.PING)), withinMs).transform(ar -> {
      if (ar.succeeded()) {
        up();
        ensureSubscribed();
      } else {
        lastProblem = String.valueOf(ar.cause().getMessage());
        down(lastProblem); // an error reply to PING too (LOADING, WRONGPASS after a password change...)
      }
      return Future.succeededFuture();
    });
  }

  private void ensureSubscribed() {
    if (subscriber != null || subscribing) {
      return;
    }
    subscribing = true;
    client.connect().compose(conn -> {
      conn.handler(this::message);
      conn.exceptionHandler(t -> lost(conn, t.getMessage()));
      conn.endHandler(v -> lost(conn, "connection closed"));
      return conn.send(Request.cmd(Command.SUBSCRIBE).arg(channel)).map(conn);
    }).onComplete(ar -> {
      subscribing = false;
      if (ar.succeeded()) {
        subscriber = ar.result();
        if (missedMessages) {
          missedMessages = false;
          LOG.info("subscribed again to {}: acting as if everything was purged meanwhile", channel);
          onMessage.accept(EVERYTHING);
        }
      } else {
        down(ar.cause().getMessage());
      }
    });
  }

  private void message(Response push) {
    if (push.size() == 3 && "message".equals(push.get(0).toString()) && channel.equals(push.get(1).toString())) {
      onMessage.accept(push.get(2).toString());
    }
  }

  private void lost(RedisConnection conn, String why) {
    if (subscriber == conn) {
      subscriber = null;
      missedMessages = true;
      conn.close();
    }
    down(why);
  }

  /**
   * {@code answer} within {@code withinMs}, completed on the caller's context; a timeout or a connection failure
   * marks Redis down (an error reply, such as a script error, does not).
   */
  private <T> Future<T> bounded(Future<T> answer, long withinMs) {
    Context caller = vertx.getOrCreateContext();
    Promise<T> result = Promise.promise();
    long timer = vertx.setTimer(withinMs, id -> {
      // an answer that came in time but waits behind this busy event loop is not Redis being slow
      if (!answer.isComplete() && result.tryFail(TIMED_OUT)) {
        down(TIMED_OUT.getMessage());
      }
    });
    answer.onComplete(ar -> caller.runOnContext(v -> {
      vertx.cancelTimer(timer);
      if (ar.failed() && !(ar.cause() instanceof Response)) {
        down(ar.cause().getMessage());
      }
      if (ar.succeeded()) {
        result.tryComplete(ar.result());
      } else {
        result.tryFail(ar.cause());
      }
    }));
    return result.future();
  }

  private void up() {
    if (available.compareAndSet(false, true)) {
      LOG.info("Redis {} available: cluster mode shares the upstream budget and the embed cache",
          options.endpoint());
    }
  }

  private void down(String why) {
    if (!closed && available.compareAndSet(true, false)) {
      LOG.warn("Redis {} unavailable ({}): serving from local state, upstream budget divided by {} until it returns",
          options.endpoint(), why, options.expectedReplicas());
    }
  }

  /** Why a Redis command was not answered; stackless, the caller falls back to local state. */
  static final class RedisUnavailable extends RuntimeException {
    RedisUnavailable(String message) {
      super(message, null, false, false);
    }
  }
}
