package io.tokengateway;

import io.tokengateway.core.Time;
import io.tokengateway.config.ConfigException;
import io.tokengateway.config.GatewayConfig;
import io.tokengateway.config.Settings;
import io.tokengateway.config.SimulatorOptions;
import io.tokengateway.upstream.simulator.Simulator;
import io.vertx.core.Future;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tokengateway.metrics.GatewayMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.EnumSet;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/** {@code java -jar token-gateway.jar} runs the gateway; {@code ... simulator --port N} runs the simulator alone. */
@Command(name = "token-gateway", mixinStandardHelpOptions = true, subcommands = Main.SimulatorCommand.class,
    description = "Serves SignalWire embed and guest tokens to browsers. Configured by conf/gateway.yaml and GATEWAY_* variables.")
public final class Main implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  public static void main(String[] args) {
    org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
    org.slf4j.bridge.SLF4JBridgeHandler.install();
    int code = new CommandLine(new Main()).execute(args);
    if (code != 0) {
      System.exit(code);
    }
  }

  @Override
  public Integer call() {
    Settings settings;
    GatewayConfig config;
    try {
      settings = Settings.load(System.getenv());
      config = GatewayConfig.from(settings);
    } catch (ConfigException e) {
      System.err.println("token-gateway: " + e.getMessage());
      return 2;
    }
    settings.warnings().forEach(LOG::warn);
    PrometheusMeterRegistry registry = GatewayMetrics.prometheus();
    Vertx vertx = newVertx(config, registry);
    runUntilSignal(vertx, () -> Gateway.start(vertx, config, Time.system(vertx), registry).map(g -> g::shutdown));
    return 0;
  }

  /**
   * Vert.x with its own meters in {@code registry} when {@code management.vertxMetrics} is on: HTTP client and
   * pools, Redis, JVM; its per-request HTTP server meters only with {@code management.vertxHttpServerMetrics}
   * (the gateway's own request meters count and time every request without rebuilding tags per request).
   */
  static Vertx newVertx(GatewayConfig config, PrometheusMeterRegistry registry) {
    if (!config.management().vertxMetrics()) {
      return Vertx.vertx(); // the factory, once given, would record per-request meters whatever the options say
    }
    MicrometerMetricsOptions options = new MicrometerMetricsOptions().setEnabled(true);
    if (!config.management().vertxHttpServerMetrics()) {
      options.addDisabledMetricsCategory(MetricsDomain.HTTP_SERVER);
    }
    return Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(options
            .setJvmMetricsEnabled(true)
            // low-cardinality labels only: never a path or a client's (remote) address. The server's own
            // listen address and pool names (Vert.x's pools, the SignalWire host) keep the API, management
            // and simulator servers and the worker pools apart in the registry.
            .setLabels(EnumSet.of(Label.HTTP_METHOD, Label.HTTP_CODE, Label.LOCAL, Label.POOL_TYPE,
                Label.POOL_NAME, Label.NAMESPACE))))
        .withMetrics(new MicrometerMetricsFactory(registry))
        .build();
  }

  /** {@code simulator --port N}: the SignalWire simulator alone, as the upstream of a separate gateway. */
  @Command(name = "simulator", mixinStandardHelpOptions = true,
      description = "Runs the SignalWire simulator alone (GATEWAY_SIMULATOR_* settings apply).")
  static final class SimulatorCommand implements Callable<Integer> {

    @Option(names = "--port", description = "port to listen on (default ${DEFAULT-VALUE})", defaultValue = "9000")
    int port;

    @Option(names = "--host", description = "address to listen on (default ${DEFAULT-VALUE})", defaultValue = "127.0.0.1")
    String host;

    @Option(names = "--instances", description = "event-loop instances (default: one per core)", defaultValue = "0")
    int instances;

    @Override
    public Integer call() {
      SimulatorOptions options;
      try {
        options = SimulatorOptions.from(Settings.load(System.getenv())).onPort(port);
      } catch (ConfigException e) {
        System.err.println("token-gateway simulator: " + e.getMessage());
        return 2;
      }
      int n = instances > 0 ? instances : Runtime.getRuntime().availableProcessors();
      Vertx vertx = Vertx.vertx();
      runUntilSignal(vertx, () -> Simulator.start(vertx, options, host, n).map(sim -> {
        LOG.info("SignalWire simulator listening on {}:{}", host, sim.port());
        return sim::stop;
      }));
      return 0;
    }
  }

  /**
   * Exits off the event loop. Logback's shutdown hook ({@code logback.xml}) writes the log lines still queued
   * first, waiting 2 s at most (stdout may be stuck).
   */
  private static void exit(int code) {
    new Thread(() -> System.exit(code), "exit").start();
  }

  /**
   * Starts what {@code starter} starts; on SIGTERM or SIGINT runs its stop action, closes Vert.x and exits 0.
   * A failed start exits 1.
   */
  private static void runUntilSignal(Vertx vertx, Supplier<Future<Supplier<Future<Void>>>> starter) {
    starter.get().onSuccess(stop -> {
      Runnable onSignal = () -> stop.get()
          .eventually(vertx::close)
          .onComplete(ar -> exit(0));
      Signal.handle(new Signal("TERM"), sig -> onSignal.run());
      Signal.handle(new Signal("INT"), sig -> onSignal.run());
    }).onFailure(t -> {
      LOG.error("start failed: {}", t.getMessage());
      vertx.close().onComplete(ar -> exit(1));
    });
  }
}
