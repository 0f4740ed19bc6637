package io.tokengateway.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;

/** Assertions on the gateway's answers. */
public final class Answers {
  private Answers() {
  }

  /** A JSON error in SignalWire's {@code {"error": reason}} shape with {@code Cache-Control: no-store}. */
  public static void assertError(HttpResponse<Buffer> r, int status, String reason) {
    assertThat(r.statusCode()).isEqualTo(status);
    assertThat(r.getHeader("Content-Type")).isEqualTo("application/json");
    assertThat(r.getHeader("Cache-Control")).isEqualTo("no-store");
    assertThat(r.bodyAsJsonObject()).isEqualTo(new JsonObject().put("error", reason));
  }
}
