package io.tokengateway.guest;

import io.tokengateway.cluster.RedisLink;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The quota in cluster mode: one sliding log per caller in Redis (a sorted set of mint times on Redis's own
 * clock, {@code <redis.keyPrefix>guest:quota:<hash>}), shared by every pod and taken by one atomic script.
 * The key holds the caller's hash, never its subject or address. While Redis is unavailable, or a command
 * fails, the pod's own {@link LocalQuota} decides (the cluster's fail-soft rule).
 */
final class SharedQuota implements GuestQuota {

  /**
   * KEYS: the caller's log. ARGV: cap, window in ms, a unique member. Returns {1, 0} when a mint is recorded,
   * {0, waitMs} when the cap is reached (nothing recorded).
   */
  static final String TAKE = """
      redis.replicate_commands() -- Redis 5 and 6: allows writes after TIME (always so from Redis 7)
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      local window = tonumber(ARGV[2])
      redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
      if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
        local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
        return {0, math.max(1, tonumber(oldest[2]) + window - now)}
      end
      redis.call('ZADD', KEYS[1], now, ARGV[3])
      redis.call('PEXPIRE', KEYS[1], window)
      return {1, 0}
      """;

  private final RedisLink redis;
  private final String keyPrefix;
  private final int cap;
  private final LocalQuota local;

  SharedQuota(RedisLink redis, String redisKeyPrefix, int perHour, LocalQuota local) {
    this.redis = redis;
    this.keyPrefix = redisKeyPrefix + "guest:quota:";
    this.cap = perHour;
    this.local = local;
  }

  @Override
  public Future<Reservation> reserve(String callerKey) {
    if (!redis.available()) {
      return local.reserve(callerKey);
    }
    String key = keyPrefix + callerKey;
    String member = UUID.randomUUID().toString();
    return redis.eval(TAKE, List.of(key), cap, TimeUnit.NANOSECONDS.toMillis(LocalQuota.WINDOW_NANOS), member)
        .transform(ar -> ar.failed() ? local.reserve(callerKey) : decided(ar.result(), key, member));
  }

  private Future<Reservation> decided(Response answer, String key, String member) {
    if (answer.get(0).toLong() == 0) {
      return Future.failedFuture(LocalQuota.overQuota(TimeUnit.MILLISECONDS.toNanos(answer.get(1).toLong())));
    }
    AtomicBoolean released = new AtomicBoolean();
    return Future.succeededFuture(() -> {
      if (released.compareAndSet(false, true)) {
        redis.send(Request.cmd(Command.ZREM).arg(key).arg(member)); // best effort: Redis away = the mint stays counted
      }
    });
  }
}
