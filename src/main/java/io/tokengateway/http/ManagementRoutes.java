package io.tokengateway.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tokengateway.core.GatewayFailure;
import io.tokengateway.cache.EmbedPurge;
import io.tokengateway.config.Secret;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What operators use: {@code GET /metrics} (Prometheus text), and, only when an admin token is configured and
 * sent as a Bearer token, {@code DELETE /admin/embed-cache} (purge all) and {@code POST /admin/embed-cache/purge}
 * with {@code {"token":"c2c_..."}} (purge one; the token travels in the body, never in a logged URL).
 * Without an admin token the admin paths answer 404; with a missing or wrong bearer, 401.
 */
public final class ManagementRoutes {

  private static final Logger LOG = LoggerFactory.getLogger(ManagementRoutes.class);

  private final Vertx vertx;
  private final PrometheusMeterRegistry registry;
  private final EmbedPurge purge;
  private final RequestValidator validator;
  private final byte[] adminToken;

  public ManagementRoutes(Vertx vertx, PrometheusMeterRegistry registry, EmbedPurge purge,
      RequestValidator validator, Secret adminToken) {
    this.vertx = vertx;
    this.registry = registry;
    this.purge = purge;
    this.validator = validator;
    this.adminToken = adminToken.isEmpty() ? null : adminToken.reveal().getBytes(StandardCharsets.UTF_8);
  }

  /** Adds the management routes to {@code router}. */
  public void mount(Router router) {
    router.get("/metrics").handler(this::metrics);
    router.route("/admin/*").handler(this::authorize);
    router.delete("/admin/embed-cache").handler(this::purgeAll);
    router.post("/admin/embed-cache/purge").handler(BodyHandler.create(false).setBodyLimit(4096))
        .handler(this::purgeOne);
  }

  private void metrics(RoutingContext ctx) {
    if (registry == null) {
      Responses.error(ctx, GatewayFailure.invalid(404));
      return;
    }
    vertx.executeBlocking(registry::scrape, false).onComplete(ar -> {
      if (ar.failed()) {
        Responses.error(ctx, ar.cause());
        return;
      }
      ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")
          .putHeader(HttpHeaders.CACHE_CONTROL, "no-store").end(ar.result());
    });
  }

  private void authorize(RoutingContext ctx) {
    if (adminToken == null) {
      Responses.error(ctx, GatewayFailure.invalid(404));
      return;
    }
    String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    byte[] sent = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
        ? header.substring(7).trim().getBytes(StandardCharsets.UTF_8) : new byte[0];
    if (!MessageDigest.isEqual(sent, adminToken)) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
      Responses.error(ctx, GatewayFailure.invalid(401));
      return;
    }
    ctx.next();
  }

  private void purgeAll(RoutingContext ctx) {
    purge.purgeAll().onComplete(ar -> {
      if (ar.failed()) {
        Responses.error(ctx, ar.cause());
        return;
      }
      LOG.info("admin purged the whole embed token cache ({})", ar.result().scope());
      Responses.json(ctx, 200, new JsonObject().put("purged", "all").put("scope", ar.result().scope()).toBuffer());
    });
  }

  private void purgeOne(RoutingContext ctx) {
    String c2c = validator.embedTokenOrAnswer(ctx);
    if (c2c == null) {
      return;
    }
    purge.purge(c2c).onComplete(ar -> {
      if (ar.failed()) {
        Responses.error(ctx, ar.cause());
        return;
      }
      LOG.info("admin purged one embed token cache entry ({})", ar.result().scope());
      Responses.json(ctx, 200, new JsonObject().put("purged", ar.result().held() ? 1 : 0)
          .put("scope", ar.result().scope()).toBuffer());
    });
  }
}
