package io.tokengateway.tracing;

import io.vertx.core.http.HttpMethod;

/**
 * Span names and routes from fixed strings only: the gateway's own paths, else {@code <other>} (a path can hold
 * a token), and the standard methods, else {@code _OTHER} (OpenTelemetry's name for a method it does not know).
 * The names are built once, so naming a span allocates nothing.
 */
final class SpanNames {

  static final String OTHER_ROUTE = "<other>";
  private static final String[] ROUTES = {"/api/fabric/embeds/tokens", "/api/fabric/guests/tokens",
      "/api/fabric/subscribers/tokens/refresh", "/health/live", "/health/ready", OTHER_ROUTE};
  private static final HttpMethod[] METHODS = {HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST, HttpMethod.PUT,
      HttpMethod.DELETE, HttpMethod.OPTIONS, HttpMethod.PATCH, HttpMethod.TRACE, HttpMethod.CONNECT};
  static final String OTHER_METHOD = "_OTHER";
  private static final String[][] NAMES = new String[METHODS.length + 1][ROUTES.length];

  static {
    for (int m = 0; m <= METHODS.length; m++) {
      for (int r = 0; r < ROUTES.length; r++) {
        NAMES[m][r] = method(m) + " " + ROUTES[r];
      }
    }
  }

  private SpanNames() {
  }

  /** The index of {@code path} among the gateway's own paths, or that of {@code <other>}. */
  static int route(String path) {
    if (path != null) {
      for (int r = 0; r < ROUTES.length - 1; r++) {
        if (ROUTES[r].equals(path)) {
          return r;
        }
      }
    }
    return ROUTES.length - 1;
  }

  static String routeName(int route) {
    return ROUTES[route];
  }

  /** The index of {@code method} among the standard ones, or that of {@code _OTHER}. */
  static int method(HttpMethod method) {
    for (int m = 0; m < METHODS.length; m++) {
      if (METHODS[m] == method) {
        return m;
      }
    }
    return METHODS.length;
  }

  static String method(int method) {
    return method < METHODS.length ? METHODS[method].name() : OTHER_METHOD;
  }

  /** {@code POST /api/fabric/embeds/tokens}, {@code GET <other>}, ... */
  static String server(int method, int route) {
    return NAMES[method][route];
  }
}
