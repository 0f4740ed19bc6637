package io.tokengateway;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tokengateway.cache.EmbedTokenCache;
import io.tokengateway.cluster.Cluster;
import io.tokengateway.config.GatewayConfig;
import io.tokengateway.config.UpstreamOptions.Mode;
import io.tokengateway.core.Time;
import io.tokengateway.http.GatewayVerticle;
import io.tokengateway.core.Lifecycle;
import io.tokengateway.http.ManagementVerticle;
import io.tokengateway.metrics.GatewayMetrics;
import io.tokengateway.resilience.UpstreamGuard;
import io.tokengateway.upstream.simulator.Simulator;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running gateway: the embedded simulator when configured, its {@link Wiring}, and the API (and management)
 * listeners. {@link #start} brings it up in order; {@link #shutdown()} drains (readiness 503, every answer
 * {@code Connection: close}), stops accepting, lets in-flight requests finish, and closes what it opened.
 */
public final class Gateway {

  private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

  private final Wiring wiring;
  private final String apiDeployment;
  /** The management listener's deployment, or null when management shares the API port. */
  private final String managementDeployment;
  private final int port;
  /**
   * Writes the access log's rejection summaries and the upstream fault summaries once their interval is over
   * (judged on the injected ticker).
   */
  private final long summaryTimer;

  private Gateway(Wiring wiring, String apiDeployment, String managementDeployment, int port) {
    this.wiring = wiring;
    this.apiDeployment = apiDeployment;
    this.managementDeployment = managementDeployment;
    this.port = port;
    this.summaryTimer = wiring.vertx.setPeriodic(1000, id -> {
      wiring.accessLog.summarizeEnded();
      wiring.http.summarizeEnded();
    });
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
          : config.withUpstream(config.signalwire().withSimulator(sim.port(), config.simulator()));
      Wiring w = new Wiring(vertx, effective, time, registry, sim);
      AtomicReference<GatewayVerticle> first = new AtomicReference<>();
      return (w.cluster == null ? Future.<Void>succeededFuture() : w.cluster.start())
          .compose(v -> w.guestChecks.start())
          .compose(v -> vertx.deployVerticle(() -> {
            GatewayVerticle verticle = new GatewayVerticle(effective, w.pipelines, w.health, w.accessLog,
                w.managementConnections == null ? w.management : null, w.apiConnections);
            first.compareAndSet(null, verticle);
            return verticle;
          }, new DeploymentOptions().setInstances(effective.http().instances())))
          .compose(api -> deployManagement(w).map(management ->
              new Gateway(w, api, management, first.get().actualPort())))
          .onSuccess(Gateway::announceReady)
          .onFailure(t -> w.tracing.close(vertx));
    });
  }

  private static Future<String> deployManagement(Wiring w) {
    return w.managementConnections == null ? Future.succeededFuture(null)
        : w.vertx.deployVerticle(new ManagementVerticle(w.config.management(), w.management, w.health,
            w.managementConnections));
  }

  private void announceReady() {
    wiring.lifecycle.ready();
    if (wiring.simulator != null) {
      LOG.warn("upstream is the embedded SignalWire simulator on 127.0.0.1:{}: tokens are not real. "
          + "Set SIGNALWIRE_SPACE, SIGNALWIRE_PROJECT_ID and SIGNALWIRE_API_TOKEN to use SignalWire",
          wiring.simulator.port());
    }
    LOG.info("token-gateway ready on port {} with {} event-loop instances, upstream {}, {}",
        port, wiring.config.http().instances(), wiring.modeName(), wiring.cluster == null ? "single-process"
            : "cluster mode on Redis (" + wiring.config.redis().mode().name().toLowerCase() + ") "
                + wiring.config.redis().endpoint());
  }

  /** Drains for {@code shutdown.drainSeconds}, then closes the listener and waits for in-flight requests. */
  public Future<Void> shutdown() {
    Vertx vertx = wiring.vertx;
    wiring.lifecycle.drain();
    LOG.info("draining for {} s before closing", wiring.config.shutdown().drainSeconds());
    Promise<Void> drained = Promise.promise();
    if (wiring.config.shutdown().drainSeconds() == 0) {
      drained.complete();
    } else {
      wiring.time.setTimer(wiring.config.shutdown().drainSeconds() * 1000L, drained::complete);
    }
    return drained.future()
        .compose(v -> vertx.undeploy(apiDeployment))
        .compose(v -> managementDeployment == null ? Future.succeededFuture() : vertx.undeploy(managementDeployment))
        .compose(v -> wiring.client.close())
        .compose(v -> wiring.guestChecks.close())
        .compose(v -> wiring.cluster == null ? Future.<Void>succeededFuture() : wiring.cluster.close())
        .compose(v -> wiring.simulator == null ? Future.<Void>succeededFuture() : wiring.simulator.stop())
        .eventually(() -> wiring.tracing.close(vertx))
        .onComplete(ar -> {
          vertx.cancelTimer(summaryTimer);
          wiring.accessLog.summarizeAll();
          wiring.http.summarizeAll();
          LOG.info("token-gateway stopped");
        });
  }

  public int port() {
    return port;
  }

  public EmbedTokenCache embedCache() {
    return wiring.embedCache;
  }

  public UpstreamGuard upstreamGuard() {
    return wiring.guard;
  }

  /** Cluster mode's shared state, or null in single-process mode. */
  public Cluster cluster() {
    return wiring.cluster;
  }

  public Lifecycle lifecycle() {
    return wiring.lifecycle;
  }

  public GatewayConfig config() {
    return wiring.config;
  }

  /** The embedded simulator, or null when the upstream is SignalWire. */
  public Simulator simulator() {
    return wiring.simulator;
  }
}
