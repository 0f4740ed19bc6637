package io.tokengateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The tracing settings: export off by default, the collector's URL, and one-line refusals naming the setting. */
class TracingOptionsTest {

  @Test
  void exportIsOffByDefaultAndTheRatioIsATenth() {
    TracingOptions defaults = GatewayConfig.of(Map.of()).tracing();
    assertThat(defaults.exportEnabled()).isFalse();
    assertThat(defaults.propagate()).as("W3C trace context on").isTrue();
    assertThat(defaults.sampleRatio()).isEqualTo(0.1);
    assertThat(defaults.otlp().queueSize()).isEqualTo(2048);
    assertThat(defaults.otlp().batchSize()).isEqualTo(512);
  }

  @Test
  void theEnvironmentTurnsExportOn() {
    TracingOptions on = GatewayConfig.from(ConfigLoader.load(Map.of(
        "GATEWAY_TRACING_OTLP_ENDPOINT", "http://otel-collector:4318", "GATEWAY_TRACING_SAMPLE_RATIO", "0.25")))
        .tracing();
    assertThat(on.exportEnabled()).isTrue();
    assertThat(on.sampleRatio()).isEqualTo(0.25);
  }

  @ParameterizedTest
  @CsvSource({
      "http://otel-collector:4318, http://otel-collector:4318/v1/traces",
      "http://otel-collector:4318/, http://otel-collector:4318/v1/traces",
      "https://collector.example.com/otlp, https://collector.example.com/otlp/v1/traces",
      "http://127.0.0.1:4318/v1/traces, http://127.0.0.1:4318/v1/traces"})
  void spansGoToTheCollectorsTracesPath(String endpoint, String url) {
    assertThat(GatewayConfig.of(Map.of("tracing.otlp.endpoint", endpoint)).tracing().tracesUrl()).isEqualTo(url);
  }

  @ParameterizedTest
  @ValueSource(strings = {"otel-collector:4318", "grpc://otel-collector:4317", "http://", "http://c:4318/?a=b",
      "not a url", "/v1/traces"})
  void aBadEndpointStopsTheStartWithOneLineNamingTheSetting(String endpoint) {
    assertThatThrownBy(() -> GatewayConfig.of(Map.of("tracing.otlp.endpoint", endpoint)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("tracing.otlp.endpoint (GATEWAY_TRACING_OTLP_ENDPOINT) must be an http:// or https://")
        .hasMessageNotContaining("\n");
  }

  @Test
  void credentialsInTheEndpointAreRefusedWithoutBeingShown() {
    assertThatThrownBy(() -> GatewayConfig.of(Map.of("tracing.otlp.endpoint", "https://user:s3cret@collector:4318")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("tracing.otlp.endpoint")
        .hasMessageNotContaining("s3cret");
  }

  @Test
  void outOfRangeValuesAreRefused() {
    assertThatThrownBy(() -> GatewayConfig.of(Map.of("tracing.sampleRatio", 1.5)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("tracing.sampleRatio (GATEWAY_TRACING_SAMPLE_RATIO)");
    assertThatThrownBy(() -> GatewayConfig.of(Map.of("tracing.otlp.queueSize", 0)))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("tracing.otlp.queueSize");
    assertThatThrownBy(() -> GatewayConfig.of(Map.of("tracing.otlp.timeoutMs", "soon")))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("tracing.otlp.timeoutMs");
    assertThatThrownBy(() -> GatewayConfig.of(Map.of("tracing.otlp.batchSize", 4096)))
        .isInstanceOf(ConfigException.class)
        .hasMessage("tracing.otlp.batchSize (GATEWAY_TRACING_OTLP_BATCH_SIZE) must not exceed tracing.otlp.queueSize"
            + " (GATEWAY_TRACING_OTLP_QUEUE_SIZE), got 4096 > 2048");
  }

  @Test
  void propagationIsW3cOrNoneAndExportNeedsW3c() {
    assertThat(GatewayConfig.from(ConfigLoader.load(Map.of("GATEWAY_TRACING_PROPAGATION", "none"))).tracing()
        .propagate()).isFalse();
    assertThatThrownBy(() -> GatewayConfig.of(Map.of("tracing.propagation", "b3")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("tracing.propagation (GATEWAY_TRACING_PROPAGATION) must be 'w3c' or 'none', got 'b3'");
    assertThatThrownBy(() -> GatewayConfig.of(Map.of("tracing.propagation", "none",
        "tracing.otlp.endpoint", "http://otel-collector:4318")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("tracing.otlp.endpoint (GATEWAY_TRACING_OTLP_ENDPOINT) needs tracing.propagation")
        .hasMessageNotContaining("\n");
  }
}
