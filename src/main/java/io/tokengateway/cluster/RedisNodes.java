package io.tokengateway.cluster;

import io.tokengateway.config.ClusterOptions;
import io.tokengateway.config.ClusterOptions.Mode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisRole;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * The Redis nodes of {@code redis.mode}, as the Vert.x Redis client sees them, and what the client does not do
 * by itself: {@link #main} is the client every command goes through (Vert.x routes it: the one node; the master
 * the Sentinels name, asked again every second; the node owning the key's hash slot, following MOVED). The
 * rest serves what must reach one chosen node: the subscription ({@link #subscriptionNode}) and, on Redis
 * Cluster, SCAN, which the client sends to one random node, so a purge of all scans every master
 * ({@link #masters}) through a plain client for that node ({@link #client}).
 *
 * <p>Every node is reached with the credentials, database and TLS setting of the first URL of
 * {@code redis.url}, as the Vert.x client itself does for the nodes it discovers. Nodes are named by host and
 * port only ({@link Node}): a node never shows a credential.
 */
final class RedisNodes {

  private static final Pattern CREDENTIALS = Pattern.compile("(rediss?://)[^@/\\s]*@");

  private final Vertx vertx;
  private final ClusterOptions options;
  private final URI template;
  private final List<Node> listed;
  private final RedisOptions mainOptions;
  private volatile Redis main;
  private final AtomicBoolean renewing = new AtomicBoolean();
  /** Sentinel mode: a client of the Sentinels themselves. */
  private final Redis sentinels;
  private final Map<Node, Redis> clients = new ConcurrentHashMap<>();
  /** Where this process starts among the masters: pods spread their subscriptions over a cluster. */
  private final AtomicInteger turn = new AtomicInteger(ThreadLocalRandom.current().nextInt(1_000));
  private volatile List<Node> lastMasters = List.of();

  /** A node by host and port: what logs may show. */
  record Node(String host, int port) {
    @Override
    public String toString() {
      return host + ":" + port;
    }
  }

  RedisNodes(Vertx vertx, ClusterOptions options) {
    this.vertx = vertx;
    this.options = options;
    this.template = URI.create(options.nodes().get(0));
    this.listed = options.nodes().stream().map(URI::create).map(u -> new Node(u.getHost(), port(u))).toList();
    RedisOptions main = base(options.poolSize()).setEndpoints(new ArrayList<>(options.nodes()));
    switch (options.mode()) {
      case SENTINEL -> main.setType(RedisClientType.SENTINEL).setMasterName(options.sentinelMaster())
          .setRole(RedisRole.MASTER);
      case CLUSTER -> main.setType(RedisClientType.CLUSTER);
      default -> main.setType(RedisClientType.STANDALONE);
    }
    this.mainOptions = main;
    this.main = Redis.createClient(vertx, main);
    this.sentinels = options.mode() != Mode.SENTINEL ? null : Redis.createClient(vertx, base(2)
        .setEndpoints(new ArrayList<>(options.nodes())).setType(RedisClientType.SENTINEL)
        .setMasterName(options.sentinelMaster()).setRole(RedisRole.SENTINEL)
        .setTopologyCacheTTL(10_000)); // only where the Sentinels are: the master is asked of one at each call
  }

  /** The client for commands. */
  Redis main() {
    return main;
  }

  /**
   * Replaces the client for commands, at most once a second; true when it did. For a node that answered READONLY:
   * the pooled connections reach a replica, as after a failover behind one address (a managed "primary
   * endpoint" whose DNS name, or address, moved to the new primary while the old one stayed up as a replica and
   * kept its connections). A new client's connections find the address again. Commands under way on the old
   * client fail.
   */
  boolean renewMain() {
    if (!renewing.compareAndSet(false, true)) {
      return false;
    }
    Redis old = main;
    main = Redis.createClient(vertx, mainOptions);
    old.close();
    vertx.setTimer(1_000, id -> renewing.set(false));
    return true;
  }

  /**
   * Where to subscribe now. Standalone: the node. Sentinel: the master (messages are published there, and reach
   * its replicas). Cluster: a master, another at each call (classic PUBLISH reaches every node of a cluster),
   * or, while no node answers CLUSTER SLOTS, one of the listed nodes in turn.
   */
  Future<Node> subscriptionNode() {
    return switch (options.mode()) {
      case STANDALONE -> Future.succeededFuture(listed.get(0));
      case SENTINEL -> master();
      case CLUSTER -> masters().map(this::inTurn).recover(t -> Future.succeededFuture(inTurn(listed)));
    };
  }

  /** Whether a subscription must follow the master when it moves (sentinel mode). */
  boolean followsMaster() {
    return options.mode() == Mode.SENTINEL;
  }

  /** Sentinel mode: the master the Sentinels name now. */
  Future<Node> master() {
    return bounded(sentinels.send(Request.cmd(Command.SENTINEL).arg("GET-MASTER-ADDR-BY-NAME")
        .arg(options.sentinelMaster())).compose(r -> r == null
            ? Future.failedFuture("the Sentinels know no master set " + options.sentinelMaster())
            : Future.succeededFuture(node(r.get(0).toString(), r.get(1).toInteger()))));
  }

  /** Cluster mode: the masters that own hash slots, as the first listed or last known node to answer says. */
  Future<List<Node>> masters() {
    LinkedHashSet<Node> candidates = new LinkedHashSet<>(listed);
    candidates.addAll(lastMasters);
    return masters(new ArrayList<>(candidates), 0);
  }

  private Future<List<Node>> masters(List<Node> candidates, int index) {
    Node asked = candidates.get(index);
    return bounded(client(asked).send(Request.cmd(Command.CLUSTER).arg("SLOTS")))
        .map(slots -> mastersIn(slots, asked))
        .recover(t -> index + 1 < candidates.size() ? masters(candidates, index + 1) : Future.failedFuture(t));
  }

  private List<Node> mastersIn(Response slots, Node asked) {
    LinkedHashSet<Node> masters = new LinkedHashSet<>();
    for (Response range : slots) {
      Response master = range.get(2);
      String host = master.get(0) == null ? "" : master.get(0).toString();
      // Redis 7: an empty (or unknown) host means the node's own, the one asked
      masters.add(host.isEmpty() || host.equals("?") ? new Node(asked.host(), master.get(1).toInteger())
          : node(host, master.get(1).toInteger()));
    }
    if (masters.isEmpty()) {
      throw new IllegalStateException("no hash slot is assigned");
    }
    lastMasters = List.copyOf(masters);
    return lastMasters;
  }

  /** A plain client for one node (with the credentials of {@code redis.url}), made once and kept until close. */
  Redis client(Node node) {
    return clients.computeIfAbsent(node, n -> Redis.createClient(vertx, base(2).setConnectionString(url(n))));
  }

  Future<Void> close() {
    List<Future<Void>> closing = new ArrayList<>();
    closing.add(main.close());
    if (sentinels != null) {
      closing.add(sentinels.close());
    }
    clients.values().forEach(c -> closing.add(c.close()));
    return Future.join(closing).otherwiseEmpty().mapEmpty();
  }

  /** Whether Redis refused a write because the node is a replica (a READONLY reply, or a script's). */
  static boolean readOnly(Throwable problem) {
    String m = problem instanceof Response ? String.valueOf(problem.getMessage()) : "";
    return m.startsWith("READONLY") || m.contains("-READONLY");
  }

  /** A Redis problem as it may be logged: the first line, with any credential in a node's URL taken out. */
  static String printable(Throwable problem) {
    String text = String.valueOf(problem == null ? null : problem.getMessage());
    int eol = text.indexOf('\n');
    return CREDENTIALS.matcher(eol < 0 ? text : text.substring(0, eol)).replaceAll("$1");
  }

  private Node inTurn(List<Node> nodes) {
    return nodes.get(Math.floorMod(turn.getAndIncrement(), nodes.size()));
  }

  /** {@code node}'s URL: the first listed URL with that host and port. */
  private String url(Node node) {
    String user = template.getRawUserInfo();
    return template.getScheme() + "://" + (user == null ? "" : user + "@") + node
        + (template.getRawPath() == null ? "" : template.getRawPath())
        + (template.getRawQuery() == null ? "" : "?" + template.getRawQuery());
  }

  /** What every client of this process shares: pool bounds, password, connect timeout and TLS checks. */
  private RedisOptions base(int poolSize) {
    RedisOptions redis = new RedisOptions()
        .setMaxPoolSize(poolSize)
        .setMaxPoolWaiting(1_024)
        .setMaxWaitingHandlers(4_096);
    if (!options.password().isEmpty()) {
      redis.setPassword(options.password().reveal());
    }
    // rediss:// turns TLS on; the server's certificate must then match its host name (the JVM's trust store)
    redis.getNetClientOptions().setConnectTimeout(Math.max(options.timeoutMs(), 100)).setTcpNoDelay(true)
        .setHostnameVerificationAlgorithm("HTTPS");
    return redis;
  }

  /** Discovery is not on a request's path: it gets a second at least. */
  private <T> Future<T> bounded(Future<T> answer) {
    return answer.timeout(Math.max(options.timeoutMs(), 1_000), TimeUnit.MILLISECONDS);
  }

  /** A node Redis named by address (an IPv6 address goes in brackets, as in a URL). */
  private static Node node(String host, int port) {
    return new Node(host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host, port);
  }

  private static int port(URI uri) {
    return uri.getPort() < 0 ? 6379 : uri.getPort();
  }
}
