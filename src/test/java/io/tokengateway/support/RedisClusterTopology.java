package io.tokengateway.support;

import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A Redis Cluster started by a test class: {@code masters} masters with {@code replicasEach} replicas each, on
 * free loopback ports (bus ports too), created with {@code redis-cli --cluster create}, behind one password,
 * {@code cluster-node-timeout} 2 s. The gateway is given the first masters' URLs as seeds. A master can be killed
 * (its replica takes over), brought back (it rejoins as a replica), or handed over with {@code CLUSTER FAILOVER}.
 */
public final class RedisClusterTopology implements RedisTopology, AutoCloseable {

  private final Path dir = RedisProcess.tempDir("cluster");
  private final String password = "cluster-secret-" + UUID.randomUUID();
  private final List<RedisProcess> nodes = new ArrayList<>();
  private final List<Integer> seeds = new ArrayList<>();

  private RedisClusterTopology(int masters, int replicasEach) {
    try {
      startNodes(masters * (1 + replicasEach));
      create(masters, replicasEach);
    } catch (RuntimeException | AssertionError e) {
      close();
      throw e;
    }
  }

  /** Starts and creates the cluster (with new ports should one be taken meanwhile). */
  public static RedisClusterTopology start(int masters, int replicasEach) {
    IllegalStateException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      try {
        return new RedisClusterTopology(masters, replicasEach);
      } catch (IllegalStateException e) {
        last = e;
      }
    }
    throw last;
  }

  private void startNodes(int n) {
    int[] ports = RedisProcess.freePorts(2 * n);
    for (int i = 0; i < n; i++) {
      int port = ports[i];
      nodes.add(RedisProcess.start(dir, "node-" + port, port, List.of(
          "cluster-enabled yes",
          "cluster-config-file nodes-" + port + ".conf",
          "cluster-node-timeout 2000",
          "cluster-port " + ports[n + i],
          "cluster-replica-validity-factor 0",
          "requirepass " + password,
          "masterauth " + password), false, password));
    }
  }

  private void create(int masters, int replicasEach) {
    List<String> command = new ArrayList<>(List.of("redis-cli", "-a", password, "--no-auth-warning", "--cluster",
        "create"));
    nodes.forEach(n -> command.add("127.0.0.1:" + n.port));
    command.addAll(List.of("--cluster-replicas", String.valueOf(replicasEach), "--cluster-yes"));
    try {
      Path log = dir.resolve("create.log");
      Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IllegalStateException("redis-cli --cluster create failed: " + Files.readString(log));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    awaitWhole();
    seeds.addAll(masterPorts());
  }

  @Override
  public Map<String, Object> settings() {
    return Map.of("redis.mode", "cluster", "redis.url", seeds.stream().map(this::url).collect(Collectors.joining(",")));
  }

  @Override
  public RedisOptions clientOptions() {
    return new RedisOptions().setType(RedisClientType.CLUSTER)
        .setEndpoints(new ArrayList<>(nodes.stream().map(n -> url(n.port)).toList()));
  }

  @Override
  public List<Integer> keyPorts() {
    return masterPorts();
  }

  @Override
  public String password() {
    return password;
  }

  /** The masters that own slots now, as a live node sees them. */
  public List<Integer> masterPorts() {
    Set<Integer> masters = new TreeSet<>();
    for (Object range : (List<?>) call(live(), "CLUSTER", "SLOTS")) {
      masters.add(((Long) ((List<?>) ((List<?>) range).get(2)).get(1)).intValue());
    }
    return List.copyOf(masters);
  }

  /** How many error replies starting with {@code prefix} (e.g. MOVED) the node on {@code port} has sent. */
  public long errorReplies(int port, String prefix) {
    String stat = Resp.field(call(port, "INFO", "errorstats"), "errorstat_" + prefix);
    return stat.isEmpty() ? 0 : Long.parseLong(stat.replace("count=", ""));
  }

  /** The ports of the nodes running now, masters and replicas. */
  @Override
  public List<Integer> nodePorts() {
    return nodes.stream().filter(RedisProcess::alive).map(n -> n.port).toList();
  }

  /** The master owning {@code key}'s hash slot now. */
  public int masterOf(String key) {
    long slot = (Long) call(live(), "CLUSTER", "KEYSLOT", key);
    for (Object r : (List<?>) call(live(), "CLUSTER", "SLOTS")) {
      List<?> range = (List<?>) r;
      if ((Long) range.get(0) <= slot && slot <= (Long) range.get(1)) {
        return ((Long) ((List<?>) range.get(2)).get(1)).intValue();
      }
    }
    throw new IllegalStateException("slot " + slot + " has no master");
  }

  /** The hash slot of {@code key}, as Redis computes it. */
  public long slot(String key) {
    return (Long) call(live(), "CLUSTER", "KEYSLOT", key);
  }

  /** A replica of the master on {@code masterPort}. */
  public int replicaOf(int masterPort) {
    List<?> role = (List<?>) call(masterPort, "ROLE");
    List<?> replicas = (List<?>) role.get(2);
    return Integer.parseInt(String.valueOf(((List<?>) replicas.get(0)).get(1)));
  }

  /**
   * Kills the master on {@code port} (SIGKILL) and returns once its replica owns its slots and the cluster is
   * ok again as every live node sees it.
   */
  public void killMaster(int port) {
    process(port).kill();
    RedisProcess.until(() -> !masterPorts().contains(port) && everyLiveNode(n -> "ok".equals(
        Resp.field(call(n.port, "CLUSTER", "INFO"), "cluster_state"))), 30_000, "a replica took over from " + port);
  }

  /** Starts the killed node again and returns once it has rejoined (as a replica) and the cluster is whole. */
  public void restart(int port) {
    process(port).restart();
    awaitWhole();
  }

  /** {@code CLUSTER FAILOVER} on the replica on {@code replicaPort}: it takes its master's slots, the old one answers MOVED. */
  public void handOver(int replicaPort) {
    call(replicaPort, "CLUSTER", "FAILOVER");
    RedisProcess.until(() -> masterPorts().contains(replicaPort), 20_000, replicaPort + " took its master's slots");
    awaitWhole();
  }

  @Override
  public void close() {
    nodes.forEach(RedisProcess::kill);
    RedisProcess.delete(dir);
  }

  @Override
  public String toString() {
    return "cluster";
  }

  private void awaitWhole() {
    RedisProcess.until(() -> everyLiveNode(n -> {
      Object info = call(n.port, "CLUSTER", "INFO");
      boolean replicaSynced = !"slave".equals(((List<?>) call(n.port, "ROLE")).get(0))
          || "up".equals(Resp.field(call(n.port, "INFO", "replication"), "master_link_status"));
      return "ok".equals(Resp.field(info, "cluster_state"))
          && String.valueOf(nodes.size()).equals(Resp.field(info, "cluster_known_nodes"))
          && !String.valueOf(call(n.port, "CLUSTER", "NODES")).contains("fail") && replicaSynced;
    }), 30_000, "the cluster whole: every node ok, known, none failing, every replica in sync");
  }

  private boolean everyLiveNode(java.util.function.Predicate<RedisProcess> check) {
    try {
      return nodes.stream().filter(RedisProcess::alive).allMatch(check);
    } catch (RuntimeException e) {
      return false; // a node in the middle of a change
    }
  }

  private int live() {
    return nodes.stream().filter(RedisProcess::alive).findFirst().orElseThrow().port;
  }

  private RedisProcess process(int port) {
    return nodes.stream().filter(n -> n.port == port).findFirst().orElseThrow();
  }

  private Object call(int port, Object... args) {
    return Resp.call(port, password, args);
  }

  private String url(int port) {
    return "redis://:" + password + "@127.0.0.1:" + port;
  }
}
