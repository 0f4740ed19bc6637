package io.tokengateway.http;

import io.tokengateway.config.GatewayConfig;
import io.tokengateway.core.GatewayFailure;
import io.tokengateway.http.connection.ServerConnections;
import io.tokengateway.tracing.RequestTrace;
import io.tokengateway.upstream.Endpoint;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import java.util.concurrent.TimeUnit;

/**
 * One event loop's HTTP server for the token API. A token request (a POST, or a CORS preflight, on one of the
 * three token paths exactly) goes to its kind's pipeline, which owns its whole life; everything else goes to
 * the router, which answers health checks, management routes when they share this port, and the rejections it
 * owns: 404 for an unknown path, 405 for another method on a token path. Several instances share one port and
 * the pipelines, which are built once per process and passed in.
 */
public final class GatewayVerticle extends VerticleBase {

  private static final GatewayFailure BAD_REQUEST = GatewayFailure.invalid(400);

  private final GatewayConfig config;
  private final TokenPipelines pipelines;
  private final HealthHandlers health;
  private final AccessLog accessLog;
  private final ManagementRoutes management;
  private final ServerConnections connections;
  private HttpServer server;

  /**
   * @param management the management routes when they are served on this port, else null
   */
  public GatewayVerticle(GatewayConfig config, TokenPipelines pipelines, HealthHandlers health, AccessLog accessLog,
      ManagementRoutes management, ServerConnections connections) {
    this.config = config;
    this.pipelines = pipelines;
    this.health = health;
    this.accessLog = accessLog;
    this.management = management;
    this.connections = connections;
  }

  @Override
  public Future<?> start() {
    server = vertx.createHttpServer(connections.serverOptions(config.http().port(), config.http().host()));
    Router router = router();
    return connections.apply(server.invalidRequestHandler(this::invalidHead), request -> {
      Handler<HttpServerRequest> pipeline = pipelines.of(request);
      if (pipeline != null) {
        pipeline.handle(request);
      } else if (malformedPath(request.path())) {
        malformed(request); // Vert.x Web cannot route a path it cannot decode
      } else {
        router.handle(request);
      }
    }).listen();
  }

  /** Stops accepting, then waits for in-flight requests up to {@code shutdown.timeoutSeconds}. */
  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture()
        : server.shutdown(config.shutdown().timeoutSeconds(), TimeUnit.SECONDS);
  }

  /** A head the decoder or the framing rules refused: answered (Vert.x then closes the connection) and logged. */
  private void invalidHead(HttpServerRequest request) {
    RequestTrace trace = accessLog.begin(request);
    accessLog.observe(request, 0, Responses.invalidHead(request).outcome().label(), null, trace);
  }

  /** A path that cannot be decoded: 400, observed like any other refused request. */
  private void malformed(HttpServerRequest request) {
    RequestTrace trace = accessLog.begin(request);
    accessLog.observe(request, 0, Responses.error(request, BAD_REQUEST).outcome().label(), null, trace);
  }

  /** The port actually bound (useful when configured as 0). */
  public int actualPort() {
    return server.actualPort();
  }

  /** A path that is missing or whose percent-escapes are not two hex digits. */
  static boolean malformedPath(String path) {
    if (path == null || path.isEmpty() || path.charAt(0) != '/') {
      return true;
    }
    for (int i = path.indexOf('%'); i >= 0; i = path.indexOf('%', i + 1)) {
      if (i + 2 >= path.length() || Character.digit(path.charAt(i + 1), 16) < 0
          || Character.digit(path.charAt(i + 2), 16) < 0) {
        return true;
      }
    }
    return false;
  }

  private Router router() {
    Router router = Router.router(vertx);
    router.route().handler(accessLog::handle);
    for (Endpoint endpoint : Endpoint.values()) {
      router.route(endpoint.path()).handler(ctx -> ctx.fail(405)); // not a POST: the pipelines took those
    }
    router.route("/health/live").method(HttpMethod.GET).handler(health::live);
    router.route("/health/ready").method(HttpMethod.GET).handler(health::ready);
    if (management != null) {
      management.mount(router);
    }
    Responses.handleErrors(router, TokenPipelines.ALLOW);
    return router;
  }
}
