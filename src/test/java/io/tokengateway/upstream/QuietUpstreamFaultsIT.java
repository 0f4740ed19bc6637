package io.tokengateway.upstream;

import static io.tokengateway.support.Answers.assertError;
import static io.tokengateway.support.GatewayHarness.ADDRESS;
import static io.tokengateway.support.GatewayHarness.C2C;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.tokengateway.config.GatewayConfig;
import io.tokengateway.core.Time;
import io.tokengateway.support.Await;
import io.tokengateway.support.FakeJwks;
import io.tokengateway.support.FakeSignalWire;
import io.tokengateway.support.FakeSiteverify;
import io.tokengateway.support.GatewayHarness;
import io.tokengateway.support.LogCapture;
import io.tokengateway.support.ResettingServer;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;

/**
 * On the wire: an upstream that answers too much, resets its connections or never answers is handled by the
 * gateway's own handlers only, for SignalWire, the CAPTCHA siteverify and the JWKS fetch alike. Not one ERROR
 * line and not one stack trace, from any logger (Vert.x's and Netty's included), however many such calls; the
 * answers stay 502/503/504 and SignalWire's failures still open the breaker.
 */
@ExtendWith(VertxExtension.class)
class QuietUpstreamFaultsIT {

  private static final int CALLS = 100;
  private static final String GUEST_BODY = "{\"allowed_addresses\":[\"" + ADDRESS + "\"]}";

  private Vertx vertx;
  private LogCapture logs;
  private final List<GatewayHarness> gateways = new ArrayList<>();
  private final List<Supplier<Future<Void>>> servers = new ArrayList<>();

  @BeforeEach
  void capture(Vertx vertx) {
    this.vertx = vertx;
    logs = LogCapture.of(Logger.ROOT_LOGGER_NAME);
  }

  @AfterEach
  void stop() {
    gateways.forEach(GatewayHarness::stop);
    servers.forEach(close -> Await.await(close.get()));
    logs.close();
  }

  private GatewayHarness gateway(String baseUrl, Map<String, ?> extra) {
    Map<String, Object> s = GatewayHarness.settings(null, extra);
    s.put("signalwire.baseUrl", baseUrl);
    GatewayHarness gw = GatewayHarness.start(vertx, GatewayConfig.of(s), Time.system(vertx));
    gateways.add(gw);
    return gw;
  }

  /** No event at ERROR and none carrying a stack trace, from any logger. */
  private void assertQuiet() {
    List<ILoggingEvent> events = logs.events();
    assertThat(events).as("events at ERROR").noneMatch(e -> e.getLevel().isGreaterOrEqual(Level.ERROR));
    assertThat(events).as("events with a stack trace").noneMatch(e -> e.getThrowableProxy() != null);
  }

  /**
   * Once the gateways stopped (their last summaries written): {@code n} faults of {@code fault}, each either in a
   * full WARN line or counted in a summary line, and at most {@code log.rejectionLinesPerInterval} (5) full lines
   * per interval.
   */
  private void assertSummarized(String fault, int n) {
    gateways.forEach(GatewayHarness::stop);
    gateways.clear();
    List<JsonObject> lines = logs.json().stream()
        .filter(l -> BoundedHttp.class.getName().equals(l.getString("logger_name"))).toList();
    List<JsonObject> full = lines.stream()
        .filter(l -> "upstream call failed".equals(l.getString("message"))).toList();
    List<JsonObject> summaries = lines.stream()
        .filter(l -> "upstream faults summarized".equals(l.getString("message"))).toList();
    assertThat(full).isNotEmpty().allSatisfy(l -> {
      assertThat(l.getString("level")).isEqualTo("WARN");
      assertThat(l.getString("fault")).isEqualTo(fault);
    });
    assertThat(full.size()).as("5 full lines per interval").isLessThanOrEqualTo(5 * (summaries.size() + 1));
    assertThat(summaries).isNotEmpty().allSatisfy(l -> assertThat(l.getString("reason")).isEqualTo(fault));
    assertThat(full.size() + summaries.stream().mapToLong(l -> l.getLong("suppressed")).sum())
        .as("every fault is a line or in a summary").isEqualTo(n);
  }

