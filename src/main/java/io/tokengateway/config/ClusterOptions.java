package io.tokengateway.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Cluster mode's Redis ({@code redis.*}): it holds the shared upstream budget, 429 pause and embed cache. An empty
 * {@code url} means single-process mode; the number of pods is {@link GatewayConfig.Fleet}.
 *
 * <p>{@code mode} says what {@code url} points at: one Redis ({@code standalone}), the Sentinels watching the
 * master set {@code sentinelMaster} ({@code sentinel}), or nodes of a Redis Cluster ({@code cluster}); the last
 * two take a comma-separated list of nodes, each a {@code redis://} or {@code rediss://} URL.
 */
public record ClusterOptions(Mode mode, Secret url, String sentinelMaster, Secret password, String keyPrefix,
    @Range(min = 1, max = 60_000) int timeoutMs, @Range(min = 1, max = 1_000) int failuresToUnavailable,
    @Range(max = 3_600) int warmupSeconds, @Range(max = 60_000) int lockWaitMs,
    @Range(min = 1, max = 1_024) int poolSize) {

  /** What {@code redis.url} points at. */
  public enum Mode {
    STANDALONE, SENTINEL, CLUSTER;

    @JsonCreator
    static Mode parse(String value) {
      try {
        return valueOf(value.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new ConfigException("redis.mode (GATEWAY_REDIS_MODE) must be standalone, sentinel or cluster, got '"
            + value + "'");
      }
    }
  }

  /** Whether cluster mode is on. */
  public boolean enabled() {
    return !url.isEmpty();
  }

  /** The node URLs, credentials included: never log them (see {@link #endpoint}). */
  public List<String> nodes() {
    return Arrays.stream(url.reveal().split(",")).map(String::trim).filter(n -> !n.isEmpty()).toList();
  }

  /** Where Redis is, node by node, without any credential: for logs. */
  public String endpoint() {
    return nodes().stream().map(URI::create)
        .map(u -> u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort()))
        .collect(Collectors.joining(","));
  }

  /** Cluster mode's checks: the node URLs, the mode's needs, and the fleet's size ({@code expectedReplicas}). */
  void check(int expectedReplicas) {
    List<String> nodes = nodes();
    for (String node : nodes.isEmpty() ? List.of(url.reveal()) : nodes) {
      if (!ConfigException.hasHost(ConfigException.uri(node), "redis", "rediss")) {
        throw new ConfigException("redis.url (GATEWAY_REDIS_URL) must look like redis://host:6379/0 or"
            + " rediss://host:6380 (a comma-separated list in sentinel and cluster mode)");
      }
    }
    if (nodes.stream().map(n -> URI.create(n).getScheme()).distinct().count() > 1) {
      throw new ConfigException("redis.url (GATEWAY_REDIS_URL) mixes redis:// and rediss://: use one for every node");
    }
    if (mode == Mode.STANDALONE && nodes.size() > 1) {
      throw new ConfigException("redis.url (GATEWAY_REDIS_URL) lists " + nodes.size() + " nodes: a list needs"
          + " redis.mode (GATEWAY_REDIS_MODE) sentinel or cluster");
    }
    if (mode == Mode.SENTINEL && sentinelMaster.isEmpty()) {
      throw new ConfigException("redis.sentinelMaster (GATEWAY_REDIS_SENTINEL_MASTER) must name the master set in"
          + " sentinel mode (as in the Sentinels' 'sentinel monitor <name> ...')");
    }
    if (mode == Mode.CLUSTER && nodes.stream().map(n -> Objects.toString(URI.create(n).getPath(), ""))
        .anyMatch(db -> !db.replace("/", "").isEmpty() && !db.replace("/", "").equals("0"))) {
      throw new ConfigException("redis.url (GATEWAY_REDIS_URL) selects a database: Redis Cluster has database 0 only");
    }
    if (expectedReplicas == 0) {
      throw new ConfigException("cluster.expectedReplicas (GATEWAY_CLUSTER_EXPECTED_REPLICAS) must be set in cluster"
          + " mode: the most pods sharing the budget (the HPA's maxReplicas), so without Redis they stay within it");
    }
  }
}
