package io.tokengateway.cluster;

import com.github.benmanes.caffeine.cache.Ticker;
import io.tokengateway.config.ClusterOptions;
import io.tokengateway.config.GatewayConfig;
import io.tokengateway.metrics.GatewayMetrics;
import io.tokengateway.tracing.Tracing;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process's one Redis client. Every command is bounded by {@code redis.timeoutMs} ({@link #COLD_MS} during
 * the warm-up after start): a command not answered in time fails (its request goes on without Redis), and {@link RedisHealth} decides from such failures, the way a
 * breaker does, when Redis as a whole counts as unavailable (logged once per change, gauge
 * {@code gateway_redis_available}). From then on commands fail at once without touching the network until the
 * probe (a PING every second, the trial) gets an answer in time. Results complete on the caller's Vert.x context.
 * One extra connection stays subscribed to the gateway's channels ({@link RedisSubscription}).
 *
 * <p>{@code redis.mode} picks the Vert.x client ({@link RedisNodes}): one Redis, the master of a Sentinel
 * master set, or a Redis Cluster. A failover is an outage like any other: commands that fail count as above,
 * the PING brings Redis back once the client reaches the new master. The Sentinel client asks the Sentinels for
 * the master at most a second before each connection, so pooled connections to an old master go unused; the
 * Cluster client follows MOVED and reads the slot map again at most a second later, but it connects to every
 * node the map lists for each command, so while one listed node is down (until the cluster has failed it
 * over, {@code cluster-node-timeout} and an election) every command fails and Redis counts as unavailable.
 * A READONLY reply is a failure too, and replaces the client ({@link RedisNodes#renewMain}): behind a managed
 * primary endpoint, a failover leaves the pooled connections on the old primary, now a replica that keeps them.
 */
public final class RedisLink {

  private static final Logger LOG = LoggerFactory.getLogger(RedisLink.class);
  static final long PROBE_INTERVAL_MS = 1_000;
  /**
   * How long Redis gets to answer while this JVM is cold: the first probe (which also loads classes and opens
   * the first connection), and every command during {@code redis.warmupSeconds}. On a cold JVM in a burst the
   * replies come late however healthy Redis is (seen here: a median of 150 to 400 ms, up to a second); giving up
   * on them at {@code redis.timeoutMs} sends the pod's first burst past the shared cache and the shared bucket.
   */
  static final long COLD_MS = 2_000;

  /**
   * The message that stands for every key; also delivered on every channel after a lost subscription is back,
   * since what was published in between was missed (local entries then refill from the shared cache, not from
   * SignalWire; waiting pods look again).
   */
  public static final String EVERYTHING = "*";

  /** A command not sent, or not answered in time: the caller falls back to local state. */
  static final RedisUnavailable UNAVAILABLE = new RedisUnavailable("Redis unavailable");
  private static final RedisUnavailable TIMED_OUT = new RedisUnavailable("Redis did not answer in time");

  private final Vertx vertx;
  private final GatewayConfig options;
  private final RedisNodes nodes;
  private final RedisHealth health;
  private final RedisSubscription subscription;
  private volatile boolean closed;
  /** Why the last command or probe failed (Redis's own error, or a connection problem): never holds a credential. */
  private volatile String lastProblem = "no answer yet";
  private long probeTimer = -1;

  /**
   * @param ticker the time source of the warm-up
   * @param channels the channels to subscribe to, each with what receives its messages (on the subscriber's context)
   */
  public RedisLink(Vertx vertx, GatewayConfig options, Ticker ticker, Map<String, Consumer<String>> channels,
      GatewayMetrics metrics) {
    this.vertx = vertx;
    this.options = options;
    this.nodes = new RedisNodes(vertx, options.redis());
    this.health = new RedisHealth(options.redis().failuresToUnavailable(), options.redis().warmupSeconds(), ticker);
    this.subscription = new RedisSubscription(nodes, channels);
    metrics.gauge("gateway.redis.available", "1 while Redis counts as available (cluster mode), else 0", health,
        h -> h.available() ? 1 : 0);
  }

  /** Starts the warm-up and probes once (so the state is known when the gateway reports ready), then every second. */
  public Future<Void> start() {
    health.start();
    return probe(Math.max(options.redis().timeoutMs(), COLD_MS)).onComplete(ar -> {
      if (!health.available()) {
        LOG.warn("Redis {} unavailable ({}): serving from local state until it answers", options.redis().endpoint(),
            lastProblem);
      }
      probeTimer = vertx.setPeriodic(PROBE_INTERVAL_MS, id -> probe(options.redis().timeoutMs()));
    });
  }

  public Future<Void> close() {
    closed = true;
    vertx.cancelTimer(probeTimer);
    return subscription.close().compose(v -> nodes.close());
  }

  public boolean available() {
    return health.available();
  }

  /**
   * One command, or a failed future at once while Redis is unavailable. Sent for a request that is traced, it is a
   * span of that trace (the command's name only), as every command and pipeline here.
   */
  public Future<Response> send(Request request) {
    if (!health.available()) {
      return Future.failedFuture(UNAVAILABLE);
    }
    return Tracing.redis(request.command().toString(), 1,
        () -> bounded(() -> nodes.main().send(request), options.redis().timeoutMs(), options.redis().timeoutMs()));
  }

  /** Several commands pipelined on one connection. */
  public Future<List<Response>> batch(List<Request> requests) {
    if (!health.available()) {
      return Future.failedFuture(UNAVAILABLE);
    }
    return Tracing.redis("PIPELINE", requests.size(),
        () -> bounded(() -> nodes.main().batch(requests), options.redis().timeoutMs(), options.redis().timeoutMs()));
  }

  /** Runs a Lua script ({@code EVAL}); the script text is small and Redis caches its compilation. */
  public Future<Response> eval(String script, List<String> keys, Object... args) {
    return send(script(script, keys, args));
  }

  /**
   * Runs a Lua script whose answer is worth waiting for past {@code redis.timeoutMs}, up to {@code patienceMs}:
   * an answer later than the timeout still counts as a failure toward unavailability, but it is this command's
   * answer. Failed with {@link #unanswered} when none came within {@code patienceMs}.
   */
  public Future<Response> evalPatiently(long patienceMs, String script, List<String> keys, Object... args) {
    if (!health.available()) {
      return Future.failedFuture(UNAVAILABLE);
    }
    Request r = script(script, keys, args);
    return Tracing.redis("EVAL", 1,
        () -> bounded(() -> nodes.main().send(r), options.redis().timeoutMs(),
            Math.max(patienceMs, options.redis().timeoutMs())));
  }

  /**
   * Runs {@code action} on every page of the keys matching {@code pattern} ({@code SCAN ... MATCH}), on every node
   * that holds keys: the one Redis or master, or on Redis Cluster every master in turn (the client would send
   * SCAN to one random node). The sum of what {@code action} returns. A key may be seen twice, or missed, while
   * a cluster moves its slot; a command of {@code action} that names several keys is routed by the client.
   */
  public Future<Long> forEachKey(String pattern, Function<List<String>, Future<Long>> action) {
    if (!health.available()) {
      return Future.failedFuture(UNAVAILABLE);
    }
    if (options.redis().mode() != ClusterOptions.Mode.CLUSTER) {
      return scan(this::send, pattern, "0", action);
    }
    return nodes.masters().transform(ar -> ar.failed() ? Future.failedFuture(UNAVAILABLE)
        : eachMaster(ar.result(), 0, pattern, action));
  }

  private Future<Long> eachMaster(List<RedisNodes.Node> masters, int index, String pattern,
      Function<List<String>, Future<Long>> action) {
    Redis node = nodes.client(masters.get(index));
    Function<Request, Future<Response>> send =
        r -> bounded(() -> node.send(r), options.redis().timeoutMs(), options.redis().timeoutMs());
    return scan(send, pattern, "0", action).compose(n -> index + 1 == masters.size() ? Future.succeededFuture(n)
        : eachMaster(masters, index + 1, pattern, action).map(m -> n + m));
  }

  private static Future<Long> scan(Function<Request, Future<Response>> send, String pattern, String cursor,
      Function<List<String>, Future<Long>> action) {
    return send.apply(Request.cmd(Command.SCAN).arg(cursor).arg("MATCH").arg(pattern).arg("COUNT").arg(1000))
        .compose(page -> {
          String next = page.get(0).toString();
          List<String> found = new ArrayList<>();
          page.get(1).forEach(k -> found.add(k.toString()));
          Future<Long> done = found.isEmpty() ? Future.succeededFuture(0L) : action.apply(found);
          return done.compose(n -> "0".equals(next) ? Future.succeededFuture(n)
              : scan(send, pattern, next, action).map(m -> n + m));
        });
  }

  /** Whether a command failed for want of an answer in time (it may have run in Redis), not for being refused. */
  static boolean unanswered(Throwable failure) {
    return failure == TIMED_OUT;
  }

  private static Request script(String script, List<String> keys, Object... args) {
    Request r = Request.cmd(Command.EVAL).arg(script).arg(keys.size());
    keys.forEach(r::arg);
    for (Object a : args) {
      r.arg(String.valueOf(a));
    }
    return r;
  }

  /** The trial while Redis is unavailable, and while available one command among others; keeps the subscription. */
  private Future<Void> probe(long withinMs) {
    return bounded(() -> nodes.main().send(Request.cmd(Command.PING)), withinMs, withinMs).transform(ar -> {
      if (ar.succeeded()) {
        if (health.trialPassed()) {
          LOG.info("Redis {} available: cluster mode shares the upstream budget and the embed cache",
              options.redis().endpoint());
        }
        subscription.tick();
      } else if (ar.cause() instanceof Response) {
        lastProblem = RedisNodes.printable(ar.cause());
        if (health.refused()) {
          unavailable(lastProblem);
        }
      }
      return Future.succeededFuture();
    });
  }

  /**
   * The command's answer, completed on the caller's context. Not answered within {@code timeoutMs} ({@link
   * #COLD_MS} during the warm-up), it is a failure for {@link RedisHealth}, and the result fails then too unless
   * {@code patienceMs} is longer (then the result waits that long for the late answer). A connection failure is a failure; an answer, an error reply
   * too, is not. An answer after the result failed is ignored.
   */
  private <T> Future<T> bounded(Supplier<Future<T>> command, long timeoutMs, long patienceMs) {
    long withinMs = health.warmingUp() ? Math.max(timeoutMs, COLD_MS) : timeoutMs;
    Context caller = vertx.getOrCreateContext();
    long number = health.sending();
    Future<T> answer = command.get();
    Promise<T> result = Promise.promise();
    AtomicBoolean late = new AtomicBoolean();
    long[] timers = new long[2];
    timers[0] = vertx.setTimer(withinMs, id -> {
      // an answer that came in time but waits behind this busy event loop is not Redis being slow
      if (!answer.isComplete() && !result.future().isComplete()) {
        late.set(true);
        failed(number, true, TIMED_OUT.getMessage());
        if (patienceMs <= withinMs) {
          result.tryFail(TIMED_OUT);
        }
      }
    });
    timers[1] = patienceMs <= withinMs ? -1 : vertx.setTimer(patienceMs, id -> result.tryFail(TIMED_OUT));
    answer.onComplete(ar -> caller.runOnContext(v -> {
      vertx.cancelTimer(timers[0]);
      vertx.cancelTimer(timers[1]);
      if (result.future().isComplete()) {
        return; // too late: already failed as a timeout
      }
      if (ar.failed() && RedisNodes.readOnly(ar.cause())) {
        failed(number, false, RedisNodes.printable(ar.cause()));
        if (nodes.renewMain() && !closed) {
          LOG.warn("Redis {} answered READONLY (the node reached is a replica now: a failover): connecting again",
              options.redis().endpoint());
        }
      } else if (ar.failed() && !(ar.cause() instanceof Response)) {
        failed(number, false, RedisNodes.printable(ar.cause()));
      } else if (!late.get()) {
        health.answered();
      }
      result.handle(ar);
    }));
    return result.future();
  }

  private void failed(long command, boolean late, String why) {
    lastProblem = why;
    if (health.failed(command, late) && !closed) {
      unavailable(lastProblem);
    }
  }

  private void unavailable(String why) {
    if (!closed) {
      LOG.warn("Redis {} unavailable ({}, {} failures in a row): serving from local state, each pod keeping to"
          + " 1/{} of the upstream budget, until a PING is answered in time", options.redis().endpoint(), why,
          health.failuresInARow(), options.cluster().expectedReplicas());
    }
  }

  /** Why a Redis command was not answered; stackless, the caller falls back to local state. */
  static final class RedisUnavailable extends RuntimeException {
    RedisUnavailable(String message) {
      super(message, null, false, false);
    }
  }
}
