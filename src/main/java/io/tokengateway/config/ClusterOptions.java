package io.tokengateway.config;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * Cluster mode: the Redis that holds the shared upstream budget, 429 pause and embed cache. An empty
 * {@code url} means single-process mode. In cluster mode {@code expectedReplicas} must be set: it sizes each
 * pod's share of the budget while Redis is away, and no default is safe for every fleet.
 */
public record ClusterOptions(
    Secret url,
    Secret password,
    String keyPrefix,
    int timeoutMs,
    int failuresToUnavailable,
    int warmupSeconds,
    int lockWaitMs,
    int poolSize,
    int expectedReplicas) {

  static ClusterOptions from(Settings s) {
    ClusterOptions options = new ClusterOptions(
        new Secret(s.string("redis.url")),
        new Secret(s.string("redis.password")),
        s.string("redis.keyPrefix"),
        s.intValue("redis.timeoutMs", 1, 60_000),
        s.intValue("redis.failuresToUnavailable", 1, 1_000),
        s.intValue("redis.warmupSeconds", 0, 3_600),
        s.intValue("redis.lockWaitMs", 0, 60_000),
        s.intValue("redis.poolSize", 1, 1_024),
        s.intValue("cluster.expectedReplicas", 0, 10_000));
    if (options.enabled()) {
      checkUrl(options.url().reveal());
      if (options.expectedReplicas() == 0) {
        throw new ConfigException("cluster.expectedReplicas (GATEWAY_CLUSTER_EXPECTED_REPLICAS) must be set in cluster"
            + " mode: the most pods sharing the budget (the HPA's maxReplicas), so without Redis they stay within it");
      }
    }
    return options;
  }

  /** Whether cluster mode is on. */
  public boolean enabled() {
    return !url.isEmpty();
  }

  /** Where Redis is, without any credential: for logs. */
  public String endpoint() {
    try {
      URI uri = new URI(url.reveal());
      return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
    } catch (URISyntaxException e) {
      return "<unreadable>";
    }
  }

  private static void checkUrl(String url) {
    try {
      URI uri = new URI(url);
      if (!("redis".equals(uri.getScheme()) || "rediss".equals(uri.getScheme())) || uri.getHost() == null) {
        throw new ConfigException("redis.url (GATEWAY_REDIS_URL) must look like redis://host:6379/0 or rediss://host:6380");
      }
    } catch (URISyntaxException e) {
      throw new ConfigException("redis.url (GATEWAY_REDIS_URL) is not a URL: use redis://host:6379/0");
    }
  }
}
