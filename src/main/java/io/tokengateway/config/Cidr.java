package io.tokengateway.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import io.netty.util.NetUtil;
import java.util.Arrays;

/**
 * An IPv4 or IPv6 network ({@code 10.0.0.0/8}, {@code fd00::/8}, or a single address) that can test membership.
 *
 * <p>Addresses are read by {@link #ipLiteral}, which never resolves a name: it runs on the event loop for every
 * {@code X-Forwarded-For} hop, where a DNS lookup would block the loop for a round trip.
 */
public record Cidr(byte[] network, int prefix, String text) {

  /** Parses a CIDR or a bare address; only literal addresses, never a DNS lookup. */
  @JsonCreator
  public static Cidr parse(String text) {
    String t = text.trim();
    int slash = t.indexOf('/');
    String address = slash < 0 ? t : t.substring(0, slash);
    byte[] full = NetUtil.createByteArrayFromIpAddressString(address);
    if (full == null) {
      throw new ConfigException("http.trustedProxies holds '" + t + "', not an IP address or CIDR");
    }
    byte[] bytes = ipv4IfMapped(full);
    int prefix = bytes.length * 8;
    if (slash >= 0) {
      // a mapped network (::ffff:10.0.0.0/104) is the IPv4 network it maps (10.0.0.0/8)
      prefix = prefixLength(t.substring(slash + 1)) - (full.length - bytes.length) * 8;
      if (prefix < 0 || prefix > bytes.length * 8) {
        throw new ConfigException("http.trustedProxies holds '" + t + "': bad prefix length");
      }
    }
    return new Cidr(bytes, prefix, t);
  }

  /** Whether {@code address} (an IP literal) lies in this network; anything unparseable does not. */
  public boolean contains(String address) {
    return contains(ipLiteral(address));
  }

  /** Whether {@code candidate} (bytes from {@link #ipLiteral}, or null) lies in this network. */
  public boolean contains(byte[] candidate) {
    if (candidate == null || candidate.length != network.length) {
      return false;
    }
    int full = prefix / 8;
    for (int i = 0; i < full; i++) {
      if (candidate[i] != network[i]) {
        return false;
      }
    }
    int rest = prefix % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xFF << (8 - rest)) & 0xFF;
    return (candidate[full] & mask) == (network[full] & mask);
  }

  /**
   * The bytes of an IP literal, or null when {@code s} is not one; never resolves a name. 4 bytes for IPv4,
   * 16 for IPv6; brackets ({@code [::1]}) and zone ids ({@code fe80::1%eth0}) are accepted and the zone is
   * dropped. An IPv4 address carried in IPv6 ({@code ::ffff:1.2.3.4}, and the deprecated {@code ::1.2.3.4})
   * is that IPv4 address. Strict dotted quads only: {@code 1.2.3}, {@code 999.1.1.1} and host names are not
   * literals (where {@link java.net.InetAddress#getByName} would accept the first and look the others up).
   */
  public static byte[] ipLiteral(String s) {
    if (s == null) {
      return null;
    }
    byte[] bytes = NetUtil.createByteArrayFromIpAddressString(s.trim());
    return bytes == null ? null : ipv4IfMapped(bytes);
  }

  private static byte[] ipv4IfMapped(byte[] b) {
    if (b.length != 16) {
      return b;
    }
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return b;
      }
    }
    return b[10] == (byte) 0xFF && b[11] == (byte) 0xFF ? Arrays.copyOfRange(b, 12, 16) : b;
  }

  private static int prefixLength(String digits) {
    if (digits.isEmpty() || digits.length() > 3) {
      return -1;
    }
    for (int i = 0; i < digits.length(); i++) {
      if (digits.charAt(i) < '0' || digits.charAt(i) > '9') {
        return -1;
      }
    }
    return Integer.parseInt(digits);
  }

  @Override
  public String toString() {
    return text;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Cidr c && c.text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }
}
