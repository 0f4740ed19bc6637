package io.tokengateway.http;

import io.tokengateway.config.GatewayConfig.ManagementOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;

/** The management listener on its own port: metrics, health and admin, never exposed by the ingress Service. */
public final class ManagementVerticle extends VerticleBase {

  private final ManagementOptions options;
  private final ManagementRoutes routes;
  private final HealthHandlers health;
  private HttpServer server;

  public ManagementVerticle(ManagementOptions options, ManagementRoutes routes, HealthHandlers health) {
    this.options = options;
    this.routes = routes;
    this.health = health;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.get("/health/live").handler(health::live);
    router.get("/health/ready").handler(health::ready);
    routes.mount(router);
    Responses.handleErrors(router);
    server = vertx.createHttpServer(new HttpServerOptions().setPort(options.port()).setHost(options.host()));
    return server.requestHandler(router).listen();
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
