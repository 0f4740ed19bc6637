package io.tokengateway.http;

import io.tokengateway.config.CorsOptions;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Cross-origin access to the token endpoints for exactly the configured origins. A preflight from an allowed
 * origin gets 204 with the allow headers and {@code Max-Age}; every answer to an allowed origin carries
 * {@code Access-Control-Allow-Origin}, {@code Access-Control-Expose-Headers: Age, X-Cache, traceparent} (so page
 * code can compute a token's expiry and quote the request's trace) and {@code Vary: Origin}; a page may send W3C
 * trace context ({@code traceparent}, {@code tracestate}) to continue its own trace; other origins get no allow
 * header, so the browser blocks them. Preflights have no body, call nobody and cost no client permit.
 */
public final class CorsPolicy {

  /** Request headers a page may always send; anything else (Authorization above all) only when the wiring adds it. */
  static final Set<String> SAFE_HEADERS = Set.of("content-type", "accept", "accept-language", "content-language",
      "traceparent", "tracestate");

  /** Answer headers page scripts may read: how old the token is, how it was served, and its trace. */
  static final CharSequence EXPOSED = HttpHeaders.createOptimized("Age, X-Cache, traceparent");

  private final Set<String> origins;
  private final boolean anyOrigin;
  private final String maxAge;
  private final Set<String> requestHeaders;

  public CorsPolicy(CorsOptions options) {
    this(options, Set.of());
  }

  /**
   * @param extraRequestHeaders lowercase request headers a page may send besides {@link #SAFE_HEADERS} (the guest
   *     checks' {@code authorization} and {@code x-captcha-token}, when they are on)
   */
  public CorsPolicy(CorsOptions options, Set<String> extraRequestHeaders) {
    Set<String> headers = new java.util.HashSet<>(SAFE_HEADERS);
    headers.addAll(extraRequestHeaders);
    this.requestHeaders = Set.copyOf(headers);
    this.origins = Set.copyOf(options.origins());
    this.anyOrigin = origins.contains("*");
    this.maxAge = String.valueOf(options.maxAgeSeconds());
  }

  /** Whether {@code request} is a CORS preflight (the pipelines take those, the router everything else). */
  static boolean isPreflight(HttpServerRequest request) {
    return request.method() == HttpMethod.OPTIONS
        && request.headers().contains(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD);
  }

  /**
   * The CORS stage of every token pipeline: decorates the answer to come; answers a preflight (204, no body) and
   * says so, in which case the request is over.
   */
  boolean answeredPreflight(Exchange x) {
    MultiMap headers = x.response.headers();
    boolean allowed = decorate(x.request.getHeader(HttpHeaders.ORIGIN), headers);
    if (x.request.method() != HttpMethod.OPTIONS) {
      return false;
    }
    if (allowed) {
      headers.set(HttpHeaders.ACCESS_CONTROL_ALLOW_METHODS, "POST");
      headers.set(HttpHeaders.ACCESS_CONTROL_ALLOW_HEADERS, allowHeaders(x.request));
      headers.set(HttpHeaders.ACCESS_CONTROL_MAX_AGE, maxAge);
    }
    x.response.setStatusCode(204).end();
    return true;
  }

  /** Adds {@code Vary} and, for an allowed origin, {@code Access-Control-Allow-Origin}; true when allowed. */
  boolean decorate(String origin, MultiMap headers) {
    if (origins.isEmpty()) {
      return false;
    }
    headers.add(HttpHeaders.VARY, "Origin");
    boolean allowed = origin != null && (anyOrigin || origins.contains(origin));
    if (allowed) {
      headers.set(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, anyOrigin ? "*" : origin);
      headers.set(HttpHeaders.ACCESS_CONTROL_EXPOSE_HEADERS, EXPOSED);
    }
    return allowed;
  }

  private String allowHeaders(HttpServerRequest request) {
    Set<String> allowed = new LinkedHashSet<>();
    allowed.add("content-type");
    String requested = request.getHeader(HttpHeaders.ACCESS_CONTROL_REQUEST_HEADERS);
    if (requested != null) {
      for (String h : requested.split(",")) {
        String name = h.trim().toLowerCase(Locale.ROOT);
        if (requestHeaders.contains(name)) {
          allowed.add(name);
        }
      }
    }
    return String.join(", ", allowed);
  }
}
