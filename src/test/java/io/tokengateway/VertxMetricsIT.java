package io.tokengateway;

import io.tokengateway.core.Time;
import static io.tokengateway.support.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tokengateway.config.GatewayConfig;
import io.tokengateway.metrics.GatewayMetrics;
import io.tokengateway.support.GatewayHarness;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Vert.x instance Main builds: its own HTTP meters when enabled, none when not, never a client address. */
class VertxMetricsIT {

  private static String scrapeAfterOneEmbed(boolean vertxMetrics) {
    return scrapeAfterOneEmbed(Map.of("management.vertxMetrics", vertxMetrics));
  }

  private static String scrapeAfterOneEmbed(Map<String, ?> settings) {
    Map<String, Object> s = new HashMap<>(GatewayHarness.settings(null, settings));
    s.put("signalwire.projectId", "");
    s.put("signalwire.apiToken", "");
    GatewayConfig config = GatewayConfig.of(s);
    PrometheusMeterRegistry registry = GatewayMetrics.prometheus();
    Vertx vertx = Main.newVertx(config, registry);
    try {
      Gateway gateway = await(Gateway.start(vertx, config, Time.system(vertx), registry));
      WebClient client = WebClient.create(vertx);
      assertThat(await(client.post(gateway.port(), "127.0.0.1", "/api/fabric/embeds/tokens")
          .sendJsonObject(new JsonObject().put("token", GatewayHarness.C2C))).statusCode()).isEqualTo(201);
      String text = await(client.get(gateway.port(), "127.0.0.1", "/metrics").send()).bodyAsString();
      await(gateway.shutdown());
      return text;
    } finally {
      await(vertx.close());
    }
  }

  @Test
  void byDefaultVertxsClientAndJvmMetersAreExportedButNotItsPerRequestServerMeters() {
    String text = scrapeAfterOneEmbed(true);
    assertThat(text).contains("vertx_http_client_requests_total").contains("jvm_memory_used_bytes")
        .contains("gateway_requests_total{endpoint=\"embeds\",status=\"201\"} 1.0")
        .contains("gateway_request_duration_seconds_count{endpoint=\"embeds\"} 1");
    assertThat(text).doesNotContain("vertx_http_server_requests_total");
  }

  @Test
  void vertxHttpMetersAreExportedWithoutClientAddresses() {
    String text = scrapeAfterOneEmbed(Map.of("management.vertxMetrics", true, "management.vertxHttpServerMetrics", true));
    assertThat(text).contains("vertx_http_server_requests_total").contains("vertx_http_client_requests_total")
        .contains("gateway_requests_total");
    assertThat(text).doesNotContain("remote=").doesNotContain("path=").doesNotContain("route=")
        .doesNotContain(GatewayHarness.C2C);
  }

  @Test
  void switchedOffThereAreNoVertxMeters() {
    String text = scrapeAfterOneEmbed(false);
    assertThat(text).doesNotContain("vertx_http_server").contains("gateway_requests_total");
  }
}
