package io.tokengateway.support;

import io.tokengateway.core.GatewayFailure;
import io.tokengateway.upstream.TokenAnswer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * An upstream function for cache tests: counts calls and answers with the next scripted result, else a fresh
 * opaque token. {@link #hold()} makes the next calls wait on a promise the test completes.
 */
public final class ScriptedUpstream implements Function<String, Future<TokenAnswer>> {

  private final AtomicInteger calls = new AtomicInteger();
  private final Deque<Function<String, Future<TokenAnswer>>> script = new ArrayDeque<>();
  private volatile Function<String, Future<TokenAnswer>> fallback = c2c -> Future.succeededFuture(opaque());
  private final AtomicInteger minted = new AtomicInteger();

  @Override
  public synchronized Future<TokenAnswer> apply(String c2c) {
    calls.incrementAndGet();
    Function<String, Future<TokenAnswer>> next = script.poll();
    return (next != null ? next : fallback).apply(c2c);
  }

  public int calls() {
    return calls.get();
  }

  /** The next call answers with this token. */
  public synchronized ScriptedUpstream thenToken(String token) {
    script.add(c2c -> Future.succeededFuture(answer(token)));
    return this;
  }

  /** The next call fails with this. */
  public synchronized ScriptedUpstream thenFail(GatewayFailure failure) {
    script.add(c2c -> Future.failedFuture(failure));
    return this;
  }

  /** Every call from now on fails with this. */
  public ScriptedUpstream alwaysFail(GatewayFailure failure) {
    fallback = c2c -> Future.failedFuture(failure);
    return this;
  }

  /** The next call waits for the returned promise. */
  public synchronized Promise<TokenAnswer> hold() {
    Promise<TokenAnswer> p = Promise.promise();
    script.add(c2c -> p.future());
    return p;
  }

  public TokenAnswer opaque() {
    return answer("eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..iv" + minted.incrementAndGet() + ".ct.tag");
  }

  public static TokenAnswer answer(String token) {
    return new TokenAnswer(token, new JsonObject().put("token", token).toBuffer());
  }

  /** A readable JWS whose payload carries {@code exp}. */
  public static String jws(long exp) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    return b64.encodeToString("{\"alg\":\"HS256\"}".getBytes(StandardCharsets.UTF_8)) + "."
        + b64.encodeToString(new JsonObject().put("exp", exp).encode().getBytes(StandardCharsets.UTF_8)) + ".sig";
  }
}
