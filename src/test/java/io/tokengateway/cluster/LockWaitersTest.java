package io.tokengateway.cluster;

import static io.tokengateway.support.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Waits woken by a message for their hash (or for everything), else by the safety poll or their deadline. */
@ExtendWith(VertxExtension.class)
class LockWaitersTest {

  @Test
  void aMessageWakesTheWaitersForItsHashOnly(Vertx vertx) {
    LockWaiters waiters = new LockWaiters(vertx, io.tokengateway.core.Time.system(vertx), 60_000);
    Future<Void> a1 = waiters.register("a").woken(60_000);
    Future<Void> a2 = waiters.register("a").woken(60_000);
    Future<Void> b = waiters.register("b").woken(60_000);

    waiters.wake("a");

    await(a1);
    await(a2);
    assertThat(b.isComplete()).isFalse();
    assertThat(waiters.size()).isEqualTo(1);
    waiters.wake(RedisLink.EVERYTHING); // the subscription is back: whatever was published meanwhile was missed
    await(b);
    assertThat(waiters.size()).isZero();
  }

  @Test
  void aMessageBetweenRegisteringAndWaitingIsNotLost(Vertx vertx) {
    LockWaiters waiters = new LockWaiters(vertx, io.tokengateway.core.Time.system(vertx), 60_000);
    LockWaiters.Waiter w = waiters.register("a"); // registered before asking Redis
    waiters.wake("a"); // the answer stored while the question was on its way

    await(w.woken(60_000));
  }

  @Test
  void withoutAMessageTheSafetyPollOrTheDeadlineEndsTheWait(Vertx vertx) {
    io.tokengateway.support.ManualTime time = new io.tokengateway.support.ManualTime(java.time.Instant.EPOCH);
    LockWaiters waiters = new LockWaiters(vertx, time, 50);
    io.vertx.core.Future<Void> polled = waiters.register("a").woken(60_000);
    time.advance(java.time.Duration.ofMillis(49));
    assertThat(polled.isComplete()).as("before the safety poll").isFalse();
    time.advance(java.time.Duration.ofMillis(1));
    await(polled);

    LockWaiters longPoll = new LockWaiters(vertx, time, 60_000);
    io.vertx.core.Future<Void> deadline = longPoll.register("a").woken(50);
    time.advance(java.time.Duration.ofMillis(49));
    assertThat(deadline.isComplete()).as("before the deadline").isFalse();
    time.advance(java.time.Duration.ofMillis(1));
    await(deadline);
    assertThat(longPoll.size()).isZero();
  }

  @Test
  void aCancelledWaiterIsForgotten(Vertx vertx) {
    LockWaiters waiters = new LockWaiters(vertx, io.tokengateway.core.Time.system(vertx), 60_000);
    waiters.register("a").cancel();
    assertThat(waiters.size()).isZero();
    waiters.wake("a");
  }
}
