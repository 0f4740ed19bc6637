package io.tokengateway.cluster;

import io.tokengateway.upstream.Endpoint;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Every Redis key and channel the gateway uses, under {@code redis.keyPrefix}. A C2C token never appears in
 * one: entries are keyed by the SHA-256 of the token.
 */
public final class ClusterKeys {

  private static final String EMBED = "embed:";
  private static final String LOCK = "lock:";
  private final String prefix;

  public ClusterKeys(String prefix) {
    this.prefix = prefix;
  }

  /** The SHA-256 of a C2C token, in hex: what the cluster knows of it. */
  public static String hash(String c2c) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(c2c.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /** The shared embed answer for a token hash. */
  public String embed(String hash) {
    return prefix + EMBED + hash;
  }

  /** The pattern matching every shared embed answer (for a purge of all). */
  public String embedPattern() {
    return prefix + EMBED + "*";
  }

  /** The lock one pod holds while it calls SignalWire for a cold token. */
  public String lock(String hash) {
    return prefix + LOCK + hash;
  }

  /** The pattern matching every lock (the tokens being fetched now). */
  public String lockPattern() {
    return prefix + LOCK + "*";
  }

  /** The token hash a {@link #lock} key is for. */
  public String hashOfLock(String lockKey) {
    return lockKey.substring(prefix.length() + LOCK.length());
  }

  /** A token's purge generation: moved on by every purge, so a call under way then does not write its answer back. */
  public String generation(String hash) {
    return prefix + "gen:" + hash;
  }

  /** The shared upstream token bucket. */
  public String bucket() {
    return prefix + "upstream:bucket";
  }

  /** The pause after SignalWire's 429 on one endpoint. */
  public String pause(Endpoint endpoint) {
    return prefix + "upstream:pause:" + endpoint.label();
  }

  /** The channel that carries purges: a token hash, or {@code *} for all. */
  public String invalidations() {
    return prefix + "invalidate";
  }

  /** The channel that says a pod stored the answer for a token hash, or let its lock go: waiting pods look again. */
  public String answers() {
    return prefix + "answered";
  }
}
