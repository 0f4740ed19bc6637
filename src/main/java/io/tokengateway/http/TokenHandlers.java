package io.tokengateway.http;

import io.tokengateway.upstream.SignalWireClient;
import io.tokengateway.upstream.TokenAnswer;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;

/**
 * The two token endpoints, each one chain of futures: validate the body, ask SignalWire, write the answer.
 * Every failure on the way ends in {@link Responses#error}.
 */
public final class TokenHandlers {

  private final RequestValidator validator;
  private final SignalWireClient upstream;

  public TokenHandlers(RequestValidator validator, SignalWireClient upstream) {
    this.validator = validator;
    this.upstream = upstream;
  }

  /** {@code POST /api/fabric/embeds/tokens}. */
  public void embed(RoutingContext ctx) {
    Future.succeededFuture(ctx.body().buffer())
        .map(validator::embedToken)
        .compose(upstream::createEmbedToken)
        .onComplete(ar -> respond(ctx, ar));
  }

  /** {@code POST /api/fabric/guests/tokens}. */
  public void guest(RoutingContext ctx) {
    Future.succeededFuture(ctx.body().buffer())
        .map(validator::guestRequest)
        .compose(upstream::createGuestToken)
        .onComplete(ar -> respond(ctx, ar));
  }

  private static void respond(RoutingContext ctx, AsyncResult<TokenAnswer> ar) {
    if (ar.succeeded()) {
      ctx.put(AccessLog.OUTCOME_KEY, "success");
      Responses.json(ctx, 201, ar.result().body());
    } else {
      Responses.error(ctx, ar.cause());
    }
  }
}
