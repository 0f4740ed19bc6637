package io.tokengateway.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Cluster mode ({@code redis.*}, {@code cluster.expectedReplicas}): the Redis that holds the shared upstream
 * budget, 429 pause and embed cache. An empty {@code url} means single-process mode. In cluster mode
 * {@code expectedReplicas} must be set: it sizes each pod's share of the budget while Redis is away, and no default
 * is safe for every fleet.
 *
 * <p>{@code mode} says what {@code url} points at: one Redis ({@code standalone}), the Sentinels watching the
 * master set {@code sentinelMaster} ({@code sentinel}), or nodes of a Redis Cluster ({@code cluster}); the last
 * two take a comma-separated list of nodes, each a {@code redis://} or {@code rediss://} URL.
 */
public record ClusterOptions(Secret url, Secret password, String keyPrefix, int timeoutMs, int failuresToUnavailable,
    int warmupSeconds, int lockWaitMs, int poolSize, int expectedReplicas, Mode mode, String sentinelMaster) {

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

  /** The options of the {@code redis} section with {@code cluster.expectedReplicas}, checked in cluster mode. */
  static ClusterOptions of(ConfigFile.Redis r, int expectedReplicas) {
    ClusterOptions options = new ClusterOptions(r.url(), r.password(), r.keyPrefix(), r.timeoutMs(),
        r.failuresToUnavailable(), r.warmupSeconds(), r.lockWaitMs(), r.poolSize(), expectedReplicas, r.mode(),
        r.sentinelMaster());
    if (options.enabled()) {
      options.check();
    }
    return options;
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

  private void check() {
    List<String> nodes = nodes();
    for (String node : nodes.isEmpty() ? List.of(url.reveal()) : nodes) {
      URI uri = uri(node);
      if (uri == null || uri.getHost() == null || !List.of("redis", "rediss").contains(uri.getScheme())) {
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

  private static URI uri(String node) {
    try {
      return new URI(node);
    } catch (URISyntaxException e) {
      return null;
    }
  }
}
