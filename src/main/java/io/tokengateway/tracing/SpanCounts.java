package io.tokengateway.tracing;

import io.micrometer.core.instrument.Counter;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.tokengateway.metrics.GatewayMetrics;
import java.util.Collection;

/**
 * Counts what happens to sampled spans, for {@code gateway_trace_spans_total{stage}}: ended (a processor in
 * front of the batch processor: an increment on the event loop), then exported or failed (the exporter, wrapped:
 * counted when the OTLP export completes, on the exporter's threads). The batch processor drops silently when its
 * queue is full; a steady gap between ended and the other two shows it.
 */
final class SpanCounts {

  private final Counter ended;
  private final Counter exported;
  private final Counter failed;

  SpanCounts(GatewayMetrics metrics) {
    this.ended = metrics.traceSpans("ended");
    this.exported = metrics.traceSpans("exported");
    this.failed = metrics.traceSpans("failed");
  }

  /** Counts every sampled span that ends; does nothing else. */
  SpanProcessor endings() {
    return new SpanProcessor() {
      @Override
      public void onStart(Context parent, ReadWriteSpan span) {
      }

      @Override
      public boolean isStartRequired() {
        return false;
      }

      @Override
      public void onEnd(ReadableSpan span) {
        if (span.getSpanContext().isSampled()) {
          ended.increment();
        }
      }

      @Override
      public boolean isEndRequired() {
        return true;
      }
    };
  }

  /** {@code exporter}, its results counted. */
  SpanExporter counted(SpanExporter exporter) {
    return new SpanExporter() {
      @Override
      public CompletableResultCode export(Collection<SpanData> spans) {
        int n = spans.size();
        CompletableResultCode result = exporter.export(spans);
        result.whenComplete(() -> (result.isSuccess() ? exported : failed).increment(n));
        return result;
      }

      @Override
      public CompletableResultCode flush() {
        return exporter.flush();
      }

      @Override
      public CompletableResultCode shutdown() {
        return exporter.shutdown();
      }
    };
  }
}
