package io.tokengateway.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The one reading of Content-Length: digits only; anything else reads as larger than any bound. */
class ContentLengthTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({"0, 0", "7, 7", "65536, 65536", "000123, 123", "9223372036854775807, 9223372036854775807",
      "9223372036854775808, 9223372036854775807", "123456789012345678901234567890, 9223372036854775807"})
  void digitsAreTheLengthSaturatingAtLongMax(String header, long length) {
    assertThat(ContentLength.declared(header)).isEqualTo(length);
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {"", " 5", "5 ", "+5", "-5", "-1", "5,5", "5, 5", "0x10", "5a", "1e3", "1.0", "\u0663"})
  void anythingElseIsLargerThanAnyBound(String header) {
    assertThat(ContentLength.declared(header)).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void noHeaderIsNoDeclaredLength() {
    assertThat(ContentLength.declared(null)).isEqualTo(ContentLength.ABSENT).isEqualTo(-1L);
  }
}
