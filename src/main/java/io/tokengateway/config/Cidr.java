package io.tokengateway.config;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** An IPv4 or IPv6 network ({@code 10.0.0.0/8}, {@code fd00::/8}, or a single address) that can test membership. */
public record Cidr(byte[] network, int prefix, String text) {

  /** Parses a CIDR or a bare address; only literal addresses, never a DNS lookup. */
  public static Cidr parse(String text) {
    String[] parts = text.trim().split("/", 2);
    byte[] address = literal(parts[0], text);
    int prefix = address.length * 8;
    if (parts.length == 2) {
      try {
        prefix = Integer.parseInt(parts[1]);
      } catch (NumberFormatException e) {
        prefix = -1;
      }
      if (prefix < 0 || prefix > address.length * 8) {
        throw new ConfigException("http.trustedProxies holds '" + text + "': bad prefix length");
      }
    }
    return new Cidr(address, prefix, text.trim());
  }

  /** Whether {@code address} (an IP literal) lies in this network; anything unparseable does not. */
  public boolean contains(String address) {
    byte[] candidate = ipLiteral(address);
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

  /** The bytes of an IP literal, or null when {@code s} is not one (never resolves a name). */
  public static byte[] ipLiteral(String s) {
    if (s == null) {
      return null;
    }
    String t = s.trim();
    if (t.startsWith("[") && t.endsWith("]")) {
      t = t.substring(1, t.length() - 1);
    }
    boolean v4 = t.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    boolean v6 = t.contains(":") && t.matches("[0-9A-Fa-f:.%a-zA-Z0-9]+");
    if (!v4 && !v6) {
      return null;
    }
    try {
      byte[] bytes = InetAddress.getByName(t).getAddress();
      return bytes.length == 16 && isV4Mapped(bytes) ? java.util.Arrays.copyOfRange(bytes, 12, 16) : bytes;
    } catch (UnknownHostException | SecurityException e) {
      return null;
    }
  }

  private static boolean isV4Mapped(byte[] b) {
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return b[10] == (byte) 0xFF && b[11] == (byte) 0xFF;
  }

  private static byte[] literal(String address, String text) {
    byte[] bytes = ipLiteral(address);
    if (bytes == null) {
      throw new ConfigException("http.trustedProxies holds '" + text + "', not an IP address or CIDR");
    }
    return bytes;
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
