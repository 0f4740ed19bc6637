package io.tokengateway.cluster;

import io.tokengateway.cache.EmbedPurge;
import io.tokengateway.cache.EmbedTokenCache;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Purges in cluster mode: the pod that takes the admin call drops its own entry, deletes the shared one and
 * announces the token's hash on the invalidation channel; every pod (this one included) drops its local entry
 * when the announcement arrives. Without Redis the purge reaches this pod only, and says so.
 */
final class ClusterPurge implements EmbedPurge {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterPurge.class);
  private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");

  private final Vertx vertx;
  private final EmbedTokenCache cache;
  private final SharedEmbedStore store;

  ClusterPurge(Vertx vertx, EmbedTokenCache cache, SharedEmbedStore store) {
    this.vertx = vertx;
    this.cache = cache;
    this.store = store;
  }

  @Override
  public Future<Purged> purge(String c2c) {
    boolean held = cache.invalidate(c2c);
    return store.purge(ClusterKeys.hash(c2c))
        .map(shared -> new Purged(held || shared, "cluster"))
        .otherwise(t -> podOnly(held));
  }

  @Override
  public Future<Purged> purgeAll() {
    cache.invalidateAll();
    return store.purgeAll().map(n -> new Purged(true, "cluster")).otherwise(t -> podOnly(true));
  }

  private static Purged podOnly(boolean held) {
    LOG.warn("Redis unavailable: the purge reached this pod only; repeat it once Redis is back");
    return new Purged(held, "pod");
  }

  /** An announcement from the invalidation channel: {@code *} or a token hash. */
  void announced(String what) {
    if (RedisLink.EVERYTHING.equals(what)) {
      cache.invalidateAll();
    } else if (HASH.matcher(what).matches()) {
      // hashing every held key is a scan: off the event loop
      vertx.executeBlocking(() -> {
        cache.invalidateIf(c2c -> ClusterKeys.hash(c2c).equals(what));
        return null;
      }, false);
    }
  }
}
