package io.tokengateway.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.AsciiString;
import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.api.trace.TraceId;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The answer's traceparent, built as bytes: well-formed, random, the ids the access line reads back. */
class TraceIdsTest {

  @Test
  void newTracesAreWellFormedVersion00WithRandomNonZeroIds() {
    Set<String> traces = new HashSet<>();
    Set<String> spans = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      AsciiString header = TraceIds.newTrace((byte) 0x02);
      Traceparent t = Traceparent.parse(header.toString());
      assertThat(t.flags()).isEqualTo("02");
      assertThat(TraceId.isValid(t.traceId())).isTrue();
      assertThat(SpanId.isValid(t.spanId())).isTrue();
      assertThat(TraceIds.traceId(header)).isEqualTo(t.traceId());
      assertThat(TraceIds.spanId(header)).isEqualTo(t.spanId());
      traces.add(t.traceId());
      spans.add(t.spanId());
    }
    assertThat(traces).as("no repeats in 10,000").hasSize(10_000);
    assertThat(spans).hasSize(10_000);
  }

  @Test
  void aContinuedTraceKeepsTheCallersIdAndFlagsWithANewSpan() {
    String caller = "4bf92f3577b34da6a3ce929d0e0e4736";
    Traceparent a = Traceparent.parse(TraceIds.continued(caller, (byte) 0x01).toString());
    Traceparent b = Traceparent.parse(TraceIds.continued(caller, (byte) 0x01).toString());
    assertThat(a.traceId()).isEqualTo(caller).isEqualTo(b.traceId());
    assertThat(a.flags()).isEqualTo("01");
    assertThat(a.spanId()).isNotEqualTo(b.spanId());
  }

  @Test
  void knownIdsAreWrittenAsGiven() {
    assertThat(TraceIds.of("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", (byte) 0xff).toString())
        .isEqualTo("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-ff");
  }
}
