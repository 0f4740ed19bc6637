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

  private Simulator(Vertx vertx, String deploymentId, int port, SimulatorStats stats) {
    this.vertx = vertx;
    this.deploymentId = deploymentId;
    this.port = port;
    this.stats = stats;
  }

  public static Future<Simulator> start(Vertx vertx, SimulatorOptions options, String host, int instances) {
    SimulatorStats stats = new SimulatorStats();
    Clock clock = Clock.systemUTC();
    RefreshTokenStore refreshTokens = new RefreshTokenStore(clock);
    AtomicReference<SimulatorVerticle> first = new AtomicReference<>();
    int port = options.port();
    if (port == 0 && instances > 1) {
      throw new IllegalArgumentException("several simulator instances need a fixed port");
    }
    return vertx.deployVerticle(() -> {
      SimulatorVerticle v = new SimulatorVerticle(options, stats, refreshTokens, host, clock);
      first.compareAndSet(null, v);
      return v;
    }, new DeploymentOptions().setInstances(instances))
        .map(id -> new Simulator(vertx, id, first.get().actualPort(), stats));
  }

  public int port() {
    return port;
  }

  public SimulatorStats stats() {
    return stats;
  }

  public Future<Void> stop() {
    return vertx.undeploy(deploymentId);
  }
}
