package io.tokengateway.http;

import static io.tokengateway.support.Await.await;
import static io.tokengateway.support.GatewayHarness.C2C;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokengateway.support.FakeSignalWire;
import io.tokengateway.support.GatewayHarness;
import io.tokengateway.support.RawHttp;
import io.tokengateway.support.RawHttp.Answer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * HTTP/2 without TLS (h2c) is served only when {@code http.h2c} is on, by prior knowledge and by upgrade; where
 * it is served, Netty's rapid-reset guard closes a connection that resets streams faster than it allows.
 */
@ExtendWith(VertxExtension.class)
class H2cIT {

  private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
  private static final int SETTINGS = 0x4;
  private static final int GOAWAY = 0x7;
  private static final int ENHANCE_YOUR_CALM = 0xb;
  private static final String UPGRADE = "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      + "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n";

  private GatewayHarness gw;

  private void start(Vertx vertx, boolean h2c) {
    gw = GatewayHarness.start(vertx, FakeSignalWire.start(vertx), Map.of("http.h2c", h2c));
  }

  @AfterEach
  void stop() {
    gw.stop();
  }

  @Test
  void aPriorKnowledgePrefaceIsRefusedByDefault(Vertx vertx) {
    start(vertx, false);
    try (RawHttp raw = RawHttp.connect(gw.gateway.port())) {
      raw.send(concat(PREFACE, frame(SETTINGS, 0, 0, new byte[0])));
      assertThat(raw.millisUntilClosed(5_000)).as("closed").isGreaterThanOrEqualTo(0);
      assertThat(raw.unread()).as("an HTTP/1.1 refusal, never an HTTP/2 SETTINGS frame").startsWith("HTTP/1.1 ");
    }
  }

  @Test
  void anUpgradeToH2cIsIgnoredByDefault(Vertx vertx) {
    start(vertx, false);
    try (RawHttp raw = RawHttp.connect(gw.gateway.port())) {
      raw.send(UPGRADE);
      Answer answer = raw.read(5_000);
      assertThat(answer.status()).as("served over HTTP/1.1, not switched").isEqualTo(200);
      assertThat(answer.header("upgrade")).isNull();
    }
  }

  @Test
  void h2cIsServedByPriorKnowledgeAndUpgradeWhenConfigured(Vertx vertx) {
    start(vertx, true);
    HttpClient h2 = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false));
    try {
      AtomicReference<HttpClientResponse> response = new AtomicReference<>();
      Buffer body = await(h2.request(new RequestOptions().setMethod(HttpMethod.POST)
              .setHost("127.0.0.1").setPort(gw.gateway.port()).setURI("/api/fabric/embeds/tokens")
              .putHeader("Content-Type", "application/json"))
          .compose(req -> req.send(new JsonObject().put("token", C2C).encode()))
          .compose(r -> {
            response.set(r);
            return r.body(); // asked for on the event loop, before the body arrives
          }));
      assertThat(response.get().version()).isEqualTo(HttpVersion.HTTP_2);
      assertThat(response.get().statusCode()).isEqualTo(201);
      assertThat(body.toJsonObject().getString("token")).isNotBlank();
    } finally {
      h2.close();
    }
    try (RawHttp raw = RawHttp.connect(gw.gateway.port())) {
      raw.send(UPGRADE);
      assertThat(raw.read(5_000).status()).as("switched to h2c").isEqualTo(101);
    }
  }

  @Test
  void rapidResetsCloseAnH2cConnection(Vertx vertx) {
    start(vertx, true);
    ByteArrayOutputStream flood = new ByteArrayOutputStream();
    flood.writeBytes(PREFACE);
    flood.writeBytes(frame(SETTINGS, 0, 0, new byte[0]));
    byte[] authority = "127.0.0.1".getBytes(StandardCharsets.ISO_8859_1);
    ByteBuffer block = ByteBuffer.allocate(5 + authority.length);
    // HPACK: :method GET, :scheme http, :path /, :authority literal without indexing (name index 1)
    block.put((byte) 0x82).put((byte) 0x86).put((byte) 0x84).put((byte) 0x01).put((byte) authority.length)
        .put(authority);
    for (int i = 0; i < 300; i++) {
      int stream = 2 * i + 1;
      flood.writeBytes(frame(0x1, 0x5, stream, block.array())); // HEADERS, END_STREAM | END_HEADERS
      flood.writeBytes(frame(0x3, 0, stream, new byte[] {0, 0, 0, 0x8})); // RST_STREAM CANCEL
    }
    try (RawHttp raw = RawHttp.connect(gw.gateway.port())) {
      raw.send(flood.toByteArray());
      assertThat(raw.millisUntilClosed(5_000)).as("the connection is closed").isGreaterThanOrEqualTo(0);
      assertThat(goAwayCode(raw.unread().getBytes(StandardCharsets.ISO_8859_1)))
          .as("with a GOAWAY ENHANCE_YOUR_CALM").isEqualTo(ENHANCE_YOUR_CALM);
    }
  }

  /** The error code of the first GOAWAY frame in {@code bytes} (a server's frames), or -1. */
  private static int goAwayCode(byte[] bytes) {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    while (in.remaining() >= 9) {
      int length = (in.get() & 0xff) << 16 | (in.get() & 0xff) << 8 | (in.get() & 0xff);
      int type = in.get() & 0xff;
      in.get(); // flags
      in.getInt(); // stream
      if (in.remaining() < length) {
        return -1;
      }
      if (type == GOAWAY) {
        in.getInt(); // last stream id
        return in.getInt();
      }
      in.position(in.position() + length);
    }
    return -1;
  }

  private static byte[] frame(int type, int flags, int stream, byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(9 + payload.length);
    b.put((byte) (payload.length >>> 16)).put((byte) (payload.length >>> 8)).put((byte) payload.length)
        .put((byte) type).put((byte) flags).putInt(stream).put(payload);
    return b.array();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
