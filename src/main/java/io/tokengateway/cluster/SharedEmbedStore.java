package io.tokengateway.cluster;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;

/**
 * The cluster's second-level embed cache in Redis: per token hash, the answer SignalWire gave (a token body
 * with its lifetime, or a 404/422 with its body) under a TTL, and a short lock held by the one pod calling
 * SignalWire for it. Storing the answer or letting the lock go announces the hash on the answers channel, in the
 * same script, so pods waiting on the lock look again. Purges delete entries and announce the hash (or
 * {@code *}) on the invalidation channel.
 */
public final class SharedEmbedStore {

  /** KEYS: entry, lock. ARGV: owner, lock ms. Takes the lock when free; returns {locked, value, value's PTTL}. */
  static final String CLAIM = """
      local locked = redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) and 1 or 0
      return {locked, redis.call('GET', KEYS[1]), redis.call('PTTL', KEYS[1])}
      """;

  /**
   * KEYS: entry, lock. ARGV: value, TTL ms, owner, answers channel, hash. Stores the answer, frees the lock if the
   * owner holds it, and announces the hash.
   */
  static final String PUT = """
      redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
      if redis.call('GET', KEYS[2]) == ARGV[3] then redis.call('DEL', KEYS[2]) end
      redis.call('PUBLISH', ARGV[4], ARGV[5])
      return 1
      """;

  /** KEYS: lock. ARGV: owner, answers channel, hash. Frees the lock if the owner holds it, and then announces it. */
  static final String RELEASE = """
      if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
      redis.call('DEL', KEYS[1])
      redis.call('PUBLISH', ARGV[2], ARGV[3])
      return 1
      """;

  private final RedisLink redis;
  private final ClusterKeys keys;

  public SharedEmbedStore(RedisLink redis, ClusterKeys keys) {
    this.redis = redis;
    this.keys = keys;
  }

  /** What another pod left for this hash, or null. */
  public Future<SharedAnswer> read(String hash) {
    String key = keys.embed(hash);
    return redis.batch(List.of(Request.cmd(Command.GET).arg(key), Request.cmd(Command.PTTL).arg(key)))
        .map(r -> SharedAnswer.parse(r.get(0), r.get(1)));
  }

  /** Takes the lock for {@code hash} when it is free, and reads the entry in the same step. */
  public Future<Claim> claim(String hash, String owner, long lockMs) {
    return redis.eval(CLAIM, List.of(keys.embed(hash), keys.lock(hash)), owner, lockMs)
        .map(r -> new Claim(r.get(0).toInteger() == 1, SharedAnswer.parse(r.get(1), r.get(2))));
  }

  /** Shares a token answer for {@code lifetimeMs}, its whole life from receipt (the stale window included). */
  public Future<Void> putToken(String hash, String owner, Buffer body, long lifetimeMs) {
    return put(hash, owner, new JsonObject().put("lifetimeMs", lifetimeMs).put("body", body.toString()), lifetimeMs);
  }

  /** Shares SignalWire's 404 or 422 for {@code ttlMs}. */
  public Future<Void> putNegative(String hash, String owner, int status, Buffer body, long ttlMs) {
    return put(hash, owner, new JsonObject().put("status", status).put("body", body.toString()), ttlMs);
  }

  private Future<Void> put(String hash, String owner, JsonObject value, long ttlMs) {
    return redis.eval(PUT, List.of(keys.embed(hash), keys.lock(hash)), value.encode(), ttlMs, owner, keys.answers(),
        hash).mapEmpty();
  }

  public Future<Void> release(String hash, String owner) {
    return redis.eval(RELEASE, List.of(keys.lock(hash)), owner, keys.answers(), hash).mapEmpty();
  }

  /** Deletes one entry and tells every pod; true when Redis held it. */
  public Future<Boolean> purge(String hash) {
    return redis.send(Request.cmd(Command.DEL).arg(keys.embed(hash)))
        .compose(deleted -> announce(hash).map(deleted.toLong() > 0));
  }

  /** Deletes every entry under the prefix and tells every pod; the number deleted. */
  public Future<Long> purgeAll() {
    return purgeFrom("0", 0).compose(n -> announce(RedisLink.EVERYTHING).map(n));
  }

  private Future<Long> purgeFrom(String cursor, long deleted) {
    return redis.send(Request.cmd(Command.SCAN).arg(cursor).arg("MATCH").arg(keys.embedPattern()).arg("COUNT").arg(1000))
        .compose(page -> {
          String next = page.get(0).toString();
          List<String> found = new ArrayList<>();
          page.get(1).forEach(k -> found.add(k.toString()));
          Future<Long> removed = found.isEmpty() ? Future.succeededFuture(0L)
              : redis.send(unlink(found)).map(Response::toLong);
          return removed.compose(n -> "0".equals(next) ? Future.succeededFuture(deleted + n)
              : purgeFrom(next, deleted + n));
        });
  }

  private static Request unlink(List<String> found) {
    Request r = Request.cmd(Command.UNLINK);
    found.forEach(r::arg);
    return r;
  }

  private Future<Void> announce(String what) {
    return redis.send(Request.cmd(Command.PUBLISH).arg(keys.invalidations()).arg(what)).mapEmpty();
  }

  /** The outcome of {@link #claim}: whether this pod now holds the lock, and the entry if there is one. */
  public record Claim(boolean locked, SharedAnswer answer) {
  }
}
