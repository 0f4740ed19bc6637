package io.tokengateway.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tokengateway.config.Cidr;
import io.tokengateway.config.ConfigException;
import org.junit.jupiter.api.Test;

class ClientAddressTest {

  @Test
  void cidrMembership() {
    assertThat(Cidr.parse("10.0.0.0/8").contains("10.200.3.4")).isTrue();
    assertThat(Cidr.parse("10.0.0.0/8").contains("11.0.0.1")).isFalse();
    assertThat(Cidr.parse("192.168.1.0/25").contains("192.168.1.127")).isTrue();
    assertThat(Cidr.parse("192.168.1.0/25").contains("192.168.1.128")).isFalse();
    assertThat(Cidr.parse("127.0.0.1").contains("127.0.0.1")).isTrue();
    assertThat(Cidr.parse("fd00::/8").contains("fd12::1")).isTrue();
    assertThat(Cidr.parse("fd00::/8").contains("10.0.0.1")).isFalse();
    assertThat(Cidr.parse("0.0.0.0/0").contains("8.8.8.8")).isTrue();
    assertThat(Cidr.parse("10.0.0.0/8").contains("::ffff:10.1.1.1")).isTrue();
    assertThat(Cidr.parse("10.0.0.0/8").contains("not-an-ip.example")).isFalse();
    assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33")).isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> Cidr.parse("proxy.internal")).isInstanceOf(ConfigException.class);
  }

  @Test
  void boundedMapOfClientBuckets() {
    ClientRateLimiter limiter = new ClientRateLimiter(10, 20, 1_000, io.tokengateway.Time.system());
    for (int i = 0; i < 100_000; i++) {
      limiter.tryAcquire("10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255));
    }
    assertThat(limiter.tracked()).isLessThanOrEqualTo(1_000);
  }
}
