package io.tokengateway.http;

import static io.tokengateway.support.GatewayHarness.ADDRESS;
import static io.tokengateway.support.GatewayHarness.API_TOKEN;
import static io.tokengateway.support.GatewayHarness.C2C;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.tokengateway.support.FakeSignalWire;
import io.tokengateway.support.GatewayHarness;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import net.logstash.logback.encoder.LogstashEncoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/** A captured log of successes and every kind of failure never contains a token or a credential. */
@ExtendWith(VertxExtension.class)
class LogSecrecyIT {

  private static final String CALLER_AUTH = "Bearer caller-secret-abc123";
  private static final String REFRESH = "/api/fabric/subscribers/tokens/refresh";
  /** A field name that must never reach a log line (it is echoed, bounded, in the 422 body only). */
  private static final String SECRET_FIELD = "pasted-secret-field-9d2b7c";

  @Test
  void noTokenOrCredentialInAnyLogLine(Vertx vertx) {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> captured = new ListAppender<>();
    captured.start();
    root.addAppender(captured);
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
      root.detachAppender(captured);
    }

    List<String> lines = encode(captured.list);
    assertThat(lines).as("access lines were captured").anyMatch(l -> l.contains("\"logger_name\":\"access\""));
    assertThat(lines).as("the credentials error was logged").anyMatch(l -> l.contains("SIGNALWIRE_API_TOKEN"));
    assertThat(lines).as("the refresh scope error was logged").anyMatch(l -> l.contains("lacks the scope"));
    assertThat(lines).as("refresh requests are logged under their own path")
        .anyMatch(l -> l.contains("\"path\":\"" + REFRESH + "\""));
    List<String> secrets = new ArrayList<>(List.of(C2C, API_TOKEN, CALLER_AUTH, "caller-secret-abc123", SECRET_FIELD,
        Base64.getEncoder().encodeToString((GatewayHarness.PROJECT_ID + ":" + API_TOKEN)
            .getBytes(StandardCharsets.UTF_8))));
    secrets.addAll(issued);
    for (String line : lines) {
      for (String secret : secrets) {
        assertThat(line).doesNotContain(secret);
      }
    }
  }

  private static List<String> encode(List<ILoggingEvent> events) {
    LogstashEncoder encoder = new LogstashEncoder();
    encoder.setContext((LoggerContext) LoggerFactory.getILoggerFactory());
    encoder.start();
    List<String> out = new ArrayList<>();
    for (ILoggingEvent e : events) {
      out.add(new String(encoder.encode(e), StandardCharsets.UTF_8));
    }
    return out;
  }
}
