package io.tokengateway;

import io.tokengateway.core.Time;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tokengateway.cache.EmbedLoader;
import io.tokengateway.cache.EmbedPurge;
import io.tokengateway.cache.EmbedTokenCache;
import io.tokengateway.cluster.Cluster;
import io.tokengateway.config.GatewayConfig;
import io.tokengateway.config.UpstreamOptions.Mode;
import io.tokengateway.guest.GuestChecks;
import io.tokengateway.http.AccessLog;
import io.tokengateway.http.ClientLimitHandler;
import io.tokengateway.http.CorsPolicy;
import io.tokengateway.http.GatewayVerticle;
import io.tokengateway.http.HealthHandlers;
import io.tokengateway.http.Lifecycle;
import io.tokengateway.http.ManagementRoutes;
import io.tokengateway.http.ManagementVerticle;
import io.tokengateway.http.RequestValidator;
import io.tokengateway.http.TokenHandlers;
import io.tokengateway.http.connection.ServerConnections;
import io.tokengateway.metrics.GatewayMetrics;
import io.tokengateway.resilience.ClientAddress;
import io.tokengateway.resilience.ClientRateLimiter;
import io.tokengateway.resilience.UpstreamGuard;
import io.tokengateway.resilience.UpstreamPermits;
import io.tokengateway.resilience.UpstreamRateLimiter;
import io.tokengateway.tracing.Tracing;
import io.tokengateway.upstream.Endpoint;
import io.tokengateway.upstream.SignalWireClient;
import io.tokengateway.upstream.simulator.Simulator;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running gateway: the embedded simulator when configured, one shared SignalWire client, and the token API
 * verticles. {@link #shutdown()} drains (readiness 503), stops accepting, lets in-flight requests finish.
 */
public final class Gateway {

  private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

  private final Vertx vertx;
  private final GatewayConfig config;
  private final Lifecycle lifecycle;
  private final SignalWireClient client;
  private final Simulator simulator;
  private EmbedTokenCache embedCache;
  private UpstreamGuard guard;
  private GuestChecks guestChecks;
  /** Cluster mode's shared state, or null in single-process mode. */
  private Cluster cluster;
  private AccessLog accessLog;
  /** Trace context on every request; the OTLP exporter when tracing.otlp.endpoint is set. */
  private Tracing tracing;
  /** Writes the access log's rejection summaries once their interval is over (measured on the injected ticker). */
  private long summaryTimer = -1;
  private String deploymentId;
  private String managementDeploymentId;
  private int port;

  private Gateway(Vertx vertx, GatewayConfig config, Lifecycle lifecycle, SignalWireClient client, Simulator simulator) {
    this.vertx = vertx;
    this.config = config;
    this.lifecycle = lifecycle;
    this.client = client;
    this.simulator = simulator;
  }

  /** Starts the gateway on {@code vertx}; the future completes once it is ready to serve. */
  public static Future<Gateway> start(Vertx vertx, GatewayConfig config, Time time) {
    return start(vertx, config, time, GatewayMetrics.prometheus());
  }

  /** Starts the gateway with its meters in {@code registry} (the one Vert.x's own meters use, in production). */
  public static Future<Gateway> start(Vertx vertx, GatewayConfig config, Time time, PrometheusMeterRegistry registry) {
    Future<Simulator> simulator = config.upstream().mode() == Mode.SIMULATOR
        ? Simulator.start(vertx, config.simulator(), "127.0.0.1", 1)
        : Future.succeededFuture(null);
    return simulator.compose(sim -> {
      GatewayConfig effective = sim == null ? config
          : config.withUpstream(config.upstream().withSimulator(sim.port(), config.simulator()));
      Gateway gateway = new Gateway(vertx, effective, new Lifecycle(),
          SignalWireClient.create(vertx, effective.upstream()), sim);
      return gateway.deploy(time, registry).map(gateway);
    });
  }

  /**
   * The handlers every API verticle instance shares (one cache, one set of limiters per process), and each
   * listener's connection rules (one connection count per port per process).
   */
  private record Handlers(TokenHandlers tokens, HealthHandlers health, CorsPolicy cors, ClientLimitHandler clientLimit,
      AccessLog accessLog, ManagementRoutes management, ServerConnections apiConnections,
      ServerConnections managementConnections) {
  }

  private Future<Void> deploy(Time time, PrometheusMeterRegistry registry) {
    GatewayMetrics metrics = new GatewayMetrics(registry);
    tracing = Tracing.create(config.tracing(), metrics);
    cluster = config.cluster().enabled() ? new Cluster(vertx, config, time, metrics) : null;
    guard = upstreamGuard(time, metrics);
    EmbedLoader signalWire = (c2c, refresh) -> guard.call(Endpoint.EMBEDS, () -> client.createEmbedToken(c2c));
    embedCache = new EmbedTokenCache(vertx, config.cache(),
        cluster != null && config.cache().enabled() ? cluster.loader(signalWire) : signalWire, time, metrics);
    ClientAddress clients = new ClientAddress(config.trustedProxies());
    guestChecks = GuestChecks.create(vertx, config, simulator == null ? 0 : simulator.port(),
        cluster == null ? null : cluster.link(), clients, time, metrics);
    Handlers handlers = handlers(time, registry, metrics, clients);
    accessLog = handlers.accessLog();
    summaryTimer = vertx.setPeriodic(1000, id -> accessLog.summarizeEnded());
    boolean ownManagementPort = config.management().port() != 0;
    return (cluster == null ? Future.<Void>succeededFuture() : cluster.start())
        .compose(v -> guestChecks.start())
        .compose(v -> deployApi(handlers, ownManagementPort))
        .compose(v -> ownManagementPort ? deployManagement(handlers) : Future.<Void>succeededFuture())
        .onSuccess(v -> announceReady())
        .onFailure(t -> {
          vertx.cancelTimer(summaryTimer);
          tracing.close(vertx);
        });
  }

  private UpstreamGuard upstreamGuard(Time time, GatewayMetrics metrics) {
    var r = config.resilience();
    UpstreamPermits permits = cluster != null ? cluster.permits()
        : new UpstreamRateLimiter(vertx, r.upstreamPerSecond(), r.upstreamBurst(), r.upstreamMaxWaitMs(),
            r.upstreamMaxQueue(), time.timeMeter());
    UpstreamGuard g = new UpstreamGuard(vertx, r, permits, time.ticker(), metrics);
    for (Endpoint e : Endpoint.values()) {
      metrics.gauge("gateway.breaker.state", "Circuit breaker state: 0 closed, 1 half-open, 2 open", g,
          guarded -> guarded.breakerState(e), "endpoint", e.label());
    }
    return g;
  }

  private Handlers handlers(Time time, PrometheusMeterRegistry registry, GatewayMetrics metrics, ClientAddress clients) {
    var r = config.resilience();
    RequestValidator validator = new RequestValidator(config, time.clock());
    TokenHandlers tokens = new TokenHandlers(validator, embedCache,
        body -> guard.call(Endpoint.GUESTS, () -> client.createGuestToken(body)),
        body -> guard.call(Endpoint.REFRESH, () -> client.refreshGuestToken(body)), guestChecks);
    ClientLimitHandler clientLimit = new ClientLimitHandler(clients,
        new ClientRateLimiter(r.clientPerSecond(), r.clientBurst(), r.maxClients(), time), metrics);
    return new Handlers(tokens, new HealthHandlers(lifecycle, modeName()),
        new CorsPolicy(config.cors(), guestChecks.requestHeaders()), clientLimit,
        new AccessLog(metrics, config.log(), time.ticker(), tracing),
        new ManagementRoutes(vertx, registry, cluster != null ? cluster.purge(embedCache) : EmbedPurge.local(embedCache),
            validator, config.management().adminToken()),
        ServerConnections.api(config.http(), lifecycle, metrics),
        config.management().port() == 0 ? null
            : ServerConnections.management(config.management(), config.http(), lifecycle, metrics));
  }

  private Future<Void> deployApi(Handlers h, boolean ownManagementPort) {
    AtomicReference<GatewayVerticle> first = new AtomicReference<>();
    return vertx.deployVerticle(() -> {
      GatewayVerticle v = new GatewayVerticle(config, h.tokens(), h.health(), h.cors(), h.clientLimit(),
          h.accessLog(), ownManagementPort ? null : h.management(), h.apiConnections());
      first.compareAndSet(null, v);
      return v;
    }, new DeploymentOptions().setInstances(config.http().instances())).map(id -> {
      deploymentId = id;
      port = first.get().actualPort();
      return null;
    });
  }

  private Future<Void> deployManagement(Handlers h) {
    return vertx.deployVerticle(new ManagementVerticle(config.management(), h.management(), h.health(),
            h.managementConnections()))
        .map(id -> {
          managementDeploymentId = id;
          return null;
        });
  }

  private void announceReady() {
    lifecycle.ready();
    if (simulator != null) {
      LOG.warn("upstream is the embedded SignalWire simulator on 127.0.0.1:{}: tokens are not real. "
          + "Set SIGNALWIRE_SPACE, SIGNALWIRE_PROJECT_ID and SIGNALWIRE_API_TOKEN to use SignalWire", simulator.port());
    }
    LOG.info("token-gateway ready on port {} with {} event-loop instances, upstream {}, {}",
        port, config.http().instances(), modeName(), cluster == null ? "single-process"
            : "cluster mode on Redis " + config.cluster().endpoint());
  }

  private String modeName() {
    return config.upstream().mode().name().toLowerCase();
  }

  /** Drains for {@code shutdown.drainSeconds}, then closes the listener and waits for in-flight requests. */
  public Future<Void> shutdown() {
    lifecycle.drain();
    LOG.info("draining for {} s before closing", config.shutdown().drainSeconds());
    Promise<Void> drained = Promise.promise();
    if (config.shutdown().drainSeconds() == 0) {
      drained.complete();
    } else {
      vertx.setTimer(config.shutdown().drainSeconds() * 1000L, id -> drained.complete());
    }
    return drained.future()
        .compose(v -> deploymentId == null ? Future.succeededFuture() : vertx.undeploy(deploymentId))
        .compose(v -> managementDeploymentId == null ? Future.succeededFuture()
            : vertx.undeploy(managementDeploymentId))
        .compose(v -> client.close())
        .compose(v -> guestChecks.close())
        .compose(v -> cluster == null ? Future.<Void>succeededFuture() : cluster.close())
        .compose(v -> simulator == null ? Future.<Void>succeededFuture() : simulator.stop())
        .eventually(() -> tracing.close(vertx))
        .onComplete(ar -> {
          vertx.cancelTimer(summaryTimer);
          accessLog.summarizeAll();
          LOG.info("token-gateway stopped");
        });
  }

  public int port() {
    return port;
  }

  public EmbedTokenCache embedCache() {
    return embedCache;
  }

  public UpstreamGuard upstreamGuard() {
    return guard;
  }

  /** Cluster mode's shared state, or null in single-process mode. */
  public Cluster cluster() {
    return cluster;
  }

  public Lifecycle lifecycle() {
    return lifecycle;
  }

  public GatewayConfig config() {
    return config;
  }

  /** The embedded simulator, or null when the upstream is SignalWire. */
  public Simulator simulator() {
    return simulator;
  }
}
