package io.tokengateway.support;

import io.vertx.core.Vertx;
import io.vertx.redis.client.RedisOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A primary and a replica behind one address, as a managed "primary endpoint" (ElastiCache with cluster mode
 * disabled, Memorystore standard tier): the gateway is in standalone mode on a relay, and {@link #failover}
 * promotes the replica, turns the old primary into its replica (it stays up and keeps its connections) and
 * moves the address, for new connections only, to the new primary.
 */
public final class PrimaryEndpointTopology implements RedisTopology, AutoCloseable {

  private final Path dir = RedisProcess.tempDir("primary");
  private final String password = "primary-secret-" + UUID.randomUUID();
  private final Vertx relayVertx = Vertx.vertx();
  private RedisProcess primary;
  private RedisProcess replica;
  private TcpProxy endpoint;

  private PrimaryEndpointTopology() {
    try {
      int[] ports = RedisProcess.freePorts(2);
      List<String> auth = List.of("requirepass " + password, "masterauth " + password);
      primary = RedisProcess.start(dir, "primary", ports[0], auth, false, password);
      replica = RedisProcess.start(dir, "replica", ports[1], List.of("requirepass " + password,
          "masterauth " + password, "replicaof 127.0.0.1 " + ports[0]), false, password);
      RedisProcess.until(() -> "up".equals(Resp.field(Resp.call(replica.port, password, "INFO", "replication"),
          "master_link_status")), 15_000, "the replica in sync");
      endpoint = new TcpProxy(relayVertx, primary.port).start();
    } catch (RuntimeException | AssertionError e) {
      close();
      throw e;
    }
  }

  public static PrimaryEndpointTopology start() {
    IllegalStateException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      try {
        return new PrimaryEndpointTopology();
      } catch (IllegalStateException e) {
        last = e;
      }
    }
    throw last;
  }

  @Override
  public Map<String, Object> settings() {
    return Map.of("redis.url", url());
  }

  @Override
  public RedisOptions clientOptions() {
    return new RedisOptions().setConnectionString(url());
  }

  @Override
  public List<Integer> keyPorts() {
    return List.of(masterPort());
  }

  @Override
  public List<Integer> nodePorts() {
    return List.of(primary.port, replica.port);
  }

  @Override
  public String password() {
    return password;
  }

  /** The port of whichever of the two is the master now. */
  public int masterPort() {
    return "master".equals(((List<?>) Resp.call(primary.port, password, "ROLE")).get(0)) ? primary.port : replica.port;
  }

  /** The replica becomes the primary, the old primary its replica; the address moves for new connections. */
  public void failover() {
    RedisProcess now = masterPort() == primary.port ? primary : replica;
    RedisProcess next = now == primary ? replica : primary;
    Resp.call(next.port, password, "REPLICAOF", "NO", "ONE");
    Resp.call(now.port, password, "REPLICAOF", "127.0.0.1", String.valueOf(next.port));
    endpoint.retarget(next.port);
    RedisProcess.until(() -> "up".equals(Resp.field(Resp.call(now.port, password, "INFO", "replication"),
        "master_link_status")), 15_000, "the old primary replicating from the new one");
  }

  @Override
  public void close() {
    if (endpoint != null) {
      endpoint.stop();
    }
    Await.await(relayVertx.close());
    for (RedisProcess p : new RedisProcess[] {replica, primary}) {
      if (p != null) {
        p.kill();
      }
    }
    RedisProcess.delete(dir);
  }

  @Override
  public String toString() {
    return "primary endpoint";
  }

  private String url() {
    return "redis://:" + password + "@127.0.0.1:" + endpoint.port() + "/0";
  }
}
