package io.tokengateway.http;

import com.github.benmanes.caffeine.cache.Ticker;
import io.tokengateway.config.LogOptions;
import io.tokengateway.logging.AccessFields;
import io.tokengateway.logging.RejectionSummaries;
import io.tokengateway.metrics.GatewayMetrics;
import io.tokengateway.tracing.RequestTrace;
import io.tokengateway.tracing.Tracing;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Observes every request once it is answered: the request meters always, and one JSON line on logger
 * {@code access} (method, path, status, duration, upstream outcome, cache result) as {@code log.access} says:
 * every request, errors (4xx/5xx) only, or errors and every {@code 1 / log.accessSampleRate}-th other request
 * (a counter, not a random draw). Floods of expected rejections are collapsed into summary lines
 * ({@link RejectionSummaries}). Paths other than the gateway's own are logged as {@code <other>} and nothing
 * from headers or bodies is logged, so a token can never reach this line. It also starts each request's trace
 * ({@link #begin}: the first thing a pipeline or the router does) and ends it ({@link #observe}).
 */
public final class AccessLog {

  static final Logger LOG = LoggerFactory.getLogger("access");
  private final GatewayMetrics metrics;
  private final LogOptions.Access mode;
  private final double sampleRate;
  private final AtomicLong unsampled = new AtomicLong();
  private final RejectionSummaries rejections;
  private final Tracing tracing;

  public AccessLog(GatewayMetrics metrics, LogOptions options, Ticker ticker, Tracing tracing) {
    this.tracing = tracing;
    this.metrics = metrics;
    this.mode = options.access();
    this.sampleRate = options.accessSampleRate();
    this.rejections = new RejectionSummaries(LOG, options.rejectionLinesPerInterval(),
        options.rejectionIntervalSeconds(), ticker);
  }

  /**
   * The first handler of every routed request (health, metrics, admin, and the router's own 404/405): observes it
   * when it ended. None of them calls SignalWire, so the outcome is {@code invalid_request} for a 4xx,
   * {@code server_error} for a 5xx, else none.
   */
  public void handle(RoutingContext ctx) {
    long start = System.nanoTime();
    RequestTrace trace = begin(ctx.request());
    ctx.addEndHandler(ignored -> {
      int status = status(ctx.request());
      observe(ctx.request(), System.nanoTime() - start,
          status >= 500 ? "server_error" : status >= 400 ? "invalid_request" : null, null, trace);
    });
    ctx.next();
  }

  /** Starts the trace of a request that just arrived, its {@code traceparent} already on the answer's headers. */
  public RequestTrace begin(HttpServerRequest request) {
    RequestTrace trace = tracing.start(request);
    trace.responseHeaders(request.response().headers());
    return trace;
  }

  /** Records one pipeline's request once it ended (its endpoint known, not read off the path again). */
  void observe(Exchange x) {
    observe(x.request, x.endpoint.label(), x.elapsedNanos(), x.outcome, x.cache, x.trace);
  }

  /**
   * Records one request once it ended: meters always, the log line when INFO is on and the mode keeps it. Its
   * status is the one sent, or 0 when the connection closed before an answer was sent. Ends its trace.
   */
  public void observe(HttpServerRequest request, long nanos, String outcome, Object cache, RequestTrace trace) {
    observe(request, endpoint(request.path()), nanos, outcome, cache, trace);
  }

  private void observe(HttpServerRequest request, String endpoint, long nanos, String outcome, Object cache,
      RequestTrace trace) {
    int status = status(request);
    if (cache != null) {
      trace.cacheResult(cache.toString());
    }
    trace.end(status, outcome);
    metrics.request(endpoint, status, nanos);
    if (LOG.isInfoEnabled() && kept(status, outcome)) {
      log(request, status, nanos, outcome, cache, trace);
    }
  }

  /** The status the caller got: 0 when nothing was sent (the connection closed first). */
  static int status(HttpServerRequest request) {
    return request.response().ended() ? request.response().getStatusCode() : 0;
  }

  /** Writes the rejection summaries of intervals that are over; the gateway calls it every second. */
  public void summarizeEnded() {
    rejections.summarizeEnded();
  }

  /** Writes every pending rejection summary: at shutdown. */
  public void summarizeAll() {
    rejections.summarizeAll();
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

  private boolean kept(int status, String outcome) {
    if (status >= 400) {
      return rejections.admit(status, outcome);
    }
    return switch (mode) {
      case ALL -> true;
      case ERRORS -> false;
      case SAMPLED -> sampled();
    };
  }

  /** Every {@code 1 / rate}-th call is true: deterministic, and the same share on every event loop. */
  private boolean sampled() {
    long n = unsampled.getAndIncrement();
    return (long) ((n + 1) * sampleRate) > (long) (n * sampleRate);
  }

  private static void log(HttpServerRequest request, int status, long nanos, String outcome, Object cache,
      RequestTrace trace) {
    String path = request.path();
    LOG.info(new AccessFields(request.method().name(), "other".equals(endpoint(path)) ? "<other>" : path, status,
        nanos / 1_000_000.0, outcome == null ? "none" : outcome, cache == null ? "-" : cache.toString(),
        trace.traceparent()), "request");
  }
}
