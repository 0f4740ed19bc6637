package io.tokengateway.cluster;

import io.tokengateway.upstream.Endpoint;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Every Redis key and channel the gateway uses, under {@code redis.keyPrefix}: the one place keys are built. A
 * C2C token never appears in one: entries are keyed by the SHA-256 of the token.
 *
 * <p>Keys a script uses together share a hash tag, {@code <prefix>{<group>}:<name>} ({@link #key}), so that
 * Redis Cluster keeps them in one hash slot (only the text between the first braces decides the slot): a token's
 * entry, lock and purge generation ({@code tg:{<hash>}:embed}, {@code :lock}, {@code :gen}), the upstream bucket
 * and the 429 pauses ({@code tg:{upstream}:bucket}, {@code tg:{upstream}:pause:<endpoint>}). Distinct tokens
 * spread over the slots. Channels are not keys: classic pub/sub reaches every node of a cluster.
 */
public final class ClusterKeys {

  private static final String EMBED = "embed";
  private static final String LOCK = "lock";
  private static final String UPSTREAM = "upstream";
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

  /**
   * The key {@code name} of {@code group}: {@code <prefix>{<group>}:<name>}. Every key of one group is in one
   * hash slot, so a script may use them together on Redis Cluster; {@code group} must not hold braces.
   */
  public String key(String group, String name) {
    return prefix + "{" + group + "}:" + name;
  }

  /**
   * A SCAN pattern matching key {@code name} of every group, e.g. every shared embed answer. Glob characters
   * in the prefix are escaped, so a prefix never matches more than its own keys.
   */
  public String everyGroup(String name) {
    return escapeGlob(prefix) + "{*}:" + escapeGlob(name);
  }

  /** The group of a key built by {@link #key}, e.g. the token hash of a lock key. */
  public String groupOf(String key, String name) {
    return key.substring(prefix.length() + 1, key.length() - name.length() - 2);
  }

  /** The shared embed answer for a token hash. */
  public String embed(String hash) {
    return key(hash, EMBED);
  }

  /** The pattern matching every shared embed answer (for a purge of all). */
  public String embedPattern() {
    return everyGroup(EMBED);
  }

  /** The lock one pod holds while it calls SignalWire for a cold token. */
  public String lock(String hash) {
    return key(hash, LOCK);
  }

  /** The pattern matching every lock (the tokens being fetched now). */
  public String lockPattern() {
    return everyGroup(LOCK);
  }

  /** The token hash a {@link #lock} key is for. */
  public String hashOfLock(String lockKey) {
    return groupOf(lockKey, LOCK);
  }

  /** A token's purge generation: moved on by every purge, so a call under way then does not write its answer back. */
  public String generation(String hash) {
    return key(hash, "gen");
  }

  /** The shared upstream token bucket (in the slot of the pauses: one script reads both). */
  public String bucket() {
    return key(UPSTREAM, "bucket");
  }

  /** The pause after SignalWire's 429 on one endpoint. */
  public String pause(Endpoint endpoint) {
    return key(UPSTREAM, "pause:" + endpoint.label());
  }

  /** The channel that carries purges: a token hash, or {@code *} for all. */
  public String invalidations() {
    return prefix + "invalidate";
  }

  /** The channel that says a pod stored the answer for a token hash, or let its lock go: waiting pods look again. */
  public String answers() {
    return prefix + "answered";
  }

  private static String escapeGlob(String text) {
    return text.replaceAll("([*?\\[\\]\\\\])", "\\\\$1");
  }
}
