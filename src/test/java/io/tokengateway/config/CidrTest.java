package io.tokengateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tokengateway.support.NameLookups;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** IP literals and CIDRs are read without any name lookup, strictly. */
class CidrTest {

  /** Not literals: what InetAddress.getByName would look up (the first ones) or misread (1.2.3). */
  static final List<String> NOT_LITERALS = List.of("999.1.1.1", "256.0.0.1", "300.300.300.300", "1.2.3.4.5",
      "1.2.3", "1.2.3.", "::ffff:999.0.0.1", "::ffff:1.2.3", "1::2::3", "12345::1", "[1.2.3.4]", "[::1", "::1]",
      "1.2.3.4%eth0", "example.com", "localhost", "not-an-ip.example", "a:b", "0x7f.0.0.1", "", " ", "%eth0", "[]");

  @Test
  void theDetectorSeesALookupAndRefusesIt() throws Exception {
    List<String> lookups = NameLookups.during(() -> {
      try {
        InetAddress.getByName("999.1.1.1");
      } catch (UnknownHostException expected) {
        // refused before any DNS query
      }
    });
    assertThat(lookups).containsExactly("999.1.1.1");
  }

  @Test
  void noLookupForAnyHopText() throws Exception {
    List<String> texts = new ArrayList<>(NOT_LITERALS);
    for (int i = 0; i < 1_000; i++) {
      texts.add((256 + i) + ".1.1.1");
      texts.add("host-" + i + ".example");
    }
    Cidr network = Cidr.parse("0.0.0.0/0");
    List<String> accepted = new ArrayList<>();
    List<String> lookups = NameLookups.during(() -> {
      for (String t : texts) {
        if (Cidr.ipLiteral(t) != null || network.contains(t)) {
          accepted.add(t);
        }
      }
    });
    assertThat(lookups).as("names looked up").isEmpty();
    assertThat(accepted).as("read as literals").isEmpty();
  }

  @Test
  void noLookupWhenParsingConfiguredProxies() throws Exception {
    List<String> lookups = NameLookups.during(() -> {
      for (String t : List.of("999.1.1.1", "proxy.internal", "256.0.0.0/8")) {
        assertThatThrownBy(() -> Cidr.parse(t)).isInstanceOf(ConfigException.class)
            .hasMessageContaining("http.trustedProxies");
      }
    });
    assertThat(lookups).as("names looked up").isEmpty();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "1.2.3.4 | 1.2.3.4",
      "0.0.0.0 | 0.0.0.0",
      "255.255.255.255 | 255.255.255.255",
      "' 10.0.0.1 ' | 10.0.0.1",
      "::1 | 0:0:0:0:0:0:0:1",
      "[::1] | 0:0:0:0:0:0:0:1",
      "FE80::A | fe80:0:0:0:0:0:0:a",
      "fe80::1%eth0 | fe80:0:0:0:0:0:0:1",
      "[fe80::1%25eth0] | fe80:0:0:0:0:0:0:1",
      "2001:db8::1:2:3:4:5 | 2001:db8:0:1:2:3:4:5",
      "::ffff:1.2.3.4 | 1.2.3.4",
      "::FFFF:10.20.30.40 | 10.20.30.40",
      "[::ffff:1.2.3.4] | 1.2.3.4",
      "::ffff:0102:0304 | 1.2.3.4",
      "::102:304 | 0:0:0:0:0:0:102:304",
  })
  void literals(String text, String expected) throws Exception {
    byte[] bytes = Cidr.ipLiteral(text);
    assertThat(bytes).as(text).isNotNull();
    assertThat(InetAddress.getByAddress(bytes).getHostAddress()).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"999.1.1.1", "1.2.3", "::ffff:999.0.0.1", "example.com", "1.2.3.4.5", "256.1.1.1"})
  void garbageIsNotALiteral(String text) {
    assertThat(Cidr.ipLiteral(text)).isNull();
  }

  @Test
  void membership() {
    assertThat(Cidr.parse("10.0.0.0/8").contains("10.200.3.4")).isTrue();
    assertThat(Cidr.parse("10.0.0.0/8").contains("11.0.0.1")).isFalse();
    assertThat(Cidr.parse("192.168.1.0/25").contains("192.168.1.127")).isTrue();
    assertThat(Cidr.parse("192.168.1.0/25").contains("192.168.1.128")).isFalse();
    assertThat(Cidr.parse("fd00::/8").contains("fd12::1")).isTrue();
    assertThat(Cidr.parse("fd00::/8").contains("10.0.0.1")).isFalse();
    assertThat(Cidr.parse("10.0.0.0/8").contains("::ffff:10.1.1.1")).isTrue();
    assertThat(Cidr.parse("::ffff:10.0.0.0/104").contains("10.9.9.9")).as("a mapped network is its IPv4 network")
        .isTrue();
    assertThat(Cidr.parse("::ffff:10.0.0.0/104").contains("11.0.0.1")).isFalse();
    assertThat(Cidr.parse("::/0").contains("2001:db8::1")).isTrue();
    assertThat(Cidr.parse("[2001:db8::]/32").contains("2001:db8:ffff::1")).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/", "10.0.0.0/+8", "10.0.0.0/8x", "::/129",
      "::ffff:10.0.0.0/80", "1.2.3/24", "proxy.internal"})
  void badNetworksStopTheStartNamingTheSetting(String text) {
    assertThatThrownBy(() -> Cidr.parse(text)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("http.trustedProxies").hasMessageNotContaining("\n");
  }
}
