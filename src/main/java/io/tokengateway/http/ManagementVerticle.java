package io.tokengateway.http;

import io.tokengateway.config.GatewayConfig.ManagementOptions;
import io.tokengateway.http.connection.ServerConnections;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.util.Map;

/** The management listener on its own port: metrics, health and admin, never exposed by the ingress Service. */
public final class ManagementVerticle extends VerticleBase {

  private final ManagementOptions options;
  private final ManagementRoutes routes;
  private final HealthHandlers health;
  private final ServerConnections connections;
  private HttpServer server;

  public ManagementVerticle(ManagementOptions options, ManagementRoutes routes, HealthHandlers health,
      ServerConnections connections) {
    this.options = options;
    this.routes = routes;
    this.health = health;
    this.connections = connections;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.get("/health/live").handler(health::live);
    router.get("/health/ready").handler(health::ready);
    routes.mount(router);
    Responses.handleErrors(router, Map.of());
    server = vertx.createHttpServer(connections.serverOptions(options.port(), options.host()));
    return connections.apply(server.invalidRequestHandler(Responses::invalidHead), router).listen();
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
