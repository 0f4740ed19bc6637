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
 */
public final class SharedRateLimiter implements UpstreamPermits {

  /**
   * KEYS: bucket, pause. ARGV: permits per second, burst, longest wait in ms. Returns {1, waitMs} when a
   * permit is taken (to use after waitMs), {0, waitMs} when the wait would be too long (nothing taken),
   * {-1, pauseMs} while the endpoint is paused. Tokens are fractional; time is Redis's own, in ms.
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
      local tokens = tonumber(state[1]) or burst
      local at = tonumber(state[2]) or now
      tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
      local wait = 0
      if tokens < 1 then
        wait = math.ceil((1 - tokens) / rate)
        if wait > tonumber(ARGV[3]) then return {0, wait} end
      end
      redis.call('HSET', KEYS[1], 'tokens', tostring(tokens - 1), 'at', tostring(now))
      redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate) + 1000)
      return {1, wait}
      """;

  /** KEYS: pause. ARGV: pause in ms. Lengthens the pause, never shortens it. */
  static final String PAUSE = """
      if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then
        redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
      end
      return 1
      """;

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
  /** How long a call waits for the script's answer: the command's timeout, plus the wait it accepts for a permit. */
  private final long patienceMs;

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
  }

  @Override
  public Future<Void> acquire(Endpoint endpoint) {
    if (!redis.available()) {
      return local.acquire();
    }
    if (waiting.incrementAndGet() > options.upstream().rateLimit().maxQueue()) {
      waiting.decrementAndGet();
      return Future.failedFuture(QUEUE_FULL);
    }
    return redis.evalPatiently(patienceMs, TAKE, List.of(keys.bucket(), keys.pause(endpoint)),
        options.upstream().rateLimit().perSecond(), options.upstream().rateLimit().burst(),
        options.upstream().rateLimit().maxWaitMs())
        .transform(ar -> {
          if (ar.failed()) {
            waiting.decrementAndGet();
            // unanswered: maybe taken in Redis; else not sent, refused or a script error: nothing was taken
            return RedisLink.unanswered(ar.cause()) ? Future.failedFuture(UNANSWERED) : local.acquire();
          }
          return granted(ar.result());
        });
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
