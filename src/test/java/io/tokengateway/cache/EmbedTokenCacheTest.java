package io.tokengateway.cache;

import static io.tokengateway.support.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokengateway.core.GatewayFailure;
import io.tokengateway.core.GatewayFailure.Outcome;
import io.tokengateway.config.CacheOptions;
import io.tokengateway.support.ManualTime;
import io.tokengateway.support.ScriptedUpstream;
import io.tokengateway.upstream.TokenAnswer;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The cache rules, on an injected ticker and clock: nothing here sleeps through a lifetime. */
@ExtendWith(VertxExtension.class)
class EmbedTokenCacheTest {

  private static final String C2C = "c2c_7acc0e5e968706a032983cd80cdca219";
  private static final CacheOptions DEFAULTS = new CacheOptions(true, 3600, 600, 300, 0.8, 30, 100_000);
  // fresh until 600 s (refresh ahead from 480 s); reserve (stale if SignalWire fails) until 3300 s; margin after

  private final ManualTime time = new ManualTime(Instant.parse("2026-11-24T10:00:00Z"));
  private final ScriptedUpstream upstream = new ScriptedUpstream();
  private Vertx vertx;
  private EmbedTokenCache cache;

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    this.cache = new EmbedTokenCache(vertx, DEFAULTS, upstream, time.time());
  }

  @Test
  void hitAfterMissCallsUpstreamOnceAndSaysItsAge() {
    EmbedAnswer first = get();
    time.advance(Duration.ofMillis(100_900));
    EmbedAnswer second = get();
    assertThat(first.status()).isEqualTo(CacheStatus.MISS);
    assertThat(first.ageSeconds()).isZero();
    assertThat(second.status()).isEqualTo(CacheStatus.HIT);
    assertThat(second.ageSeconds()).as("whole seconds since receipt").isEqualTo(100);
    assertThat(second.body()).isEqualTo(first.body());
    assertThat(upstream.calls()).isEqualTo(1);
  }

  /**
   * Two event loops ask for the same cold token at once. The first call to SignalWire is held open until the
   * other loop has made its first request: with one flight that request waits inside the cache for this call
   * (so the hold ends after its 1 s bound), without it the request makes a second call at once.
   */
  @Test
  void concurrentColdRequestsShareOneUpstreamCallAndCompleteOnTheirOwnContexts() {
    Promise<TokenAnswer> pending = upstream.hold();
    CountDownLatch firstCallOpen = new CountDownLatch(1);
    CountDownLatch otherLoopAsked = new CountDownLatch(1);
    EmbedTokenCache racing = new EmbedTokenCache(vertx, DEFAULTS, c2c -> {
      Future<TokenAnswer> answer = upstream.apply(c2c);
      firstCallOpen.countDown();
      awaitAtMost(otherLoopAsked, 1_000);
      return answer;
    }, time.time());
    List<Context> callers = onTwoEventLoops();
    List<Future<EmbedAnswer>> answers = new CopyOnWriteArrayList<>();
    Set<Thread> ranOn = ConcurrentHashMap.newKeySet();
    Set<Context> completedOn = ConcurrentHashMap.newKeySet();
    List<Promise<Void>> submitted = new ArrayList<>();
    for (Context caller : callers) {
      boolean other = caller == callers.get(1);
      Promise<Void> done = Promise.promise();
      submitted.add(done);
      caller.runOnContext(v -> {
        ranOn.add(Thread.currentThread());
        if (other) {
          awaitAtMost(firstCallOpen, 10_000);
        }
        for (int i = 0; i < 250; i++) {
          answers.add(racing.get(C2C).onComplete(ar -> {
            if (Vertx.currentContext() == caller) {
              completedOn.add(caller);
            }
          }));
          if (other) {
            otherLoopAsked.countDown();
          }
        }
        done.complete();
      });
    }
    submitted.forEach(p -> await(p.future()));
    assertThat(ranOn).as("two event-loop threads").hasSize(2);
    assertThat(upstream.calls()).isEqualTo(1);
    pending.complete(ScriptedUpstream.answer("the-one-token"));

    for (Future<EmbedAnswer> f : answers) {
      EmbedAnswer a = await(f);
      assertThat(a.status()).isEqualTo(CacheStatus.MISS);
      assertThat(new JsonObject(a.body()).getString("token")).isEqualTo("the-one-token");
    }
    assertThat(answers).hasSize(500);
    assertThat(upstream.calls()).isEqualTo(1);
    assertThat(completedOn).containsExactlyInAnyOrderElementsOf(callers);
  }

  @Test
  void concurrentWaitersAllGetTheError() {
    Promise<TokenAnswer> pending = upstream.hold();
    List<Future<EmbedAnswer>> answers = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      answers.add(cache.get(C2C));
    }
    pending.fail(GatewayFailure.upstream(502, Outcome.SERVER_ERROR, "boom"));
    for (Future<EmbedAnswer> f : answers) {
      assertThat(failureOf(f).status()).isEqualTo(502);
    }
    assertThat(upstream.calls()).isEqualTo(1);
  }

  @Test
  void aTokenIsAHitOnlyInsideItsFreshWindow() {
    get();
    time.advance(Duration.ofSeconds(600).minusNanos(1));
    upstream.hold(); // the refresh ahead starts here; keep it pending
    EmbedAnswer last = get();
    assertThat(last.status()).isEqualTo(CacheStatus.HIT);
    assertThat(last.ageSeconds()).isEqualTo(599);
    time.advance(Duration.ofNanos(1));
    assertThat(cache.get(C2C).isComplete()).as("at 600 s the cached token is no longer served on its own")
        .isFalse();
  }

  @Test
  void theFirstRequestAfterTheFreshWindowWaitsForOneCallAndGetsTheNewToken() {
    String oldBody = get().body().toString();
    time.advance(Duration.ofSeconds(600));
    Promise<TokenAnswer> refresh = upstream.hold();
    Future<EmbedAnswer> waiting = cache.get(C2C);
    Future<EmbedAnswer> alsoWaiting = cache.get(C2C);
    assertThat(waiting.isComplete()).isFalse();
    assertThat(upstream.calls()).isEqualTo(2);

    refresh.complete(ScriptedUpstream.answer("renewed"));
    for (EmbedAnswer a : List.of(await(waiting), await(alsoWaiting))) {
      assertThat(a.status()).isEqualTo(CacheStatus.MISS);
      assertThat(a.ageSeconds()).isZero();
      assertThat(new JsonObject(a.body()).getString("token")).isEqualTo("renewed");
      assertThat(a.body().toString()).isNotEqualTo(oldBody);
    }
    time.advance(Duration.ofSeconds(5));
    EmbedAnswer hit = get();
    assertThat(hit.status()).isEqualTo(CacheStatus.HIT);
    assertThat(hit.ageSeconds()).as("the new token's age counts from its own receipt").isEqualTo(5);
    assertThat(new JsonObject(hit.body()).getString("token")).isEqualTo("renewed");
    assertThat(upstream.calls()).isEqualTo(2);
  }

  @Test
  void requestsAtTheEdgeOfTheFreshWindowShareOneUpstreamCall() {
    get();
    time.advance(Duration.ofSeconds(600));
    Promise<TokenAnswer> refresh = upstream.hold();
    List<Future<EmbedAnswer>> answers = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      answers.add(cache.get(C2C));
    }
    refresh.complete(ScriptedUpstream.answer("one-refresh"));
    for (Future<EmbedAnswer> f : answers) {
      assertThat(new JsonObject(await(f).body()).getString("token")).isEqualTo("one-refresh");
    }
    assertThat(upstream.calls()).isEqualTo(2);
  }

  @Test
  void readableExpEarlierThanTheLifetimeWins() {
    upstream.thenToken(ScriptedUpstream.jws(time.epochSecond() + 1200));
    get();
    upstream.alwaysFail(GatewayFailure.upstream(502, Outcome.SERVER_ERROR, "down"));
    time.advance(Duration.ofSeconds(599));
    assertThat(get().status()).as("fresh (its refresh ahead fails)").isEqualTo(CacheStatus.HIT);
    time.advance(Duration.ofSeconds(300));
    assertThat(get().status()).as("899 s: in reserve, SignalWire down").isEqualTo(CacheStatus.STALE);
    time.advance(Duration.ofSeconds(1));
    assertThat(failureOf(cache.get(C2C)).status()).as("900 s = exp 1200 - margin 300: never served").isEqualTo(502);
  }

  @Test
  void aShortReadableExpShortensTheFreshWindowToTheMargin() {
    upstream.thenToken(ScriptedUpstream.jws(time.epochSecond() + 700));
    get();
    upstream.alwaysFail(GatewayFailure.upstream(502, Outcome.SERVER_ERROR, "down"));
    time.advance(Duration.ofSeconds(399));
    assertThat(get().status()).isEqualTo(CacheStatus.HIT);
    time.advance(Duration.ofSeconds(1));
    assertThat(failureOf(cache.get(C2C)).status()).as("400 s = exp 700 - margin 300: no reserve left")
        .isEqualTo(502);
  }

  @Test
  void readableExpLaterThanTheLifetimeIsCappedByTheLifetime() {
    upstream.thenToken(ScriptedUpstream.jws(time.epochSecond() + 86_400));
    get();
    upstream.alwaysFail(GatewayFailure.upstream(502, Outcome.SERVER_ERROR, "down"));
    time.advance(Duration.ofSeconds(3300).minusNanos(1));
    assertThat(get().status()).isEqualTo(CacheStatus.STALE);
    time.advance(Duration.ofNanos(1));
    assertThat(failureOf(cache.get(C2C)).status()).isEqualTo(502);
  }

  @Test
  void malformedTokensFallBackToTheLifetime() {
    for (String token : List.of("a.%%%.c", "a.e30.c", "a.bm90IGpzb24.c", "x", "a.eyJleHAiOiJzb29uIn0.c",
        "....", "eyJleHAiOi0xfQ....")) {
      EmbedTokenCache c = new EmbedTokenCache(vertx, DEFAULTS, new ScriptedUpstream().thenToken(token), time.time());
      await(c.get(C2C));
      assertThat(c.holds(C2C)).as(token).isTrue();
    }
    assertThat(TokenExpiry.exp("eyJleHAiOjEyM30.." + "a.b.c")).hasValue(123);
  }

  @Test
  void tokenAlreadyInsideItsMarginIsReturnedButNotCached() {
    upstream.thenToken(ScriptedUpstream.jws(time.epochSecond() + 200));
    EmbedAnswer first = get();
    assertThat(first.status()).isEqualTo(CacheStatus.MISS);
    assertThat(new JsonObject(first.body()).getString("token")).contains(".");
    assertThat(get().status()).isEqualTo(CacheStatus.MISS);
    assertThat(upstream.calls()).isEqualTo(2);
  }

  @Test
  void refreshAheadHappensOnceInTheBackgroundInsideTheFreshWindow() {
    String oldBody = get().body().toString();
    time.advance(Duration.ofSeconds(479));
    assertThat(get().status()).isEqualTo(CacheStatus.HIT);
    assertThat(upstream.calls()).as("no refresh before 0.8 x 600 s").isEqualTo(1);
    time.advance(Duration.ofSeconds(1));
    Promise<TokenAnswer> refresh = upstream.hold();

    EmbedAnswer during = get();
    EmbedAnswer again = get();
    assertThat(during.status()).isEqualTo(CacheStatus.HIT);
    assertThat(during.body().toString()).isEqualTo(oldBody);
    assertThat(again.body().toString()).isEqualTo(oldBody);
    assertThat(upstream.calls()).as("exactly one background refresh").isEqualTo(2);

    refresh.complete(ScriptedUpstream.answer("refreshed"));
    EmbedAnswer after = get();
    assertThat(after.status()).isEqualTo(CacheStatus.HIT);
    assertThat(after.ageSeconds()).isZero();
    assertThat(new JsonObject(after.body()).getString("token")).isEqualTo("refreshed");
    time.advance(Duration.ofSeconds(599));
    assertThat(get().status()).as("the refreshed token has a fresh window of its own").isEqualTo(CacheStatus.HIT);
    assertThat(upstream.calls()).isEqualTo(3); // its own refresh ahead, at 480 s
  }

  @Test
  void inReserveTheHeldTokenIsServedStaleOnlyWhenSignalWireFailsAndNeverInsideTheMargin() {
    String oldBody = get().body().toString();
    upstream.alwaysFail(GatewayFailure.upstream(504, Outcome.TIMEOUT, "slow"));
    time.advance(Duration.ofSeconds(600));
    EmbedAnswer stale = get();
    assertThat(stale.status()).isEqualTo(CacheStatus.STALE);
    assertThat(stale.ageSeconds()).isEqualTo(600);
    assertThat(stale.body().toString()).isEqualTo(oldBody);
    for (Outcome o : List.of(Outcome.SERVER_ERROR, Outcome.CONNECTION_ERROR, Outcome.RATE_LIMITED,
        Outcome.REJECTED_BY_BREAKER)) {
      upstream.alwaysFail(GatewayFailure.retryLater(503, 1, o, "x"));
      assertThat(get().status()).as(o.label()).isEqualTo(CacheStatus.STALE);
    }
    time.advance(Duration.ofSeconds(2700).minusNanos(1));
    EmbedAnswer lastStale = get();
    assertThat(lastStale.status()).isEqualTo(CacheStatus.STALE);
    assertThat(lastStale.ageSeconds()).isEqualTo(3299);
    int calls = upstream.calls();
    time.advance(Duration.ofNanos(1));
    assertThat(failureOf(cache.get(C2C)).status()).as("at 3300 s the token is inside its margin").isEqualTo(503);
    assertThat(upstream.calls()).isEqualTo(calls + 1);
  }

  @Test
  void anAsynchronouslyLoadedTokenIsKeptUntilItsMargin() {
    Promise<TokenAnswer> pending = upstream.hold();
    Future<EmbedAnswer> first = cache.get(C2C);
    pending.complete(ScriptedUpstream.answer("async-token"));
    await(first);
    time.advance(Duration.ofSeconds(3200));
    upstream.alwaysFail(GatewayFailure.upstream(502, Outcome.SERVER_ERROR, "down"));
    assertThat(get().status()).isEqualTo(CacheStatus.STALE);
  }

  @Test
  void aPurgeDuringARefreshIsNotUndoneByIt() {
    get();
    time.advance(Duration.ofSeconds(480));
    Promise<TokenAnswer> refresh = upstream.hold();
    assertThat(get().status()).isEqualTo(CacheStatus.HIT); // starts the refresh ahead
    assertThat(cache.invalidate(C2C)).isTrue();
    refresh.complete(ScriptedUpstream.answer("written-after-the-purge"));
    assertThat(cache.holds(C2C)).as("the refresh must not bring the purged entry back").isFalse();
    EmbedAnswer next = get();
    assertThat(next.status()).isEqualTo(CacheStatus.MISS);
    assertThat(upstream.calls()).isEqualTo(3);
  }

  @Test
  void aPurgeDuringAReserveRefreshIsNotUndoneByItWhileTheWaitersGetTheNewToken() {
    get();
    time.advance(Duration.ofSeconds(700));
    Promise<TokenAnswer> refresh = upstream.hold();
    Future<EmbedAnswer> waiting = cache.get(C2C);
    cache.invalidateAll();
    refresh.complete(ScriptedUpstream.answer("for-the-waiter"));
    assertThat(new JsonObject(await(waiting).body()).getString("token")).isEqualTo("for-the-waiter");
    assertThat(cache.holds(C2C)).isFalse();
  }

  @Test
  void aFinishedFailureIsNeverHandedToALaterRequest(Vertx vertx) {
    // The first caller's answer is delivered on its own event loop before Caffeine's own completion handler has
    // dropped the failure entry: the request that follows it must still call SignalWire again.
    Context loop = vertx.getOrCreateContext();
    Promise<TokenAnswer> pending = upstream.hold();
    Promise<Future<EmbedAnswer>> second = Promise.promise();
    Promise<Future<EmbedAnswer>> first = Promise.promise();
    loop.runOnContext(v -> first.complete(cache.get(C2C).onComplete(ar -> second.complete(cache.get(C2C)))));
    await(first.future());
    loop.runOnContext(v -> pending.fail(GatewayFailure.upstream(502, Outcome.SERVER_ERROR, "500 upstream")));
    assertThat(failureOf(await(first.future())).status()).isEqualTo(502);
    EmbedAnswer retried = await(await(second.future()));
    assertThat(retried.status()).isEqualTo(CacheStatus.MISS);
    assertThat(upstream.calls()).isEqualTo(2);
  }

  @Test
  void staleIsNotServedForAClientError() {
    get();
    time.advance(Duration.ofSeconds(1000));
    upstream.thenFail(GatewayFailure.passThrough(401, GatewayFailure.errorBody(401)));
    assertThat(failureOf(cache.get(C2C)).status()).isEqualTo(401);
  }

  @Test
  void notFoundAndUnprocessableAreRememberedForTheNegativeTtl() {
    for (int status : new int[] {404, 422}) {
      String c2c = "c2c_negative" + status;
      upstream.thenFail(GatewayFailure.passThrough(status, GatewayFailure.errorBody(status)));
      int before = upstream.calls();
      GatewayFailure first = failureOf(cache.get(c2c));
      GatewayFailure second = failureOf(cache.get(c2c));
      assertThat(first.status()).isEqualTo(status);
      assertThat(first.remembered()).as("SignalWire was asked: a miss").isFalse();
      assertThat(second.status()).isEqualTo(status);
      assertThat(second.remembered()).as("answered from the negative entry").isTrue();
      assertThat(upstream.calls() - before).isEqualTo(1);
      time.advance(Duration.ofSeconds(30));
      assertThat(get(c2c).status()).as("after the negative TTL SignalWire is asked again").isEqualTo(CacheStatus.MISS);
      assertThat(upstream.calls() - before).isEqualTo(2);
    }
  }

  @Test
  void otherErrorsAreNeverCached() {
    List<GatewayFailure> failures = List.of(
        GatewayFailure.passThrough(401, GatewayFailure.errorBody(401)),
        GatewayFailure.passThrough(403, GatewayFailure.errorBody(403)),
        GatewayFailure.upstream(502, Outcome.SERVER_ERROR, "5xx"),
        GatewayFailure.upstream(504, Outcome.TIMEOUT, "timeout"),
        GatewayFailure.retryLater(429, 1, Outcome.RATE_LIMITED, "429"));
    for (GatewayFailure f : failures) {
      upstream.thenFail(f).thenFail(f);
      int before = upstream.calls();
      assertThat(failureOf(cache.get(C2C)).status()).isEqualTo(f.status());
      assertThat(failureOf(cache.get(C2C)).status()).isEqualTo(f.status());
      assertThat(upstream.calls() - before).as("status " + f.status()).isEqualTo(2);
    }
  }

  @Test
  void boundHoldsUnderAFloodOfDistinctTokensWhileTheHotTokenStays() {
    int max = 500;
    EmbedTokenCache bounded = new EmbedTokenCache(vertx, new CacheOptions(true, 3600, 600, 300, 0.8, 30, max),
        upstream, time.time());
    String hot = "c2c_hotToken0000";
    await(bounded.get(hot));
    for (int i = 0; i < 10 * max; i++) {
      await(bounded.get("c2c_flood" + i));
      if (i % 5 == 0) {
        assertThat(await(bounded.get(hot)).status()).isEqualTo(CacheStatus.HIT);
      }
    }
    assertThat(bounded.size()).isLessThanOrEqualTo(max);
    assertThat(bounded.holds(hot)).isTrue();
    int callsBefore = upstream.calls();
    assertThat(await(bounded.get(hot)).status()).isEqualTo(CacheStatus.HIT);
    assertThat(upstream.calls()).isEqualTo(callsBefore);
  }

  @Test
  void disabledCacheCallsUpstreamEveryTime() {
    EmbedTokenCache off = new EmbedTokenCache(vertx, new CacheOptions(false, 3600, 600, 300, 0.8, 30, 10), upstream,
        time.time());
    assertThat(await(off.get(C2C)).status()).isEqualTo(CacheStatus.MISS);
    assertThat(await(off.get(C2C)).status()).isEqualTo(CacheStatus.MISS);
    assertThat(upstream.calls()).isEqualTo(2);
  }

  /**
   * Two contexts on two different event loops. (From a test thread, {@code getOrCreateContext()} answers a new
   * context each time, but every one on the same event loop.)
   */
  private List<Context> onTwoEventLoops() {
    VertxInternal internal = (VertxInternal) vertx;
    List<Context> contexts = new ArrayList<>();
    for (EventExecutor loop : internal.nettyEventLoopGroup()) {
      if (contexts.size() < 2) {
        contexts.add(internal.contextBuilder().withEventLoop((EventLoop) loop).build());
      }
    }
    assertThat(contexts).hasSize(2);
    return contexts;
  }

  /** A race's gate, on an event loop on purpose: bounded. */
  private static void awaitAtMost(CountDownLatch latch, long millis) {
    try {
      latch.await(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private EmbedAnswer get() {
    return get(C2C);
  }

  private EmbedAnswer get(String c2c) {
    return await(cache.get(c2c));
  }

  private static GatewayFailure failureOf(Future<?> f) {
    try {
      f.toCompletionStage().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      return (GatewayFailure) e.getCause();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("expected a failure");
  }
}
