package io.tokengateway.upstream;

import static io.tokengateway.support.Answers.assertError;
import static io.tokengateway.support.GatewayHarness.ADDRESS;
import static io.tokengateway.support.GatewayHarness.C2C;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokengateway.support.Await;
import io.tokengateway.support.FakeSignalWire;
import io.tokengateway.support.FakeSignalWire.Streamed;
import io.tokengateway.support.GatewayHarness;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * On the wire, against an upstream that misbehaves: every SignalWire call is bounded in size
 * ({@code upstream.maxResponseBytes}) and in time ({@code upstream.timeoutMs}, a total deadline), and a call cut
 * off for either frees its pooled connection at once.
 */
@ExtendWith(VertxExtension.class)
class UpstreamBoundsIT {

  private static final long FIFTY_MB = 50L * 1024 * 1024;
  private static final int MAX_BYTES = 65_536;
  private static final String GUEST_BODY = "{\"allowed_addresses\":[\"" + ADDRESS + "\"]}";

  private FakeSignalWire upstream;
  private GatewayHarness gw;

  private GatewayHarness start(Vertx vertx, Map<String, ?> extra) {
    upstream = FakeSignalWire.start(vertx);
    Map<String, Object> settings = new HashMap<>(Map.of("upstream.maxResponseBytes", MAX_BYTES));
    settings.putAll(extra);
    gw = GatewayHarness.start(vertx, upstream, settings);
    return gw;
  }

  @AfterEach
  void stop() {
    if (gw != null) {
      gw.stop();
    }
    if (upstream != null) {
      Await.await(upstream.close());
    }
  }

  @ParameterizedTest(name = "declared length: {0}")
  @ValueSource(booleans = {true, false})
  void aHugeAnswerIsCutOffUnreadAndIsBadGateway(boolean declared, Vertx vertx) {
    start(vertx, Map.of("upstream.timeoutMs", 10_000));
    upstream.hugeToken(201, FIFTY_MB, declared);
    assertError(gw.embed(C2C), 502, "Bad Gateway");
    assertError(gw.guest(GUEST_BODY), 502, "Bad Gateway");
    for (Streamed answer : upstream.streamed()) {
      assertThat(answer.cutOff()).as("the gateway closed the connection before the answer was whole").isTrue();
      assertThat(answer.written().get()).as("bytes the upstream could write before the cut, of 50 MB")
          .isLessThan(FIFTY_MB / 5);
    }
    assertThat(upstream.streamed()).hasSize(2);
  }

  @Test
  void aNineteenMegabyteTokenIsRefusedAndNeverCached(Vertx vertx) {
    start(vertx, Map.of("upstream.timeoutMs", 10_000, "upstream.pool.maxSize", 1));
    upstream.hugeToken(201, 19L * 1024 * 1024, true);
    assertError(gw.embed(C2C), 502, "Bad Gateway");
    assertError(gw.embed(C2C), 502, "Bad Gateway");
    assertThat(upstream.calls()).as("not cached: asked again").isEqualTo(2);
    upstream.succeed();
    HttpResponse<Buffer> next = gw.embed(C2C);
    assertThat(next.statusCode()).as("served on a fresh connection: the cut-off one was closed, not reused half-read")
        .isEqualTo(201);
    assertThat(next.bodyAsJsonObject().getString("token")).startsWith("tok-");
    assertThat(upstream.calls()).isEqualTo(3);
  }

  @Test
  void anAnswerAtTheLimitIsRead(Vertx vertx) {
    start(vertx, Map.of());
    upstream.hugeToken(201, MAX_BYTES, false);
    HttpResponse<Buffer> r = gw.embed(C2C);
    assertThat(r.statusCode()).isEqualTo(201);
    assertThat(r.bodyAsJsonObject().getString("token")).hasSize(MAX_BYTES - "{\"token\":\"\"}".length());
    assertThat(upstream.streamed().get(0).cutOff()).isFalse();
  }

  @Test
  void oversizedAnswersAreBreakerFailures(Vertx vertx) {
    start(vertx, Map.of("breaker.maxFailures", 3, "breaker.resetSeconds", 60, "upstream.timeoutMs", 10_000));
    upstream.hugeToken(201, 1024 * 1024, false);
    for (int i = 0; i < 3; i++) {
      assertError(gw.embed("c2c_oversized0" + i), 502, "Bad Gateway");
    }
    assertError(gw.embed("c2c_oversized09"), 503, "Service Unavailable");
    assertThat(upstream.calls()).as("the open breaker calls nobody").isEqualTo(3);
    assertThat(gw.metric("gateway_upstream_requests_total{endpoint=\"embeds\",outcome=\"server_error\"}"))
        .hasValue(3.0);
  }

  @Test
  void aTricklingAnswerEndsAtTheDeadlineWith504(Vertx vertx) {
    start(vertx, Map.of("upstream.timeoutMs", 300));
    upstream.trickle(100);
    long sent = System.nanoTime();
    HttpResponse<Buffer> r = gw.embed(C2C);
    long tookMs = (System.nanoTime() - sent) / 1_000_000;
    assertError(r, 504, "Gateway Timeout");
    assertThat(tookMs).as("the deadline is total, not idle: a byte every 100 ms does not extend it")
        .isBetween(300L, 3_000L);
    Streamed answer = upstream.streamed().get(0);
    assertThat(answer.cutOff()).as("the upstream request was reset, not left running").isTrue();
    assertThat(answer.millisToEnd()).isLessThan(3_000L);
    assertThat(gw.metric("gateway_upstream_requests_total{endpoint=\"embeds\",outcome=\"timeout\"}")).hasValue(1.0);
  }

  @Test
  void tricklingAnswersDoNotHoldThePool(Vertx vertx) {
    start(vertx, Map.of("upstream.timeoutMs", 300, "upstream.pool.maxSize", 2, "cache.embed.enabled", false));
    upstream.trickle(100);
    List<Future<HttpResponse<Buffer>>> calls = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      calls.add(gw.postAsync("/api/fabric/guests/tokens", "application/json", GUEST_BODY, null));
    }
    for (Future<HttpResponse<Buffer>> call : calls) {
      assertError(Await.await(call), 504, "Gateway Timeout");
    }
    for (Streamed answer : upstream.streamed()) {
      assertThat(answer.cutOff()).as("every trickling answer was cut off").isTrue();
    }
    upstream.succeed();
    long sent = System.nanoTime();
    HttpResponse<Buffer> normal = gw.guest(GUEST_BODY);
    assertThat(normal.statusCode()).as("a normal call right after the deadline finds a free connection")
        .isEqualTo(201);
    assertThat((System.nanoTime() - sent) / 1_000_000).isLessThan(300L * 3);
  }

  @Test
  void aHangingUpstreamIsResetAtTheDeadline(Vertx vertx) {
    start(vertx, Map.of("upstream.timeoutMs", 300, "upstream.pool.maxSize", 1));
    upstream.hang();
    assertError(gw.guest(GUEST_BODY), 504, "Gateway Timeout");
    upstream.releaseHanging();
    upstream.succeed();
    assertThat(gw.guest(GUEST_BODY).statusCode()).as("the one connection is free again").isEqualTo(201);
    assertThat(new JsonObject(upstream.received().get(1).body()).getJsonArray("allowed_addresses"))
        .containsExactly(ADDRESS);
  }
}
