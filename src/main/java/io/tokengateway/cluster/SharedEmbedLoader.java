package io.tokengateway.cluster;

import com.github.benmanes.caffeine.cache.Ticker;
import io.tokengateway.core.GatewayFailure;
import io.tokengateway.core.GatewayFailure.Outcome;
import io.tokengateway.cache.EmbedLoader;
import io.tokengateway.cache.TokenLifetime;
import io.tokengateway.metrics.GatewayMetrics;
import io.tokengateway.upstream.TokenAnswer;
import io.vertx.core.Future;
import java.util.concurrent.TimeUnit;

/**
 * The local cache's loader in cluster mode. On a local miss it reads Redis first; when Redis has nothing this
 * pod may serve, one pod takes the token's lock and calls SignalWire while the others wait for its message
 * ({@link LockWaiters}) and look again, up to {@code redis.lockWaitMs}, after which they call SignalWire
 * themselves rather than fail. What SignalWire
 * answers (a token, or a 404/422) is shared for the rest of its life. Any Redis trouble means calling
 * SignalWire directly, as in single-process mode.
 *
 * <p>A shared token is taken only while it is fresh (younger than {@code cache.embed.freshSeconds} from the
 * receipt by the pod that called SignalWire). A refresh (the held token is due for replacement) only takes one
 * younger than the refresh-ahead point, so refreshing pods converge on one new token instead of re-reading the
 * old one.
 */
public final class SharedEmbedLoader implements EmbedLoader {

  private final RedisLink redis;
  private final SharedEmbedStore store;
  private final EmbedLoader signalWire;
  private final TokenLifetime lifetimes;
  private final long negativeTtlMs;
  private final Ticker ticker;
  private final String owner;
  private final long lockMs;
  private final long lockWaitNanos;
  private final GatewayMetrics metrics;
  private final LockWaiters waiters;

  /**
   * @param owner this pod's identity on locks
   * @param lockMs how long a lock outlives a pod that dies holding it (covers the longest SignalWire call)
   * @param waiters where this pod's waits are woken by the answers channel
   */
  SharedEmbedLoader(RedisLink redis, SharedEmbedStore store, EmbedLoader signalWire,
      TokenLifetime lifetimes, long negativeTtlSeconds, Ticker ticker, String owner, long lockMs, long lockWaitMs,
      GatewayMetrics metrics, LockWaiters waiters) {
    this.redis = redis;
    this.store = store;
    this.signalWire = signalWire;
    this.lifetimes = lifetimes;
    this.negativeTtlMs = TimeUnit.SECONDS.toMillis(negativeTtlSeconds);
    this.ticker = ticker;
    this.owner = owner;
    this.lockMs = lockMs;
    this.lockWaitNanos = TimeUnit.MILLISECONDS.toNanos(lockWaitMs);
    this.metrics = metrics;
    this.waiters = waiters;
  }

  @Override
  public Future<TokenAnswer> load(String c2c, boolean refresh) {
    if (!redis.available()) {
      return direct(c2c, refresh);
    }
    String hash = ClusterKeys.hash(c2c);
    return store.read(hash).transform(ar -> {
      if (ar.failed()) {
        return direct(c2c, refresh);
      }
      Future<TokenAnswer> shared = usable(ar.result(), refresh);
      return shared != null ? shared : claim(c2c, hash, refresh, ticker.read() + lockWaitNanos);
    });
  }

  /** Redis is not there to ask: SignalWire, as in single-process mode. */
  private Future<TokenAnswer> direct(String c2c, boolean refresh) {
    metrics.clusterLoad("unavailable");
    return signalWire.load(c2c, refresh);
  }

  /** The shared entry as this pod's answer when it may serve it; null when absent or too old. */
  private Future<TokenAnswer> usable(SharedAnswer shared, boolean refresh) {
    if (shared == null) {
      return null;
    }
    if (shared.negative()) {
      metrics.clusterLoad("shared");
      return Future.failedFuture(shared.failure());
    }
    TokenAnswer answer = shared.answer();
    long lifetime = lifetimes.lifetimeNanos(answer);
    // a visitor gets a fresh token only; a refreshing pod takes only one younger than the refresh point
    long limit = refresh ? lifetimes.refreshNanos(lifetime) : lifetimes.freshNanos(lifetime);
    if (TimeUnit.MILLISECONDS.toNanos(answer.ageMillis()) >= limit) {
      return null;
    }
    metrics.clusterLoad("shared");
    return Future.succeededFuture(answer);
  }

  private Future<TokenAnswer> claim(String c2c, String hash, boolean refresh, long deadline) {
    LockWaiters.Waiter waiter = waiters.register(hash); // before asking: an answer stored meanwhile still wakes it
    return store.claim(hash, owner, lockMs).transform(ar -> {
      if (ar.failed()) {
        waiter.cancel();
        return direct(c2c, refresh);
      }
      SharedEmbedStore.Claim claim = ar.result();
      Future<TokenAnswer> shared = usable(claim.answer(), refresh);
      if (shared == null && !claim.locked()) {
        return waitFor(c2c, hash, refresh, deadline, waiter, claim);
      }
      waiter.cancel();
      if (shared != null) {
        if (claim.locked()) {
          store.release(hash, owner);
        }
        return shared;
      }
      metrics.clusterLoad("leader");
      return callAndShare(c2c, hash, refresh, claim);
    });
  }

  /**
   * Another pod holds the lock: wait for its message that the answer is stored or the lock free, then look again;
   * past the deadline call SignalWire anyway.
   */
  private Future<TokenAnswer> waitFor(String c2c, String hash, boolean refresh, long deadline,
      LockWaiters.Waiter waiter, SharedEmbedStore.Claim claim) {
    long left = deadline - ticker.read();
    if (left <= 0 || !redis.available()) {
      waiter.cancel();
      metrics.clusterLoad(redis.available() ? "fallback" : "unavailable");
      return callAndShare(c2c, hash, refresh, claim);
    }
    return waiter.woken(TimeUnit.NANOSECONDS.toMillis(left) + 1).compose(v -> claim(c2c, hash, refresh, deadline));
  }

  /**
   * Calls SignalWire and shares its answer; {@code claim} carries the token's purge generation read before the
   * call, so that a purge made while it runs is not undone by the write.
   */
  private Future<TokenAnswer> callAndShare(String c2c, String hash, boolean refresh, SharedEmbedStore.Claim claim) {
    return signalWire.load(c2c, refresh)
        .onSuccess(answer -> {
          long lifetime = lifetimes.lifetimeNanos(answer);
          if (lifetimes.usableNanos(lifetime) > 0) {
            store.putToken(claim, hash, owner, answer.body(), TimeUnit.NANOSECONDS.toMillis(lifetime));
          } else {
            store.release(hash, owner);
          }
        })
        .onFailure(t -> {
          if (t instanceof GatewayFailure f && f.outcome() == Outcome.CLIENT_ERROR
              && (f.status() == 404 || f.status() == 422) && negativeTtlMs > 0) {
            store.putNegative(claim, hash, owner, f.status(), f.body(), negativeTtlMs);
          } else {
            store.release(hash, owner);
          }
        });
  }
}
