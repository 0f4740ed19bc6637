package io.tokengateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokengateway.support.FakeSignalWire;
import io.tokengateway.support.GatewayHarness;
import io.tokengateway.support.RawHttp;
import io.tokengateway.support.RawHttp.Answer;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A refused request ends its connection, on the wire: 400, 408, 413, 414, 415 (with a body) and 431 say
 * {@code Connection: close}, nothing more of the request is read, and the connection is closed after the answer.
 * A body refused for its size is not read to its end: the client can write no more than the socket buffers hold.
 * Refusals that do not concern the request's bytes (404, 405, 429, 415 without a body) keep the connection.
 */
@ExtendWith(VertxExtension.class)
class RefusedRequestsIT {

  private static final String EMBEDS = "/api/fabric/embeds/tokens";
  private static final long CLOSE_WITHIN_MS = 3_000;
  /** What the gateway may let a client write after a refused head: its socket buffers, and never a body. */
  private static final long AT_MOST_AFTER_HEAD = 1024 * 1024;

  private FakeSignalWire upstream;
  private GatewayHarness gw;

  private void start(Vertx vertx, Map<String, ?> settings) {
    upstream = FakeSignalWire.start(vertx);
    gw = GatewayHarness.start(vertx, upstream, settings);
  }

  @AfterEach
  void stop() {
    if (gw != null) {
      gw.stop();
    }
  }

