package io.tokengateway.support;

import io.vertx.redis.client.RedisOptions;
import java.util.List;
import java.util.Map;

/**
 * A Redis the cluster-mode tests run against: the shared standalone one ({@link #STANDALONE}), or a Sentinel
 * master set or a Redis Cluster the test class started ({@link SentinelTopology}, {@link RedisClusterTopology}).
 */
public interface RedisTopology {

  /** The standalone Redis on 127.0.0.1:6379 that every test run shares (each test under its own prefix). */
  RedisTopology STANDALONE = new RedisTopology() {
    @Override
    public Map<String, Object> settings() {
      return Map.of("redis.url", RedisSupport.url(RedisSupport.PORT));
    }

    @Override
    public RedisOptions clientOptions() {
      return new RedisOptions().setConnectionString(RedisSupport.url(RedisSupport.PORT));
    }

    @Override
    public List<Integer> keyPorts() {
      return List.of(RedisSupport.PORT);
    }

    @Override
    public String password() {
      return null;
    }

    @Override
    public String toString() {
      return "standalone";
    }
  };

  /** The gateway's settings for this topology: redis.mode, redis.url and, for Sentinel, redis.sentinelMaster. */
  Map<String, Object> settings();

  /** Options for a test's own Vert.x client, of the same type as the gateway's. */
  RedisOptions clientOptions();

  /** The ports of the nodes that hold keys now (the masters). */
  List<Integer> keyPorts();

  /** The ports of every Redis node running now (a pod may subscribe on any): the key nodes unless said otherwise. */
  default List<Integer> nodePorts() {
    return keyPorts();
  }

  /** The password every node (and Sentinel) takes, or null. */
  String password();
}
