package io.tokengateway.http;

import io.tokengateway.cache.CacheStatus;
import io.tokengateway.cache.EmbedAnswer;
import io.tokengateway.cache.EmbedTokenCache;
import io.tokengateway.guest.GuestChecks;
import io.tokengateway.upstream.TokenAnswer;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The token endpoints, each one chain of futures: validate the body, ask the embed cache or SignalWire,
 * write the answer. Every failure on the way ends in {@link Responses#error}. Embed answers that went through
 * the cache carry {@code X-Cache}; guest and refresh answers are never cached (each is one visitor's).
 */
public final class TokenHandlers {

  private static final CharSequence X_CACHE = HttpHeaders.createOptimized("X-Cache");
  private static final CharSequence AGE = HttpHeaders.createOptimized("Age");
  private static final CharSequence AGE_ZERO = HttpHeaders.createOptimized("0");
  private static final Map<CacheStatus, CharSequence> X_CACHE_VALUES = new EnumMap<>(CacheStatus.class);

  static {
    for (CacheStatus status : CacheStatus.values()) {
      X_CACHE_VALUES.put(status, HttpHeaders.createOptimized(status.name()));
    }
  }

  private final RequestValidator validator;
  private final EmbedTokenCache embeds;
  private final Function<JsonObject, Future<TokenAnswer>> guests;
  private final Function<JsonObject, Future<TokenAnswer>> refreshes;
  private final GuestChecks guestChecks;

  public TokenHandlers(RequestValidator validator, EmbedTokenCache embeds,
      Function<JsonObject, Future<TokenAnswer>> guests, Function<JsonObject, Future<TokenAnswer>> refreshes,
      GuestChecks guestChecks) {
    this.validator = validator;
    this.embeds = embeds;
    this.guests = guests;
    this.refreshes = refreshes;
    this.guestChecks = guestChecks;
  }

  /** The router-free path for well-formed embed requests, sharing this handler's validator and cache. */
  EmbedFastPath fastPath(int maxBodyBytes, CorsPolicy cors, ClientLimitHandler clientLimit, AccessLog accessLog) {
    return new EmbedFastPath(maxBodyBytes, cors, clientLimit, validator, embeds, accessLog);
  }

  /** {@code POST /api/fabric/embeds/tokens}. */
  public void embed(RoutingContext ctx) {
    String c2c = validator.embedTokenOrAnswer(ctx);
    if (c2c == null) {
      return;
    }
    embeds.get(c2c).onComplete(ar -> respondEmbed(ctx, ar));
  }

  /** {@code POST /api/fabric/guests/tokens}: validate, the guest checks (CAPTCHA, JWT, quota), then SignalWire. */
  public void guest(RoutingContext ctx) {
    Future.succeededFuture(ctx.body().buffer())
        .map(validator::guestRequest)
        .compose(body -> guestChecks.check(ctx.request(), addresses(body))
            .compose(grant -> guests.apply(body).andThen(grant::settle)))
        .onComplete(ar -> respond(ctx, ar));
  }

  /** {@code POST /api/fabric/subscribers/tokens/refresh}: the guest endpoint's chain with the refresh body. */
  public void refresh(RoutingContext ctx) {
    Future.succeededFuture(ctx.body().buffer())
        .map(validator::refreshRequest)
        .compose(refreshes)
        .onComplete(ar -> respond(ctx, ar));
  }

  @SuppressWarnings("unchecked")
  private static java.util.List<String> addresses(JsonObject validGuestBody) {
    return validGuestBody.getJsonArray("allowed_addresses").getList();
  }

  private static void respondEmbed(RoutingContext ctx, AsyncResult<EmbedAnswer> ar) {
    ctx.put(AccessLog.CACHE_KEY, ar.succeeded() ? ar.result().status() : CacheStatus.MISS);
    ctx.put(AccessLog.OUTCOME_KEY, writeEmbed(ctx.request(), ar));
  }

  /**
   * Writes an embed answer with its {@code X-Cache} and, on a 201, its {@code Age} (RFC 9111: whole seconds since
   * the gateway received the token); returns the upstream outcome for the access log.
   */
  static String writeEmbed(io.vertx.core.http.HttpServerRequest request, AsyncResult<EmbedAnswer> ar) {
    EmbedAnswer answer = ar.succeeded() ? ar.result() : null;
    CacheStatus status = answer == null ? CacheStatus.MISS : answer.status();
    request.response().headers().set(X_CACHE, X_CACHE_VALUES.get(status));
    if (answer == null) {
      return Responses.error(request, ar.cause()).outcome().label();
    }
    if (answer.failure() != null) {
      return Responses.error(request, answer.failure()).outcome().label();
    }
    request.response().headers().set(AGE, answer.ageSeconds() == 0 ? AGE_ZERO : String.valueOf(answer.ageSeconds()));
    Responses.json(request.response(), 201, answer.body());
    return status == CacheStatus.MISS ? "success" : "none";
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
