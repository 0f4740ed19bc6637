package io.tokengateway.http;

import static io.tokengateway.support.Await.await;
import static io.tokengateway.support.GatewayHarness.C2C;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokengateway.support.Await;
import io.tokengateway.support.FakeSignalWire;
import io.tokengateway.support.GatewayHarness;
import io.tokengateway.support.RawHttp;
import io.tokengateway.support.RawHttp.Answer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The drain on the wire: under steady keep-alive load, shutdown leaves no request that was sent on an open
 * connection unanswered. While draining every answer says {@code Connection: close} and the connection is
 * closed after it; a keep-alive connection that stays quiet is closed; when the listener closes, requests on
 * the connections still open are answered first.
 */
@ExtendWith(VertxExtension.class)
class DrainIT {

  private static final int CLIENTS = 32;

  /**
   * One keep-alive client sending POSTs back to back on one connection, as a browser behind a proxy pool: it
   * stops when an answer says {@code Connection: close}, or when the connection ends.
   */
  static final class Client extends Thread {
    private static final String REQUEST = RawHttp.post("/api/fabric/embeds/tokens",
        new JsonObject().put("token", C2C).encode());
    private final RawHttp raw;
    volatile int sent;
    volatile int answered;
    /** Requests written on an open connection that never got an answer: the failure the drain must avoid. */
    volatile int unanswered;
    volatile boolean endedByConnectionClose;

    Client(int port, int i) {
      super("keep-alive-client-" + i);
      setDaemon(true);
      raw = RawHttp.connect(port);
    }

    @Override
    public void run() {
      try {
        while (true) {
          if (!raw.send(REQUEST)) {
            return; // refused before anything was sent: the client knows it may retry
          }
          sent++;
          Answer answer = raw.read(20_000);
          if (answer == null) {
            unanswered++;
            return;
          }
          answered++;
          if (answer.connectionClose()) {
            endedByConnectionClose = raw.millisUntilClosed(5_000) >= 0;
            return;
          }
        }
      } finally {
        raw.close();
      }
    }
  }

  @ParameterizedTest(name = "drainSeconds={0}")
  @ValueSource(ints = {1, 0})
  void keepAliveClientsUnderLoadLoseNoRequestToTheShutdown(int drainSeconds, Vertx vertx) throws Exception {
    GatewayHarness gw = GatewayHarness.start(vertx, FakeSignalWire.start(vertx),
        Map.of("shutdown.drainSeconds", drainSeconds, "shutdown.timeoutSeconds", 10));
    List<Client> clients = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      clients.add(new Client(gw.gateway.port(), i));
    }
    clients.forEach(Thread::start);
    Await.until(() -> clients.stream().allMatch(c -> c.answered >= 3), 20_000, "every client under way");

    Future<Void> shutdown = gw.gateway.shutdown();
    for (Client c : clients) {
      c.join(30_000);
      assertThat(c.isAlive()).as(c.getName() + " finished").isFalse();
    }
    await(shutdown);

    int sent = clients.stream().mapToInt(c -> c.sent).sum();
    int answered = clients.stream().mapToInt(c -> c.answered).sum();
    assertThat(clients.stream().mapToInt(c -> c.unanswered).sum())
        .as("requests sent on an open connection and never answered (of %d sent)", sent).isZero();
    assertThat(answered).isEqualTo(sent);
    assertThat(clients).as("every connection was ended by an answer saying Connection: close")
        .allMatch(c -> c.endedByConnectionClose);
    assertThat(shutdown.succeeded()).isTrue();
    gw.client.close();
  }

  @Test
  void aQuietKeepAliveConnectionIsClosedEarlyInTheDrainAndNewOnesAreServedOnce(Vertx vertx) {
    GatewayHarness gw = GatewayHarness.start(vertx, FakeSignalWire.start(vertx),
        Map.of("shutdown.drainSeconds", 4, "shutdown.timeoutSeconds", 10));
    try (RawHttp idle = RawHttp.connect(gw.gateway.port())) {
      idle.send(RawHttp.get("/health/live"));
      Answer before = idle.read(5_000);
      assertThat(before.connectionClose()).isFalse();

      Future<Void> shutdown = gw.gateway.shutdown();
      assertThat(idle.millisUntilClosed(3_000)).as("the quiet connection is closed within the drain")
          .isGreaterThanOrEqualTo(0);
      assertThat(idle.unread()).isEmpty();

      try (RawHttp fresh = RawHttp.connect(gw.gateway.port())) {
        fresh.send(RawHttp.get("/health/ready"));
        Answer during = fresh.read(5_000);
        assertThat(during.status()).isEqualTo(503);
        assertThat(during.connectionClose()).as("answers during the drain say Connection: close").isTrue();
        assertThat(fresh.millisUntilClosed(3_000)).isGreaterThanOrEqualTo(0);
      }
      assertThat(shutdown.isComplete()).as("all of this while still draining").isFalse();
      await(shutdown);
    }
    gw.client.close();
  }
}
