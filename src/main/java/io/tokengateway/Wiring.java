package io.tokengateway;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tokengateway.cache.EmbedLoader;
import io.tokengateway.cache.EmbedPurge;
import io.tokengateway.cache.EmbedTokenCache;
import io.tokengateway.cluster.Cluster;
import io.tokengateway.config.GatewayConfig;
import io.tokengateway.core.Time;
import io.tokengateway.guest.GuestChecks;
import io.tokengateway.http.AccessLog;
import io.tokengateway.http.ClientLimits;
import io.tokengateway.http.CorsPolicy;
import io.tokengateway.http.HealthHandlers;
import io.tokengateway.core.Lifecycle;
import io.tokengateway.http.ManagementRoutes;
import io.tokengateway.http.RequestValidator;
import io.tokengateway.http.TokenPipelines;
import io.tokengateway.http.connection.ServerConnections;
import io.tokengateway.metrics.GatewayMetrics;
import io.tokengateway.http.ClientAddress;
import io.tokengateway.http.Responses;
import io.tokengateway.resilience.ClientRateLimiter;
import io.tokengateway.resilience.UpstreamGuard;
import io.tokengateway.resilience.UpstreamPermits;
import io.tokengateway.resilience.UpstreamRateLimiter;
import io.tokengateway.tracing.Tracing;
import io.tokengateway.upstream.BoundedHttp;
import io.tokengateway.upstream.Endpoint;
import io.tokengateway.upstream.SignalWireClient;
import io.tokengateway.upstream.simulator.Simulator;
import io.tokengateway.upstream.simulator.SiteverifyStandIn;
import io.vertx.core.Vertx;

/**
 * Everything one gateway process is made of, built once, in dependency order, each part from the ones above it:
 * one SignalWire client and its guards, one embed cache, one set of limiters, the pipelines every event loop
 * shares, and the listeners' rules. Nothing here starts anything; {@link Gateway} starts and stops it.
 */
final class Wiring {

  final Vertx vertx;
  final GatewayConfig config;
  final Time time;
  /** The embedded simulator, or null when the upstream is SignalWire. */
  final Simulator simulator;
  final Lifecycle lifecycle = new Lifecycle();
  final GatewayMetrics metrics;
  /** Trace context on every request; the OTLP exporter when {@code tracing.otlp.endpoint} is set. */
  final Tracing tracing;
  /** Every outgoing HTTP call, bounded in time and size; its faults summarized. */
  final BoundedHttp http;
  final SignalWireClient client;
  /** Cluster mode's shared state, or null in single-process mode. */
  final Cluster cluster;
  final UpstreamGuard guard;
  final EmbedTokenCache embedCache;
  final ClientAddress clients;
  final GuestChecks guestChecks;
  final AccessLog accessLog;
  final RequestValidator validator;
  final CorsPolicy cors;
  final ClientLimits clientLimits;
  final TokenPipelines pipelines;
  final HealthHandlers health;
  final ManagementRoutes management;
  final ServerConnections apiConnections;
  /** The management listener's rules, or null when management shares the API port. */
  final ServerConnections managementConnections;

  Wiring(Vertx vertx, GatewayConfig config, Time time, PrometheusMeterRegistry registry, Simulator simulator) {
    this.vertx = vertx;
    this.config = config;
    this.time = time;
    this.simulator = simulator;
    this.metrics = new GatewayMetrics(registry);
    this.tracing = Tracing.create(config.tracing(), metrics);
    this.http = new BoundedHttp(vertx, config.log(), time.ticker());
    this.client = SignalWireClient.create(http, config);
    this.cluster = config.redis().enabled() ? new Cluster(vertx, config, time, metrics) : null;
    this.guard = new UpstreamGuard(vertx, config, upstreamPermits(), time.ticker(), metrics);
    this.embedCache = new EmbedTokenCache(vertx, config.cache().embed(), embedLoader(), time, metrics);
    this.clients = new ClientAddress(config.http().trustedProxies());
    this.guestChecks = GuestChecks.create(vertx, http, config, simulator == null ? null
        : new GuestChecks.StandIn("http://127.0.0.1:" + simulator.port(), SiteverifyStandIn.DEV_SECRET),
        cluster == null ? null : cluster.link(), time, metrics);
    this.accessLog = new AccessLog(metrics, config.log(), time.ticker(), tracing);
    this.validator = new RequestValidator(config, time.clock());
    this.cors = new CorsPolicy(config.http().cors(), guestChecks.requestHeaders());
    this.clientLimits = new ClientLimits(clients,
        new ClientRateLimiter(config.client().rateLimit().perSecond(), config.client().rateLimit().burst(),
            config.client().rateLimit().maxClients(), time), metrics);
    this.pipelines = new TokenPipelines(config.http().maxBodyBytes(), cors, clientLimits, validator, embedCache,
        guestChecks, body -> guard.call(Endpoint.GUESTS, () -> client.createGuestToken(body)),
        body -> guard.call(Endpoint.REFRESH, () -> client.refreshGuestToken(body)), accessLog);
    this.health = new HealthHandlers(lifecycle, modeName());
    this.management = new ManagementRoutes(vertx, registry,
        cluster != null ? cluster.purge(embedCache) : EmbedPurge.local(embedCache), validator,
        config.management().adminToken());
    this.apiConnections = ServerConnections.api(config.http(), clients::ofPeer, lifecycle, Responses::error,
        metrics);
    this.managementConnections = config.management().port() == 0 ? null
        : ServerConnections.management(config.management(), config.http(), lifecycle, Responses::error,
            metrics);
    for (Endpoint e : Endpoint.values()) {
      metrics.gauge("gateway.breaker.state", "Circuit breaker state: 0 closed, 1 half-open, 2 open", guard,
          g -> g.breakerState(e), "endpoint", e.label());
    }
  }

  /** The upstream budget: this process's token bucket, or the one all pods share in cluster mode. */
  private UpstreamPermits upstreamPermits() {
    var limit = config.upstream().rateLimit();
    return cluster != null ? cluster.permits()
        : new UpstreamRateLimiter(limit.perSecond(), limit.burst(), limit.maxWaitMs(), limit.maxQueue(), time);
  }

  /** Where the embed cache gets what it does not hold: SignalWire, behind the cluster's shared cache if any. */
  private EmbedLoader embedLoader() {
    EmbedLoader signalWire = (c2c, refresh) -> guard.call(Endpoint.EMBEDS, () -> client.createEmbedToken(c2c));
    return cluster != null && config.cache().embed().enabled() ? cluster.loader(signalWire) : signalWire;
  }

  String modeName() {
    return config.upstream().mode().name().toLowerCase();
  }
}
