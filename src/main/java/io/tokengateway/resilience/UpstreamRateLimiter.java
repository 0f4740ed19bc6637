package io.tokengateway.resilience;

import io.github.bucket4j.Bucket;
import io.tokengateway.core.GatewayFailure;
import io.tokengateway.core.GatewayFailure.Outcome;
import io.tokengateway.core.Time;
import io.tokengateway.upstream.Endpoint;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The token bucket in front of SignalWire (Bucket4j), per process. A call takes a permit at once when one is
 * there; otherwise it reserves the next one and waits for it on the injected time source's timer (no thread
 * blocks), provided the wait is within {@code maxWaitMs} and fewer than {@code maxQueue} calls are waiting.
 * Past either bound the call fails with 503 and a {@code Retry-After}.
 */
public final class UpstreamRateLimiter implements UpstreamPermits {

  private final Time time;
  private final Bucket bucket;
  private final long maxWaitNanos;
  private final int maxQueue;
  private final AtomicInteger waiting = new AtomicInteger();

  public UpstreamRateLimiter(int perSecond, int burst, int maxWaitMs, int maxQueue, Time time) {
    this.time = time;
    this.bucket = Bucket.builder()
        .addLimit(limit -> limit.capacity(burst).refillGreedy(perSecond, Duration.ofSeconds(1)))
        .withCustomTimePrecision(time.timeMeter())
        .build();
    this.maxWaitNanos = TimeUnit.MILLISECONDS.toNanos(maxWaitMs);
    this.maxQueue = maxQueue;
  }

  @Override
  public Future<Void> acquire(Endpoint endpoint) {
    return acquire();
  }

  /** Completes when a permit is taken; fails with a 503 {@link GatewayFailure} when none comes in time. */
  public Future<Void> acquire() {
    if (bucket.tryConsume(1)) {
      return Future.succeededFuture();
    }
    long estimate = bucket.estimateAbilityToConsume(1).getNanosToWaitForRefill();
    if (estimate > maxWaitNanos || waiting.incrementAndGet() > maxQueue) {
      if (estimate <= maxWaitNanos) {
        waiting.decrementAndGet();
      }
      return Future.failedFuture(rejected(estimate));
    }
    long wait = bucket.consumeIgnoringRateLimits(1);
    if (wait > maxWaitNanos) {
      bucket.addTokens(1);
      waiting.decrementAndGet();
      return Future.failedFuture(rejected(wait));
    }
    Promise<Void> permit = Promise.promise();
    time.setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait)), () -> {
      waiting.decrementAndGet();
      permit.complete();
    });
    return permit.future();
  }

  /** Takes every permit there is now: from here on, permits come only as the bucket refills. */
  public void empty() {
    bucket.tryConsumeAsMuchAsPossible();
  }

  /** The permits there are now; negative while calls wait for permits reserved ahead. */
  public long available() {
    return bucket.getAvailableTokens();
  }

  /** The 503 for a call whose permit would come {@code nanosToWait} from now: too late. */
  public static GatewayFailure rejected(long nanosToWait) {
    int seconds = GatewayFailure.retryAfterSeconds(nanosToWait);
    return GatewayFailure.retryLater(503, seconds, Outcome.RATE_LIMITED, "upstream rate limit");
  }
}
