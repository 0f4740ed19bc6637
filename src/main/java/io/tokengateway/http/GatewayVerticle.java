package io.tokengateway.http;

import io.tokengateway.config.GatewayConfig;
import io.tokengateway.http.connection.ServerConnections;
import io.tokengateway.tracing.RequestTrace;
import io.tokengateway.upstream.Endpoint;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.concurrent.TimeUnit;

/**
 * One event loop's HTTP server for the token API. Several instances share one port and the handlers' state
 * (client, validator, lifecycle), which are built once per process and passed in.
 */
public final class GatewayVerticle extends VerticleBase {

  private final GatewayConfig config;
  private final TokenHandlers tokens;
  private final HealthHandlers health;
  private final CorsPolicy cors;
  private final ClientLimitHandler clientLimit;
  private final AccessLog accessLog;
  private final ManagementRoutes management;
  private final EmbedFastPath fastPath;
  private final ServerConnections connections;
  private HttpServer server;

  public GatewayVerticle(GatewayConfig config, TokenHandlers tokens, HealthHandlers health, CorsPolicy cors,
      ClientLimitHandler clientLimit, AccessLog accessLog, ManagementRoutes management,
      ServerConnections connections) {
    this.connections = connections;
    this.accessLog = accessLog;
    this.management = management;
    this.fastPath = tokens.fastPath(config.http().maxBodyBytes(), cors, clientLimit, accessLog);
    this.config = config;
    this.tokens = tokens;
    this.health = health;
    this.cors = cors;
    this.clientLimit = clientLimit;
  }

  @Override
  public Future<?> start() {
    server = vertx.createHttpServer(connections.serverOptions(config.http().port(), config.http().host()));
    Router router = router();
    return connections.apply(server.invalidRequestHandler(this::invalidHead), request -> {
      if (malformedPath(request.path())) {
        malformed(request); // Vert.x Web cannot route a path it cannot decode
      } else if (fastPath != null && fastPath.accepts(request)) {
        fastPath.handle(request);
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
    Responses.reject(request, 400);
    accessLog.observe(request, 0, "invalid_request", null, trace);
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
    BodyHandler body = BodyHandler.create(false).setBodyLimit(config.http().maxBodyBytes());
    for (Endpoint endpoint : Endpoint.values()) {
      router.route(endpoint.path()).handler(cors::handle);
      router.post(endpoint.path()).handler(clientLimit::handle);
    }
    router.post(Endpoint.EMBEDS.path()).consumes("application/json").handler(body).handler(tokens::embed);
    router.post(Endpoint.GUESTS.path()).consumes("application/json").handler(body).handler(tokens::guest);
    router.post(Endpoint.REFRESH.path()).consumes("application/json").handler(body).handler(tokens::refresh);
    router.get("/health/live").handler(health::live);
    router.get("/health/ready").handler(health::ready);
    if (management != null) {
      management.mount(router);
    }
    Responses.handleErrors(router);
    return router;
  }
}
