package io.tokengateway.cluster;

import io.tokengateway.core.GatewayFailure;
import io.tokengateway.core.GatewayFailure.Outcome;
import io.tokengateway.resilience.UpstreamPermits;
import io.tokengateway.resilience.UpstreamRateLimiter;
import io.tokengateway.upstream.Endpoint;
import io.tokengateway.core.Time;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.redis.client.Response;
import io.tokengateway.config.GatewayConfig;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The upstream token bucket and the 429 pause, in Redis and shared by every pod: one atomic script per call
 * checks the endpoint's pause, refills the bucket on Redis's own clock and takes a permit now, or reserves the
 * next one when it comes within {@code maxWaitMs}. The wait happens here, on a Vert.x timer, bounded by
 * {@code maxQueue} waiters per pod; past either bound the call gets the same 503 + {@code Retry-After} as in
 * single-process mode. While Redis is unavailable, a local bucket at the pod's share of the budget
 * ({@code perSecond / cluster.expectedReplicas}) stands in.
 *
 * <p>While Redis counts as available, permits come from Redis only. The script's answer is awaited past
 * {@code redis.timeoutMs}, up to that plus {@code maxWaitMs} (the call was ready to wait that long for a permit);
 * with no answer by then the call is refused (503 + {@code Retry-After: 1}). It is never given a local permit:
 * the script may well have taken one in Redis, and a second one here is how a cold pod's first burst, its Redis
 * replies late on a cold JVM, spends the budget twice.
 *
 * <p>Switching between the buckets, and Redis losing its bucket, spend nothing twice, so the pods together keep
 * to rate + burst in any second, also around a Redis restart:
 * <ul>
 *   <li>From Redis to the local share, the local bucket is emptied first: the shared bucket may have given its
 *   whole burst this last second, so the share adds only its refill.
 *   <li>Back to Redis, the pod's first calls cap the shared bucket at what its local bucket holds then (less
 *   than nothing while its calls wait for reserved permits): a Redis that restarted has lost its bucket, which
 *   would read as full, and a bucket that outlived a short outage refilled while the pods spent their shares.
 *   <li>A bucket missing from Redis is full, unless this pod wrote it less than a second ago (the key lives a
 *   second past its refill): then Redis lost it (a restart or failover no pod noticed) and it starts empty.
 * </ul>
 * A pod that has not used Redis yet starts with a full local share. The rules err low: after any fall back, the
 * pods go without the burst until the buckets have refilled (burst / rate seconds).
 */
public final class SharedRateLimiter implements UpstreamPermits {

  /**
   * KEYS: bucket, pause. ARGV: permits per second, burst, longest wait in ms, most tokens the bucket may hold now
   * (the burst, or less for a pod coming back from its local share), tokens of a bucket that is not there (the
   * burst, or none when the pod knows it was there: Redis lost it). Returns {1, waitMs} when a permit is taken
   * (to use after waitMs), {0, waitMs} when the wait would be too long (nothing taken), {-1, pauseMs} while the
   * endpoint is paused. Tokens are fractional, and below zero while permits are reserved ahead; time is Redis's
   * own, in ms. The key lives until the bucket would be full again, and a second more.
   */
  static final String TAKE = """
      redis.replicate_commands() -- Redis 5 and 6: allows writes after TIME (always so from Redis 7)
      local pause = redis.call('PTTL', KEYS[2])
      if pause > 0 then return {-1, pause} end
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
      local rate = tonumber(ARGV[1]) / 1000
      local burst = tonumber(ARGV[2])
      local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
      local tokens = tonumber(state[1]) or tonumber(ARGV[5])
      local at = tonumber(state[2]) or now
      tokens = math.min(burst, tonumber(ARGV[4]), tokens + math.max(0, now - at) * rate)
      local wait = 0
      local taken = 1
      if tokens < 1 then
        wait = math.ceil((1 - tokens) / rate)
        if wait > tonumber(ARGV[3]) then taken = 0 end
      end
      tokens = tokens - taken
      redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
      redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / rate) + 1000)
      return {taken, wait}
      """;

  /** KEYS: pause. ARGV: pause in ms. Lengthens the pause, never shortens it. */
  static final String PAUSE = """
      if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then
        redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
      end
      return 1
      """;

