package io.tokengateway.cluster;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.List;

/**
 * The cluster's second-level embed cache in Redis: per token hash, the answer SignalWire gave (a token body
 * with its lifetime, or a 404/422 with its body) under a TTL, and a short lock held by the one pod calling
 * SignalWire for it. Storing the answer or letting the lock go announces the hash on the answers channel, in the
 * same script, so pods waiting on the lock look again. Purges delete entries and announce the hash (or
 * {@code *}) on the invalidation channel.
 */
public final class SharedEmbedStore {

  /**
   * KEYS: entry, lock, purge generation. ARGV: owner, lock ms. Takes the lock when free; returns {locked, value,
   * value's PTTL, the token's purge generation}.
   */
  static final String CLAIM = """
      local locked = redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) and 1 or 0
      return {locked, redis.call('GET', KEYS[1]), redis.call('PTTL', KEYS[1]), redis.call('GET', KEYS[3]) or '0'}
      """;

  /**
   * KEYS: entry, lock, purge generation. ARGV: value, TTL ms, owner, answers channel, hash, the generation the
   * call started from. Stores the answer unless a purge came since the call started, frees the lock if the owner
   * holds it, and announces the hash. Returns 1 when stored.
   */
  static final String PUT = """
      local current = redis.call('GET', KEYS[3]) or '0'
      local stored = 0
      if current == ARGV[6] then
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        stored = 1
      end
      if redis.call('GET', KEYS[2]) == ARGV[3] then redis.call('DEL', KEYS[2]) end
      redis.call('PUBLISH', ARGV[4], ARGV[5])
      return stored
      """;

  /**
   * KEYS: entry, purge generation. ARGV: generation TTL ms. Deletes the entry and moves the token's generation on,
   * so that a call under way when the purge came does not write its answer back. Returns the entries deleted.
   */
  static final String PURGE = """
      redis.call('INCR', KEYS[2])
      redis.call('PEXPIRE', KEYS[2], ARGV[1])
      return redis.call('DEL', KEYS[1])
      """;

  /**
   * How long a purge generation is kept: longer than any call under way when the purge came can take to write
   * (a lock's life plus the wait of the pods behind it), and short enough that purges leave nothing behind.
   */
  static final long GENERATION_TTL_MS = 3_600_000;

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

  /**
   * Takes the lock for {@code hash} when it is free, and reads the entry and the token's purge generation in the
   * same step.
   */
  public Future<Claim> claim(String hash, String owner, long lockMs) {
    return redis.eval(CLAIM, List.of(keys.embed(hash), keys.lock(hash), keys.generation(hash)), owner, lockMs)
        .map(r -> new Claim(r.get(0).toInteger() == 1, SharedAnswer.parse(r.get(1), r.get(2)), r.get(3).toString()));
  }

  /**
   * Shares a token answer for {@code lifetimeMs}, its whole life from receipt, unless the token was purged since
   * {@code claim} read its generation; true when stored.
   */
  public Future<Boolean> putToken(Claim claim, String hash, String owner, Buffer body, long lifetimeMs) {
    return put(claim, hash, owner, new JsonObject().put("lifetimeMs", lifetimeMs).put("body", body.toString()),
        lifetimeMs);
  }

  /** Shares SignalWire's 404 or 422 for {@code ttlMs}, unless purged since {@code claim}; true when stored. */
  public Future<Boolean> putNegative(Claim claim, String hash, String owner, int status, Buffer body, long ttlMs) {
    return put(claim, hash, owner, new JsonObject().put("status", status).put("body", body.toString()), ttlMs);
  }

  private Future<Boolean> put(Claim claim, String hash, String owner, JsonObject value, long ttlMs) {
    return redis.eval(PUT, List.of(keys.embed(hash), keys.lock(hash), keys.generation(hash)), value.encode(), ttlMs,
        owner, keys.answers(), hash, claim.generation()).map(r -> r.toInteger() == 1);
  }

  public Future<Void> release(String hash, String owner) {
    return redis.eval(RELEASE, List.of(keys.lock(hash)), owner, keys.answers(), hash).mapEmpty();
  }

  /** Deletes one entry, so that no call under way writes it back, and tells every pod; true when Redis held it. */
  public Future<Boolean> purge(String hash) {
    return redis.eval(PURGE, List.of(keys.embed(hash), keys.generation(hash)), GENERATION_TTL_MS)
        .compose(deleted -> announce(hash).map(deleted.toLong() > 0));
  }

  /**
   * Deletes every entry under the prefix and tells every pod; the number deleted. First the generation of every
   * token being fetched (its lock is held) moves on, so no call under way writes its answer back afterwards.
   */
  public Future<Long> purgeAll() {
    return redis.forEachKey(keys.lockPattern(), locks -> Future.all(locks.stream()
            .map(lock -> redis.eval(PURGE, List.of(keys.embed(keys.hashOfLock(lock)),
                keys.generation(keys.hashOfLock(lock))), GENERATION_TTL_MS)).toList()).map(0L))
        .compose(v -> redis.forEachKey(keys.embedPattern(), found -> redis.send(delete(found)).map(Response::toLong)))
        .compose(n -> announce(RedisLink.EVERYTHING).map(n));
  }

  /** DEL rather than UNLINK: on Redis Cluster the client splits a DEL of keys in many slots, not an UNLINK. */
  private static Request delete(List<String> found) {
    Request r = Request.cmd(Command.DEL);
    found.forEach(r::arg);
    return r;
  }

  private Future<Void> announce(String what) {
    return redis.send(Request.cmd(Command.PUBLISH).arg(keys.invalidations()).arg(what)).mapEmpty();
  }

  /**
   * The outcome of {@link #claim}: whether this pod now holds the lock, the entry if there is one, and the token's
   * purge generation when it was read (a call started after it may write its answer only while it stands).
   */
  public record Claim(boolean locked, SharedAnswer answer, String generation) {
  }
}
