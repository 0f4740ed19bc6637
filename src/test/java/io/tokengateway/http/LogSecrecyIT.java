package io.tokengateway.http;

import static io.tokengateway.support.GatewayHarness.ADDRESS;
import static io.tokengateway.support.GatewayHarness.API_TOKEN;
import static io.tokengateway.support.GatewayHarness.C2C;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokengateway.config.GatewayConfig;
import io.tokengateway.support.FakeSignalWire;
import io.tokengateway.support.GatewayHarness;
import io.tokengateway.support.LogCapture;
import io.tokengateway.support.ManualTime;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A captured log of successes, every kind of failure and the summaries of rejection floods never contains a
 * token or a credential (the lines as the production encoder writes them).
 */
@ExtendWith(VertxExtension.class)
class LogSecrecyIT {

  private static final String CALLER_AUTH = "Bearer caller-secret-abc123";
  private static final String REFRESH = "/api/fabric/subscribers/tokens/refresh";
  /** A field name that must never reach a log line (it is echoed, bounded, in the 422 body only). */
  private static final String SECRET_FIELD = "pasted-secret-field-9d2b7c";
  private static final List<String> SECRETS = List.of(C2C, API_TOKEN, CALLER_AUTH, "caller-secret-abc123",
      SECRET_FIELD, Base64.getEncoder().encodeToString((GatewayHarness.PROJECT_ID + ":" + API_TOKEN)
          .getBytes(StandardCharsets.UTF_8)));

  @Test
  void noTokenOrCredentialInAnyLogLine(Vertx vertx) {
    LogCapture captured = LogCapture.of(org.slf4j.Logger.ROOT_LOGGER_NAME);
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    GatewayHarness gw = GatewayHarness.start(vertx, upstream, Map.of());
    List<String> issued = new ArrayList<>();
    try {
      MultiMap auth = MultiMap.caseInsensitiveMultiMap().add("Authorization", CALLER_AUTH);
      String guestBody = "{\"allowed_addresses\":[\"" + ADDRESS + "\"]}";
      issued.add(gw.embed(C2C).bodyAsJsonObject().getString("token"));
      var guest = gw.post("/api/fabric/guests/tokens", "application/json", guestBody, auth).bodyAsJsonObject();
      issued.add(guest.getString("token"));
      issued.add(guest.getString("refresh_token"));
      String refreshBody = "{\"refresh_token\":\"" + guest.getString("refresh_token") + "\"}";
      var refreshed = gw.post(REFRESH, "application/json", refreshBody, auth).bodyAsJsonObject();
      issued.add(refreshed.getString("token"));
      issued.add(refreshed.getString("refresh_token"));
      gw.postJson(REFRESH, "{\"refresh_token\":\"" + guest.getString("refresh_token") + "!\"}");
      gw.postJson(REFRESH, "{\"refresh_token\":\"" + refreshed.getString("refresh_token") + "\",\"" + SECRET_FIELD
          + "\":1}");
      gw.guest("{\"allowed_addresses\":[\"" + ADDRESS + "\"],\"" + SECRET_FIELD + "\":\"" + C2C + "\"}");
      gw.post("/" + C2C, "application/json", "{\"token\":\"" + C2C + "\"}", auth);
      gw.postJson("/api/fabric/embeds/tokens", "{\"token\":\"" + C2C + "!\"}");
      upstream.answer(401, "{\"error\":\"Unauthorized\"}");
      gw.guest(guestBody);
      gw.post(REFRESH, "application/json", refreshBody, auth);
      upstream.answer(403, "{\"error\":\"Forbidden\"}");
      gw.postJson(REFRESH, refreshBody);
      upstream.hang();
      gw.postJson(REFRESH, refreshBody);
      upstream.answer(500, "{\"error\":\"Internal Server Error\"}");
      gw.embed(C2C);
      upstream.hang();
      gw.embed(C2C);
    } finally {
      upstream.releaseHanging();
      gw.stop();
      captured.close();
    }

    List<String> lines = captured.lines();
    assertThat(lines).as("access lines were captured").anyMatch(l -> l.contains("\"logger_name\":\"access\""));
    assertThat(lines).as("the credentials error was logged").anyMatch(l -> l.contains("SIGNALWIRE_API_TOKEN"));
    assertThat(lines).as("the refresh scope error was logged").anyMatch(l -> l.contains("lacks the scope"));
    assertThat(lines).as("refresh requests are logged under their own path")
        .anyMatch(l -> l.contains("\"path\":\"" + REFRESH + "\""));
    List<String> secrets = new ArrayList<>(SECRETS);
    secrets.addAll(issued);
    assertNoSecret(lines, secrets);
  }

  @Test
  void noTokenOrCredentialInRejectionSummaries(Vertx vertx) {
    ManualTime time = new ManualTime(Instant.parse("2026-11-24T10:00:00Z"));
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    GatewayHarness gw = GatewayHarness.start(vertx, GatewayConfig.of(GatewayHarness.settings(upstream, Map.of(
        "client.rateLimit.perSecond", 1, "client.rateLimit.burst", 25, "log.rejectionLinesPerInterval", 1))),
        time.time());
    List<String> lines;
    try (LogCapture captured = LogCapture.of(org.slf4j.Logger.ROOT_LOGGER_NAME)) {
      MultiMap auth = MultiMap.caseInsensitiveMultiMap().add("Authorization", CALLER_AUTH);
      try {
        for (int i = 0; i < 20; i++) {
          gw.post("/api/fabric/embeds/tokens", "application/json", "{\"token\":\"" + C2C + "!\"}", auth);
        }
        for (int i = 0; i < 25; i++) { // 5 answered, then limited
          gw.post("/api/fabric/embeds/tokens", "application/json", "{\"token\":\"" + C2C + "\"}", auth);
        }
      } finally {
        gw.stop();
      }
      lines = captured.lines();
    }
    assertThat(lines).filteredOn(l -> l.contains("rejections summarized"))
        .anyMatch(l -> l.contains("\"reason\":\"invalid_request\"") && l.contains("\"suppressed\":19"))
        .anyMatch(l -> l.contains("\"reason\":\"client_limited\"") && l.contains("\"suppressed\":19"));
    assertNoSecret(lines, SECRETS);
  }

  private static void assertNoSecret(List<String> lines, List<String> secrets) {
    for (String line : lines) {
      for (String secret : secrets) {
        assertThat(line).doesNotContain(secret);
      }
    }
  }
}
