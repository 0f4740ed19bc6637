package io.tokengateway.http;

import static io.tokengateway.support.Await.await;
import static io.tokengateway.support.GatewayHarness.ADDRESS;
import static io.tokengateway.support.GatewayHarness.C2C;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokengateway.support.AccessLines;
import io.tokengateway.support.Await;
import io.tokengateway.support.FakeSignalWire;
import io.tokengateway.support.GatewayHarness;
import io.tokengateway.support.RawHttp;
import io.tokengateway.support.RawHttp.Answer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What one client can hold, on the wire: an idle connection is closed after {@code http.idleTimeoutSeconds}, a
 * request must arrive whole within {@code http.requestTimeoutSeconds} of its first byte, and connections past
 * {@code http.maxConnections} with none idle are closed at once while the management port still answers (with
 * one idle, it is closed instead: {@link ClientConnectionsIT}). The rules run on one-second settings; no test
 * waits longer than a rule without reading the socket.
 */
@ExtendWith(VertxExtension.class)
class ConnectionLimitsIT {

  private static final String EMBEDS = "/api/fabric/embeds/tokens";
  private static final String GUESTS = "/api/fabric/guests/tokens";
  /** Slack for a loaded CI machine on top of a one-second rule. */
  private static final long MARGIN_MS = 2_500;
  /** A rule of one second never fires before this (the client sees the close later, never sooner). */
  private static final long NOT_BEFORE_MS = 900;

  private final List<RawHttp> sockets = new ArrayList<>();
  private FakeSignalWire upstream;
  private GatewayHarness gw;

  private GatewayHarness start(Vertx vertx, Map<String, ?> settings) {
    upstream = FakeSignalWire.start(vertx);
    gw = GatewayHarness.start(vertx, upstream, settings);
    return gw;
  }

  @AfterEach
  void stop() {
    sockets.forEach(RawHttp::close);
    if (gw != null) {
      gw.stop();
    }
  }

  private RawHttp connect(int port) {
    RawHttp raw = RawHttp.connect(port);
    sockets.add(raw);
    return raw;
  }

