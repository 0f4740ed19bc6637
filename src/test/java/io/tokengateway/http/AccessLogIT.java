package io.tokengateway.http;

import static io.tokengateway.support.GatewayHarness.ADDRESS;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.tokengateway.support.FakeSignalWire;
import io.tokengateway.support.GatewayHarness;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/** The access line of a routed request names how it ended upstream, errors included. */
@ExtendWith(VertxExtension.class)
class AccessLogIT {

  @Test
  void routedErrorsLogTheirUpstreamOutcome(Vertx vertx) {
    Logger access = (Logger) LoggerFactory.getLogger("access");
    ListAppender<ILoggingEvent> captured = new ListAppender<>();
    captured.start();
    access.addAppender(captured);
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    GatewayHarness gw = GatewayHarness.start(vertx, upstream, Map.of());
    try {
      gw.guest("{\"allowed_addresses\":[\"" + ADDRESS + "\"]}");
      gw.guest("{\"allowed_addresses\":[]}");
      upstream.answer(401, "{\"error\":\"Unauthorized\"}");
      gw.postJson(RefreshTokenIT.REFRESH, "{\"refresh_token\":\"" + RefreshTokenIT.REFRESH_TOKEN + "\"}");
      upstream.answer(500, "{\"error\":\"Internal Server Error\"}");
      gw.guest("{\"allowed_addresses\":[\"" + ADDRESS + "\"]}");
    } finally {
      gw.stop();
      access.detachAppender(captured);
    }
    List<String> lines = captured.list.stream().map(e -> Arrays.toString(e.getArgumentArray())).toList();
    assertThat(lines).hasSize(4);
    assertThat(lines.get(0)).contains("status=201", "upstream=success");
    assertThat(lines.get(1)).contains("status=422", "upstream=invalid_request");
    assertThat(lines.get(2)).contains("path=/api/fabric/subscribers/tokens/refresh", "status=401",
        "upstream=client_error");
    assertThat(lines.get(3)).contains("status=502", "upstream=server_error");
  }
}
