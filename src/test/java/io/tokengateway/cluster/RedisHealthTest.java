package io.tokengateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokengateway.support.ManualTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * When Redis counts as unavailable: three failures in a row (the default), the warm-up of ten seconds after
 * start, on a ticker the test moves.
 */
class RedisHealthTest {

  private final ManualTime time = new ManualTime(Instant.parse("2026-01-01T00:00:00Z"));
  private RedisHealth health;

  @BeforeEach
  void available() {
    health = new RedisHealth(3, 10, time);
    health.start();
    assertThat(health.available()).as("unavailable until the first probe answers").isFalse();
    assertThat(health.trialPassed()).isTrue();
    time.advance(Duration.ofSeconds(10)); // past the warm-up unless a test says otherwise
  }

  @Test
  void oneLateReplyLeavesRedisAvailable() {
    assertThat(health.failed(health.sending(), true)).isFalse();
    assertThat(health.available()).isTrue();
  }

  @Test
  void threeFailuresInARowMakeRedisUnavailableOnce() {
    assertThat(health.failed(health.sending(), true)).isFalse();
    assertThat(health.failed(health.sending(), false)).isFalse();
    assertThat(health.failed(health.sending(), true)).as("the third in a row").isTrue();
    assertThat(health.available()).isFalse();
    assertThat(health.failed(health.sending(), true)).as("said once").isFalse();
  }

  @Test
  void anAnswerBetweenFailuresStartsTheCountAgain() {
    health.failed(health.sending(), true);
    health.failed(health.sending(), true);
    health.sending();
    health.answered();
    health.failed(health.sending(), true);
    health.failed(health.sending(), true);
    assertThat(health.available()).isTrue();
    assertThat(health.failed(health.sending(), true)).isTrue();
  }

  @Test
  void commandsInFlightTogetherWithAFailureCountOnce() {
    long[] burst = new long[30];
    for (int i = 0; i < burst.length; i++) {
      burst[i] = health.sending(); // all sent before the first one timed out: one JVM pause, one slow reply
    }
    for (long command : burst) {
      assertThat(health.failed(command, true)).isFalse();
    }
    assertThat(health.failuresInARow()).isEqualTo(1);
    assertThat(health.available()).isTrue();

    // sent after that failure was counted, failing too: Redis itself, not one moment
    assertThat(health.failed(health.sending(), true)).isFalse();
    assertThat(health.failed(health.sending(), true)).isTrue();
  }

  @Test
  void lateRepliesDuringTheWarmUpDoNotCountButLostConnectionsDo() {
    health = new RedisHealth(3, 10, time);
    health.start();
    health.trialPassed();
    for (int i = 0; i < 10; i++) {
      assertThat(health.failed(health.sending(), true)).isFalse();
    }
    assertThat(health.failuresInARow()).isZero();

    time.advance(Duration.ofMillis(9_999));
    health.failed(health.sending(), true);
    assertThat(health.failuresInARow()).as("still warming up").isZero();
    health.failed(health.sending(), false);
    health.failed(health.sending(), false);
    assertThat(health.failed(health.sending(), false)).as("a lost connection is no cold JVM").isTrue();
  }

  @Test
  void lateRepliesCountOnceTheWarmUpIsOver() {
    health = new RedisHealth(3, 10, time);
    health.start();
    health.trialPassed();
    time.advance(Duration.ofSeconds(10));
    health.failed(health.sending(), true);
    health.failed(health.sending(), true);
    assertThat(health.failed(health.sending(), true)).isTrue();
  }

  @Test
  void theProbesAnswerIsTheTrialThatBringsRedisBack() {
    for (int i = 0; i < 3; i++) {
      health.failed(health.sending(), false);
    }
    assertThat(health.available()).isFalse();
    health.answered(); // a command in flight before answering late changes nothing: only the probe decides
    assertThat(health.available()).isFalse();

    assertThat(health.trialPassed()).isTrue();
    assertThat(health.available()).isTrue();
    assertThat(health.failuresInARow()).isZero();
    assertThat(health.failed(health.sending(), true)).as("counting starts again from zero").isFalse();
  }

  @Test
  void aRefusedProbeMakesRedisUnavailableAtOnce() {
    assertThat(health.refused()).isTrue();
    assertThat(health.available()).isFalse();
    assertThat(health.refused()).isFalse();
  }
}
