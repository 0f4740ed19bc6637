package io.tokengateway.resilience;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;

/**
 * A token bucket per client address, kept in a bounded, expiring Caffeine map so that a million distinct
 * addresses cannot exhaust memory. An address idle long enough to have refilled its bucket is forgotten.
 */
public final class ClientRateLimiter {

  private final Cache<String, Bucket> buckets;
  private final int perSecond;
  private final int burst;
  private final TimeMeter time;
  private final java.util.function.Function<String, Bucket> newBucket = this::newBucket;

  public ClientRateLimiter(int perSecond, int burst, int maxClients, io.tokengateway.core.Time time) {
    Ticker ticker = time.ticker();
    this.perSecond = perSecond;
    this.burst = burst;
    this.time = time.timeMeter();
    long refillSeconds = Math.max(1, (burst + perSecond - 1) / perSecond);
    this.buckets = Caffeine.newBuilder()
        .maximumSize(maxClients)
        .expireAfterAccess(Duration.ofSeconds(refillSeconds + 1))
        .ticker(ticker)
        .executor(Runnable::run)
        .build();
  }

  /** 0 when {@code client} may go on, else the seconds until its next permit (for {@code Retry-After}). */
  public int tryAcquire(String client) {
    Bucket bucket = buckets.get(client, newBucket);
    if (bucket.tryConsume(1)) {
      return 0; // the common case, without allocating a probe
    }
    ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
    if (probe.isConsumed()) {
      return 0;
    }
    return io.tokengateway.core.GatewayFailure.retryAfterSeconds(probe.getNanosToWaitForRefill());
  }

  /** Addresses tracked now. */
  public long tracked() {
    buckets.cleanUp();
    return buckets.estimatedSize();
  }

  private Bucket newBucket(String client) {
    return Bucket.builder()
        .addLimit(limit -> limit.capacity(burst).refillGreedy(perSecond, Duration.ofSeconds(1)))
        .withCustomTimePrecision(time)
        .build();
  }
}
