package io.tokengateway.guest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Quota keys: hashes, per subject or per client key (the /64 of an IPv6 client: see ClientAddressTest). */
class QuotaKeysTest {

  @Test
  void keysAreHashesThatNeverShowTheSubjectOrAddress() {
    String key = QuotaKeys.ofSubject("alice@example.com");
    assertThat(key).matches("[0-9a-f]{64}").doesNotContain("alice");
    assertThat(QuotaKeys.ofClient("203.0.113.7")).matches("[0-9a-f]{64}");
    assertThat(QuotaKeys.ofClient("203.0.113.7")).isNotEqualTo(QuotaKeys.ofClient("203.0.113.8"));
    assertThat(QuotaKeys.ofSubject("203.0.113.7")).as("a subject never collides with an address")
        .isNotEqualTo(QuotaKeys.ofClient("203.0.113.7"));
  }
}
