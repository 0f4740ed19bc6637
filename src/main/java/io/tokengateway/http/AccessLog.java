package io.tokengateway.http;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.tokengateway.metrics.GatewayMetrics;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Observes every request once it is answered: one JSON line on logger {@code access} (method, path, status,
 * duration, upstream outcome, cache result) and the request meters.
 * Paths other than the gateway's own are logged as {@code <other>} and nothing from headers or bodies is
 * logged, so a token can never reach this line.
 */
public final class AccessLog {

  public static final String OUTCOME_KEY = "upstreamOutcome";
  public static final String CACHE_KEY = "cacheStatus";
  static final Logger LOG = LoggerFactory.getLogger("access");
  private final GatewayMetrics metrics;

  public AccessLog(GatewayMetrics metrics) {
    this.metrics = metrics;
  }

  /** The first handler of every request: observes it when its answer has been written. */
  public void handle(RoutingContext ctx) {
    long start = System.nanoTime();
    ctx.addEndHandler(ignored -> observe(ctx.request(), System.nanoTime() - start, ctx.get(OUTCOME_KEY),
        ctx.get(CACHE_KEY)));
    ctx.next();
  }

  /**
   * Records one request once it ended: meters always, the log line when INFO is on. Its status is the one
   * sent, or 0 when the connection closed before an answer was sent.
   */
  public void observe(HttpServerRequest request, long nanos, String outcome, Object cache) {
    metrics.request(endpoint(request.path()), status(request), nanos);
    if (LOG.isInfoEnabled()) {
      log(request, nanos, outcome, cache);
    }
  }

  /** The status the caller got: 0 when nothing was sent (the connection closed first). */
  static int status(HttpServerRequest request) {
    return request.response().ended() ? request.response().getStatusCode() : 0;
  }

  /** The endpoint label of a path: {@code embeds}, {@code guests}, {@code refresh}, {@code health} or {@code other}. */
  static String endpoint(String path) {
    if (path == null) {
      return "other";
    }
    return switch (path) {
      case "/api/fabric/embeds/tokens" -> "embeds";
      case "/api/fabric/guests/tokens" -> "guests";
      case "/api/fabric/subscribers/tokens/refresh" -> "refresh";
      case "/health/live", "/health/ready" -> "health";
      default -> "other";
    };
  }

  private static void log(HttpServerRequest request, long nanos, String outcome, Object cache) {
    String path = request.path();
    LOG.info("request", kv("method", request.method().name()),
        kv("path", "other".equals(endpoint(path)) ? "<other>" : path),
        kv("status", status(request)),
        kv("durationMs", nanos / 1_000_000.0),
        kv("upstream", outcome == null ? "none" : outcome),
        kv("cache", cache == null ? "-" : cache));
  }
}
