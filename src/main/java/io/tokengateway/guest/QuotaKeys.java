package io.tokengateway.guest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Who a quota counts: the JWT's {@code sub} when the site's sign-in is on, else the client as the per-client
 * limit knows it ({@code http.ClientAddress}: an IPv4 address, or an IPv6 client's /64, one
 * subscriber's network in which a host picks any address). The key is the SHA-256 of that, so neither a subject
 * nor an address is kept in memory maps' keys or written to Redis.
 */
final class QuotaKeys {

  private QuotaKeys() {
  }

  /** The key of a signed-in caller. */
  static String ofSubject(String subject) {
    return sha256("sub:" + subject);
  }

  /** The key of an anonymous caller whose limiter key is {@code client}. */
  static String ofClient(String client) {
    return sha256("ip:" + client);
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
