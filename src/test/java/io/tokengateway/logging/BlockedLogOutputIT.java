package io.tokengateway.logging;

import static io.tokengateway.support.GatewayHarness.C2C;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.CoreConstants;
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
 * answering, INFO lines are dropped and counted, WARN and ERROR lines are kept while INFO is dropped, and stopping
 * the appender (what Logback's shutdown hook does at exit) does not wait for the stuck output.
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
    CountingAsyncAppender async = new CountingAsyncAppender();
    async.setContext(context);
    async.setQueueSize(RING);
    async.setDiscardingThreshold(RESERVED);
    async.setNeverBlock(true);
    async.setMaxFlushTime(100);
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
      app.info("the first line, the writer gets stuck on it");
      assertThat(output.blocked.await(10, TimeUnit.SECONDS)).as("the writer is stuck in the output").isTrue();
      for (int i = 0; i < REQUESTS; i++) {
        assertThat(gw.embed(C2C).statusCode()).as("answered while stdout is blocked").isEqualTo(201);
      }
      // the writer holds the first line out of the queue; INFO takes a slot while at least RESERVED are free:
      // RING - RESERVED + 1 lines are queued, every other one is dropped and counted (the last access line may
      // trail its answer)
      long queued = RING - RESERVED + 1;
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
      async.stop(); // as Logback's shutdown hook does at exit: waits maxFlushTime (100 ms) for the writer at most
      assertThat(async.getNumberOfElementsInQueue()).as("an exit does not wait for a stuck stdout")
          .isEqualTo((int) queued + 2 * EACH);
      assertThat(System.nanoTime() - waited).isLessThan(TimeUnit.SECONDS.toNanos(5));

      output.release.countDown();
      long infoLogged = 1 + REQUESTS + EACH + 1;
      List<ILoggingEvent> lines = output.take(1 + (int) queued + 2 * EACH);
      assertThat(lines).filteredOn(e -> e.getLevel() == Level.WARN).hasSize(EACH);
      assertThat(lines).filteredOn(e -> e.getLevel() == Level.ERROR).hasSize(EACH);
      assertThat(lines.stream().filter(e -> e.getLevel() == Level.INFO).count() + LogDrops.count("INFO") - info)
          .as("every INFO line is written or counted").isEqualTo(infoLogged);
      Await.until(() -> async.getNumberOfElementsInQueue() == 0, 5_000, "released, the queue empties");
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

  /** logback.xml's appender: the one tested here, never blocking, INFO dropped first, the exit bounded. */
  @Test
  void theProductionAppenderIsThisOne() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("ASYNC"))
        .isInstanceOfSatisfying(CountingAsyncAppender.class, async -> {
          assertThat(async.isNeverBlock()).as("a logging thread never waits").isTrue();
          assertThat(async.getQueueSize()).isEqualTo(8192);
          assertThat(async.getDiscardingThreshold()).as("slots INFO may not take").isEqualTo(1024);
          assertThat(async.getMaxFlushTime()).as("the exit waits 2 s at most for stdout").isEqualTo(2000);
        });
    assertThat(context.getObject(CoreConstants.SHUTDOWN_HOOK_THREAD)).as("queued lines are written at exit")
        .isInstanceOf(Thread.class);
  }

  /** A full queue drops any line, WARN and ERROR too, and counts it: the logging thread never waits. */
  @Test
  void aFullQueueDropsAndCountsAnyLine() throws Exception {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    BlockedOutput output = new BlockedOutput();
    output.setContext(context);
    output.start();
    CountingAsyncAppender async = new CountingAsyncAppender();
    async.setContext(context);
    async.setQueueSize(4);
    async.setDiscardingThreshold(0);
    async.setNeverBlock(true);
    async.setMaxFlushTime(100);
    async.addAppender(output);
    async.start();
    Logger app = context.getLogger("io.tokengateway.test.full");
    app.addAppender(async);
    app.setAdditive(false);
    long warn = LogDrops.count("WARN");
    long error = LogDrops.count("ERROR");
    try {
      app.error("the first line, the writer gets stuck on it");
      assertThat(output.blocked.await(10, TimeUnit.SECONDS)).as("the writer is stuck in the output").isTrue();
      long started = System.nanoTime();
      for (int i = 0; i < 7; i++) {
        app.warn("warning {}", i);
      }
      app.error("an error");
      assertThat(System.nanoTime() - started).as("the logging thread does not wait").isLessThan(
          TimeUnit.SECONDS.toNanos(5));
      assertThat(LogDrops.count("WARN") - warn).as("the warnings past the 4 queued").isEqualTo(3);
      assertThat(LogDrops.count("ERROR") - error).as("the error finds the queue full").isEqualTo(1);
      output.release.countDown();
      assertThat(output.take(5)).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
          "the first line, the writer gets stuck on it", "warning 0", "warning 1", "warning 2", "warning 3");
    } finally {
      output.release.countDown();
      app.detachAppender(async);
      app.setAdditive(true);
      async.stop();
    }
  }

  /**
   * An output whose first write blocks until released, like stdout that nobody reads (a write to a full pipe does
   * not end on an interrupt); keeps what it got.
   */
  private static final class BlockedOutput extends AppenderBase<ILoggingEvent> {
    final CountDownLatch blocked = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    private final LinkedBlockingQueue<ILoggingEvent> written = new LinkedBlockingQueue<>();

    @Override
    protected void append(ILoggingEvent event) {
      blocked.countDown();
      boolean interrupted = false;
      while (release.getCount() > 0) {
        try {
          release.await();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
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
