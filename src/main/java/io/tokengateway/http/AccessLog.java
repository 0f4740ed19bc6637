package io.tokengateway.http;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.vertx.ext.web.RoutingContext;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JSON line per request on logger {@code access}: method, path, status, duration and upstream outcome.
 * Paths other than the gateway's own are logged as {@code <other>} and nothing from headers or bodies is
 * logged, so a token can never reach this line.
 */
public final class AccessLog {

  public static final String OUTCOME_KEY = "upstreamOutcome";
  public static final String CACHE_KEY = "cacheStatus";
  static final Logger LOG = LoggerFactory.getLogger("access");
  private static final Set<String> KNOWN_PATHS = Set.of(
      "/api/fabric/embeds/tokens", "/api/fabric/guests/tokens", "/health/live", "/health/ready");

  private AccessLog() {
  }

  /** The first handler of every request: logs it when its answer has been written. */
  public static void handle(RoutingContext ctx) {
    if (LOG.isInfoEnabled()) {
      long start = System.nanoTime();
      ctx.addEndHandler(ignored -> log(ctx, start));
    }
    ctx.next();
  }

  private static void log(RoutingContext ctx, long start) {
    String path = ctx.request().path();
    String outcome = ctx.get(OUTCOME_KEY);
    Object cache = ctx.get(CACHE_KEY);
    LOG.info("request", kv("method", ctx.request().method().name()),
        kv("path", path != null && KNOWN_PATHS.contains(path) ? path : "<other>"),
        kv("status", ctx.response().getStatusCode()),
        kv("durationMs", (System.nanoTime() - start) / 1_000_000.0),
        kv("upstream", outcome == null ? "none" : outcome),
        kv("cache", cache == null ? "-" : cache));
  }
}
