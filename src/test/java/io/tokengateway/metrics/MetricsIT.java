package io.tokengateway.metrics;

import static io.tokengateway.support.Await.await;
import static io.tokengateway.support.GatewayHarness.C2C;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokengateway.support.FakeSignalWire;
import io.tokengateway.support.GatewayHarness;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** /metrics after a few requests: every gateway meter, values that move, and no secret or address in a label. */
@ExtendWith(VertxExtension.class)
class MetricsIT {

  @Test
  void scrapeShowsEveryMeterWithChangingValuesAndNoSecrets(Vertx vertx) {
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    GatewayHarness gw = GatewayHarness.start(vertx, upstream, Map.of());
    try {
      String before = gw.get("/metrics").bodyAsString();
      gw.embed(C2C);
      gw.embed(C2C);
      gw.guest("{\"allowed_addresses\":[\"" + GatewayHarness.ADDRESS + "\"]}");
      HttpResponse<Buffer> scrape = gw.get("/metrics");
      String text = scrape.bodyAsString();

      assertThat(scrape.statusCode()).isEqualTo(200);
      assertThat(scrape.getHeader("Content-Type")).startsWith("text/plain");
      for (String name : GatewayMetrics.NAMES) {
        if (GatewayMetrics.CLUSTER_NAMES.contains(name)) {
          assertThat(text).as(name + " only in cluster mode").doesNotContain(name);
          continue;
        }
        assertThat(text).as(name).containsPattern("(?m)^" + name + "(_count|_bucket|_sum|_max)?[{ ]");
      }
      assertThat(value(text, "gateway_embed_cache_total{result=\"hit\"}")).isEqualTo(1.0);
      assertThat(value(text, "gateway_embed_cache_total{result=\"miss\"}")).isEqualTo(1.0);
      assertThat(value(before, "gateway_embed_cache_total{result=\"hit\"}")).isZero();
      assertThat(value(text, "gateway_upstream_requests_total{endpoint=\"embeds\",outcome=\"success\"}"))
          .isEqualTo(1.0);
      assertThat(value(text, "gateway_requests_total{endpoint=\"embeds\",status=\"201\"}")).isEqualTo(2.0);
      assertThat(value(text, "gateway_embed_cache_size")).isEqualTo(1.0);
      assertThat(text).contains("gateway_request_duration_seconds_bucket{endpoint=\"embeds\"");
      assertThat(text).doesNotContain(C2C).doesNotContain("127.0.0.1").doesNotContain(GatewayHarness.API_TOKEN)
          .doesNotContain("/api/fabric");
    } finally {
      gw.stop();
    }
  }

  @Test
  void adminPurgeNeedsTheBearerAndDropsEntries(Vertx vertx) {
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    GatewayHarness off = GatewayHarness.start(vertx, upstream, Map.of());
    GatewayHarness gw = GatewayHarness.start(vertx, upstream, Map.of("management.adminToken", "s3cret-admin"));
    try {
      assertThat(await(off.client.delete("/admin/embed-cache").send()).statusCode()).as("not enabled").isEqualTo(404);
      assertThat(await(gw.client.delete("/admin/embed-cache").send()).statusCode()).isEqualTo(401);
      assertThat(await(gw.client.delete("/admin/embed-cache").bearerTokenAuthentication("wrong").send())
          .statusCode()).isEqualTo(401);

      gw.embed(C2C);
      gw.embed("c2c_otherToken001");
      HttpResponse<Buffer> one = await(gw.client.post("/admin/embed-cache/purge")
          .bearerTokenAuthentication("s3cret-admin").sendJsonObject(new io.vertx.core.json.JsonObject().put("token", C2C)));
      assertThat(one.bodyAsJsonObject().getInteger("purged")).isEqualTo(1);
      assertThat(gw.embed(C2C).getHeader("X-Cache")).isEqualTo("MISS");
      assertThat(gw.embed("c2c_otherToken001").getHeader("X-Cache")).isEqualTo("HIT");

      assertThat(await(gw.client.delete("/admin/embed-cache").bearerTokenAuthentication("s3cret-admin").send())
          .statusCode()).isEqualTo(200);
      assertThat(gw.embed("c2c_otherToken001").getHeader("X-Cache")).isEqualTo("MISS");
    } finally {
      off.stop();
      gw.stop();
    }
  }

  @Test
  void aManagementPortTakesMetricsAndAdminOffTheMainPort(Vertx vertx) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    GatewayHarness gw = GatewayHarness.start(vertx, upstream, Map.of("management.port", port,
        "management.host", "127.0.0.1", "management.adminToken", "s3cret-admin"));
    try {
      WebClient mgmt = WebClient.create(vertx);
      assertThat(await(mgmt.get(port, "127.0.0.1", "/metrics").send()).statusCode()).isEqualTo(200);
      assertThat(await(mgmt.get(port, "127.0.0.1", "/health/ready").send()).statusCode()).isEqualTo(200);
      assertThat(gw.get("/metrics").statusCode()).isEqualTo(404);
      assertThat(await(gw.client.delete("/admin/embed-cache").bearerTokenAuthentication("s3cret-admin").send())
          .statusCode()).isEqualTo(404);
      assertThat(await(mgmt.delete(port, "127.0.0.1", "/admin/embed-cache")
          .bearerTokenAuthentication("s3cret-admin").send()).statusCode()).isEqualTo(200);
    } finally {
      gw.stop();
    }
  }

  private static double value(String scrape, String series) {
    return GatewayHarness.metric(scrape, series).orElse(0.0);
  }
}
