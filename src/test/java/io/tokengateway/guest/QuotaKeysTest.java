package io.tokengateway.guest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class QuotaKeysTest {

  @Test
  void ipv6AddressesCountByTheir64() {
    assertThat(QuotaKeys.network("2001:db8:1:2:aaaa:bbbb:cccc:dddd")).isEqualTo("2001:db8:1:2::/64");
    assertThat(QuotaKeys.network("2001:0DB8:0001:0002::1")).isEqualTo("2001:db8:1:2::/64");
    assertThat(QuotaKeys.network("[2001:db8:1:2::1]")).isEqualTo("2001:db8:1:2::/64");
    assertThat(QuotaKeys.ofAddress("2001:db8:1:2::1")).isEqualTo(QuotaKeys.ofAddress("2001:db8:1:2:ffff::9"));
    assertThat(QuotaKeys.ofAddress("2001:db8:1:2::1")).isNotEqualTo(QuotaKeys.ofAddress("2001:db8:1:3::1"));
  }

  @Test
  void ipv4AndMappedAddressesCountByAddress() {
    assertThat(QuotaKeys.network("203.0.113.7")).isEqualTo("203.0.113.7");
    assertThat(QuotaKeys.network("::ffff:203.0.113.7")).isEqualTo("203.0.113.7");
    assertThat(QuotaKeys.ofAddress("203.0.113.7")).isNotEqualTo(QuotaKeys.ofAddress("203.0.113.8"));
  }

  @Test
  void keysAreHashesThatNeverShowTheSubjectOrAddress() {
    String key = QuotaKeys.ofSubject("alice@example.com");
    assertThat(key).matches("[0-9a-f]{64}").doesNotContain("alice");
    assertThat(QuotaKeys.ofAddress("203.0.113.7")).matches("[0-9a-f]{64}");
    assertThat(QuotaKeys.ofSubject("203.0.113.7")).as("a subject never collides with an address")
        .isNotEqualTo(QuotaKeys.ofAddress("203.0.113.7"));
  }
}
