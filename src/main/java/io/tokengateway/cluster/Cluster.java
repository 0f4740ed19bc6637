package io.tokengateway.cluster;

import io.tokengateway.core.Time;
import io.tokengateway.cache.EmbedLoader;
import io.tokengateway.cache.EmbedPurge;
import io.tokengateway.cache.EmbedTokenCache;
import io.tokengateway.cache.TokenLifetime;
import io.tokengateway.config.GatewayConfig;
import io.tokengateway.metrics.GatewayMetrics;
import io.tokengateway.resilience.UpstreamPermits;
import io.tokengateway.resilience.UpstreamRateLimiter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.UUID;

/**
 * Cluster mode ({@code redis.url} set): what the gateway's pods share through Redis, built from the
 * configuration. The upstream budget and 429 pause ({@link #permits}), the second-level embed cache
 * ({@link #loader}) and purges ({@link #purge}). Everything degrades to local state while Redis is away.
 */
public final class Cluster {

  /** How long a pod waiting on another pod's lock goes without looking at Redis if no message wakes it. */
  static final long SAFETY_POLL_MS = 500;

  private final Vertx vertx;
  private final GatewayConfig config;
  private final Time time;
  private final ClusterKeys keys;
  private final RedisLink redis;
  private final SharedEmbedStore store;
  private final GatewayMetrics metrics;
  private final LockWaiters waiters;
  /** This process's identity on locks. */
  private final String owner = UUID.randomUUID().toString();
  private volatile ClusterPurge purge;

  public Cluster(Vertx vertx, GatewayConfig config, Time time, GatewayMetrics metrics) {
    this.vertx = vertx;
    this.config = config;
    this.time = time;
    this.keys = new ClusterKeys(config.redis().keyPrefix());
    this.waiters = new LockWaiters(vertx, time, SAFETY_POLL_MS);
    this.redis = new RedisLink(vertx, config, time.ticker(),
        Map.of(keys.invalidations(), this::announced, keys.answers(), waiters::wake), metrics);
    this.store = new SharedEmbedStore(redis, keys);
    this.metrics = metrics;
  }

  /** Connects (or finds Redis away, and goes on); completes once the first probe has answered or failed. */
  public Future<Void> start() {
    return redis.start();
  }

  public Future<Void> close() {
    return redis.close();
  }

  /** The shared upstream budget, with this pod's share as the stand-in while Redis is away. */
  public UpstreamPermits permits() {
    var limit = config.upstream().rateLimit();
    int replicas = config.cluster().expectedReplicas();
    UpstreamRateLimiter share = new UpstreamRateLimiter(Math.max(1, limit.perSecond() / replicas),
        Math.max(1, limit.burst() / replicas), limit.maxWaitMs(), limit.maxQueue(), time);
    return new SharedRateLimiter(time, redis, keys, config, share, config.redis().timeoutMs());
  }

  /** The local cache's loader: Redis first, then SignalWire through {@code signalWire} under a cluster lock. */
  public EmbedLoader loader(EmbedLoader signalWire) {
    var c = config.cache().embed();
    // a lock outlives the longest call: a permit's wait, SignalWire's timeout, and a second of slack
    long lockMs = config.upstream().rateLimit().maxWaitMs() + config.upstream().timeoutMs() + 1_000L;
    return new SharedEmbedLoader(redis, store, signalWire, new TokenLifetime(c, time.clock()),
        c.negativeTtlSeconds(), time.ticker(), owner, lockMs, config.redis().lockWaitMs(), metrics, waiters);
  }

  /** Purges that reach every pod; also makes this pod act on the purges others announce. */
  public EmbedPurge purge(EmbedTokenCache cache) {
    purge = new ClusterPurge(vertx, cache, store);
    return purge;
  }

  /** The process's Redis client, for features that keep their own shared state (the guest quota). */
  public RedisLink link() {
    return redis;
  }

  /** Whether Redis answers now. */
  public boolean available() {
    return redis.available();
  }

  private void announced(String what) {
    ClusterPurge p = purge;
    if (p != null) {
      p.announced(what);
    }
  }
}