  /** How long Redis keeps the bucket at least, after a script wrote it. */
  private static final long KEPT_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final GatewayFailure QUEUE_FULL =
      GatewayFailure.retryLater(503, 1, Outcome.RATE_LIMITED, "upstream rate limit: too many calls waiting");
  private static final GatewayFailure UNANSWERED =
      GatewayFailure.retryLater(503, 1, Outcome.RATE_LIMITED, "upstream rate limit: Redis did not answer in time");

  private final Time time;
  private final RedisLink redis;
  private final ClusterKeys keys;
  private final UpstreamRateLimiter local;
  private final GatewayConfig options;
  private final AtomicInteger waiting = new AtomicInteger();
  /** Where this pod's last permit came from. */
  private final AtomicReference<Source> source = new AtomicReference<>(Source.NONE);
  /** Ticker time this pod last sent a script that kept the bucket: Redis holds it at least a second after. */
  private final AtomicLong kept;
  /** How long a call waits for the script's answer: the command's timeout, plus the wait it accepts for a permit. */
  private final long patienceMs;

  /** Where a pod's permits come from: nowhere yet, Redis's bucket, or its local share. */
  private enum Source { NONE, SHARED, LOCAL }

  /**
   * @param local the stand-in while Redis is unavailable, sized at this pod's share of the budget
   * @param timeoutMs {@code redis.timeoutMs}
   */
  public SharedRateLimiter(Time time, RedisLink redis, ClusterKeys keys, GatewayConfig options,
      UpstreamRateLimiter local, long timeoutMs) {
    this.time = time;
    this.redis = redis;
    this.keys = keys;
    this.options = options;
    this.local = local;
    this.patienceMs = timeoutMs + options.upstream().rateLimit().maxWaitMs();
    this.kept = new AtomicLong(time.ticker().read() - KEPT_NANOS);
  }

  @Override
  public Future<Void> acquire(Endpoint endpoint) {
    if (!redis.available()) {
      return localPermit();
    }
    if (waiting.incrementAndGet() > options.upstream().rateLimit().maxQueue()) {
      waiting.decrementAndGet();
      return Future.failedFuture(QUEUE_FULL);
    }
    Source from = source.get();
    long sent = time.ticker().read();
    int burst = options.upstream().rateLimit().burst();
    long most = from == Source.LOCAL ? local.available() : burst;
    long missing = sent - kept.get() < KEPT_NANOS ? 0 : burst;
    return redis.evalPatiently(patienceMs, TAKE, List.of(keys.bucket(), keys.pause(endpoint)),
        options.upstream().rateLimit().perSecond(), burst, options.upstream().rateLimit().maxWaitMs(), most, missing)
        .transform(ar -> {
          if (ar.failed()) {
            waiting.decrementAndGet();
            // unanswered: maybe taken in Redis; else not sent, refused or a script error: nothing was taken
            return RedisLink.unanswered(ar.cause()) ? Future.failedFuture(UNANSWERED) : localPermit();
          }
          if (ar.result().get(0).toLong() >= 0) {
            source.compareAndSet(from, Source.SHARED); // the cap is in Redis; unless a call went local meanwhile
            kept.accumulateAndGet(sent, (last, now) -> now - last > 0 ? now : last);
          }
          return granted(ar.result());
        });
  }

  /** A permit from the local share; coming from Redis's bucket, the share starts empty. */
  private Future<Void> localPermit() {
    if (source.getAndSet(Source.LOCAL) == Source.SHARED) {
      local.empty();
    }
    return local.acquire();
  }

  private Future<Void> granted(Response answer) {
    long verdict = answer.get(0).toLong();
    long ms = answer.get(1).toLong();
    if (verdict == 1 && ms > 0) {
      Promise<Void> permit = Promise.promise();
      time.setTimer(ms, () -> {
        waiting.decrementAndGet();
        permit.complete();
      });
      return permit.future();
    }
    waiting.decrementAndGet();
    if (verdict == 1) {
      return Future.succeededFuture();
    }
    if (verdict == 0) {
      return Future.failedFuture(UpstreamRateLimiter.rejected(TimeUnit.MILLISECONDS.toNanos(ms)));
    }
    return Future.failedFuture(GatewayFailure.retryLater(429,
        GatewayFailure.retryAfterSeconds(TimeUnit.MILLISECONDS.toNanos(ms)), Outcome.RATE_LIMITED,
        "paused after SignalWire's 429 (shared)"));
  }

  @Override
  public void paused(Endpoint endpoint, int seconds) {
    redis.eval(PAUSE, List.of(keys.pause(endpoint)), seconds * 1000L);
  }
}