  @Test
  void anIdleKeepAliveConnectionIsClosedAfterTheIdleTimeout(Vertx vertx) {
    start(vertx, Map.of("http.idleTimeoutSeconds", 1));
    RawHttp raw = connect(gw.gateway.port());
    long sent = System.nanoTime();
    raw.send(RawHttp.get("/health/live"));
    Answer answer = raw.read(5_000);
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.connectionClose()).as("kept alive after the answer").isFalse();
    assertThat(raw.millisUntilClosed(1_000 + MARGIN_MS)).as("closed by the idle timeout").isGreaterThanOrEqualTo(0);
    assertThat((System.nanoTime() - sent) / 1_000_000L).as("not before a second without bytes")
        .isGreaterThanOrEqualTo(NOT_BEFORE_MS);
  }

  @Test
  void aConnectionThatNeverSendsAByteIsClosedAfterTheIdleTimeout(Vertx vertx) {
    start(vertx, Map.of("http.idleTimeoutSeconds", 1));
    RawHttp raw = connect(gw.gateway.port());
    assertThat(raw.millisUntilClosed(1_000 + MARGIN_MS)).isBetween(NOT_BEFORE_MS, 1_000 + MARGIN_MS);
    assertThat(raw.unread()).isEmpty();
  }

  @Test
  void aRequestAwaitingSignalWireIsNotCutByTheIdleTimeout(Vertx vertx) {
    start(vertx, Map.of("http.idleTimeoutSeconds", 1, "upstream.timeoutMs", 10_000));
    upstream.delayed(1_800);
    RawHttp raw = connect(gw.gateway.port());
    raw.send(RawHttp.post(EMBEDS, new JsonObject().put("token", C2C).encode()));
    assertThat(raw.read(1_800 + MARGIN_MS).status()).as("answered although no byte moved for 1.8 s").isEqualTo(201);
  }

  @Test
  void aHeadTrickledPastTheRequestTimeoutIsClosedWithoutAnAnswer(Vertx vertx) {
    // a byte every 200 ms keeps the connection busy for the idle timeout but never completes the head
    start(vertx, Map.of("http.requestTimeoutSeconds", 1, "http.idleTimeoutSeconds", 30));
    RawHttp raw = connect(gw.gateway.port());
    Thread trickle = trickle(raw, "POST " + EMBEDS + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: "
        + "a".repeat(200));
    try {
      long closedAfter = raw.millisUntilClosed(1_000 + MARGIN_MS);
      assertThat(closedAfter).as("closed by the request timeout").isBetween(NOT_BEFORE_MS, 1_000 + MARGIN_MS);
      assertThat(raw.unread()).as("an incomplete head gets no answer").isEmpty();
    } finally {
      trickle.interrupt();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {EMBEDS, GUESTS})
  void aBodyTrickledPastTheRequestTimeoutGets408ThenClose(String path, Vertx vertx) {
    start(vertx, Map.of("http.requestTimeoutSeconds", 1, "http.idleTimeoutSeconds", 30));
    try (AccessLines access = new AccessLines()) {
      RawHttp raw = connect(gw.gateway.port());
      String json = path.equals(EMBEDS) ? new JsonObject().put("token", C2C).encode()
          : "{\"allowed_addresses\":[\"" + ADDRESS + "\"]}";
      raw.send("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          + "Content-Length: " + (json.length() + 60) + "\r\n\r\n");
      long start = System.nanoTime();
      Thread trickle = trickle(raw, json + " ".repeat(60));
      try {
        Answer answer = raw.read(1_000 + MARGIN_MS);
        long answeredAfter = (System.nanoTime() - start) / 1_000_000L;
        assertThat(answer).as("an answer, then the close").isNotNull();
        assertThat(answer.status()).isEqualTo(408);
        assertThat(answer.body()).isEqualTo(new JsonObject().put("error", "Request Timeout").encode());
        assertThat(answer.connectionClose()).isTrue();
        assertThat(answeredAfter).isGreaterThanOrEqualTo(NOT_BEFORE_MS);
        assertThat(raw.millisUntilClosed(MARGIN_MS)).isGreaterThanOrEqualTo(0);
      } finally {
        trickle.interrupt();
      }
      assertThat(upstream.calls()).isZero();
      assertThat(access.await(1).get(0).getInteger("status")).isEqualTo(408);
    }
  }

  @Test
  void theRequestTimeoutCountsFromEachRequestsOwnFirstByte(Vertx vertx) {
    start(vertx, Map.of("http.requestTimeoutSeconds", 2, "http.idleTimeoutSeconds", 30));
    RawHttp raw = connect(gw.gateway.port());
    raw.send(RawHttp.get("/health/live"));
    assertThat(raw.read(5_000).status()).isEqualTo(200);
    pause(1_600);
    // the second request starts 1.6 s into the connection and takes 0.6 s: 2.2 s from the connection's start
    String second = RawHttp.get("/health/live");
    raw.send(second.substring(0, 10));
    pause(600);
    raw.send(second.substring(10));
    Answer answer = raw.read(5_000);
    assertThat(answer).isNotNull();
    assertThat(answer.status()).isEqualTo(200);
  }

  @Test
  void connectionsPastTheCapWithNoneIdleAreClosedAtOnceAndCountedWhileManagementStillAnswers(Vertx vertx) {
    int management = startWithManagementPort(vertx, Map.of("http.maxConnections", 20, "management.host", "127.0.0.1",
        "upstream.timeoutMs", 30_000));
    upstream.hang();
    List<RawHttp> held = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      RawHttp raw = connect(gw.gateway.port());
      raw.send(RawHttp.post(EMBEDS, new JsonObject().put("token", String.format("c2c_held%08d", i)).encode()));
      held.add(raw);
    }
    // every connection owes an answer: none is idle, none may be closed to make room
    Await.until(() -> upstream.hangingCount() == 20, 5_000, "20 requests waiting for SignalWire");
    try {
      RawHttp over = connect(gw.gateway.port());
      over.send(RawHttp.get("/health/live"));
      assertThat(over.millisUntilClosed(1_000)).as("the connection past the cap is closed at once")
          .isGreaterThanOrEqualTo(0);
      assertThat(over.unread()).as("and never served").isEmpty();

      WebClient mgmt = WebClient.create(vertx);
      try {
        HttpResponse<Buffer> ready = await(mgmt.get(management, "127.0.0.1", "/health/ready").send());
        assertThat(ready.statusCode()).as("readiness still answers").isEqualTo(200);
        String scrape = await(mgmt.get(management, "127.0.0.1", "/metrics").send()).bodyAsString();
        assertThat(GatewayHarness.metric(scrape,
            "gateway_connections_rejected_total{listener=\"api\",reason=\"max_connections\"}")).hasValue(1.0);
        assertThat(GatewayHarness.metric(scrape, "gateway_connections_evicted_total{listener=\"api\",reason=\"idle\"}"))
            .hasValue(0.0);
        assertThat(GatewayHarness.metric(scrape, "gateway_connections_open{listener=\"api\"}")).hasValue(20.0);
        assertThat(scrape).doesNotContain("127.0.0.1:");

        held.get(0).close();
        Await.until(() -> GatewayHarness.metric(await(mgmt.get(management, "127.0.0.1", "/metrics").send())
            .bodyAsString(), "gateway_connections_open{listener=\"api\"}").orElse(-1) == 19.0, 5_000, "19 open");
        RawHttp again = connect(gw.gateway.port());
        again.send(RawHttp.get("/health/live"));
        assertThat(again.read(5_000).status()).as("a freed place is taken again").isEqualTo(200);
      } finally {
        mgmt.close();
      }
    } finally {
      upstream.releaseHanging();
    }
    for (RawHttp raw : held.subList(1, held.size())) {
      assertThat(raw.read(5_000).status()).as("every request in flight is answered").isEqualTo(201);
    }
  }

  @Test
  void theManagementPortHasItsOwnBound(Vertx vertx) {
    int management = startWithManagementPort(vertx, Map.of("management.maxConnections", 2,
        "management.host", "127.0.0.1"));
    List<RawHttp> held = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      held.add(busy(connect(management)));
    }
    RawHttp over = connect(management);
    over.send(RawHttp.get("/health/live"));
    assertThat(over.millisUntilClosed(1_000)).isGreaterThanOrEqualTo(0);
    assertThat(over.unread()).isEmpty();
    assertThat(gw.embed(C2C).statusCode()).as("the API port is not affected").isEqualTo(201);

    held.forEach(RawHttp::close);
    Map<String, Double> seen = new HashMap<>();
    int[] refusedProbes = {0}; // a probe may come before the server has seen the closes: it is refused and counted
    Await.until(() -> {
      try (RawHttp probe = RawHttp.connect(management)) {
        probe.send(RawHttp.get("/metrics"));
        Answer a = probe.read(5_000);
        if (a == null || a.status() != 200) {
          refusedProbes[0]++;
          return false;
        }
        GatewayHarness.metric(a.body(),
            "gateway_connections_rejected_total{listener=\"management\",reason=\"max_connections\"}")
            .ifPresent(v -> seen.put("rejected", v));
        return true;
      }
    }, 5_000, "a management scrape once places are free");
    assertThat(seen.get("rejected")).isEqualTo(1.0 + refusedProbes[0]);
  }

  @Test
  void aFullManagementPortClosesItsLongestIdleConnectionForAProbe(Vertx vertx) {
    int management = startWithManagementPort(vertx, Map.of("management.maxConnections", 2,
        "management.host", "127.0.0.1"));
    List<RawHttp> idle = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      RawHttp raw = connect(management);
      raw.send(RawHttp.get("/health/live"));
      assertThat(raw.read(5_000).status()).isEqualTo(200);
      idle.add(raw);
    }
    RawHttp probe = connect(management);
    probe.send(RawHttp.get("/health/ready"));
    Answer served = probe.read(5_000);
    assertThat(served).as("the probe is served, not closed").isNotNull();
    assertThat(served.status()).isEqualTo(200);
    assertThat(idle.get(0).millisUntilClosed(MARGIN_MS)).as("the longest-idle connection made room")
        .isGreaterThanOrEqualTo(0);
    idle.get(1).send(RawHttp.get("/health/live"));
    assertThat(idle.get(1).read(5_000).status()).as("the other one is kept").isEqualTo(200);
  }

  /**
   * {@code raw} made busy for the request timeout: a request whose head is answered (so the gateway has read
   * it) while its body is still awaited.
   */
  private static RawHttp busy(RawHttp raw) {
    raw.send("POST /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10\r\n\r\n12345");
    assertThat(raw.read(5_000)).as("the head answered, the body still awaited").isNotNull();
    return raw;
  }

  /** Writes {@code text} one byte every 200 ms from another thread until interrupted or refused. */
  private static Thread trickle(RawHttp raw, String text) {
    Thread t = new Thread(() -> {
      for (int i = 0; i < text.length() && !Thread.currentThread().isInterrupted(); i++) {
        if (!raw.send(text.substring(i, i + 1))) {
          return;
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
      }
    }, "trickle");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Holds the test thread for less than the rule under test: the client's own think time. */
  private static void pause(long millis) {
    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(millis));
  }

  /**
   * Starts the gateway with its management listener on a port found free; a port another process took in
   * between (the OS hands out ephemeral ports from the same range) is retried with the next one.
   */
  private int startWithManagementPort(Vertx vertx, Map<String, ?> settings) {
    for (int attempt = 1; ; attempt++) {
      int port = freePort();
      Map<String, Object> s = new java.util.HashMap<>(settings);
      s.put("management.port", port);
      try {
        start(vertx, s);
        return port;
      } catch (AssertionError e) { // Await's "future failed: java.net.BindException: Address already in use"
        if (attempt == 5 || !String.valueOf(e.getMessage()).contains("Address already in use")) {
          throw e;
        }
        upstream.close();
      }
    }
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
