package io.tokengateway.http;

import static io.tokengateway.support.GatewayHarness.ADDRESS;
import static io.tokengateway.support.GatewayHarness.C2C;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokengateway.support.AccessLines;
import io.tokengateway.support.FakeSignalWire;
import io.tokengateway.support.GatewayHarness;
import io.tokengateway.support.RawHttp;
import io.tokengateway.support.RawHttp.Answer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * HTTP/1.1 message framing (RFC 9112 sections 6.1 and 6.3) on the wire: a request whose length is ambiguous
 * gets 400 and the connection is closed, so nothing after it on that connection is ever read as a request;
 * the access line says what the caller actually got.
 */
@ExtendWith(VertxExtension.class)
class FramingIT {

  private static final String EMBEDS = "/api/fabric/embeds/tokens";
  private static final String GUESTS = "/api/fabric/guests/tokens";
  private static final String BAD_REQUEST = new JsonObject().put("error", "Bad Request").encode();
  private static final long CLOSE_WITHIN_MS = 3_000;

  private FakeSignalWire upstream;
  private GatewayHarness gw;
  private AccessLines access;

  @BeforeEach
  void start(Vertx vertx) {
    upstream = FakeSignalWire.start(vertx);
    gw = GatewayHarness.start(vertx, upstream, Map.of());
    access = new AccessLines();
  }

  @AfterEach
  void stop() {
    access.close();
    gw.stop();
  }

  /** A guest token request, as a smuggler would hide it in a body. */
  private static String hiddenGuestRequest() {
    return RawHttp.post(GUESTS, "{\"allowed_addresses\":[\"" + ADDRESS + "\"]}");
  }

  @Test
  void contentLengthWithTransferEncodingIs400AndCloseAndTheHiddenRequestNeverRuns() {
    // a proxy framing by Content-Length sees one request; a server framing by chunks would see two
    String body = "0\r\n\r\n" + hiddenGuestRequest();
    String smuggling = "POST " + EMBEDS + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + "Content-Length: " + body.length() + "\r\nTransfer-Encoding: chunked\r\n\r\n" + body;
    assertRejectedAndClosed(smuggling);

    // the path works: the one call SignalWire sees is this one, never the hidden guest request
    assertThat(gw.embed(C2C).statusCode()).isEqualTo(201);
    assertThat(upstream.received()).extracting(FakeSignalWire.Received::path)
        .containsExactly("/api/fabric/embeds/tokens");
  }

