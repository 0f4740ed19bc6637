package io.tokengateway.tracing;

import static io.tokengateway.support.GatewayHarness.C2C;
import static io.tokengateway.tracing.TracingIT.CALLER_SPAN;
import static io.tokengateway.tracing.TracingIT.embed;
import static io.tokengateway.tracing.TracingIT.exporting;
import static io.tokengateway.tracing.TracingIT.only;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokengateway.support.FakeSignalWire;
import io.tokengateway.support.GatewayHarness;
import io.tokengateway.support.OtlpReceiver;
import io.tokengateway.support.OtlpReceiver.ReceivedSpan;
import io.tokengateway.support.RedisSupport;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Cluster mode: the Redis commands a request makes (the shared cache lookup, the lock, the shared bucket, the
 * store) are client spans of its trace, named after the command, with {@code db.system=redis} and no key or
 * argument; the gateway's own background commands (the PING probe) belong to no request and are not traced.
 */
@ExtendWith(VertxExtension.class)
class RedisTracingIT {

  @Test
  void aColdEmbedsRedisCommandsAreChildSpansOfItsServerSpanWithoutKeysOrValues(Vertx vertx) {
    RedisSupport.assumeRunning();
    RedisSupport redis = new RedisSupport(vertx);
    OtlpReceiver collector = OtlpReceiver.start(vertx);
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    GatewayHarness gw = GatewayHarness.start(vertx, upstream, redis.settings(exporting(collector, 0.0)));
    try {
      String trace = "2bf92f3577b34da6a3ce929d0e0e4731";
      Traceparent answer = Traceparent.parse(embed(gw, C2C, Traceparent.of(trace, CALLER_SPAN, "01"))
          .getHeader("traceparent"));
      assertThat(answer.traceId()).isEqualTo(trace);
      // the server span ends last (it waits for the store); the rest of the trace is in by then
      collector.await(1, s -> s.traceId().equals(trace) && s.kind().equals("SPAN_KIND_SERVER"), "the server span");
      List<ReceivedSpan> spans = collector.trace(trace);
      ReceivedSpan server = only(spans, "SPAN_KIND_SERVER");
      List<ReceivedSpan> commands = spans.stream().filter(s -> "redis".equals(s.attribute("db.system"))).toList();

      assertThat(commands).as("the shared cache lookup, the lock and the store at least")
          .hasSizeGreaterThanOrEqualTo(3);
      assertThat(commands).allSatisfy(c -> {
        assertThat(c.kind()).isEqualTo("SPAN_KIND_CLIENT");
        assertThat(c.parentSpanId()).isEqualTo(server.spanId());
        assertThat(c.attribute("db.system.name")).isEqualTo("redis");
        assertThat(c.attribute("db.operation")).isEqualTo(c.name()).matches("[A-Z]+");
        assertThat(c.attribute("db.operation.name")).isEqualTo(c.name());
        assertThat(c.attributes().keySet()).allMatch(k -> k.startsWith("db.") || k.equals("error.type"));
        for (String text : c.strings()) {
          assertThat(text).doesNotContain(redis.prefix).doesNotContain(C2C).doesNotContain("tok-");
        }
      });
      assertThat(commands).extracting(ReceivedSpan::name).contains("PIPELINE", "EVAL");
      assertThat(commands).filteredOn(c -> c.name().equals("PIPELINE"))
          .allSatisfy(c -> assertThat(c.attribute("db.operation.batch.size")).isEqualTo("2"));
      assertThat(spans).filteredOn(s -> s.kind().equals("SPAN_KIND_CLIENT") && s.attribute("db.system") == null)
          .as("the SignalWire call").hasSize(1);
      assertThat(collector.spans()).as("background commands (the PING probe) are not traced")
          .allMatch(s -> s.traceId().equals(trace));
    } finally {
      gw.stop();
      redis.close();
    }
  }
}
