package io.tokengateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tokengateway.logging.LogDrops;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * The gateway's own meters, with low-cardinality tags only (endpoint, status, outcome, result, limiter):
 * never a token, a path, an address or a client IP. Meters are looked up once and kept, so recording on the
 * hot path is a map read and an increment.
 *
 * <p>Prometheus names: {@code gateway_requests_total}, {@code gateway_request_duration_seconds},
 * {@code gateway_upstream_requests_total}, {@code gateway_upstream_duration_seconds},
 * {@code gateway_embed_cache_total}, {@code gateway_embed_cache_size}, {@code gateway_embed_cache_evictions_total},
 * {@code gateway_embed_coalesced_total}, {@code gateway_breaker_state}, {@code gateway_rate_limited_total},
 * {@code gateway_connections_open}, {@code gateway_connections_rejected_total},
 * {@code gateway_connections_evicted_total} (tagged by listener role and reason, never an address),
 * {@code gateway_log_dropped_total}, {@code gateway_guest_checks_total},
 * {@code gateway_trace_spans_total}, {@code gateway_redis_available} and {@code gateway_cluster_loads_total}
 * (cluster mode only).
 */
public final class GatewayMetrics {

  /** The metrics exported in cluster mode only. */
  public static final java.util.List<String> CLUSTER_NAMES =
      java.util.List.of("gateway_redis_available", "gateway_cluster_loads_total");

  /** Every metric name the gateway exports (Prometheus form, without the _bucket/_count/_sum suffixes). */
  public static final java.util.List<String> NAMES = java.util.List.of(
      "gateway_requests_total", "gateway_request_duration_seconds", "gateway_upstream_requests_total",
      "gateway_upstream_duration_seconds", "gateway_embed_cache_total", "gateway_embed_cache_size",
      "gateway_embed_cache_evictions_total", "gateway_embed_coalesced_total", "gateway_breaker_state",
      "gateway_rate_limited_total", "gateway_connections_open", "gateway_connections_rejected_total",
      "gateway_connections_evicted_total", "gateway_log_dropped_total", "gateway_guest_checks_total",
      "gateway_redis_available", "gateway_cluster_loads_total", "gateway_trace_spans_total");

  private final MeterRegistry registry;
  private final Map<String, Timer> requestTimers = new ConcurrentHashMap<>();
  /** Per endpoint, counters indexed by status - 100: no key to build on the hot path. */
  private final Map<String, java.util.concurrent.atomic.AtomicReferenceArray<Counter>> requestCounters =
      new ConcurrentHashMap<>();
  private final Map<String, Timer> upstreamTimers = new ConcurrentHashMap<>();
  private final Map<String, Counter> upstreamCounters = new ConcurrentHashMap<>();
  private final Map<String, Counter> cacheCounters = new ConcurrentHashMap<>();
  private final Map<String, Counter> rateLimited = new ConcurrentHashMap<>();
  private final Map<String, Counter> clusterLoads = new ConcurrentHashMap<>();
  private final Map<String, Counter> guestChecks = new ConcurrentHashMap<>();
  private final Counter coalesced;
  private final Counter evictions;

