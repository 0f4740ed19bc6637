package io.tokengateway.cache;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import io.tokengateway.core.GatewayFailure;
import io.tokengateway.core.GatewayFailure.Outcome;
import io.tokengateway.core.Time;
import io.tokengateway.config.CacheOptions;
import io.tokengateway.metrics.GatewayMetrics;
import io.tokengateway.upstream.TokenAnswer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Embed tokens per C2C token, one Caffeine {@link AsyncCache} per process shared by every event loop. The
 * windows of a token's life are {@link TokenLifetime}'s:
 *
 * <ul>
 *   <li>Miss: one upstream call however many requests wait for it (Caffeine's single flight).</li>
 *   <li>Fresh: a hit; past {@code refreshAheadRatio} of the fresh window the hit also starts one background
 *       refresh.</li>
 *   <li>Reserve (past the fresh window, before the margin): never a plain hit. The request waits for a refresh
 *       (one per token however many wait) and gets the new token; if SignalWire fails transiently it gets the
 *       held token as {@link CacheStatus#STALE}.</li>
 *   <li>Margin: never served, not even stale.</li>
 *   <li>SignalWire's 404 and 422 are remembered for {@code negativeTtlSeconds}.</li>
 * </ul>
 * A refresh writes its token back only over the entry it replaces, so a purge made meanwhile stands; a failed
 * call is handed to the requests that waited for it and never to a later one.
 * Futures are completed back on the caller's Vert.x context; a hit completes at once with no context hop.
 */
public final class EmbedTokenCache {

  private static final Logger LOG = LoggerFactory.getLogger(EmbedTokenCache.class);
  private static final Set<Outcome> TRANSIENT = Set.of(Outcome.SERVER_ERROR, Outcome.TIMEOUT,
      Outcome.CONNECTION_ERROR, Outcome.RATE_LIMITED, Outcome.REJECTED_BY_BREAKER);

  private final Vertx vertx;
  private final CacheOptions options;
  private final EmbedLoader upstream;
  private final TokenLifetime lifetimes;
  private final Ticker ticker;
  private final GatewayMetrics metrics;
  private final AsyncCache<String, EmbedEntry> cache;
  private final ConcurrentHashMap<String, CompletableFuture<EmbedEntry>> refreshes = new ConcurrentHashMap<>();

  public EmbedTokenCache(Vertx vertx, CacheOptions options, Function<String, Future<TokenAnswer>> upstream, Time time) {
    this(vertx, options, (c2c, refresh) -> upstream.apply(c2c), time, GatewayMetrics.inMemory());
  }

  public EmbedTokenCache(Vertx vertx, CacheOptions options, EmbedLoader upstream, Time time, GatewayMetrics metrics) {
    this.vertx = vertx;
    this.metrics = metrics;
    this.options = options;
    this.upstream = upstream;
    this.ticker = time.ticker();
    this.lifetimes = new TokenLifetime(options, time.clock());
    this.cache = Caffeine.newBuilder()
        .maximumSize(options.maxEntries())
        .expireAfter(new EntryExpiry())
        .ticker(ticker)
        .executor(Runnable::run)
        .removalListener((String key, EmbedEntry value, com.github.benmanes.caffeine.cache.RemovalCause cause) -> {
          if (cause == com.github.benmanes.caffeine.cache.RemovalCause.SIZE) {
            metrics.evicted();
          }
        })
        .buildAsync();
    metrics.gauge("gateway.embed.cache.size", "Embed cache entries", cache,
        c -> c.synchronous().estimatedSize());
  }

  /** The embed answer for a validated C2C token. */
  public Future<EmbedAnswer> get(String c2c) {
    return lookup(c2c).onSuccess(a -> metrics.cache(a.status().label()));
  }

  private Future<EmbedAnswer> lookup(String c2c) {
    if (!options.enabled()) {
      return upstream.load(c2c, false).map(a -> new EmbedAnswer(CacheStatus.MISS, a.body(), 0));
    }
    CompletableFuture<EmbedEntry> present = cache.getIfPresent(c2c);
    if (present != null && present.isDone()) {
      EmbedEntry entry = present.isCompletedExceptionally() ? null : present.join();
      long now = ticker.read();
      EmbedEntry.Window window = entry == null || entry.isFailure() ? EmbedEntry.Window.MARGIN : entry.window(now);
      if (window == EmbedEntry.Window.MARGIN) {
        // a finished failure waits for Caffeine to drop it: never hand it to a later request
        cache.asMap().remove(c2c, present);
      } else if (entry.isNegative()) {
        return Future.failedFuture(entry.remembered);
      } else if (window == EmbedEntry.Window.FRESH) {
        if (now - entry.refreshAt >= 0 && entry.refreshStarted.compareAndSet(false, true)) {
          metrics.cache("refresh");
          refresh(c2c, present);
        }
        return Future.succeededFuture(new EmbedAnswer(CacheStatus.HIT, entry.body, entry.ageSeconds(now)));
      } else {
        return refreshOrStale(c2c, present, entry);
      }
    } else if (present != null) {
      metrics.coalesced();
    }
    return onCallerContext(cache.get(c2c, (key, executor) -> load(key, false))).compose(this::fromSignalWire);
  }

  /**
   * A loaded answer (a token or a 404/422): a miss (age 0), or shared, at its age, when another pod paid for
   * it; or its failure.
   */
  private Future<EmbedAnswer> fromSignalWire(EmbedEntry entry) {
    if (entry.failure != null) {
      return Future.failedFuture(entry.failure);
    }
    return Future.succeededFuture(entry.shared
        ? new EmbedAnswer(CacheStatus.SHARED, entry.body, entry.ageSeconds(ticker.read()))
        : new EmbedAnswer(CacheStatus.MISS, entry.body, 0));
  }

  /** Drops every entry (admin purge). */
  public void invalidateAll() {
    cache.synchronous().invalidateAll();
  }

  /** Drops one C2C token's entry (admin purge); true when one was held. */
  public boolean invalidate(String c2c) {
    return cache.asMap().remove(c2c) != null;
  }

  /**
   * Drops the entries whose C2C token matches (a purge announced by another pod, which knows only a hash);
   * visits every key, so call it off the event loop.
   */
  public void invalidateIf(java.util.function.Predicate<String> c2cMatches) {
    cache.asMap().keySet().removeIf(c2cMatches);
  }

  /** Entries held now (after pending maintenance). */
  public long size() {
    cache.synchronous().cleanUp();
    return cache.synchronous().estimatedSize();
  }

  /** Whether a token or a negative answer is held for {@code c2c}, without counting as an access. */
  boolean holds(String c2c) {
    CompletableFuture<EmbedEntry> f = cache.asMap().get(c2c);
    return f != null && f.isDone() && !f.isCompletedExceptionally() && !f.join().isFailure();
  }

  /** The reserve window: the new token if a refresh gets one, else the held one if SignalWire failed transiently. */
  private Future<EmbedAnswer> refreshOrStale(String c2c, CompletableFuture<EmbedEntry> held, EmbedEntry stale) {
    return onCallerContext(refresh(c2c, held)).transform(ar -> {
      if (ar.succeeded() && !ar.result().isFailure()) {
        return fromSignalWire(ar.result());
      }
      Throwable cause = ar.succeeded() ? ar.result().failure : ar.cause();
      long now = ticker.read();
      if (cause instanceof GatewayFailure f && TRANSIENT.contains(f.outcome())
          && stale.window(now) == EmbedEntry.Window.RESERVE) {
        return Future.succeededFuture(new EmbedAnswer(CacheStatus.STALE, stale.body, stale.ageSeconds(now)));
      }
      return Future.failedFuture(cause);
    });
  }

  /**
   * One upstream call per C2C token at a time. On success (or a negative answer) it replaces {@code held}, and
   * only {@code held}: a purge or a newer load since the refresh started wins. The entry is replaced before the
   * in-flight marker goes, so a request sees either the refresh under way or its result. The call starts outside
   * the map's lock: an upstream that answers at once must not touch the map from inside it.
   */
  private CompletableFuture<EmbedEntry> refresh(String c2c, CompletableFuture<EmbedEntry> held) {
    CompletableFuture<EmbedEntry> mine = new CompletableFuture<>();
    CompletableFuture<EmbedEntry> running = refreshes.putIfAbsent(c2c, mine);
    if (running != null) {
      return running;
    }
    load(c2c, true).whenComplete((entry, failure) -> {
      if (entry != null && !entry.isFailure()) {
        cache.asMap().replace(c2c, held, CompletableFuture.completedFuture(entry));
      } else {
        LOG.debug("refresh of an embed token failed: {}",
            entry != null ? entry.failure.getMessage() : unwrap(failure).getMessage());
      }
      refreshes.remove(c2c, mine);
      if (entry != null) {
        mine.complete(entry);
      } else {
        mine.completeExceptionally(unwrap(failure));
      }
    });
    return mine;
  }

  /**
   * Calls SignalWire and turns its answer into an entry: a token, a negative 404/422, or a failure entry that
   * expires at once (so Caffeine neither keeps nor logs it, and every waiter still gets the error).
   */
  private CompletableFuture<EmbedEntry> load(String c2c, boolean refresh) {
    return upstream.load(c2c, refresh)
        .map(this::tokenEntry)
        .recover(this::negativeEntry)
        .otherwise(t -> EmbedEntry.failed(io.tokengateway.upstream.UpstreamReplies.fromException(t)))
        .toCompletionStage().toCompletableFuture();
  }

  private EmbedEntry tokenEntry(TokenAnswer answer) {
    long now = ticker.read();
    long received = now - TimeUnit.MILLISECONDS.toNanos(answer.ageMillis());
    long lifetime = lifetimes.lifetimeNanos(answer);
    return EmbedEntry.token(answer.body(), now, received, received + lifetimes.refreshNanos(lifetime),
        received + lifetimes.freshNanos(lifetime), received + lifetimes.usableNanos(lifetime), answer.shared());
  }

  private Future<EmbedEntry> negativeEntry(Throwable t) {
    if (t instanceof GatewayFailure f && f.outcome() == Outcome.CLIENT_ERROR
        && (f.status() == 404 || f.status() == 422) && options.negativeTtlSeconds() > 0) {
      long now = ticker.read();
      return Future.succeededFuture(EmbedEntry.negative(f, now, now + TimeUnit.SECONDS.toNanos(options.negativeTtlSeconds())));
    }
    return Future.failedFuture(t);
  }

  private <T> Future<T> onCallerContext(CompletableFuture<T> future) {
    if (future.isDone()) {
      try {
        return Future.succeededFuture(future.join());
      } catch (CompletionException | java.util.concurrent.CancellationException e) {
        return Future.failedFuture(unwrap(e));
      }
    }
    return Future.fromCompletionStage(future, vertx.getOrCreateContext()).recover(t -> Future.failedFuture(unwrap(t)));
  }

  private static Throwable unwrap(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }

  /**
   * Keeps a token until its margin (the reserve window included) and a negative answer for its TTL. A token
   * with no usable lifetime left expires at once: the waiting requests get it, the cache does not keep it.
   */
  private static final class EntryExpiry implements Expiry<String, EmbedEntry> {
    @Override
    public long expireAfterCreate(String key, EmbedEntry entry, long currentTime) {
      if (!entry.cacheable) {
        return 0; // judged at receipt: completion may run a little later than the answer
      }
      return Math.max(0, entry.usableUntil - currentTime);
    }

    @Override
    public long expireAfterUpdate(String key, EmbedEntry entry, long currentTime, long currentDuration) {
      return expireAfterCreate(key, entry, currentTime);
    }

    @Override
    public long expireAfterRead(String key, EmbedEntry entry, long currentTime, long currentDuration) {
      return currentDuration;
    }
  }
}
