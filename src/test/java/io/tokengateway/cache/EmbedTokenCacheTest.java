package io.tokengateway.cache;

import static io.tokengateway.support.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokengateway.GatewayFailure;
import io.tokengateway.GatewayFailure.Outcome;
import io.tokengateway.config.CacheOptions;
import io.tokengateway.support.ManualTime;
import io.tokengateway.support.ScriptedUpstream;
import io.tokengateway.upstream.TokenAnswer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The cache rules, on an injected ticker and clock: nothing here sleeps through a lifetime. */
@ExtendWith(VertxExtension.class)
class EmbedTokenCacheTest {

  private static final String C2C = "c2c_7acc0e5e968706a032983cd80cdca219";
  private static final CacheOptions DEFAULTS = new CacheOptions(true, 3600, 300, 0.8, 30, 100_000);
  // servable lifetime 3300 s; refresh ahead from 2640 s; stale window 3300 s to 3600 s

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
  void hitAfterMissCallsUpstreamOnce() {
    EmbedAnswer first = get();
    EmbedAnswer second = get();
    assertThat(first.status()).isEqualTo(CacheStatus.MISS);
    assertThat(second.status()).isEqualTo(CacheStatus.HIT);
    assertThat(second.body()).isEqualTo(first.body());
    assertThat(upstream.calls()).isEqualTo(1);
  }

  @Test
  void concurrentColdRequestsShareOneUpstreamCallAndCompleteOnTheirOwnContexts() {
    Promise<TokenAnswer> pending = upstream.hold();
    List<Future<EmbedAnswer>> answers = new ArrayList<>();
    Set<Context> completedOn = ConcurrentHashMap.newKeySet();
    List<Context> callers = List.of(vertx.getOrCreateContext(), vertx.getOrCreateContext());
    List<Promise<Void>> submitted = new ArrayList<>();
    for (Context caller : callers) {
      Promise<Void> done = Promise.promise();
      submitted.add(done);
      caller.runOnContext(v -> {
        for (int i = 0; i < 250; i++) {
          answers.add(cache.get(C2C).onComplete(ar -> {
            if (Vertx.currentContext() == caller) {
              completedOn.add(caller);
            }
          }));
        }
        done.complete();
      });
    }
    submitted.forEach(p -> await(p.future()));
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
  void opaqueTokenIsServedUntilLifetimeMinusMargin() {
    get();
    time.advance(Duration.ofSeconds(3300).minusNanos(1));
    upstream.hold(); // a refresh ahead starts here; keep it pending
    assertThat(get().status()).isEqualTo(CacheStatus.HIT);
    time.advance(Duration.ofNanos(1));
    assertThat(cache.get(C2C).isComplete()).as("past 3300 s the cached token is no longer served on its own")
        .isFalse();
  }

  @Test
  void readableExpEarlierThanTheLifetimeWins() {
    upstream.thenToken(ScriptedUpstream.jws(time.epochSecond() + 900));
    get();
    upstream.alwaysFail(GatewayFailure.upstream(502, Outcome.SERVER_ERROR, "down"));
    time.advance(Duration.ofSeconds(599));
    assertThat(get().status()).as("served (its refresh ahead fails)").isEqualTo(CacheStatus.HIT);
    time.advance(Duration.ofSeconds(1));
    assertThat(get().status()).as("600 s = exp 900 - margin 300: stale from here").isEqualTo(CacheStatus.STALE);
  }

  @Test
  void readableExpLaterThanTheLifetimeIsCappedByTheLifetime() {
    upstream.thenToken(ScriptedUpstream.jws(time.epochSecond() + 86_400));
    get();
    time.advance(Duration.ofSeconds(3300));
    upstream.alwaysFail(GatewayFailure.upstream(502, Outcome.SERVER_ERROR, "down"));
    assertThat(get().status()).isEqualTo(CacheStatus.STALE);
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
  void refreshAheadHappensOnceInTheBackgroundWhileTheOldTokenIsServed() {
    String oldBody = get().body().toString();
    time.advance(Duration.ofSeconds(2640));
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
    assertThat(new JsonObject(after.body()).getString("token")).isEqualTo("refreshed");
    assertThat(upstream.calls()).isEqualTo(2);
  }

  @Test
  void staleIfErrorServesTheOldTokenButNeverPastExpiry() {
    String oldBody = get().body().toString();
    upstream.alwaysFail(GatewayFailure.upstream(504, Outcome.TIMEOUT, "slow"));
    time.advance(Duration.ofSeconds(3400));
    EmbedAnswer stale = get();
    assertThat(stale.status()).isEqualTo(CacheStatus.STALE);
    assertThat(stale.body().toString()).isEqualTo(oldBody);
    for (Outcome o : List.of(Outcome.SERVER_ERROR, Outcome.CONNECTION_ERROR, Outcome.RATE_LIMITED,
        Outcome.REJECTED_BY_BREAKER)) {
      upstream.alwaysFail(GatewayFailure.retryLater(503, 1, o, "x"));
      assertThat(get().status()).as(o.label()).isEqualTo(CacheStatus.STALE);
    }
    time.advance(Duration.ofSeconds(200));
    assertThat(failureOf(cache.get(C2C)).status()).as("at 3600 s the token has expired").isEqualTo(503);
  }

  @Test
  void anAsynchronouslyLoadedTokenIsKeptForItsWholeLifetime() {
    Promise<TokenAnswer> pending = upstream.hold();
    Future<EmbedAnswer> first = cache.get(C2C);
    pending.complete(ScriptedUpstream.answer("async-token"));
    await(first);
    time.advance(Duration.ofSeconds(3400));
    upstream.alwaysFail(GatewayFailure.upstream(502, Outcome.SERVER_ERROR, "down"));
    assertThat(get().status()).isEqualTo(CacheStatus.STALE);
  }

  @Test
  void staleIsNotServedForAClientError() {
    get();
    time.advance(Duration.ofSeconds(3400));
    upstream.thenFail(GatewayFailure.passThrough(401, GatewayFailure.errorBody(401)));
    assertThat(failureOf(cache.get(C2C)).status()).isEqualTo(401);
  }

  @Test
  void notFoundAndUnprocessableAreRememberedForTheNegativeTtl() {
    for (int status : new int[] {404, 422}) {
      String c2c = "c2c_negative" + status;
      upstream.thenFail(GatewayFailure.passThrough(status, GatewayFailure.errorBody(status)));
      int before = upstream.calls();
      EmbedAnswer first = get(c2c);
      EmbedAnswer second = get(c2c);
      assertThat(first.status()).isEqualTo(CacheStatus.MISS);
      assertThat(first.failure().status()).isEqualTo(status);
      assertThat(second.status()).isEqualTo(CacheStatus.NEGATIVE);
      assertThat(second.failure().status()).isEqualTo(status);
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
    EmbedTokenCache bounded = new EmbedTokenCache(vertx, new CacheOptions(true, 3600, 300, 0.8, 30, max),
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
    EmbedTokenCache off = new EmbedTokenCache(vertx, new CacheOptions(false, 3600, 300, 0.8, 30, 10), upstream,
        time.time());
    assertThat(await(off.get(C2C)).status()).isEqualTo(CacheStatus.MISS);
    assertThat(await(off.get(C2C)).status()).isEqualTo(CacheStatus.MISS);
    assertThat(upstream.calls()).isEqualTo(2);
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
