package io.tokengateway.http;

import io.tokengateway.resilience.ClientRateLimiter;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokengateway.config.Cidr;
import io.tokengateway.support.ManualTime;
import io.tokengateway.support.NameLookups;
import io.vertx.core.MultiMap;
import io.vertx.core.net.SocketAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Who the client is (its limiter key), and one bucket per key. */
class ClientAddressTest {

  private static final ClientAddress DIRECT = new ClientAddress(List.of());
  private static final ClientAddress BEHIND_PROXY =
      new ClientAddress(List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("fd00::/8")));

  private static MultiMap forwarded(String... values) {
    MultiMap h = MultiMap.caseInsensitiveMultiMap();
    for (String v : values) {
      h.add("X-Forwarded-For", v);
    }
    return h;
  }

  @Test
  void theTcpPeerWithoutTrustedProxies() {
    assertThat(DIRECT.of("203.0.113.7", forwarded("198.51.100.1"))).isEqualTo("203.0.113.7");
    assertThat(DIRECT.of(null, forwarded())).isEqualTo(ClientAddress.UNKNOWN);
    assertThat(DIRECT.of("2001:db8:1:2:0:0:0:1", forwarded())).isEqualTo("2001:db8:1:2::/64");
  }

  @Test
  void ipv6ClientsAreKeyedByTheirSlash64() {
    assertThat(DIRECT.of("2001:db8:1:2:aaaa:bbbb:cccc:dddd", forwarded()))
        .as("one host rotating inside its /64 is one client")
        .isEqualTo(DIRECT.of("2001:db8:1:2:0:0:0:9", forwarded()));
    assertThat(DIRECT.of("2001:db8:1:3:0:0:0:1", forwarded()))
        .isNotEqualTo(DIRECT.of("2001:db8:1:2:0:0:0:1", forwarded()));
    assertThat(DIRECT.of("fe80:0:0:0:0:0:0:1%eth0", forwarded())).isEqualTo("fe80:0:0:0::/64");
    assertThat(BEHIND_PROXY.of("10.0.0.1", forwarded("2001:DB8:0:0:1::5"))).isEqualTo("2001:db8:0:0::/64");
  }

  @Test
  void ipv4AndMappedIpv4AreOneClientPerAddress() {
    assertThat(BEHIND_PROXY.of("10.0.0.1", forwarded("::ffff:198.51.100.7"))).isEqualTo("198.51.100.7");
    assertThat(BEHIND_PROXY.of("10.0.0.1", forwarded("198.51.100.8"))).isEqualTo("198.51.100.8");
    assertThat(BEHIND_PROXY.of("::ffff:10.0.0.1", forwarded("198.51.100.9"))).as("a mapped peer is trusted as IPv4")
        .isEqualTo("198.51.100.9");
  }

  @Test
  void theRightMostUntrustedHopBehindATrustedProxy() {
    assertThat(BEHIND_PROXY.of("10.0.0.1", forwarded("1.1.1.1, 198.51.100.7, 10.2.2.2"))).isEqualTo("198.51.100.7");
    assertThat(BEHIND_PROXY.of("10.0.0.1", forwarded("1.1.1.1", "198.51.100.7,10.2.2.2, fd00::1")))
        .as("over several headers, right to left").isEqualTo("198.51.100.7");
    assertThat(BEHIND_PROXY.of("10.0.0.1", forwarded(" , 198.51.100.7 ,,"))).isEqualTo("198.51.100.7");
    assertThat(BEHIND_PROXY.of("10.0.0.1", forwarded("10.3.3.3"))).as("all trusted: the peer").isEqualTo("10.0.0.1");
    assertThat(BEHIND_PROXY.of("10.0.0.1", forwarded())).isEqualTo("10.0.0.1");
    assertThat(BEHIND_PROXY.of("203.0.113.5", forwarded("198.51.100.7"))).as("untrusted peer").isEqualTo("203.0.113.5");
  }

  @Test
  void aHopThatIsNotALiteralStopsTheWalkWithoutALookup() throws Exception {
    List<String> hops = new ArrayList<>(List.of("999.1.1.1", "1.2.3", "::ffff:999.0.0.1", "proxy.example",
        "256.0.0.1", "[1.2.3.4]"));
    for (int i = 0; i < 1_000; i++) {
      hops.add((256 + i) + ".0.0." + (i % 256));
    }
    List<String> lookups = NameLookups.during(() -> {
      for (String hop : hops) {
        assertThat(BEHIND_PROXY.of("10.0.0.1", forwarded("198.51.100.7, " + hop + ", 10.2.2.2"))).as(hop)
            .isEqualTo("10.0.0.1");
      }
    });
    assertThat(lookups).as("names looked up").isEmpty();
  }

  @Test
  void aConnectionsPeerIsItsOwnClientUnlessItIsATrustedProxy() {
    assertThat(DIRECT.ofPeer(peer("203.0.113.7"))).isEqualTo("203.0.113.7");
    assertThat(DIRECT.ofPeer(peer("2001:db8:1:2:aaaa:bbbb:cccc:dddd"))).as("IPv6 by /64")
        .isEqualTo("2001:db8:1:2::/64").isEqualTo(DIRECT.ofPeer(peer("2001:db8:1:2:0:0:0:9")));
    assertThat(DIRECT.ofPeer(peer("2001:db8:1:2:0:0:0:1"))).as("the key of its requests")
        .isEqualTo(DIRECT.of("2001:db8:1:2:0:0:0:1", forwarded()));
    assertThat(DIRECT.ofPeer(peer("10.0.0.1"))).as("no trusted proxies: every peer is a client").isEqualTo("10.0.0.1");
    assertThat(DIRECT.ofPeer(null)).isEqualTo(ClientAddress.UNKNOWN);
    assertThat(BEHIND_PROXY.ofPeer(peer("10.20.30.40"))).as("a trusted proxy is not bounded").isNull();
    assertThat(BEHIND_PROXY.ofPeer(peer("fd00:0:0:0:0:0:0:7"))).isNull();
    assertThat(BEHIND_PROXY.ofPeer(peer("203.0.113.7"))).as("an untrusted peer is").isEqualTo("203.0.113.7");
    assertThat(BEHIND_PROXY.ofPeer(peer("2001:db8:1:2:0:0:0:1"))).isEqualTo("2001:db8:1:2::/64");
  }

  /** A connection's peer address, as Vert.x gives it: from a literal (no name looked up). */
  private static SocketAddress peer(String literal) {
    return SocketAddress.inetSocketAddress(new InetSocketAddress(literal, 40_000));
  }

  @Test
  void sameSlash64SharesABucketOtherSlash64sDoNot() {
    ManualTime time = new ManualTime(java.time.Instant.parse("2026-01-01T00:00:00Z"));
    ClientRateLimiter limiter = new ClientRateLimiter(1, 1, 1_000, time.time());
    assertThat(limiter.tryAcquire(DIRECT.of("2001:db8:1:2:0:0:0:1", forwarded()))).isZero();
    assertThat(limiter.tryAcquire(DIRECT.of("2001:db8:1:2:ffff:0:0:2", forwarded()))).as("same /64").isPositive();
    assertThat(limiter.tryAcquire(DIRECT.of("2001:db8:1:3:0:0:0:1", forwarded()))).as("next /64").isZero();
    assertThat(limiter.tryAcquire(DIRECT.of("203.0.113.1", forwarded()))).isZero();
    assertThat(limiter.tryAcquire(BEHIND_PROXY.of("10.0.0.1", forwarded("::ffff:203.0.113.1")))).as("same IPv4")
        .isPositive();
    assertThat(limiter.tryAcquire(DIRECT.of("203.0.113.2", forwarded()))).as("IPv4 stays per address").isZero();
  }

  /** The key is computed on every token request: no parsing for an IPv4 peer, one cheap parse per hop else. */
  @Test
  void theKeyIsCheapOnTheHotPath() {
    MultiMap none = forwarded();
    MultiMap twoHops = forwarded("198.51.100.7, 10.2.2.2");
    assertThat(bytesPerCall(() -> DIRECT.of("203.0.113.7", none))).as("IPv4 peer, no trusted proxies").isZero();
    assertThat(bytesPerCall(() -> DIRECT.of("2001:db8:1:2:0:0:0:1", none))).as("IPv6 peer: one parse, one key")
        .isLessThan(600);
    assertThat(bytesPerCall(() -> BEHIND_PROXY.of("10.0.0.1", twoHops))).as("two hops behind a proxy")
        .isLessThan(1_000);
  }

  private static long bytesPerCall(java.util.function.Supplier<String> call) {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long id = Thread.currentThread().getId();
    int sink = 0;
    for (int i = 0; i < 20_000; i++) { // warm up
      sink += call.get().length();
    }
    long before = threads.getThreadAllocatedBytes(id);
    for (int i = 0; i < 10_000; i++) {
      sink += call.get().length();
    }
    long perCall = (threads.getThreadAllocatedBytes(id) - before) / 10_000;
    assertThat(sink).isPositive();
    return perCall;
  }

  @Test
  void boundedMapOfClientBuckets() {
    ClientRateLimiter limiter = new ClientRateLimiter(10, 20, 1_000, new io.tokengateway.support.ManualTime(java.time.Instant.EPOCH));
    for (int i = 0; i < 100_000; i++) {
      limiter.tryAcquire("10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255));
    }
    assertThat(limiter.tracked()).isLessThanOrEqualTo(1_000);
  }
}