  private static void assertAll(List<HttpResponse<Buffer>> answers, int status, String reason) {
    assertThat(answers).hasSize(CALLS);
    answers.forEach(r -> assertError(r, status, reason));
  }

  private static List<HttpResponse<Buffer>> embeds(GatewayHarness gw, int n) {
    List<HttpResponse<Buffer>> answers = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      answers.add(gw.embed(String.format("c2c_quiet%05d", i))); // distinct: no coalescing, no cache
    }
    return answers;
  }

  @ParameterizedTest(name = "declared length: {0}")
  @ValueSource(booleans = {true, false})
  void oversizeAnswersAreBadGatewayWithoutAnErrorLine(boolean declared) {
    FakeSignalWire upstream = FakeSignalWire.start(vertx).hugeToken(201, 1024 * 1024, declared);
    servers.add(upstream::close);
    GatewayHarness gw = gateway(upstream.baseUrl(), Map.of("upstream.timeoutMs", 10_000));
    assertAll(embeds(gw, CALLS), 502, "Bad Gateway");
    assertThat(upstream.calls()).isEqualTo(CALLS);
    assertThat(gw.metric("gateway_upstream_requests_total{endpoint=\"embeds\",outcome=\"server_error\"}"))
        .hasValue(CALLS);
    assertQuiet();
    assertSummarized("too_large", CALLS);
  }

  @ParameterizedTest(name = "mid-answer: {0}")
  @ValueSource(booleans = {false, true})
  void resetConnectionsAreBadGatewayWithoutAnErrorLine(boolean midAnswer) {
    ResettingServer upstream = ResettingServer.start(vertx);
    if (midAnswer) {
      upstream.midAnswer();
    }
    GatewayHarness gw = gateway(upstream.baseUrl(), Map.of());
    assertAll(embeds(gw, CALLS), 502, "Bad Gateway");
    assertThat(upstream.resets()).isEqualTo(CALLS);
    assertThat(gw.metric("gateway_upstream_requests_total{endpoint=\"embeds\",outcome=\"connection_error\"}"))
        .hasValue(CALLS);
    assertQuiet();
    assertSummarized("connection_lost", CALLS);
  }

  /**
   * A hanging upstream behind one pooled connection: calls wait for it, and some get it only after their deadline
   * (then their request is reset unsent). A trickling one: the deadline passes mid-answer.
   */
  @ParameterizedTest(name = "trickling: {0}")
  @ValueSource(booleans = {false, true})
  void timedOutCallsAreGatewayTimeoutWithoutAnErrorLine(boolean trickling) {
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    if (trickling) {
      upstream.trickle(20);
    } else {
      upstream.hang();
    }
    GatewayHarness gw = gateway(upstream.baseUrl(), Map.of("upstream.timeoutMs", 300,
        "upstream.pool.maxSize", trickling ? CALLS : 1));
    List<Future<HttpResponse<Buffer>>> sent = new ArrayList<>();
    for (int i = 0; i < CALLS; i++) {
      sent.add(gw.postAsync("/api/fabric/guests/tokens", "application/json", GUEST_BODY, null));
    }
    assertAll(sent.stream().map(Await::await).toList(), 504, "Gateway Timeout");
    upstream.releaseHanging();
    servers.add(upstream::close);
    assertQuiet();
    assertSummarized("deadline", CALLS);
  }

  /**
   * One rule for a malformed {@code Content-Length}, whatever reads it first (Netty, or the bounded call): the
   * answer is refused, 502, and its connection not reused.
   */
  @ParameterizedTest(name = "Content-Length: {0}")
  @ValueSource(strings = {"12abc", "-12", "+12", "1 2", "12, 13", "0x0c", ""})
  void aMalformedContentLengthIsBadGateway(String length) {
    AtomicInteger connections = new AtomicInteger();
    NetServer raw = Await.await(vertx.createNetServer().connectHandler(socket -> {
      connections.incrementAndGet();
      socket.handler(data -> socket.write("HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n"
          + "Content-Length: " + length + "\r\n\r\n{\"token\":\"a\"}"));
    }).listen(0, "127.0.0.1"));
    GatewayHarness gw = gateway("http://127.0.0.1:" + raw.actualPort(), Map.of("upstream.pool.maxSize", 1));
    assertError(gw.embed(C2C), 502, "Bad Gateway");
    assertError(gw.embed(C2C + "2"), 502, "Bad Gateway");
    assertThat(connections).as("a refused answer's connection is not reused").hasValue(2);
    assertQuiet();
  }

  /** Each kind of fault, at the breaker's default {@code maxFailures}: that many 502/504, then the fast 503. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"oversize", "reset", "timeout"})
  void theFaultsStillOpenTheBreaker(String fault) {
    int maxFailures = GatewayConfig.of(Map.of()).resilience().breakerMaxFailures();
    FakeSignalWire fake = FakeSignalWire.start(vertx);
    servers.add(fake::close);
    String baseUrl = fake.baseUrl();
    int status = 502;
    switch (fault) {
      case "oversize" -> fake.hugeToken(201, 1024 * 1024, false);
      case "reset" -> baseUrl = ResettingServer.start(vertx).baseUrl();
      default -> {
        fake.hang();
        status = 504;
      }
    }
    Map<String, Object> s = GatewayHarness.settings(null, Map.of("upstream.timeoutMs", 300));
    s.remove("breaker.maxFailures");
    s.put("signalwire.baseUrl", baseUrl);
    GatewayHarness gw = GatewayHarness.start(vertx, GatewayConfig.of(s), Time.system(vertx));
    gateways.add(gw);
    for (int i = 0; i < maxFailures; i++) {
      assertError(gw.embed(C2C + i), status, status == 502 ? "Bad Gateway" : "Gateway Timeout");
    }
    assertError(gw.embed(C2C + "open"), 503, "Service Unavailable");
    assertThat(gw.gateway.upstreamGuard().breakerState(Endpoint.EMBEDS)).as("open").isEqualTo(2);
    fake.releaseHanging();
    assertQuiet();
  }

  /** The guest checks' own services, through the same bounded call: too much, reset, oversize JWKS. */
  @Test
  void guestCheckServicesThatResetOrAnswerTooMuchWriteNoErrorLine() {
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    servers.add(upstream::close);
    FakeSiteverify oversized = FakeSiteverify.start(vertx).oversized(200_000);
    ResettingServer resetting = ResettingServer.start(vertx);
    Function<String, GatewayHarness> captcha = url -> gateway(upstream.baseUrl(), Map.of(
        "guest.captcha.provider", "turnstile", "guest.captcha.secret", "0x4AAAAAAA-captcha-secret-of-the-site",
        "guest.captcha.verifyUrl", url, "http.cors.origins", "https://www.example.com"));
    MultiMap solved = MultiMap.caseInsensitiveMultiMap().add("X-Captcha-Token", "widget-response");
    for (GatewayHarness gw : List.of(captcha.apply(oversized.url()), captcha.apply(resetting.baseUrl() + "/sv"))) {
      for (int i = 0; i < 20; i++) {
        assertError(gw.post("/api/fabric/guests/tokens", "application/json", GUEST_BODY, solved), 503,
            "Service Unavailable");
      }
    }
    assertThat(resetting.resets()).as("Turnstile's one retry after a lost connection").isEqualTo(40);

    FakeJwks bigJwks = FakeJwks.start(vertx, "{\"keys\":[],\"pad\":\"" + "x".repeat(100_000) + "\"}");
    MultiMap bearer = MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer a.b.c");
    for (String jwksUrl : List.of(bigJwks.url(), resetting.baseUrl() + "/jwks.json")) {
      GatewayHarness gw = gateway(upstream.baseUrl(), Map.of("guest.jwt.jwksUrl", jwksUrl,
          "guest.jwt.issuer", "https://auth.example.com/", "guest.jwt.audience", "token-gateway"));
      assertError(gw.post("/api/fabric/guests/tokens", "application/json", GUEST_BODY, bearer), 503,
          "Service Unavailable");
    }
    assertThat(bigJwks.fetches()).isPositive();
    assertThat(upstream.calls()).as("SignalWire never asked").isZero();
    assertQuiet();
  }
}
