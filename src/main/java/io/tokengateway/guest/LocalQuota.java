package io.tokengateway.guest;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.tokengateway.core.GatewayFailure;
import io.tokengateway.core.GatewayFailure.Outcome;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The quota of one process: per caller, the times of its mints within the last hour (a sliding log, so the
 * cap holds in every rolling hour, not per clock hour), in a Caffeine map bounded by {@code guest.quota.maxCallers}
 * and read on the injected ticker. A caller unseen for an hour has nothing left in its window and is dropped.
 */
final class LocalQuota implements GuestQuota {

  static final long WINDOW_NANOS = TimeUnit.HOURS.toNanos(1);

  private final Cache<String, MintLog> logs;
  private final int cap;
  private final Ticker ticker;

  LocalQuota(int perHour, int maxCallers, Ticker ticker) {
    this.cap = perHour;
    this.ticker = ticker;
    this.logs = Caffeine.newBuilder()
        .maximumSize(maxCallers)
        .expireAfterAccess(Duration.ofNanos(WINDOW_NANOS))
        .ticker(ticker)
        .executor(Runnable::run)
        .build();
  }

  @Override
  public Future<Reservation> reserve(String callerKey) {
    long now = ticker.read();
    long[] wait = {0};
    logs.asMap().compute(callerKey, (k, log) -> {
      MintLog l = log == null ? new MintLog() : log;
      wait[0] = l.take(now, cap);
      return l;
    });
    if (wait[0] > 0) {
      return Future.failedFuture(overQuota(wait[0]));
    }
    AtomicBoolean released = new AtomicBoolean();
    return Future.succeededFuture(() -> {
      if (released.compareAndSet(false, true)) {
        logs.asMap().computeIfPresent(callerKey, (k, log) -> {
          log.remove(now);
          return log;
        });
      }
    });
  }

  /** The 429 for a caller whose next mint is {@code waitNanos} away. */
  static GatewayFailure overQuota(long waitNanos) {
    return GatewayFailure.retryLater(429, GatewayFailure.retryAfterSeconds(waitNanos), Outcome.CLIENT_LIMITED,
        "guest token quota used up");
  }

  /** One caller's mint times in the window, oldest first. Only touched inside the map's compute. */
  private static final class MintLog {
    private long[] at = new long[2];
    private int size;

    /** Records a mint at {@code now} and returns 0, or returns the nanos until one is allowed. */
    long take(long now, int cap) {
      int expired = 0;
      while (expired < size && now - at[expired] >= WINDOW_NANOS) {
        expired++;
      }
      if (expired > 0) {
        System.arraycopy(at, expired, at, 0, size - expired);
        size -= expired;
      }
      if (size >= cap) {
        return Math.max(1, at[0] + WINDOW_NANOS - now);
      }
      if (size == at.length) {
        at = Arrays.copyOf(at, Math.min(cap, size * 2));
      }
      at[size++] = now;
      return 0;
    }

    void remove(long stamp) {
      for (int i = size - 1; i >= 0; i--) {
        if (at[i] == stamp) {
          System.arraycopy(at, i + 1, at, i, size - i - 1);
          size--;
          return;
        }
      }
    }
  }
}
