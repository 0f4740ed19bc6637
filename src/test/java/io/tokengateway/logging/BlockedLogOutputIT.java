package io.tokengateway.logging;

import static io.tokengateway.support.GatewayHarness.C2C;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.util.Duration;
import io.tokengateway.support.Await;
import io.tokengateway.support.FakeSignalWire;
import io.tokengateway.support.GatewayHarness;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * The production appender in front of an output whose write blocks (stdout nobody reads): the gateway keeps
 * answering, INFO lines are dropped and counted, WARN and ERROR lines are kept while INFO is dropped.
 */
@ExtendWith(VertxExtension.class)
class BlockedLogOutputIT {

  private static final int RING = 64;
  private static final int RESERVED = 32;
  private static final int REQUESTS = 300;
  private static final int EACH = 10;

  @Test
  void infoIsDroppedAndCountedWarningsAreKeptAndTheEventLoopAnswers(Vertx vertx) throws Exception {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    BlockedOutput output = new BlockedOutput();
    output.setContext(context);
    output.start();
    ReservingAsyncAppender async = new ReservingAsyncAppender();
    async.setContext(context);
    async.setRingBufferSize(RING);
    async.setReservedForWarnings(RESERVED);
    async.setAppendTimeout(Duration.buildByMilliseconds(0));
    async.setAddDefaultStatusListener(false);
    async.addAppender(output);
    async.start();
    Logger access = context.getLogger("access");
    Logger app = context.getLogger("io.tokengateway.test.blocked");
    for (Logger l : List.of(access, app)) {
      l.addAppender(async);
      l.setAdditive(false);
    }
    long info = LogDrops.count("INFO");
    long warn = LogDrops.count("WARN");
    long error = LogDrops.count("ERROR");
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    GatewayHarness gw = GatewayHarness.start(vertx, upstream, Map.of());
    try {
      for (int i = 0; i < REQUESTS; i++) {
        assertThat(gw.embed(C2C).statusCode()).as("answered while stdout is blocked").isEqualTo(201);
      }
      assertThat(output.blocked.await(10, TimeUnit.SECONDS)).as("the writer is stuck in the output").isTrue();
      // the writer holds its first line; INFO takes ring slots while more than RESERVED are free: RING - RESERVED
      // lines are queued, every other one is dropped and counted (the last access line may trail its answer)
      long queued = RING - RESERVED;
      Await.until(() -> LogDrops.count("INFO") - info == REQUESTS - queued, 5_000, "every access line handled");

      for (int i = 0; i < EACH; i++) {
        app.info("still flooding {}", i);
        app.warn("a warning {}", i);
        app.error("an error {}", i);
      }
      assertThat(LogDrops.count("INFO") - info).as("INFO goes on being dropped").isEqualTo(REQUESTS - queued + EACH);
      assertThat(LogDrops.count("WARN") - warn).as("no WARN dropped").isZero();
      assertThat(LogDrops.count("ERROR") - error).as("no ERROR dropped").isZero();
      double counted = LogDrops.count("INFO");
      String scrape = gw.get("/metrics").bodyAsString(); // its own access line is logged (and dropped) after
      assertThat(GatewayHarness.metric(scrape, "gateway_log_dropped_total{level=\"INFO\"}").orElseThrow())
          .isEqualTo(counted);
      assertThat(GatewayHarness.metric(scrape, "gateway_log_dropped_total{level=\"WARN\"}")).isPresent();
      Await.until(() -> LogDrops.count("INFO") - info == REQUESTS - queued + EACH + 1, 5_000, "the scrape's line");

      long waited = System.nanoTime();
      assertThat(async.awaitWritten(100)).as("an exit does not wait for a stuck stdout").isFalse();
      assertThat(System.nanoTime() - waited).isLessThan(TimeUnit.SECONDS.toNanos(5));

      output.release.countDown();
      long infoLogged = REQUESTS + EACH + 1;
      List<ILoggingEvent> lines = output.take((int) queued + 2 * EACH);
      assertThat(lines).filteredOn(e -> e.getLevel() == Level.WARN).hasSize(EACH);
      assertThat(lines).filteredOn(e -> e.getLevel() == Level.ERROR).hasSize(EACH);
      assertThat(lines.stream().filter(e -> e.getLevel() == Level.INFO).count() + LogDrops.count("INFO") - info)
          .as("every INFO line is written or counted").isEqualTo(infoLogged);
      assertThat(async.awaitWritten(5_000)).as("released, the ring empties").isTrue();
    } finally {
      output.release.countDown();
      gw.stop();
      for (Logger l : List.of(access, app)) {
        l.detachAppender(async);
        l.setAdditive(true);
      }
      async.stop();
    }
  }

  /** An output whose first write blocks until released, like stdout that nobody reads; keeps what it got. */
  private static final class BlockedOutput extends AppenderBase<ILoggingEvent> {
    final CountDownLatch blocked = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    private final LinkedBlockingQueue<ILoggingEvent> written = new LinkedBlockingQueue<>();

    @Override
    protected void append(ILoggingEvent event) {
      blocked.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      written.add(event);
    }

    List<ILoggingEvent> take(int n) throws InterruptedException {
      List<ILoggingEvent> out = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        ILoggingEvent e = written.poll(10, TimeUnit.SECONDS);
        assertThat(e).as("line " + (i + 1) + " of " + n + " written").isNotNull();
        out.add(e);
      }
      assertThat(written.poll(200, TimeUnit.MILLISECONDS)).as("no more lines than counted").isNull();
      return out;
    }
  }
}
