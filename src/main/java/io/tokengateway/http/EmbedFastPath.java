package io.tokengateway.http;

import io.tokengateway.core.GatewayFailure;
import io.tokengateway.cache.CacheStatus;
import io.tokengateway.cache.EmbedTokenCache;
import io.tokengateway.tracing.RequestTrace;
import io.tokengateway.upstream.Endpoint;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;

/**
 * The hot path: a well-formed {@code POST /api/fabric/embeds/tokens} (plain JSON content type, a declared
 * length within the limit) is served straight from the server's request handler, with the same CORS, client
 * limit, validation, cache and answers as the routed path but without the router's per-request work. Anything
 * else (another method or path, a content type to refuse, a chunked or oversized body) goes to the router,
 * which owns every rejection rule.
 */
final class EmbedFastPath {

  private final int maxBodyBytes;
  private final CorsPolicy cors;
  private final ClientLimitHandler clientLimit;
  private final RequestValidator validator;
  private final EmbedTokenCache cache;
  private final AccessLog accessLog;

  EmbedFastPath(int maxBodyBytes, CorsPolicy cors, ClientLimitHandler clientLimit, RequestValidator validator,
      EmbedTokenCache cache, AccessLog accessLog) {
    this.maxBodyBytes = maxBodyBytes;
    this.cors = cors;
    this.clientLimit = clientLimit;
    this.validator = validator;
    this.cache = cache;
    this.accessLog = accessLog;
  }

  /** Whether this request can take the hot path; a false answer sends it to the router. */
  boolean accepts(HttpServerRequest request) {
    if (request.method() != HttpMethod.POST || !Endpoint.EMBEDS.path().equals(request.path())) {
      return false;
    }
    String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
    if (type == null || !(type.equalsIgnoreCase("application/json")
        || type.regionMatches(true, 0, "application/json;", 0, 17))) {
      return false;
    }
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length == null || length.isEmpty() || length.length() > 7) {
      return false;
    }
    for (int i = 0; i < length.length(); i++) {
      if (!Character.isDigit(length.charAt(i))) {
        return false;
      }
    }
    return Integer.parseInt(length) <= maxBodyBytes;
  }

  void handle(HttpServerRequest request) {
    long start = System.nanoTime();
    RequestTrace trace = accessLog.begin(request);
    cors.decorate(request.getHeader(HttpHeaders.ORIGIN), request.response().headers());
    GatewayFailure limited = clientLimit.check(request);
    if (limited != null) {
      request.resume();
      finish(request, start, Responses.error(request, limited).outcome().label(), null, trace);
      return;
    }
    request.body().onComplete(body -> {
      if (body.failed()) {
        // a framing error or the request timeout is answered; a caller who left is logged without a status
        finish(request, start, body.cause() instanceof GatewayFailure f
            ? Responses.error(request, f).outcome().label() : null, null, trace);
        return;
      }
      String c2c;
      try {
        c2c = validator.embedToken(body.result());
      } catch (RuntimeException e) {
        finish(request, start, Responses.error(request, e).outcome().label(), null, trace);
        return;
      }
      cache.get(c2c).onComplete(ar -> finish(request, start, TokenHandlers.writeEmbed(request, ar),
          ar.succeeded() ? ar.result().status() : CacheStatus.MISS, trace));
    });
  }

  private void finish(HttpServerRequest request, long start, String outcome, CacheStatus cacheStatus,
      RequestTrace trace) {
    accessLog.observe(request, System.nanoTime() - start, outcome, cacheStatus, trace);
  }
}
