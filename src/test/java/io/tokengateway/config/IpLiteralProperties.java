package io.tokengateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokengateway.support.NameLookups;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@link Cidr#ipLiteral} against the JDK's own literal parser as the reference (run under {@link NameLookups},
 * which refuses any lookup, so the reference never sends a DNS query either).
 */
class IpLiteralProperties {

  /** Every spelling of every address reads back as that address (IPv4-mapped IPv6 as its IPv4 address). */
  @Property(tries = 1_000)
  void everySpellingOfAnAddressIsThatAddress(@ForAll("addresses") byte[] address, @ForAll("spellings") int spelling)
      throws Exception {
    String text = spell(address, spelling);
    byte[] expected = mappedAsIpv4(address);
    List<String> lookups = NameLookups.during(() -> {
      assertThat(Cidr.ipLiteral(text)).as(text).isEqualTo(expected);
      assertThat(InetAddress.getByName(unzoned(text)).getAddress()).as("the JDK reads " + text).isEqualTo(expected);
    });
    assertThat(lookups).isEmpty();
  }

  /** Whatever text is accepted, the JDK reads as the same literal; nothing is ever looked up. */
  @Property(tries = 3_000)
  void acceptedTextIsTheLiteralTheJdkReads(@ForAll("ipLikeText") String text) throws Exception {
    byte[][] ours = new byte[1][];
    List<String> lookups = NameLookups.during(() -> ours[0] = Cidr.ipLiteral(text));
    assertThat(lookups).as("looked up").isEmpty();
    if (ours[0] == null) {
      return;
    }
    byte[] jdk = jdkLiteral(text);
    assertThat(jdk).as("the JDK reads " + text + " as a literal").isNotNull();
    boolean ipv4Compatible = jdk.length == 16 && ours[0].length == 4
        && Arrays.equals(Arrays.copyOfRange(jdk, 0, 12), new byte[12]);
    if (!ipv4Compatible) { // ::1.2.3.4 (deprecated IPv4-compatible) reads as 1.2.3.4 here, ::102:304 in the JDK
      assertThat(ours[0]).as(text).isEqualTo(jdk);
    }
  }

  /** A dotted quad with one part out of range, or too few or too many parts, is not a literal. */
  @Property(tries = 1_000)
  void brokenDottedQuadsAreNotLiterals(@ForAll("brokenQuads") String text) throws Exception {
    List<String> lookups = NameLookups.during(() -> {
      assertThat(Cidr.ipLiteral(text)).as(text).isNull();
      if (text.contains(".")) { // a lone number after ::ffff: is a hex group
        assertThat(Cidr.ipLiteral("::ffff:" + text)).as("::ffff:" + text).isNull();
      }
    });
    assertThat(lookups).isEmpty();
  }

  private static byte[] jdkLiteral(String text) throws Exception {
    byte[][] out = new byte[1][];
    NameLookups.during(() -> {
      try {
        out[0] = InetAddress.getByName(unzoned(text)).getAddress();
      } catch (java.net.UnknownHostException e) {
        out[0] = null;
      }
    });
    return out[0];
  }

  @Provide
  Arbitrary<byte[]> addresses() {
    Arbitrary<byte[]> v4 = Arbitraries.bytes().array(byte[].class).ofSize(4);
    Arbitrary<byte[]> v6 = Arbitraries.bytes().array(byte[].class).ofSize(16);
    Arbitrary<byte[]> mapped = v4.map(b -> {
      byte[] m = new byte[16];
      m[10] = (byte) 0xFF;
      m[11] = (byte) 0xFF;
      System.arraycopy(b, 0, m, 12, 4);
      return m;
    });
    Arbitrary<byte[]> sparse = v6.map(b -> { // runs of zero groups, so that :: compression shows up
      for (int i = 2; i < 12; i++) {
        b[i] = 0;
      }
      return b;
    });
    return Arbitraries.oneOf(v4, v6, mapped, sparse);
  }

  @Provide
  Arbitrary<Integer> spellings() {
    return Arbitraries.integers().between(0, 15);
  }