  @Test
  void withH2cOnTheHiddenRequestStillNeverRuns(Vertx vertx) {
    // with h2c on, Vert.x's own decoder reads a connection's first head and drops the Content-Length: the
    // connection is then closed after the chunked request's answer, so what the chunks left over is never read
    GatewayHarness h2c = GatewayHarness.start(vertx, upstream, Map.of("http.h2c", true));
    try (RawHttp raw = RawHttp.connect(h2c.gateway.port())) {
      String body = "0\r\n\r\n" + hiddenGuestRequest();
      raw.send("POST " + EMBEDS + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          + "Content-Length: " + body.length() + "\r\nTransfer-Encoding: chunked\r\n\r\n" + body);
      Answer answer = raw.read(5_000);
      assertThat(answer).isNotNull();
      assertThat(answer.status()).isEqualTo(400);
      assertThat(answer.connectionClose()).isTrue();
      assertThat(raw.millisUntilClosed(CLOSE_WITHIN_MS)).isGreaterThanOrEqualTo(0);
      assertThat(raw.unread()).isEmpty();
    } finally {
      h2c.stop();
    }
    assertThat(upstream.calls()).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"chunked, identity", "identity", "gzip, chunked", "chunked, gzip", "chunked, chunked",
      "gzip", "x-unknown", "chunked;q=1", ""})
  void transferEncodingOtherThanExactlyChunkedIs400AndClose(String codings) {
    String chunkedBody = "5\r\n{\"a\":\r\n0\r\n\r\n";
    assertRejectedAndClosed("POST " + EMBEDS + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + "Transfer-Encoding: " + codings + "\r\n\r\n" + chunkedBody + hiddenGuestRequest());
    assertThat(upstream.calls()).as("nothing after the rejected head was read as a request").isZero();
  }

  @Test
  void transferEncodingSplitOverTwoFieldsIsJudgedAsOneList() {
    assertRejectedAndClosed("POST " + EMBEDS + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + "Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n" + hiddenGuestRequest());
    assertThat(upstream.calls()).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"Content-Length: 2\r\nContent-Length: 7", "Content-Length: 2, 7"})
  void contentLengthsThatDifferAre400AndClose(String lengths) {
    assertRejectedAndClosed("POST " + EMBEDS + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + lengths + "\r\n\r\n{}" + hiddenGuestRequest());
    assertThat(upstream.calls()).isZero();
  }

  @Test
  void transferEncodingOnHttp10Is400AndClose() {
    assertRejectedAndClosed("POST " + EMBEDS + " HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n"
        + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + hiddenGuestRequest());
    assertThat(upstream.calls()).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {EMBEDS, GUESTS})
  void anInvalidChunkSizeIs400AndCloseAndLoggedAs400(String path) {
    ch.qos.logback.classic.Logger responses = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
        .getLogger(Responses.class);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> errors =
        new ch.qos.logback.core.read.ListAppender<>();
    errors.start();
    responses.addAppender(errors);
    try {
      assertRejectedAndClosed("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          + "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\nzz\r\n0\r\n\r\n");
      access.await(1);
    } finally {
      responses.detachAppender(errors);
    }
    assertThat(errors.list).as("a caller's bad body is no server error").isEmpty();
    assertThat(upstream.calls()).isZero();
    List<JsonObject> lines = access.await(1);
    assertThat(lines).hasSize(1);
    assertThat(lines.get(0).getInteger("status")).isEqualTo(400);
    assertThat(lines.get(0).getString("path")).isEqualTo(path);
  }

  @Test
  void aRejectedHeadIsLoggedWithTheStatusItGot() {
    assertRejectedAndClosed("POST " + GUESTS + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
    JsonObject line = access.await(1).get(0);
    assertThat(line.getInteger("status")).isEqualTo(400);
    assertThat(line.getString("upstream")).isEqualTo("invalid_request");
  }

  @ParameterizedTest
  @ValueSource(strings = {EMBEDS, GUESTS})
  void aRequestWhoseCallerLeftBeforeItsBodyEndedIsLoggedWithoutAStatus(String path) {
    try (RawHttp raw = RawHttp.connect(gw.gateway.port())) {
      raw.send("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          + "Content-Length: 40\r\n\r\n{\"token\":");
    }
    JsonObject line = access.await(1).get(0);
    assertThat(line.getInteger("status")).as("no answer was sent: never logged as 200").isZero();
    assertThat(line.getString("path")).isEqualTo(path);
    assertThat(upstream.calls()).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {EMBEDS, GUESTS})
  void aWellFramedChunkedBodyIsServedAndTheConnectionKeptOpen(String path) {
    String json = path.equals(EMBEDS) ? new JsonObject().put("token", C2C).encode()
        : "{\"allowed_addresses\":[\"" + ADDRESS + "\"]}";
    int n = json.getBytes(StandardCharsets.UTF_8).length;
    try (RawHttp raw = RawHttp.connect(gw.gateway.port())) {
      raw.send("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          + "Transfer-Encoding: Chunked\r\n\r\n" + Integer.toHexString(n) + "\r\n" + json + "\r\n0\r\n\r\n");
      Answer first = raw.read(5_000);
      assertThat(first.status()).isEqualTo(201);
      assertThat(first.connectionClose()).isFalse();
      raw.send(RawHttp.get("/health/live"));
      assertThat(raw.read(5_000).status()).as("the same connection serves the next request").isEqualTo(200);
    }
  }

  private void assertRejectedAndClosed(String request) {
    try (RawHttp raw = RawHttp.connect(gw.gateway.port())) {
      raw.send(request);
      Answer answer = raw.read(5_000);
      assertThat(answer).as("an answer before the close").isNotNull();
      assertThat(answer.status()).isEqualTo(400);
      assertThat(answer.body()).isEqualTo(BAD_REQUEST);
      assertThat(answer.header("content-type")).isEqualTo("application/json");
      assertThat(raw.millisUntilClosed(CLOSE_WITHIN_MS)).as("closed after the 400").isGreaterThanOrEqualTo(0);
      assertThat(raw.unread()).as("nothing more answered on that connection").isEmpty();
    }
  }
}
