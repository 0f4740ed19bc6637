package io.tokengateway.cache;

import io.vertx.core.Future;

/** The admin purge of embed cache entries: this process's cache, or every pod's in cluster mode. */
public interface EmbedPurge {

  /** Drops one C2C token's entry. */
  Future<Purged> purge(String c2c);

  /** Drops every entry. */
  Future<Purged> purgeAll();

  /**
   * @param held whether an entry was held for the token (always true for a purge of all)
   * @param scope how far the purge reached: {@code process}, {@code cluster}, or {@code pod} when cluster mode
   *     could not reach Redis
   */
  record Purged(boolean held, String scope) {
  }

  /** Purges this process's cache (single-process mode). */
  static EmbedPurge local(EmbedTokenCache cache) {
    return new EmbedPurge() {
      @Override
      public Future<Purged> purge(String c2c) {
        return Future.succeededFuture(new Purged(cache.invalidate(c2c), "process"));
      }

      @Override
      public Future<Purged> purgeAll() {
        cache.invalidateAll();
        return Future.succeededFuture(new Purged(true, "process"));
      }
    };
  }
}