  public GatewayMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.coalesced = Counter.builder("gateway.embed.coalesced")
        .description("Embed requests that joined an upstream call already under way").register(registry);
    this.evictions = Counter.builder("gateway.embed.cache.evictions")
        .description("Embed cache entries evicted to keep the size bound").register(registry);
    for (String limiter : new String[] {"client", "upstream"}) {
      rateLimitedCounter(limiter);
    }
    for (String result : new String[] {"hit", "miss", "stale", "negative", "refresh", "shared"}) {
      cacheCounter(result);
    }
    for (String level : LogDrops.LEVELS) {
      FunctionCounter.builder("gateway.log.dropped", level, LogDrops::count)
          .description("Log lines dropped because the log output could not keep up").tags("level", level)
          .register(registry);
    }
    for (String stage : new String[] {"ended", "exported", "failed"}) {
      traceSpans(stage);
    }
    for (String check : new String[] {"captcha", "jwt", "quota"}) {
      for (String result : new String[] {"pass", "fail", "error"}) {
        guestCheck(check, result, 0);
      }
    }
  }

  /**
   * Sampled spans by stage: {@code ended} (handed to the exporter's queue), {@code exported} (the collector took
   * them), {@code failed} (an export that failed); ended minus the other two is what the queue holds or dropped.
   */
  public Counter traceSpans(String stage) {
    return Counter.builder("gateway.trace.spans").description("Sampled spans ended, exported and failed to export")
        .tags("stage", stage).register(registry);
  }

  /** A Prometheus registry for a process. */
  public static PrometheusMeterRegistry prometheus() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  /** Meters kept in memory only (tests, embedding). */
  public static GatewayMetrics inMemory() {
    return new GatewayMetrics(new SimpleMeterRegistry());
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** One answered request on {@code endpoint} ({@code embeds}, {@code guests}, {@code refresh}, {@code health}, {@code other}). */
  public void request(String endpoint, int status, long nanos) {
    requestCounter(endpoint, status).increment();
    Timer timer = requestTimers.get(endpoint);
    if (timer == null) {
      timer = requestTimers.computeIfAbsent(endpoint, e -> Timer.builder("gateway.request.duration")
          .description("Time from request to answer").tags("endpoint", e)
          .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
          .maximumExpectedValue(Duration.ofSeconds(30)).register(registry));
    }
    timer.record(nanos, TimeUnit.NANOSECONDS);
  }

  private Counter requestCounter(String endpoint, int status) {
    var byStatus = requestCounters.get(endpoint);
    if (byStatus == null) {
      byStatus = requestCounters.computeIfAbsent(endpoint, e -> new java.util.concurrent.atomic.AtomicReferenceArray<>(500));
    }
    int index = status >= 100 && status < 600 ? status - 100 : 499;
    Counter c = byStatus.get(index);
    if (c == null) {
      c = Counter.builder("gateway.requests").description("Requests answered, by endpoint and status")
          .tags("endpoint", endpoint, "status", String.valueOf(status)).register(registry);
      byStatus.set(index, c); // registering twice returns the same meter
    }
    return c;
  }

  /** One upstream call (or its rejection) on {@code endpoint} with its outcome label. */
  public void upstream(String endpoint, String outcome, long nanos) {
    upstreamCounters.computeIfAbsent(endpoint + ' ' + outcome, k -> Counter.builder("gateway.upstream.requests")
        .description("Calls to SignalWire by outcome (including those rejected before leaving)")
        .tags("endpoint", endpoint, "outcome", outcome).register(registry)).increment();
    if (nanos >= 0) {
      upstreamTimers.computeIfAbsent(endpoint, e -> Timer.builder("gateway.upstream.duration")
          .description("Duration of calls to SignalWire").tags("endpoint", e)
          .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
          .maximumExpectedValue(Duration.ofSeconds(30)).register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    }
  }

  /** One embed cache result: {@code hit}, {@code miss}, {@code stale}, {@code negative}, {@code refresh}, {@code shared}. */
  public void cache(String result) {
    cacheCounter(result).increment();
  }

  private Counter cacheCounter(String result) {
    Counter known = cacheCounters.get(result);
    return known != null ? known : cacheCounters.computeIfAbsent(result, r -> Counter.builder("gateway.embed.cache")
        .description("Embed cache results").tags("result", r).register(registry));
  }

  public void coalesced() {
    coalesced.increment();
  }

  /**
   * How a local miss was answered in cluster mode: {@code shared} (another pod's answer from Redis),
   * {@code leader} (this pod held the lock and called SignalWire), {@code fallback} (the wait for another pod's
   * call ran out, so this pod called too), {@code unavailable} (Redis did not answer: SignalWire directly).
   */
  public void clusterLoad(String result) {
    clusterLoads.computeIfAbsent(result, r -> Counter.builder("gateway.cluster.loads")
        .description("Local embed cache misses in cluster mode, by how they were answered").tags("result", r)
        .register(registry)).increment();
  }

  /**
   * One guest check's verdict: {@code check} is {@code captcha}, {@code jwt} or {@code quota}; {@code result} is
   * {@code pass}, {@code fail} (the caller was refused) or {@code error} (the check's own service failed).
   */
  public void guestCheck(String check, String result) {
    guestCheck(check, result, 1);
  }

  private void guestCheck(String check, String result, int by) {
    guestChecks.computeIfAbsent(check + ' ' + result, k -> Counter.builder("gateway.guest.checks")
        .description("Guest token checks (CAPTCHA, site JWT, quota) by result").tags("check", check, "result", result)
        .register(registry)).increment(by);
  }

  public void evicted() {
    evictions.increment();
  }

  /** A request turned away by a limiter: {@code client} or {@code upstream}. */
  public void rateLimited(String limiter) {
    rateLimitedCounter(limiter).increment();
  }

  private Counter rateLimitedCounter(String limiter) {
    return rateLimited.computeIfAbsent(limiter, l -> Counter.builder("gateway.rate.limited")
        .description("Requests turned away by a rate limiter").tags("limiter", l).register(registry));
  }

  /** The gauge of one listener's open connections ({@code listener}: {@code api} or {@code management}). */
  public void connectionsOpen(String listener, java.util.concurrent.atomic.AtomicInteger open) {
    Gauge.builder("gateway.connections.open", open, java.util.concurrent.atomic.AtomicInteger::get)
        .description("Open connections on a listener").tags("listener", listener).strongReference(true)
        .register(registry);
  }

  /**
   * The counter of connections {@code listener} closed at accept, before reading a request, for {@code reason}:
   * {@code max_connections} (the listener was full and no connection was idle) or {@code per_client} (the peer
   * already held its share).
   */
  public Counter connectionsRejected(String listener, String reason) {
    return Counter.builder("gateway.connections.rejected")
        .description("Connections closed at accept, by listener and reason")
        .tags("listener", listener, "reason", reason).register(registry);
  }

  /** The counter of connections a full {@code listener} closed to make room, for {@code reason} ({@code idle}). */
  public Counter connectionsEvicted(String listener, String reason) {
    return Counter.builder("gateway.connections.evicted")
        .description("Connections closed to make room for a new one, by listener and reason")
        .tags("listener", listener, "reason", reason).register(registry);
  }

  /** Registers a gauge read from {@code source}. */
  public <T> void gauge(String name, String description, T source, ToDoubleFunction<T> value, String... tags) {
    Gauge.builder(name, source, value).description(description).tags(tags).register(registry);
  }
}
