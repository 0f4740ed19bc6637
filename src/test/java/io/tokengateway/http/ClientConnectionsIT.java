package io.tokengateway.http;

import static io.tokengateway.support.GatewayHarness.C2C;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tokengateway.metrics.GatewayMetrics;
import io.tokengateway.support.Await;
import io.tokengateway.support.FakeSignalWire;
import io.tokengateway.support.GatewayHarness;
import io.tokengateway.support.RawHttp;
import io.tokengateway.support.RawHttp.Answer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What one client can hold of a listener, on the wire: at most {@code http.maxConnectionsPerClient} connections
 * per peer address (the excess closed at accept, a trusted proxy not bounded), and a full listener closes its
 * longest-idle connection for a newcomer, never one with an answer owed. Clients are told apart by their
 * loopback address (127.0.0.2, 127.0.0.3...: the same host, other peers for the gateway). The meters are read
 * from the gateway's registry, so reading them opens no connection.
 */
@ExtendWith(VertxExtension.class)
class ClientConnectionsIT {

  private static final String EMBEDS = "/api/fabric/embeds/tokens";
  private static final String HEALTH = RawHttp.get("/health/live");
  /** Slack for a loaded CI machine: a close "at once" comes within this. */
  private static final long MARGIN_MS = 2_500;

  private final List<RawHttp> sockets = new ArrayList<>();
  private final PrometheusMeterRegistry registry = GatewayMetrics.prometheus();
  private FakeSignalWire upstream;
  private GatewayHarness gw;

  private void start(Vertx vertx, Map<String, ?> settings) {
    upstream = FakeSignalWire.start(vertx);
    gw = GatewayHarness.start(vertx, upstream, settings, registry);
  }

  @AfterEach
  void stop() {
    sockets.forEach(RawHttp::close);
    if (upstream != null) {
      upstream.releaseHanging();
    }
    if (gw != null) {
      gw.stop();
    }
  }

  private RawHttp connect(String from) {
    RawHttp raw = RawHttp.connect(gw.gateway.port(), from);
    sockets.add(raw);
    return raw;
  }

  /** A connection from {@code from} that was served once and is idle now. */
  private RawHttp servedOnce(String from) {
    RawHttp raw = connect(from);
    assertServed(raw);
    return raw;
  }

  private static void assertServed(RawHttp raw) {
    raw.send(HEALTH);
    Answer answer = raw.read(5_000);
    assertThat(answer).as("answered, not closed").isNotNull();
    assertThat(answer.status()).isEqualTo(200);
  }

  private static void assertClosedAtOnce(RawHttp raw, String what) {
    assertThat(raw.millisUntilClosed(MARGIN_MS)).as(what + ": closed at once").isGreaterThanOrEqualTo(0);
    assertThat(raw.unread()).as(what + ": without an answer").isEmpty();
  }

  private double meter(String series) {
    OptionalDouble value = GatewayHarness.metric(registry.scrape(), series);
    assertThat(value).as(series).isPresent();
    return value.getAsDouble();
  }

  @Test
  void anIdleFloodFromOneAddressIsCutAtItsShareWhileAnotherAddressIsServed(Vertx vertx) {
    start(vertx, Map.of("http.maxConnections", 20, "http.maxConnectionsPerClient", 10));
    List<RawHttp> kept = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      kept.add(servedOnce("127.0.0.2"));
    }
    for (int i = 0; i < 90; i++) {
      assertClosedAtOnce(connect("127.0.0.2"), "flood connection " + (10 + i) + ", past the client's share");
    }
    for (int i = 0; i < 10; i++) {
      servedOnce("127.0.0.1"); // the rest of the listener, taken by another client: every one served
    }
    kept.forEach(ClientConnectionsIT::assertServed); // the share itself stays open and served

