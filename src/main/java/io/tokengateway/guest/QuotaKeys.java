package io.tokengateway.guest;

import io.netty.util.NetUtil;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Who a quota counts: the JWT's {@code sub} when the site's sign-in is on, else the client address, an IPv6
 * address by its /64 (one subscriber's network; a host picks any address in it). The key is the SHA-256 of
 * that, so neither a subject nor an address is kept in memory maps' keys or written to Redis.
 */
final class QuotaKeys {

  private QuotaKeys() {
  }

  /** The key of a signed-in caller. */
  static String ofSubject(String subject) {
    return sha256("sub:" + subject);
  }

  /** The key of an anonymous caller at {@code address} (an IP literal; anything else counts as itself). */
  static String ofAddress(String address) {
    return sha256("ip:" + network(address));
  }

  /** An IPv4 address as is, an IPv6 address as its /64 prefix ({@code 2001:db8:1:2::/64}); IPv4-mapped as IPv4. */
  static String network(String address) {
    if (address == null) {
      return "unknown";
    }
    String literal = address.startsWith("[") && address.endsWith("]") ? address.substring(1, address.length() - 1)
        : address;
    if (!NetUtil.isValidIpV6Address(literal)) {
      return literal;
    }
    byte[] bytes = NetUtil.createByteArrayFromIpAddressString(literal);
    if (bytes == null) {
      return literal;
    }
    if (bytes.length == 4) {
      return NetUtil.bytesToIpAddress(bytes);
    }
    if (v4Mapped(bytes)) {
      return NetUtil.bytesToIpAddress(java.util.Arrays.copyOfRange(bytes, 12, 16));
    }
    StringBuilder prefix = new StringBuilder(24);
    for (int i = 0; i < 8; i += 2) {
      prefix.append(Integer.toHexString(((bytes[i] & 0xFF) << 8) | (bytes[i + 1] & 0xFF))).append(':');
    }
    return prefix.append(":/64").toString();
  }

  private static boolean v4Mapped(byte[] b) {
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return b[10] == (byte) 0xFF && b[11] == (byte) 0xFF;
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
