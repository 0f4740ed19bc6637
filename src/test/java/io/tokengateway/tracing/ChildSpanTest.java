package io.tokengateway.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A Redis error reply shows on a span as its code only: the rest of its text could quote a script or a value. */
class ChildSpanTest {

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "ERR Error running script (call to f_x): @user_script:1: value c2c_secret | ERR",
      "WRONGTYPE Operation against a key holding the wrong kind of value | WRONGTYPE",
      "NOSCRIPT No matching script | NOSCRIPT",
      "LOADING | LOADING",
      "c2c_7acc0e5e968706a0 is not a code | ERR",
      "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJ too long | ERR",
      "ERR: colon | ERR"})
  void aRedisErrorIsKnownByItsCode(String reply, String code) {
    assertThat(ChildSpan.errorCode(reply)).isEqualTo(code);
  }
}