    assertThat(meter("gateway_connections_rejected_total{listener=\"api\",reason=\"per_client\"}")).isEqualTo(90);
    assertThat(meter("gateway_connections_rejected_total{listener=\"api\",reason=\"max_connections\"}")).isZero();
    assertThat(meter("gateway_connections_evicted_total{listener=\"api\",reason=\"idle\"}")).isZero();
    assertThat(meter("gateway_connections_open{listener=\"api\"}")).isEqualTo(20);
    assertThat(registry.scrape()).doesNotContain("127.0.0.");
  }

  @Test
  void aTrustedProxyIsNotBoundedPerClientWhileAnotherPeerIs(Vertx vertx) {
    start(vertx, Map.of("http.maxConnectionsPerClient", 5, "http.trustedProxies", "127.0.0.2/32"));
    List<RawHttp> viaProxy = new ArrayList<>();
    for (int i = 0; i < 15; i++) {
      viaProxy.add(servedOnce("127.0.0.2"));
    }
    for (int i = 0; i < 5; i++) {
      servedOnce("127.0.0.3");
    }
    assertClosedAtOnce(connect("127.0.0.3"), "an untrusted peer's sixth connection");
    viaProxy.forEach(ClientConnectionsIT::assertServed);
    assertThat(meter("gateway_connections_rejected_total{listener=\"api\",reason=\"per_client\"}")).isEqualTo(1);
  }

  @Test
  void aFullListenerClosesItsLongestIdleConnectionForANewcomerNeverOneWithAnAnswerOwed(Vertx vertx) {
    start(vertx, Map.of("http.maxConnections", 20, "http.maxConnectionsPerClient", 1_000,
        "upstream.timeoutMs", 30_000));
    upstream.hang();
    RawHttp inFlight = connect("127.0.0.1"); // the oldest connection, waiting for SignalWire
    inFlight.send(RawHttp.post(EMBEDS, new JsonObject().put("token", C2C).encode()));
    Await.until(() -> upstream.hangingCount() == 1, 5_000, "the embed request waits for SignalWire");
    List<RawHttp> idle = new ArrayList<>();
    for (int i = 0; i < 19; i++) {
      idle.add(servedOnce("127.0.0." + (2 + i % 3))); // idle one after the other, from three addresses
    }

    RawHttp newcomer = connect("127.0.0.5");
    assertServed(newcomer);
    assertClosedAtOnce(idle.get(0), "the longest-idle connection");
    idle.subList(1, idle.size()).forEach(ClientConnectionsIT::assertServed);
    upstream.releaseHanging();
    Answer answer = inFlight.read(5_000);
    assertThat(answer).as("the request in flight is answered, its connection not cut").isNotNull();
    assertThat(answer.status()).isEqualTo(201);

    assertThat(meter("gateway_connections_evicted_total{listener=\"api\",reason=\"idle\"}")).isEqualTo(1);
    assertThat(meter("gateway_connections_rejected_total{listener=\"api\",reason=\"max_connections\"}")).isZero();
    assertThat(meter("gateway_connections_open{listener=\"api\"}")).isEqualTo(20);
  }

  @Test
  void newConnectionsAreServedThroughAnIdleFloodFromManyAddresses(Vertx vertx) {
    start(vertx, Map.of("http.maxConnections", 20, "http.maxConnectionsPerClient", 1_000));
    List<RawHttp> before = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      before.add(servedOnce("127.0.0.1"));
    }
    List<RawHttp> flood = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      flood.add(connect("127.0.1." + (1 + i % 50))); // never sends a byte
    }
    List<RawHttp> during = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      during.add(servedOnce("127.0.0.1"));
    }
    // 75 connections for 20 places: the five idle since before the flood went first, then the flood's oldest
    // (about its first 50: two event loops accept them, so the order is exact only up to a few places)
    before.forEach(raw -> assertClosedAtOnce(raw, "a connection idle since before the flood"));
    flood.subList(0, 40).forEach(raw -> assertClosedAtOnce(raw, "an older flood connection"));
    during.forEach(ClientConnectionsIT::assertServed);
    Await.until(() -> meter("gateway_connections_evicted_total{listener=\"api\",reason=\"idle\"}") == 55, 5_000,
        "55 evicted");
    assertThat(meter("gateway_connections_rejected_total{listener=\"api\",reason=\"max_connections\"}")).isZero();
    assertThat(meter("gateway_connections_open{listener=\"api\"}")).isEqualTo(20);
  }
}