  @Provide
  Arbitrary<String> ipLikeText() {
    Arbitrary<String> noise = Arbitraries.strings().withChars("0123456789abcdefABCDEF:.%[]").ofMaxLength(45);
    Arbitrary<String> group = Arbitraries.oneOf(Arbitraries.integers().between(0, 0x1FFFF).map(Integer::toHexString),
        Arbitraries.integers().between(0, 999).map(String::valueOf), Arbitraries.of("", "ffff", "FFFF", "1.2.3.4"));
    Arbitrary<String> joined = Combinators.combine(group.list().ofMinSize(1).ofMaxSize(9), Arbitraries.of(":", "."),
        Arbitraries.of("", "[", "%1", "%eth0"))
        .as((parts, sep, decoration) -> {
          String t = String.join(sep, parts);
          return "[".equals(decoration) ? "[" + t + "]" : t + decoration;
        });
    return Arbitraries.oneOf(noise, joined);
  }

  @Provide
  Arbitrary<String> brokenQuads() {
    Arbitrary<Integer> part = Arbitraries.integers().between(0, 255);
    Arbitrary<String> outOfRange = Combinators.combine(part.list().ofSize(3), Arbitraries.integers().between(256, 999),
        Arbitraries.integers().between(0, 3)).as((ok, bad, at) -> {
          List<String> parts = new java.util.ArrayList<>(ok.stream().map(String::valueOf).toList());
          parts.add(at, String.valueOf(bad));
          return String.join(".", parts);
        });
    Arbitrary<String> wrongCount = part.list().ofMinSize(1).ofMaxSize(8).filter(l -> l.size() != 4)
        .map(l -> String.join(".", l.stream().map(String::valueOf).toList()));
    return Arbitraries.oneOf(outOfRange, wrongCount);
  }

  /** One of 16 spellings: dotted or hex, full or compressed, upper case, bracketed, with a zone id. */
  static String spell(byte[] address, int spelling) throws Exception {
    if (address.length == 4) {
      String dotted = InetAddress.getByAddress(address).getHostAddress();
      return switch (spelling % 4) {
        case 0 -> dotted;
        case 1 -> " " + dotted + " ";
        case 2 -> "::ffff:" + dotted;
        default -> "[::ffff:" + dotted + "]";
      };
    }
    String full = fullHex(address);
    String text = (spelling & 1) == 0 ? full : compressed(full);
    if ((spelling & 2) != 0) {
      text = text.toUpperCase(Locale.ROOT);
    }
    if ((spelling & 4) != 0) {
      text = text + "%eth0";
    }
    return (spelling & 8) != 0 ? "[" + text + "]" : text;
  }

  private static String fullHex(byte[] b) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 16; i += 2) {
      s.append(i == 0 ? "" : ":").append(Integer.toHexString((b[i] & 0xFF) << 8 | b[i + 1] & 0xFF));
    }
    return s.toString();
  }

  /** The longest run of two or more zero groups written as {@code ::}. */
  private static String compressed(String full) {
    String[] groups = full.split(":");
    int bestStart = -1;
    int bestLength = 1;
    for (int i = 0; i < groups.length; i++) {
      int j = i;
      while (j < groups.length && groups[j].equals("0")) {
        j++;
      }
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
    }
    if (bestStart < 0) {
      return full;
    }
    String head = String.join(":", Arrays.copyOfRange(groups, 0, bestStart));
    String tail = String.join(":", Arrays.copyOfRange(groups, bestStart + bestLength, groups.length));
    return head + "::" + tail;
  }

  private static byte[] mappedAsIpv4(byte[] b) {
    if (b.length == 16 && Arrays.equals(Arrays.copyOfRange(b, 0, 10), new byte[10]) && b[10] == (byte) 0xFF
        && b[11] == (byte) 0xFF) {
      return Arrays.copyOfRange(b, 12, 16);
    }
    return b;
  }

  private static String unzoned(String text) {
    String t = text.trim();
    int zone = t.indexOf('%');
    if (zone < 0) {
      return t;
    }
    return t.startsWith("[") ? t.substring(0, zone) + "]" : t.substring(0, zone);
  }
}
