package io.tokengateway.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The rate client against local servers that answer at once, stall, answer slowly, fail or close each
 * connection: what it records, counts and calls invalid. Bounds are one-sided where the machine's load could
 * only make latencies longer.
 */
class RateClientTest {

  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
  private static Vertx vertx;
  private static HttpServer server;
  /** How the server answers the current test's requests. */
  private static volatile BiConsumer<HttpServerRequest, Long> behaviour;

  @BeforeAll
  static void startServer() throws Exception {
    vertx = Vertx.vertx();
    server = vertx.createHttpServer()
        .requestHandler(req -> req.body().onSuccess(b -> behaviour.accept(req, System.nanoTime())))
        .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stopServer() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static void answer(HttpServerRequest req) {
    req.response().setStatusCode(201).putHeader("Content-Type", "application/json").end("{\"token\":\"t\"}");
  }

  private static RateReport measure(String client, double rate, int connections, int warmup, int duration)
      throws Exception {
    URI url = URI.create("http://127.0.0.1:" + server.actualPort() + "/api/fabric/embeds/tokens");
    RateOptions o = new RateOptions(url, rate, connections, warmup, duration, RateClient.DEFAULT_BODY,
        "application/json", 2000, 500, client);
    byte[] body = o.body().getBytes(StandardCharsets.UTF_8);
    Connector connector = "vertx".equals(client)
        ? new VertxConnector(url, url.getPort(), o.contentType(), body, o.timeoutMs())
        : new NettyConnector(url, url.getPort(), o.contentType(), body, o.timeoutMs());
    try {
      return RateClient.measure(connector, o, client);
    } finally {
      connector.shutdown();
    }
  }

  /** Requests i with t0 + i / rate inside the window: rate x duration of them, each counted exactly once. */
  @ParameterizedTest
  @ValueSource(strings = {"netty", "vertx"})
  void everyRequestIntendedInTheWindowIsAccountedOnce(String client) throws Exception {
    behaviour = (req, at) -> answer(req);
    RateReport r = measure(client, 500, 4, 1, 2);
    assertThat(r.recorded() + r.errors() + r.timeouts() + r.unfinished()).isEqualTo(1000);
    assertThat(r.errors()).isZero();
    assertThat(r.timeouts()).isZero();
    assertThat(r.latency().getTotalCount()).isEqualTo(r.recorded());
    assertThat(r.line()).startsWith("RESULT target_rps=500 ").contains(" p50_ms=", " p99_ms=", " max_ms=",
        " errors=0 ", " timeouts=0 ");
  }

  /**
   * A 500 ms stall of the server: every request intended during it waits, and its latency counts from its
   * intended send time. A closed-loop client with 8 connections would record at most 8 slow requests.
   */
  @Test
  void aStallCountsForEveryRequestIntendedDuringIt() throws Exception {
    long stallFrom = System.nanoTime() + 1_700 * MS; // the window starts about 1.2 s from now
    long stallTo = stallFrom + 500 * MS;
    behaviour = (req, at) -> {
      if (at >= stallFrom && at < stallTo) {
        vertx.setTimer(Math.max(1, (stallTo - at) / MS), id -> answer(req));
      } else {
        answer(req);
      }
    };
    RateReport r = measure("netty", 1000, 8, 1, 3);
    long slow = r.latency().getCountBetweenValues(250 * MS, OpenLoop.HIGHEST_NANOS);
    assertThat(slow).as("requests slower than 250 ms (about 250 intended in the stall's first half)")
        .isGreaterThanOrEqualTo(200);
    assertThat(r.latency().getMaxValue()).isGreaterThanOrEqualTo(450 * MS);
    assertThat(r.recorded() + r.errors() + r.timeouts() + r.unfinished()).isEqualTo(3000);
  }

  /** Two connections to a server taking 20 ms per answer carry at most 100 requests/s: 400/s is not sent. */
  @Test
  void aServerSlowerThanTheRateMakesTheRunInvalid() throws Exception {
    behaviour = (req, at) -> vertx.setTimer(20, id -> answer(req));
    RateReport r = measure("netty", 400, 2, 1, 2);
    assertThat(r.sentRps()).isLessThan(400 * 0.99);
    assertThat(r.valid()).isFalse();
    assertThat(r.line()).endsWith("status=INVALID");
    assertThat(r.warnings()).anyMatch(w -> w.contains("could NOT keep the rate") && w.contains("INVALID"));
  }

  /**
   * A server that answers nothing during the warm-up: the requests queued behind its busy connections are
   * dropped when the window opens instead of leaving during it, so the window is sent at the rate.
   */
  @Test
  void aWarmUpBacklogDoesNotSpillIntoTheWindow() throws Exception {
    long warmUpEnds = System.nanoTime() + 1_200 * MS; // t0 is 200 ms from now, the warm-up 1 s
    behaviour = (req, at) -> vertx.setTimer(Math.max(1, (warmUpEnds - at) / MS), id -> answer(req));
    RateReport r = measure("netty", 500, 4, 1, 2);
    assertThat(r.warmupDropped()).as("about 500 intended in the warm-up, 4 in flight").isGreaterThan(400);
    assertThat(r.sentRps()).isLessThanOrEqualTo(500 * 1.01);
    assertThat(r.recorded() + r.errors() + r.timeouts() + r.unfinished()).isEqualTo(1000);
  }

  /** Error answers are counted as errors, never recorded as latencies; with no answer recorded the run is invalid. */
  @Test
  void errorAnswersAreCountedNotRecorded() throws Exception {
    behaviour = (req, at) -> req.response().setStatusCode(500).end("{\"error\":\"Internal Server Error\"}");
    RateReport r = measure("netty", 200, 2, 1, 2);
    assertThat(r.errors()).isEqualTo(400);
    assertThat(r.recorded()).isZero();
    assertThat(r.valid()).isFalse();
  }

  /** A server that closes every connection after its answer: the client opens another, and nothing fails. */
  @ParameterizedTest
  @ValueSource(strings = {"netty", "vertx"})
  void connectionCloseIsHonoured(String client) throws Exception {
    behaviour = (req, at) -> req.response().setStatusCode(201).putHeader("Connection", "close").end("{}");
    RateReport r = measure(client, 100, 4, 1, 2);
    assertThat(r.errors()).isZero();
    assertThat(r.recorded() + r.unfinished()).isEqualTo(200);
    assertThat(r.reconnects()).isGreaterThanOrEqualTo(200);
  }
}
