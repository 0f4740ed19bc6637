package io.tokengateway.http;

import static io.tokengateway.support.GatewayHarness.C2C;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.tokengateway.support.AccessLines;
import io.tokengateway.support.FakeSignalWire;
import io.tokengateway.support.GatewayHarness;
import io.tokengateway.support.RawHttp;
import io.tokengateway.support.RawHttp.Answer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Strict HTTP/1.1 (RFC 9112) on the wire, one row per rule: a request the gateway must not read leniently is
 * answered in SignalWire's error shape (a version it does not serve, in HTTP/1.1) and the connection is closed;
 * a request pipelined behind it is never answered, and SignalWire is never called. The forms nearby that stay
 * accepted have their own rows; so do the access line's bounds and the {@code Allow} of a 405.
 */
@ExtendWith(VertxExtension.class)
class StrictFramingIT {

  private static final String EMBEDS = "/api/fabric/embeds/tokens";
  private static final String BODY = new JsonObject().put("token", C2C).encode();
  private static final String SIZE = Integer.toHexString(BODY.length());
  private static final String NEXT = RawHttp.get("/health/live");
  private static final String ADMIN = "s3cret-admin";
  private static final long CLOSE_WITHIN_MS = 3_000;

  private FakeSignalWire upstream;
  private GatewayHarness gw;
  private AccessLines access;

  @BeforeEach
  void start(Vertx vertx) {
    upstream = FakeSignalWire.start(vertx);
    gw = GatewayHarness.start(vertx, upstream, Map.of("management.adminToken", ADMIN));
    access = new AccessLines();
  }

  @AfterEach
  void stop() {
    access.close();
    gw.stop();
  }

