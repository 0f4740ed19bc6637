package io.tokengateway.http;

import io.tokengateway.cache.CacheStatus;
import io.tokengateway.cache.EmbedAnswer;
import io.tokengateway.cache.EmbedTokenCache;
import io.tokengateway.core.GatewayFailure;
import io.tokengateway.upstream.Endpoint;
import io.vertx.core.AsyncResult;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import java.util.EnumMap;
import java.util.Map;

/**
 * The whole life of a {@code POST /api/fabric/embeds/tokens} (and of its CORS preflight), one stage after the
 * other over one {@link Exchange}:
 * <ol>
 *   <li>trace: the caller's W3C trace continued, or a new one ({@code traceparent} on the answer);</li>
 *   <li>CORS: the answer's allow headers; a preflight is answered here;</li>
 *   <li>client limit: one permit from the client's bucket, else 429;</li>
 *   <li>body: JSON, within {@code http.maxBodyBytes}, read whole (415, 413);</li>
 *   <li>validate: the C2C token (400, 422);</li>
 *   <li>cache: the embed token cache, which asks SignalWire (through the upstream guards) when it must;</li>
 *   <li>write: 201 with {@code X-Cache} and {@code Age}, or the failure's answer;</li>
 *   <li>observe: the meters, the access line, the end of the trace.</li>
 * </ol>
 * Every failure on the way is a {@link GatewayFailure} and becomes HTTP in {@link Responses}. Requests for
 * this path that are neither a POST nor a preflight never get here: the router answers them 405.
 */
final class EmbedPipeline implements Handler<HttpServerRequest> {

  private static final CharSequence X_CACHE = HttpHeaders.createOptimized("X-Cache");
  private static final CharSequence AGE = HttpHeaders.createOptimized("Age");
  private static final CharSequence AGE_ZERO = HttpHeaders.createOptimized("0");
  private static final Map<CacheStatus, CharSequence> X_CACHE_VALUES = new EnumMap<>(CacheStatus.class);

  static {
    for (CacheStatus status : CacheStatus.values()) {
      X_CACHE_VALUES.put(status, HttpHeaders.createOptimized(status.name()));
    }
  }

  private final CorsPolicy cors;
  private final ClientLimits clientLimits;
  private final RequestBodies bodies;
  private final RequestValidator validator;
  private final EmbedTokenCache cache;
  private final AccessLog accessLog;

  EmbedPipeline(CorsPolicy cors, ClientLimits clientLimits, RequestBodies bodies, RequestValidator validator,
      EmbedTokenCache cache, AccessLog accessLog) {
    this.cors = cors;
    this.clientLimits = clientLimits;
    this.bodies = bodies;
    this.validator = validator;
    this.cache = cache;
    this.accessLog = accessLog;
  }

  @Override
  public void handle(HttpServerRequest request) {
    Exchange x = new Exchange(request, Endpoint.EMBEDS, accessLog.begin(request));
    if (cors.answeredPreflight(x)) {
      accessLog.observe(x);
      return;
    }
    GatewayFailure limited = clientLimits.check(x);
    if (limited != null) {
      fail(x, limited);
      return;
    }
    bodies.read(x).onComplete(body -> {
      if (body.failed()) {
        fail(x, body.cause());
      } else {
        lookUp(x, body.result());
      }
    });
  }

  /** Validate, then the cache. */
  private void lookUp(Exchange x, Buffer body) {
    String c2c;
    try {
      c2c = validator.embedToken(body);
    } catch (RuntimeException invalid) {
      fail(x, invalid);
      return;
    }
    cache.get(c2c).onComplete(answer -> write(x, answer));
  }

  /** Write: the token with how it was served and its age, or the failure SignalWire's answer became. */
  private void write(Exchange x, AsyncResult<EmbedAnswer> answer) {
    if (answer.failed()) {
      x.cache = answer.cause() instanceof GatewayFailure f && f.remembered() ? CacheStatus.NEGATIVE : CacheStatus.MISS;
      x.response.headers().set(X_CACHE, X_CACHE_VALUES.get(x.cache));
      fail(x, answer.cause());
      return;
    }
    EmbedAnswer token = answer.result();
    x.cache = token.status();
    x.outcome = token.status() == CacheStatus.MISS ? "success" : null;
    x.response.headers().set(X_CACHE, X_CACHE_VALUES.get(x.cache))
        .set(AGE, token.ageSeconds() == 0 ? AGE_ZERO : String.valueOf(token.ageSeconds()));
    Responses.json(x.response, 201, token.body());
    accessLog.observe(x);
  }

  private void fail(Exchange x, Throwable failure) {
    Responses.error(x, failure);
    accessLog.observe(x);
  }
}
