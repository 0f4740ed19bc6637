package io.tokengateway.tracing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.tokengateway.config.TracingOptions;
import io.tokengateway.metrics.GatewayMetrics;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Properties;
import java.util.UUID;

/**
 * The OpenTelemetry SDK as the gateway uses it when {@code tracing.otlp.endpoint} is set: a parent-based
 * ratio sampler, one {@link BatchSpanProcessor} (a bounded queue an event loop only offers to, dropping when
 * full, and its own worker thread) in front of the OTLP/HTTP protobuf exporter, whose HTTP sender is the JDK's
 * ({@code opentelemetry-exporter-sender-jdk}: {@code java.net.http} on its own executor). Nothing here runs on an
 * event loop but ending a span, which is a queue offer.
 */
final class OtlpExport {

  static final String SERVICE_NAME = "token-gateway";
  private static final AttributeKey<String> SERVICE_NAME_KEY = AttributeKey.stringKey("service.name");
  private static final AttributeKey<String> SERVICE_VERSION_KEY = AttributeKey.stringKey("service.version");
  private static final AttributeKey<String> SERVICE_INSTANCE_KEY = AttributeKey.stringKey("service.instance.id");

  private OtlpExport() {
  }

  static SdkTracerProvider provider(TracingOptions options, GatewayMetrics metrics) {
    SpanCounts counts = new SpanCounts(metrics);
    OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder()
        .setEndpoint(options.tracesUrl())
        .setTimeout(Duration.ofMillis(options.otlp().timeoutMs()))
        .build();
    BatchSpanProcessor processor = BatchSpanProcessor.builder(counts.counted(exporter))
        .setMaxQueueSize(options.otlp().queueSize())
        .setMaxExportBatchSize(options.otlp().batchSize())
        .setScheduleDelay(Duration.ofMillis(options.otlp().scheduleDelayMs()))
        .setExporterTimeout(Duration.ofMillis(options.otlp().timeoutMs()))
        .build();
    return SdkTracerProvider.builder()
        .setResource(resource())
        .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(options.sampleRatio())))
        .addSpanProcessor(counts.endings())
        .addSpanProcessor(processor)
        .build();
  }

  /** service.name token-gateway, service.version this build's, service.instance.id one per process. */
  static Resource resource() {
    return Resource.getDefault().merge(Resource.create(Attributes.of(SERVICE_NAME_KEY, SERVICE_NAME,
        SERVICE_VERSION_KEY, version(), SERVICE_INSTANCE_KEY, UUID.randomUUID().toString())));
  }

  /** The project's version, written into {@code build.properties} by the build (a filtered resource). */
  static String version() {
    try (InputStream in = OtlpExport.class.getResourceAsStream("/io/tokengateway/tracing/build.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
