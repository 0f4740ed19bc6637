package io.tokengateway.http;

import io.tokengateway.core.Lifecycle;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code /health/live} and {@code /health/ready}. Readiness follows the {@link Lifecycle} only: an upstream
 * outage must not take every pod out of the Service at once.
 */
public final class HealthHandlers {

  private final Lifecycle lifecycle;
  private final String upstreamMode;

  public HealthHandlers(Lifecycle lifecycle, String upstreamMode) {
    this.lifecycle = lifecycle;
    this.upstreamMode = upstreamMode;
  }

  public void live(RoutingContext ctx) {
    Responses.json(ctx, 200, new JsonObject().put("status", "UP").toBuffer());
  }

  public void ready(RoutingContext ctx) {
    boolean ready = lifecycle.isReady();
    JsonObject body = new JsonObject()
        .put("status", ready ? "UP" : "DOWN")
        .put("state", lifecycle.state().name().toLowerCase())
        .put("upstream", upstreamMode);
    if ("simulator".equals(upstreamMode)) {
      body.put("warning", "serving tokens from the embedded SignalWire simulator, not SignalWire");
    }
    Responses.json(ctx, ready ? 200 : 503, body.toBuffer());
  }
}
