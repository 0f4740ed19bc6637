package io.tokengateway.http;

import static io.tokengateway.support.Answers.assertError;
import static io.tokengateway.support.GatewayHarness.ADDRESS;
import static io.tokengateway.support.GatewayHarness.API_TOKEN;
import static io.tokengateway.support.GatewayHarness.C2C;
import static io.tokengateway.support.GatewayHarness.PROJECT_ID;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokengateway.support.FakeSignalWire;
import io.tokengateway.support.GatewayHarness;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the caller sees for each way SignalWire can answer or fail. */
@ExtendWith(VertxExtension.class)
class UpstreamErrorsIT {

  private static final String GUEST_BODY = "{\"allowed_addresses\":[\"" + ADDRESS + "\"]}";
  private static final String REFRESH_BODY = "{\"refresh_token\":\"" + RefreshTokenIT.REFRESH_TOKEN + "\"}";
  private static final String BASIC = java.util.Base64.getEncoder().encodeToString(
      (PROJECT_ID + ":" + API_TOKEN).getBytes(java.nio.charset.StandardCharsets.UTF_8));
  private static final String VALIDATION = "{\"errors\":[{\"type\":\"validation_error\",\"code\":\"invalid\","
      + "\"message\":\"bad\",\"attribute\":\"token\",\"url\":\"https://example.test\"}]}";

  private FakeSignalWire upstream;
  private GatewayHarness gw;

  @BeforeEach
  void start(Vertx vertx) {
    upstream = FakeSignalWire.start(vertx);
    gw = GatewayHarness.start(vertx, upstream, Map.of());
  }

  @AfterEach
  void stop() {
    upstream.releaseHanging();
    gw.stop();
  }

  @ParameterizedTest
  @ValueSource(ints = {401, 403, 404})
  void embedClientErrorsPassThrough(int status) {
    String body = new JsonObject().put("error", GatewayFailureReason.of(status)).encode();
    upstream.answer(status, body);
    HttpResponse<Buffer> r = gw.embed(C2C);
    assertThat(r.statusCode()).isEqualTo(status);
    assertThat(r.bodyAsString()).isEqualTo(body);
  }

  @Test
  void embedValidationErrorPassesThrough() {
    upstream.answer(422, VALIDATION);
    HttpResponse<Buffer> r = gw.embed(C2C);
    assertThat(r.statusCode()).isEqualTo(422);
    assertThat(r.bodyAsJsonObject()).isEqualTo(new JsonObject(VALIDATION));
  }

