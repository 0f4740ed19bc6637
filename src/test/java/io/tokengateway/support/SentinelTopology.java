package io.tokengateway.support;

import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisRole;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A master, one replica and one Sentinel (quorum 1) started by a test class on free loopback ports, every one
 * behind the same password, as managed Sentinel set-ups are. {@link #failover} is {@code SENTINEL FAILOVER}.
 */
public final class SentinelTopology implements RedisTopology, AutoCloseable {

  public static final String MASTER_SET = "tg-master";

  private final Path dir = RedisProcess.tempDir("sentinel");
  private final String password = "sentinel-secret-" + UUID.randomUUID();
  private RedisProcess first;
  private RedisProcess second;
  private RedisProcess sentinel;

  private SentinelTopology() {
    try {
      startProcesses();
    } catch (RuntimeException | AssertionError e) {
      close();
      throw e;
    }
  }

  private void startProcesses() {
    int[] ports = RedisProcess.freePorts(3);
    List<String> auth = List.of("requirepass " + password, "masterauth " + password);
    first = RedisProcess.start(dir, "first", ports[0], auth, false, password);
    second = RedisProcess.start(dir, "second", ports[1], append(auth, "replicaof 127.0.0.1 " + ports[0]), false,
        password);
    RedisProcess.until(() -> "up".equals(Resp.field(Resp.call(second.port, password, "INFO", "replication"),
        "master_link_status")), 15_000, "the replica in sync with the master");
    sentinel = RedisProcess.start(dir, "sentinel", ports[2], List.of(
        "requirepass " + password,
        "sentinel monitor " + MASTER_SET + " 127.0.0.1 " + first.port + " 1",
        "sentinel auth-pass " + MASTER_SET + " " + password,
        "sentinel down-after-milliseconds " + MASTER_SET + " 1000",
        "sentinel failover-timeout " + MASTER_SET + " 2000"), true, password);
    RedisProcess.until(this::replicaKnown, 20_000, "the Sentinel sees a healthy replica");
  }

  /** Starts the processes (with new ports should one be taken meanwhile). */
  public static SentinelTopology start() {
    IllegalStateException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      try {
        return new SentinelTopology();
      } catch (IllegalStateException e) {
        last = e;
      }
    }
    throw last;
  }

  @Override
  public Map<String, Object> settings() {
    return Map.of("redis.mode", "sentinel", "redis.url", sentinelUrl(), "redis.sentinelMaster", MASTER_SET);
  }

  @Override
  public RedisOptions clientOptions() {
    return new RedisOptions().setType(RedisClientType.SENTINEL).setConnectionString(sentinelUrl())
        .setMasterName(MASTER_SET).setRole(RedisRole.MASTER);
  }

  @Override
  public List<Integer> keyPorts() {
    return List.of(masterPort());
  }

  @Override
  public List<Integer> nodePorts() {
    return List.of(first.port, second.port);
  }

  @Override
  public String password() {
    return password;
  }

  /** The master's port, as the Sentinel names it. */
  public int masterPort() {
    List<?> address = (List<?>) Resp.call(sentinel.port, password, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_SET);
    return Integer.parseInt(String.valueOf(address.get(1)));
  }

  /**
   * {@code SENTINEL FAILOVER}: the replica becomes the master. Returns once the Sentinel names it and it says it
   * is a master (the old master is turned into a replica by the Sentinel some seconds later).
   */
  public void failover() {
    int before = masterPort();
    RedisProcess.until(() -> {
      try {
        return "OK".equals(Resp.call(sentinel.port, password, "SENTINEL", "FAILOVER", MASTER_SET));
      } catch (Resp.Error e) {
        return false; // NOGOODSLAVE, INPROG: a replica not yet judged fit
      }
    }, 20_000, "the Sentinel accepted the failover");
    RedisProcess.until(() -> masterPort() != before && "master".equals(role(masterPort())), 20_000,
        "the replica promoted");
  }

  @Override
  public void close() {
    for (RedisProcess p : new RedisProcess[] {sentinel, second, first}) {
      if (p != null) {
        p.kill();
      }
    }
    RedisProcess.delete(dir);
  }

  @Override
  public String toString() {
    return "sentinel";
  }

  private String sentinelUrl() {
    return "redis://:" + password + "@127.0.0.1:" + sentinel.port + "/0";
  }

  private String role(int port) {
    return String.valueOf(((List<?>) Resp.call(port, password, "ROLE")).get(0));
  }

  private boolean replicaKnown() {
    List<?> replicas = (List<?>) Resp.call(sentinel.port, password, "SENTINEL", "REPLICAS", MASTER_SET);
    return replicas.stream().map(r -> (List<?>) r).anyMatch(r -> "slave".equals(value(r, "flags"))
        && "ok".equals(value(r, "master-link-status")));
  }

  private static Object value(List<?> flat, String key) {
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      if (key.equals(flat.get(i))) {
        return flat.get(i + 1);
      }
    }
    return null;
  }

  private static List<String> append(List<String> lines, String line) {
    List<String> all = new java.util.ArrayList<>(lines);
    all.add(line);
    return all;
  }
}
