package io.tokengateway.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A {@code traceparent} value as the gateway writes it (version 00), parsed for assertions. */
record Traceparent(String traceId, String spanId, String flags) {

  private static final Pattern VERSION_00 = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})");

  /** Parses {@code value}, failing the test unless it is a well-formed version-00 traceparent with non-zero ids. */
  static Traceparent parse(String value) {
    assertThat(value).as("a traceparent").isNotNull();
    Matcher m = VERSION_00.matcher(value);
    assertThat(m.matches()).as("a well-formed traceparent: " + value).isTrue();
    Traceparent t = new Traceparent(m.group(1), m.group(2), m.group(3));
    assertThat(t.traceId()).isNotEqualTo("0".repeat(32));
    assertThat(t.spanId()).isNotEqualTo("0".repeat(16));
    return t;
  }

  static String of(String traceId, String spanId, String flags) {
    return "00-" + traceId + "-" + spanId + "-" + flags;
  }

  boolean sampled() {
    return (Integer.parseInt(flags, 16) & 1) == 1;
  }
}