  @Test
  void anEchoingUpstreamNeverShowsTheCredentialsOrUnknownKeys() {
    JsonObject documented = new JsonObject(VALIDATION).getJsonArray("errors").getJsonObject(0);
    upstream.respond(req -> {
      String auth = req.getHeader("Authorization");
      JsonObject echoed = documented.copy().put("authorization", auth).put("hint", API_TOKEN);
      JsonObject body = new JsonObject().put("errors", new io.vertx.core.json.JsonArray().add(echoed))
          .put("request", new JsonObject().put("headers", new JsonObject().put("Authorization", auth)));
      req.response().setStatusCode(422).putHeader("Content-Type", "application/json").end(body.encode());
    });
    HttpResponse<Buffer> r = gw.guest(GUEST_BODY);
    assertThat(r.statusCode()).isEqualTo(422);
    assertThat(r.bodyAsJsonObject()).as("only the documented keys, rebuilt")
        .isEqualTo(new JsonObject().put("errors", new io.vertx.core.json.JsonArray().add(documented)));
    assertThat(r.bodyAsString()).doesNotContain(API_TOKEN).doesNotContain(BASIC).doesNotContain(PROJECT_ID);

    upstream.respond(req -> req.response().setStatusCode(422).putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("errors", new io.vertx.core.json.JsonArray().add(documented.copy()
            .put("message", "credentials " + req.getHeader("Authorization") + " are not allowed here"))).encode()));
    HttpResponse<Buffer> inMessage = gw.guest(GUEST_BODY);
    assertError(inMessage, 422, "Unprocessable Entity");
    assertThat(inMessage.bodyAsString()).doesNotContain(BASIC);
  }

  @Test
  void anEchoingUpstreamOnEmbedsWithAuthShowsOnlyTheDocumentedError(Vertx vertx) {
    GatewayHarness withAuth = GatewayHarness.start(vertx, upstream, Map.of("signalwire.embedAuth", true));
    try {
      upstream.respond(req -> req.response().setStatusCode(404).putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("error", "Not Found").put("headers", req.headers().entries().toString())
              .encode()));
      HttpResponse<Buffer> r = withAuth.embed(C2C);
      assertError(r, 404, "Not Found");
      assertThat(r.bodyAsString()).doesNotContain(BASIC).doesNotContain(API_TOKEN);
      assertThat(upstream.received().get(0).headers().get("Authorization")).as("the echo was real")
          .isEqualTo("Basic " + BASIC);
    } finally {
      withAuth.stop();
    }
  }

  @Test
  void passedThroughErrorWithoutTheDocumentedShapeGetsIt() {
    upstream.answer(404, Map.of("Content-Type", "text/html"), "<html>nope</html>");
    assertError(gw.embed(C2C), 404, "Not Found");
  }

  @ParameterizedTest
  @ValueSource(ints = {401, 403})
  void guestCredentialErrorsAreBadGateway(int status) {
    upstream.answer(status, new JsonObject().put("error", GatewayFailureReason.of(status)).encode());
    assertError(gw.guest(GUEST_BODY), 502, "Bad Gateway");
  }

  @Test
  void guestNotFoundAndValidationPassThrough() {
    upstream.answer(404, "{\"error\":\"Not Found\"}");
    assertError(gw.guest(GUEST_BODY), 404, "Not Found");
    upstream.answer(422, VALIDATION);
    HttpResponse<Buffer> r = gw.guest(GUEST_BODY);
    assertThat(r.statusCode()).isEqualTo(422);
    assertThat(r.bodyAsJsonObject()).isEqualTo(new JsonObject(VALIDATION));
  }

  private HttpResponse<Buffer> refresh() {
    return gw.postJson(RefreshTokenIT.REFRESH, REFRESH_BODY);
  }

  @ParameterizedTest
  @ValueSource(ints = {401, 404})
  void refreshUnauthorizedAndNotFoundPassThroughInSignalWiresShape(int status) {
    String body = new JsonObject().put("error", GatewayFailureReason.of(status)).encode();
    upstream.answer(status, body);
    HttpResponse<Buffer> r = refresh();
    assertError(r, status, GatewayFailureReason.of(status));
    assertThat(r.bodyAsString()).isEqualTo(body);
  }

  @Test
  void refreshValidationErrorPassesThrough() {
    upstream.answer(422, VALIDATION);
    HttpResponse<Buffer> r = refresh();
    assertThat(r.statusCode()).isEqualTo(422);
    assertThat(r.bodyAsJsonObject()).isEqualTo(new JsonObject(VALIDATION));
    upstream.answer(401, Map.of("Content-Type", "text/html"), "<html>who?</html>");
    assertError(refresh(), 401, "Unauthorized");
  }

  @Test
  void refreshForbiddenIsBadGatewayAndAnErrorLog() {
    ch.qos.logback.classic.Logger replies = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
        io.tokengateway.upstream.UpstreamReplies.class);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> captured =
        new ch.qos.logback.core.read.ListAppender<>();
    captured.start();
    replies.addAppender(captured);
    try {
      upstream.answer(403, "{\"error\":\"Forbidden\"}");
      assertError(refresh(), 502, "Bad Gateway");
    } finally {
      replies.detachAppender(captured);
    }
    assertThat(captured.list).anySatisfy(e -> {
      assertThat(e.getLevel()).isEqualTo(ch.qos.logback.classic.Level.ERROR);
      assertThat(e.getFormattedMessage()).contains("403").contains("scope");
    });
  }

  @Test
  void refreshAnswerWithoutBothTokensIsBadGateway() {
    for (String body : new String[] {"{\"token\":\"abc\"}", "{\"refresh_token\":\"abc\"}",
        "{\"token\":\"abc\",\"refresh_token\":\"\"}", "{\"token\":\"abc\",\"refresh_token\":7}"}) {
      upstream.answer(201, body);
      assertError(refresh(), 502, "Bad Gateway");
    }
  }

  @Test
  void refreshUnexpectedClientErrorIsBadGateway() {
    upstream.answer(400, "{\"error\":\"Bad Request\"}");
    assertError(refresh(), 502, "Bad Gateway");
  }

  @Test
  void hangingRefreshIsGatewayTimeout() {
    upstream.hang();
    assertError(refresh(), 504, "Gateway Timeout");
  }

  @Test
  void rateLimitPassesThroughWithRetryAfter() {
    upstream.answer(429, Map.of("Retry-After", "7", "Content-Type", "application/json"), "{}");
    HttpResponse<Buffer> embed = gw.embed(C2C);
    HttpResponse<Buffer> guest = gw.guest(GUEST_BODY);
    HttpResponse<Buffer> refresh = refresh();
    for (HttpResponse<Buffer> r : java.util.List.of(embed, guest, refresh)) {
      assertError(r, 429, "Too Many Requests");
      assertThat(r.getHeader("Retry-After")).isEqualTo("7");
    }
  }

  @Test
  void refreshRateLimitPausesRefreshCallsOnly() {
    upstream.answer(429, Map.of("Retry-After", "30", "Content-Type", "application/json"), "{}");
    assertThat(refresh().getHeader("Retry-After")).isEqualTo("30");
    upstream.succeed();
    HttpResponse<Buffer> paused = refresh();
    assertError(paused, 429, "Too Many Requests");
    assertThat(Integer.parseInt(paused.getHeader("Retry-After"))).isBetween(1, 30);
    assertThat(upstream.calls()).as("paused: SignalWire not called").isEqualTo(1);
    assertThat(gw.guest(GUEST_BODY).statusCode()).as("guests are not paused").isEqualTo(201);
  }

  @Test
  void rateLimitWithoutRetryAfterAsksForOneSecond() {
    upstream.answer(429, "{}");
    HttpResponse<Buffer> r = gw.embed(C2C);
    assertError(r, 429, "Too Many Requests");
    assertThat(r.getHeader("Retry-After")).isEqualTo("1");
  }

  @ParameterizedTest
  @ValueSource(ints = {500, 502, 503})
  void serverErrorsAreBadGateway(int status) {
    upstream.answer(status, "{\"error\":\"Internal Server Error\"}");
    assertError(gw.embed(C2C), 502, "Bad Gateway");
    assertError(gw.guest(GUEST_BODY), 502, "Bad Gateway");
    assertError(refresh(), 502, "Bad Gateway");
  }

  @ParameterizedTest
  @ValueSource(strings = {"<html>ok</html>", "{}", "{\"token\":42}", "{\"token\":\"\"}", "[]", ""})
  void malformedSuccessIsBadGateway(String body) {
    upstream.answer(201, Map.of("Content-Type", "text/html"), body);
    assertError(gw.embed(C2C), 502, "Bad Gateway");
  }

  @Test
  void guestAnswerWithoutRefreshTokenIsBadGateway() {
    upstream.answer(201, "{\"token\":\"abc\"}");
    assertError(gw.guest(GUEST_BODY), 502, "Bad Gateway");
  }

  @Test
  void unexpectedClientErrorIsBadGateway() {
    upstream.answer(400, "{\"error\":\"Bad Request\"}");
    assertError(gw.embed(C2C), 502, "Bad Gateway");
  }

  @Test
  void connectionRefusedIsBadGateway(Vertx vertx) {
    FakeSignalWire closed = FakeSignalWire.start(vertx);
    io.tokengateway.support.Await.await(closed.close());
    GatewayHarness broken = GatewayHarness.start(vertx, closed, Map.of());
    try {
      assertError(broken.embed(C2C), 502, "Bad Gateway");
    } finally {
      broken.stop();
    }
  }

  @Test
  void hangingUpstreamIsGatewayTimeoutWithinTheTimeout() {
    upstream.hang();
    long start = System.nanoTime();
    HttpResponse<Buffer> r = gw.embed(C2C);
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;
    assertError(r, 504, "Gateway Timeout");
    assertThat(elapsedMs).as("answered near the 400 ms timeout, not later").isBetween(350L, 5_000L);
  }

  /** Reason phrases as SignalWire writes them. */
  static final class GatewayFailureReason {
    static String of(int status) {
      return io.tokengateway.core.GatewayFailure.reason(status);
    }
  }
}