  static Stream<Arguments> refused() {
    return Stream.of(
        // only HTTP/1.0 and HTTP/1.1 are answered
        row("version HTTP/1.2", "GET /health/live HTTP/1.2\r\nHost: a\r\n\r\n", 505),
        row("version HTTP/1.9", "GET /health/live HTTP/1.9\r\nHost: a\r\n\r\n", 505),
        row("version HTTP/2.0 without h2c", "GET /health/live HTTP/2.0\r\nHost: a\r\n\r\n", 505),
        row("version HTTP/0.9", "GET /health/live HTTP/0.9\r\nHost: a\r\n\r\n", 505),
        row("version in lower case", "GET /health/live http/1.1\r\nHost: a\r\n\r\n", 505),
        row("version with a leading zero", "GET /health/live HTTP/01.1\r\nHost: a\r\n\r\n", 505),
        // no obs-fold anywhere in the head
        row("obs-fold in Transfer-Encoding", chunkedPost("Transfer-Encoding:\r\n chunked", SIZE), 400),
        row("obs-fold by HTAB in Transfer-Encoding", chunkedPost("Transfer-Encoding:\r\n\tchunked", SIZE), 400),
        row("obs-fold continuing Transfer-Encoding", chunkedPost("Transfer-Encoding: chunked\r\n ,identity", SIZE),
            400),
        row("obs-fold in another header", "GET /health/live HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n", 400),
        row("obs-fold in Host", "GET /health/live HTTP/1.1\r\nHost:\r\n a\r\n\r\n", 400),
        row("obs-fold in Content-Length", "POST " + EMBEDS + " HTTP/1.1\r\nHost: a\r\nContent-Type: application/json"
            + "\r\nContent-Length:\r\n " + BODY.length() + "\r\n\r\n" + BODY, 400),
        row("a first header line starting with a space", "GET /health/live HTTP/1.1\r\n X-A: b\r\nHost: a\r\n\r\n",
            400),
        // exactly one Host on HTTP/1.1 (RFC 9112 section 3.2)
        row("two Host", "GET /health/live HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", 400),
        row("two Host, cases differing", "GET /health/live HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n", 400),
        row("two Host on HTTP/1.0", "GET /health/live HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", 400),
        row("no Host on HTTP/1.1, token path", RawHttp.post(EMBEDS, BODY).replace("Host: 127.0.0.1\r\n", ""), 400),
        row("no Host on HTTP/1.1, routed path", "GET /health/live HTTP/1.1\r\n\r\n", 400),
        // a method of at most 16 characters
        row("a 17-character method", "ABCDEFGHIJKLMNOPQ /health/live HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        // chunk-size lines of hex digits, an extension after ';' aside
        row("chunk size after a space", chunkedPost("Transfer-Encoding: chunked", " " + SIZE), 400),
        row("chunk size after a tab", chunkedPost("Transfer-Encoding: chunked", "\t" + SIZE), 400),
        row("chunk size before a space", chunkedPost("Transfer-Encoding: chunked", SIZE + " "), 400),
        row("chunk size before a tab", chunkedPost("Transfer-Encoding: chunked", SIZE + "\t"), 400),
        row("chunk size before a word", chunkedPost("Transfer-Encoding: chunked", SIZE + " x"), 400),
        row("chunk size with 0x", chunkedPost("Transfer-Encoding: chunked", "0x" + SIZE), 400),
        row("chunk size with a sign", chunkedPost("Transfer-Encoding: chunked", "+" + SIZE), 400),
        row("chunk size empty", chunkedPost("Transfer-Encoding: chunked", ""), 400),
        row("chunk size with a lone CR in its extension", chunkedPost("Transfer-Encoding: chunked", SIZE + ";a\rb"),
            400),
        row("chunk size over 2^31 - 1", "POST " + EMBEDS + " HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n100000000\r\n\r\n", 400),
        row("last chunk size after a space", "POST " + EMBEDS + " HTTP/1.1\r\nHost: a\r\nContent-Type: "
            + "application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + SIZE + "\r\n" + BODY + "\r\n 0\r\n\r\n", 400),
        row("obs-fold in a trailer", "POST " + EMBEDS + " HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n" + SIZE + "\r\n" + BODY + "\r\n0\r\nX-T: a\r\n b\r\n\r\n", 400));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refused")
  void isRefusedAsHttp11AndClosedAndWhatFollowsIsNeverRead(String rule, String request, int status) {
    try (RawHttp raw = RawHttp.connect(gw.gateway.port())) {
      raw.send(request + NEXT);
      assertThat(raw.millisUntilClosed(CLOSE_WITHIN_MS)).as("closed after the answer").isGreaterThanOrEqualTo(0);
      String wire = raw.unread();
      String reason = HttpResponseStatus.valueOf(status).reasonPhrase();
      String body = new JsonObject().put("error", reason).encode();
      String version = request.contains(" HTTP/1.0\r\n") ? "HTTP/1.0" : "HTTP/1.1"; // Vert.x answers 1.0 in 1.0
      assertThat(wire).as("one answer").startsWith(version + " " + status + " " + reason + "\r\n");
      assertThat(wire.toLowerCase()).contains("\r\ncontent-type: application/json\r\n");
      assertThat(wire).as("SignalWire's error shape and nothing after it: the pipelined request is never answered")
          .endsWith("\r\n\r\n" + body);
    }
    assertThat(upstream.calls()).isZero();
  }

  static Stream<Arguments> accepted() {
    return Stream.of(
        row("chunk size in upper case", chunkedPost("Transfer-Encoding: chunked", SIZE.toUpperCase()), 201),
        row("chunk size with leading zeros", chunkedPost("Transfer-Encoding: chunked", "000" + SIZE), 201),
        row("chunk size with an extension", chunkedPost("Transfer-Encoding: chunked", SIZE + ";a=1;b=\"x y\""), 201),
        row("chunk size, BWS, extension", chunkedPost("Transfer-Encoding: chunked", SIZE + " \t;a"), 201),
        row("a trailer", "POST " + EMBEDS + " HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n" + SIZE + "\r\n" + BODY + "\r\n0\r\nX-T: a\r\n\r\n", 201),
        row("no Host on HTTP/1.0", "GET /health/live HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 200),
        row("header values with inner spaces", "GET /health/live HTTP/1.1\r\nHost: a\r\nX-A: b  c\t d\r\n\r\n", 200),
        row("a 16-character method", "ABCDEFGHIJKLMNOP /health/live HTTP/1.1\r\nHost: a\r\n\r\n", 405));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("accepted")
  void isServedAndTheConnectionKept(String form, String request, int status) {
    try (RawHttp raw = RawHttp.connect(gw.gateway.port())) {
      raw.send(request);
      Answer answer = raw.read(5_000);
      assertThat(answer.status()).isEqualTo(status);
      assertThat(answer.connectionClose()).isFalse();
      raw.send(NEXT);
      assertThat(raw.read(5_000).status()).as("the same connection serves the next request").isEqualTo(200);
    }
  }

  @Test
  void aLongMethodIsRefusedAndLoggedBounded() {
    String method = "M".repeat(3_000);
    try (RawHttp raw = RawHttp.connect(gw.gateway.port())) {
      raw.send(method + " /health/live HTTP/1.1\r\nHost: a\r\n\r\n" + NEXT);
      Answer answer = raw.read(5_000);
      assertThat(answer.status()).isEqualTo(400);
      assertThat(answer.body()).isEqualTo(new JsonObject().put("error", "Bad Request").encode());
      assertThat(raw.millisUntilClosed(CLOSE_WITHIN_MS)).isGreaterThanOrEqualTo(0);
      assertThat(raw.unread()).isEmpty();
    }
    JsonObject line = access.await(1).get(0);
    assertThat(line.getInteger("status")).isEqualTo(400);
    assertThat(line.getString("method")).hasSizeLessThanOrEqualTo(256).startsWith("MMMM").endsWith("...");
  }

  @Test
  void everyFieldOfTheAccessLineIsBounded() {
    try (RawHttp raw = RawHttp.connect(gw.gateway.port())) {
      raw.send("GET /" + "p".repeat(3_000) + " HTTP/1.1\r\nHost: a\r\nUser-Agent: " + "u".repeat(3_000)
          + "\r\nReferer: https://a/" + "r".repeat(3_000) + "\r\n\r\n");
      assertThat(raw.read(5_000).status()).isEqualTo(404);
    }
    JsonObject line = access.await(1).get(0);
    assertThat(line.getString("path")).isEqualTo("<other>");
    for (String field : line.fieldNames()) {
      assertThat(String.valueOf(line.getValue(field))).as(field).hasSizeLessThanOrEqualTo(256)
          .doesNotContain("ppp", "uuu", "rrr");
    }
  }

  @ParameterizedTest(name = "{0} {1}: Allow {2}")
  @CsvSource(delimiter = '|', value = {
      "POST|/metrics|GET", "PUT|/metrics|GET",
      "GET|" + EMBEDS + "|POST", "DELETE|/api/fabric/guests/tokens|POST", "OPTIONS|" + EMBEDS + "|POST",
      "POST|/health/live|GET", "DELETE|/health/ready|GET",
      "GET|/admin/embed-cache|DELETE", "POST|/admin/embed-cache|DELETE", "GET|/admin/embed-cache/purge|POST"})
  void a405NamesTheMethodsItsPathAnswers(String method, String path, String allow) {
    try (RawHttp raw = RawHttp.connect(gw.gateway.port())) {
      raw.send(method + " " + path + " HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer " + ADMIN
          + "\r\nContent-Length: 0\r\n\r\n");
      Answer answer = raw.read(5_000);
      assertThat(answer.status()).isEqualTo(405);
      assertThat(answer.header("allow")).isEqualTo(allow);
      assertThat(answer.body()).isEqualTo(new JsonObject().put("error", "Method Not Allowed").encode());
    }
  }

  @Test
  void a405OnTheManagementPortNamesTheMethodsItsPathAnswers(Vertx vertx) {
    int port = ConnectionLimitsIT.freePort();
    GatewayHarness managed = GatewayHarness.start(vertx, upstream, Map.of("management.port", port,
        "management.host", "127.0.0.1", "management.adminToken", ADMIN));
    try {
      for (String[] row : new String[][] {{"POST", "/metrics", "GET"}, {"POST", "/health/live", "GET"},
          {"GET", "/admin/embed-cache", "DELETE"}, {"DELETE", "/admin/embed-cache/purge", "POST"}}) {
        try (RawHttp raw = RawHttp.connect(port)) {
          raw.send(row[0] + " " + row[1] + " HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer " + ADMIN
              + "\r\nContent-Length: 0\r\n\r\n");
          Answer answer = raw.read(5_000);
          assertThat(answer.status()).as(row[0] + " " + row[1]).isEqualTo(405);
          assertThat(answer.header("allow")).as(row[0] + " " + row[1]).isEqualTo(row[2]);
        }
      }
    } finally {
      managed.stop();
    }
  }

  /** A chunked embed request with the framing header {@code framing} and its one chunk's size line {@code size}. */
  private static String chunkedPost(String framing, String size) {
    return "POST " + EMBEDS + " HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n" + framing + "\r\n\r\n"
        + size + "\r\n" + BODY + "\r\n0\r\n\r\n";
  }

  private static Arguments row(String name, String request, int status) {
    return Arguments.of(name, request, status);
  }
}