  static Stream<Arguments> refusedRequests() {
    String post = "POST " + EMBEDS + " HTTP/1.1\r\nHost: h\r\n";
    return Stream.of(
        Arguments.of(400, "unparseable JSON", post + "Content-Type: application/json\r\nContent-Length: 1\r\n\r\n{"),
        Arguments.of(400, "an undecodable path", "GET /health/%zz HTTP/1.1\r\nHost: h\r\n\r\n"),
        Arguments.of(415, "another type, with a body",
            post + "Content-Type: text/plain\r\nContent-Length: 2\r\n\r\n{}"),
        Arguments.of(415, "another type, with a chunked body",
            post + "Content-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"),
        Arguments.of(413, "a declared body over the limit",
            post + "Content-Type: application/json\r\nContent-Length: 5000\r\n\r\n"),
        Arguments.of(404, "an unknown path, with a body nobody reads",
            "POST /nowhere HTTP/1.1\r\nHost: h\r\nContent-Length: 1000000000\r\n\r\n"),
        Arguments.of(405, "another method on a token path, with a chunked body nobody reads",
            "PUT " + EMBEDS + " HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n"));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("refusedRequests")
  void aRefusedRequestSaysConnectionCloseAndTheConnectionCloses(int status, String what, String request,
      Vertx vertx) {
    start(vertx, Map.of());
    try (RawHttp raw = RawHttp.connect(gw.gateway.port())) {
      raw.send(request + RawHttp.get("/health/live")); // a request pipelined behind it is never answered
      Answer answer = raw.read(5_000);
      assertThat(answer).as("an answer before the close").isNotNull();
      assertThat(answer.status()).isEqualTo(status);
      assertThat(answer.connectionClose()).as("the answer says Connection: close").isTrue();
      assertThat(raw.millisUntilClosed(CLOSE_WITHIN_MS)).as("then the close").isGreaterThanOrEqualTo(0);
      assertThat(raw.unread()).as("nothing after it is answered").isEmpty();
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {414, 431})
  void aHeadTooLongSaysConnectionCloseAndTheConnectionCloses(int status, Vertx vertx) {
    start(vertx, Map.of());
    String request = status == 414 ? "GET /health/live?" + "a".repeat(5_000) + " HTTP/1.1\r\nHost: h\r\n\r\n"
        : "GET /health/live HTTP/1.1\r\nHost: h\r\nX-Padding: " + "a".repeat(9_000) + "\r\n\r\n";
    try (RawHttp raw = RawHttp.connect(gw.gateway.port())) {
      raw.send(request);
      Answer answer = raw.read(5_000);
      assertThat(answer).isNotNull();
      assertThat(answer.status()).isEqualTo(status);
      assertThat(answer.connectionClose()).isTrue();
      assertThat(raw.millisUntilClosed(CLOSE_WITHIN_MS)).isGreaterThanOrEqualTo(0);
    }
  }

  static Stream<Arguments> keptRequests() {
    return Stream.of(
        Arguments.of(404, "GET /nowhere HTTP/1.1\r\nHost: h\r\n\r\n"),
        Arguments.of(405, "GET " + EMBEDS + " HTTP/1.1\r\nHost: h\r\n\r\n"),
        Arguments.of(415, "POST " + EMBEDS + " HTTP/1.1\r\nHost: h\r\nContent-Type: text/plain\r\n"
            + "Content-Length: 0\r\n\r\n"),
        Arguments.of(429, RawHttp.post(EMBEDS, "{}")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("keptRequests")
  void otherRefusalsKeepTheConnection(int status, String request, Vertx vertx) {
    start(vertx, Map.of("client.rateLimit.perSecond", 1, "client.rateLimit.burst", 1));
    try (RawHttp raw = RawHttp.connect(gw.gateway.port())) {
      if (status == 429) {
        raw.send(request);
        assertThat(raw.read(5_000).status()).as("the one permit: {} is refused with 422").isEqualTo(422);
      }
      raw.send(request);
      Answer answer = raw.read(5_000);
      assertThat(answer.status()).isEqualTo(status);
      assertThat(answer.connectionClose()).as("kept alive").isFalse();
      raw.send(RawHttp.get("/health/live"));
      Answer next = raw.read(5_000);
      assertThat(next).as("the same connection answers the next request").isNotNull();
      assertThat(next.status()).isEqualTo(200);
    }
  }

  @Test
  void aHugeDeclaredBodyIs413AtOnceAndNeverRead(Vertx vertx) {
    start(vertx, Map.of());
    Endless sent = Endless.send(gw.gateway.port(), "Content-Length: 1000000000000", false);
    assertThat(sent.answer).startsWith("HTTP/1.1 413 ").containsIgnoringCase("connection: close");
    assertThat(sent.endedAfterMs).as("the connection ends at once").isLessThan(CLOSE_WITHIN_MS);
    assertThat(sent.bodyBytes).as("body bytes the client could write: the socket buffers, not the body")
        .isLessThan(AT_MOST_AFTER_HEAD);
  }

  @Test
  void anEndlessChunkedBodyIs413AsSoonAsItPassesTheLimitAndReadNoFurther(Vertx vertx) {
    start(vertx, Map.of());
    Endless sent = Endless.send(gw.gateway.port(), "Transfer-Encoding: chunked", true);
    assertThat(sent.answer).startsWith("HTTP/1.1 413 ").containsIgnoringCase("connection: close");
    assertThat(sent.endedAfterMs).isLessThan(CLOSE_WITHIN_MS);
    assertThat(sent.bodyBytes).isLessThan(AT_MOST_AFTER_HEAD);
  }

  @Test
  void theConnectionEndsInStagesSoTheAnswerIsReadBeforeAnyReset(Vertx vertx) {
    // RFC 9112 section 9.6: closing at once with bytes unread resets the connection, and may lose the answer
    start(vertx, Map.of());
    try (RawHttp raw = RawHttp.connect(gw.gateway.port())) {
      raw.send("POST " + EMBEDS + " HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\n"
          + "Content-Length: 1000000\r\n\r\n" + " ".repeat(10_000));
      Answer answer = raw.read(5_000);
      assertThat(answer.status()).isEqualTo(413);
      assertThat(raw.millisUntilClosed(CLOSE_WITHIN_MS)).as("first the end of the gateway's side, at once")
          .isGreaterThanOrEqualTo(0);
      long ended = System.nanoTime();
      long resetAfterMs = -1;
      while (resetAfterMs < 0 && System.nanoTime() - ended < TimeUnit.SECONDS.toNanos(5)) {
        if (!raw.send(" ")) { // the body goes on: nothing reads it, and the close resets the connection
          resetAfterMs = (System.nanoTime() - ended) / 1_000_000L;
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
      }
      assertThat(resetAfterMs).as("then the close, after the client had the time to read the answer")
          .isBetween(300L, CLOSE_WITHIN_MS);
    }
  }

  /**
   * An embed request whose body never ends, written as fast as the connection takes it from a socket with a
   * fixed 64 KiB send buffer, for at most 5 s; its answer's head read meanwhile.
   */
  private record Endless(String answer, long bodyBytes, long endedAfterMs) {

    static Endless send(int port, String framing, boolean chunked) {
      AtomicLong written = new AtomicLong();
      try (Socket socket = new Socket()) {
        socket.setSendBufferSize(64 * 1024);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(5);
        Thread writer = new Thread(() -> write(socket, framing, chunked, written, deadline), "endless-body");
        writer.setDaemon(true);
        writer.start();
        socket.setSoTimeout(5_000);
        String head = readHead(socket.getInputStream());
        writer.join(TimeUnit.SECONDS.toMillis(6));
        assertThat(writer.isAlive()).as("the body was still taken after 5 s").isFalse();
        return new Endless(head, written.get(), (System.nanoTime() - start) / 1_000_000L);
      } catch (IOException | InterruptedException e) {
        throw new AssertionError(e);
      }
    }

    /** The head, then bytes until the connection fails (or the deadline passes). */
    private static void write(Socket socket, String framing, boolean chunked, AtomicLong written, long deadline) {
      try {
        OutputStream out = socket.getOutputStream();
        out.write(("POST " + EMBEDS + " HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\n" + framing
            + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        byte[] data = new byte[8192];
        Arrays.fill(data, (byte) ' ');
        byte[] piece = chunked ? ("2000\r\n" + new String(data, StandardCharsets.ISO_8859_1) + "\r\n")
            .getBytes(StandardCharsets.ISO_8859_1) : data;
        while (System.nanoTime() < deadline) {
          out.write(piece);
          written.addAndGet(piece.length);
        }
      } catch (IOException ended) {
        // the gateway closed the connection: what was written so far is the count
      }
    }

    private static String readHead(InputStream in) throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          break;
        }
        head.write(b);
      }
      return head.toString(StandardCharsets.ISO_8859_1);
    }
  }
}
