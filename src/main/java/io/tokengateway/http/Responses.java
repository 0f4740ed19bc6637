package io.tokengateway.http;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.tokengateway.core.ContentLength;
import io.tokengateway.core.GatewayFailure;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes every answer of the token API: JSON, {@code Cache-Control: no-store}. Errors are mapped to HTTP here
 * and only here: a {@link GatewayFailure} carries its own status and body; anything else is a 500 with
 * SignalWire's generic body, logged without the request's content.
 */
public final class Responses {

  private static final Logger LOG = LoggerFactory.getLogger(Responses.class);
  private static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");
  private static final CharSequence NO_STORE = HttpHeaders.createOptimized("no-store");
  private static final CharSequence RETRY_AFTER = HttpHeaders.createOptimized("Retry-After");
  private static final GatewayFailure BAD_REQUEST = GatewayFailure.invalid(400);
  private static final GatewayFailure URI_TOO_LONG = GatewayFailure.invalid(414);
  private static final GatewayFailure HEADERS_TOO_LARGE = GatewayFailure.invalid(431);

  private Responses() {
  }

  /** Writes a JSON answer with the headers every answer carries. */
  public static void json(RoutingContext ctx, int status, Buffer body) {
    json(ctx.response(), status, body);
  }

  /** Writes a JSON answer with the headers every answer carries. */
  public static void json(HttpServerResponse response, int status, Buffer body) {
    if (response.ended() || response.closed()) {
      return;
    }
    MultiMap headers = response.headers();
    headers.set(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON);
    headers.set(HttpHeaders.CACHE_CONTROL, NO_STORE);
    response.setStatusCode(status).end(body);
  }

  /**
   * Writes the error answer for a routed request. A failure that only says the caller's connection went away
   * (its body was still arriving) has nobody to answer and is no error.
   */
  public static void error(RoutingContext ctx, Throwable failure) {
    if (!(failure instanceof GatewayFailure) && ctx.response().closed()) {
      return;
    }
    error(ctx.request(), failure);
  }

  /**
   * Writes a pipeline's error answer and notes its outcome on the exchange; a caller who left (a body read that
   * failed because the connection closed) gets nothing and is logged without a status.
   */
  static void error(Exchange x, Throwable failure) {
    if (!(failure instanceof GatewayFailure) && x.response.closed()) {
      return;
    }
    x.outcome = error(x.request, failure).outcome().label();
  }

  /**
   * The answer to a request head the decoder or the framing rules refused (Vert.x closes the connection after
   * it): the framing rule's own failure, else 414 for a request line, 431 for headers too long, else 400.
   */
  public static GatewayFailure invalidHead(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    GatewayFailure failure = cause instanceof GatewayFailure gf ? gf
        : cause instanceof TooLongHttpLineException ? URI_TOO_LONG
        : cause instanceof TooLongHttpHeaderException ? HEADERS_TOO_LARGE : BAD_REQUEST;
    return error(request, failure);
  }

  /**
   * Writes the error answer for {@code failure} and returns what was answered. Every error answer of the
   * gateway, routed or not, is written here.
   */
  public static GatewayFailure error(HttpServerRequest request, Throwable failure) {
    GatewayFailure f = failure instanceof GatewayFailure gf ? gf : unexpected(failure);
    HttpServerResponse response = request.response();
    if (f.retryAfterSeconds() != null) {
      response.headers().set(RETRY_AFTER, String.valueOf(f.retryAfterSeconds()));
    }
    if (f.challenge() != null) {
      response.headers().set(io.netty.handler.codec.http.HttpHeaderNames.WWW_AUTHENTICATE, f.challenge());
    }
    if (endsConnection(f.status(), request)) {
      response.headers().set(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
    }
    json(response, f.status(), f.body());
    return f;
  }

  /**
   * Whether an answer ends its connection: a request refused for its framing, size or time (400, 408, 413, 414,
   * 431), or for its content type, path or method when it declared a body (415, 404, 405: a body nobody reads is
   * not drained). The answer says {@code Connection: close}; the connection rules then read nothing more of it (a
   * body of any declared length is never read, an endless one no further) and close the connection once the
   * answer is written. Other refusals (429, 403, ...) keep it.
   */
  private static boolean endsConnection(int status, HttpServerRequest request) {
    return switch (status) {
      case 400, 408, 413, 414, 431 -> true;
      case 404, 405, 415 -> declaresBody(request);
      default -> false;
    };
  }

  private static boolean declaresBody(HttpServerRequest request) {
    return ContentLength.declared(request.getHeader(HttpHeaders.CONTENT_LENGTH)) > 0
        || request.headers().contains(HttpHeaders.TRANSFER_ENCODING);
  }

  /**
   * Makes {@code router} answer its own failures (404, 405, 413, 415, ...) in SignalWire's shapes; once all its
   * routes are mounted. A 405 says which methods its path answers ({@code Allow}, RFC 9110 section 10.2.1): those
   * its routes are mounted with, and {@code servedBefore}'s for paths served before the router.
   *
   * @param servedBefore the {@code Allow} of each path whose requests are served before they reach the router
   */
  public static void handleErrors(Router router, Map<String, String> servedBefore) {
    Map<String, String> allow = allowedMethods(router, servedBefore);
    Handler<RoutingContext> failure = ctx -> {
      if (ctx.statusCode() == 405) {
        String methods = allow.get(ctx.request().path());
        if (methods != null) {
          ctx.response().headers().set(HttpHeaders.ALLOW, methods);
        }
      }
      routerFailure(ctx);
    };
    router.route().failureHandler(failure);
    for (int status : new int[] {400, 404, 405, 413, 415, 500}) {
      router.errorHandler(status, failure);
    }
  }

  /** The methods of each exact path {@code router} routes by method, and {@code servedBefore}'s: one home each. */
  private static Map<String, String> allowedMethods(Router router, Map<String, String> servedBefore) {
    Map<String, Set<String>> methods = new HashMap<>();
    for (Route route : router.getRoutes()) {
      if (route.isExactPath() && route.getPath() != null && route.methods() != null) {
        route.methods().forEach(m -> methods.computeIfAbsent(route.getPath(), p -> new TreeSet<>()).add(m.name()));
      }
    }
    Map<String, String> allow = new HashMap<>(servedBefore);
    methods.forEach((path, names) -> allow.putIfAbsent(path, String.join(", ", names)));
    return Map.copyOf(allow);
  }

  /** Status-only failures from Vert.x Web become SignalWire shapes. */
  private static void routerFailure(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    boolean statusOnly = !(failure instanceof GatewayFailure) && ctx.statusCode() >= 400 && ctx.statusCode() < 500;
    error(ctx, statusOnly ? GatewayFailure.invalid(ctx.statusCode()) : failure);
  }

  private static GatewayFailure unexpected(Throwable t) {
    LOG.error("unexpected failure while serving a request: {}", t == null ? "unknown" : t.getClass().getName());
    return GatewayFailure.upstream(500, GatewayFailure.Outcome.SERVER_ERROR, "internal error");
  }
}
