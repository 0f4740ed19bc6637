package io.tokengateway.upstream.simulator;

import io.tokengateway.config.SimulatorOptions;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A running simulator: deploys {@code instances} {@link SimulatorVerticle}s on one port and reports the port
 * and the call counts. Embedded in the gateway it listens on loopback; standalone it serves load tests.
 */
public final class Simulator {

  private final Vertx vertx;
  private final String deploymentId;
  private final int port;
  private final SimulatorStats stats;
  private final SiteverifyStandIn siteverify;

  private Simulator(Vertx vertx, String deploymentId, int port, SimulatorStats stats, SiteverifyStandIn siteverify) {
    this.vertx = vertx;
    this.deploymentId = deploymentId;
    this.port = port;
    this.stats = stats;
    this.siteverify = siteverify;
  }

  public static Future<Simulator> start(Vertx vertx, SimulatorOptions options, String host, int instances) {
    SimulatorStats stats = new SimulatorStats();
    Clock clock = Clock.systemUTC();
    RefreshTokenStore refreshTokens = new RefreshTokenStore(clock);
    SiteverifyStandIn siteverify = new SiteverifyStandIn();
    AtomicReference<SimulatorVerticle> first = new AtomicReference<>();
    int port = options.port();
    if (port == 0 && instances > 1) {
      throw new IllegalArgumentException("several simulator instances need a fixed port");
    }
    return vertx.deployVerticle(() -> {
      SimulatorVerticle v = new SimulatorVerticle(options, stats, refreshTokens, host, clock, siteverify);
      first.compareAndSet(null, v);
      return v;
    }, new DeploymentOptions().setInstances(instances))
        .map(id -> new Simulator(vertx, id, first.get().actualPort(), stats, siteverify));
  }

  public int port() {
    return port;
  }

  public SimulatorStats stats() {
    return stats;
  }

  /** The CAPTCHA siteverify stand-in on the same port. */
  public SiteverifyStandIn siteverify() {
    return siteverify;
  }

  public Future<Void> stop() {
    return vertx.undeploy(deploymentId);
  }
}
