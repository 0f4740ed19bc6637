package io.tokengateway.cluster;

import io.tokengateway.core.Time;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This pod's loads waiting for another pod's SignalWire call on the same cold token. The pod holding the lock
 * announces the token's hash on the answers channel when it stores the answer or lets the lock go, and every
 * waiter for that hash, on every pod, is woken to look again: no polling.
 *
 * <p>A waiter that no message wakes looks again after {@code safetyPollMs} anyway. Messages are fire and forget:
 * one published while this pod's subscription is down or silently half-open (until the subscription's PING
 * notices, up to two seconds) never arrives, and a pod of an older version holding the lock publishes nothing.
 * The safety poll bounds what such a miss costs a waiter (half a second, not all of {@code redis.lockWaitMs}), at
 * a few commands per wait instead of one every 10 ms.
 */
final class LockWaiters {

  private final Vertx vertx;
  private final Time time;
  private final long safetyPollMs;
  private final ConcurrentHashMap<String, Set<Waiter>> waiting = new ConcurrentHashMap<>();

  /** Waits run on {@code time}'s timers (the cross-pod lock wait is a time rule); contexts come from {@code vertx}. */
  LockWaiters(Vertx vertx, Time time, long safetyPollMs) {
    this.vertx = vertx;
    this.time = time;
    this.safetyPollMs = safetyPollMs;
  }

  /**
   * A waiter for {@code hash}, registered now: called before asking Redis, so that an answer stored between the
   * question and the wait still wakes it. {@link Waiter#cancel} it when there is nothing to wait for.
   */
  Waiter register(String hash) {
    Waiter w = new Waiter(hash, vertx.getOrCreateContext());
    waiting.compute(hash, (h, set) -> {
      Set<Waiter> s = set != null ? set : ConcurrentHashMap.newKeySet();
      s.add(w);
      return s;
    });
    return w;
  }

  /** A message from the answers channel: a token hash, or {@link RedisLink#EVERYTHING} (wake every waiter). */
  void wake(String hash) {
    if (RedisLink.EVERYTHING.equals(hash)) {
      waiting.keySet().forEach(this::wake);
      return;
    }
    Set<Waiter> woken = waiting.remove(hash);
    if (woken != null) {
      woken.forEach(Waiter::wake);
    }
  }

  /** Waiters registered and not yet woken or cancelled. */
  int size() {
    return waiting.values().stream().mapToInt(Set::size).sum();
  }

  /** One load's wait for one hash; completes on the context that registered it. */
  final class Waiter {
    private final String hash;
    private final Context context;
    private final Promise<Void> woken = Promise.promise();

    private Waiter(String hash, Context context) {
      this.hash = hash;
      this.context = context;
    }

    /** Completes when woken, or after {@code leftMs} or the safety poll, whichever is sooner; then unregistered. */
    Future<Void> woken(long leftMs) {
      long timer = time.setTimer(Math.max(1, Math.min(leftMs, safetyPollMs)), () -> {
        cancel();
        woken.tryComplete();
      });
      return woken.future().onComplete(v -> time.cancelTimer(timer));
    }

    /** No longer waiting. */
    void cancel() {
      waiting.computeIfPresent(hash, (h, set) -> {
        set.remove(this);
        return set.isEmpty() ? null : set;
      });
    }

    private void wake() {
      context.runOnContext(v -> woken.tryComplete());
    }
  }
}
