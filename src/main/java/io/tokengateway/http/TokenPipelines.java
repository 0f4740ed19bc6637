package io.tokengateway.http;

import io.tokengateway.cache.EmbedTokenCache;
import io.tokengateway.guest.GuestChecks;
import io.tokengateway.upstream.Endpoint;
import io.tokengateway.upstream.TokenAnswer;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The three token pipelines of a process, one per request kind, and which of them a request belongs to: a POST
 * or a CORS preflight on a token path, matched exactly.
 */
public final class TokenPipelines {

  /** The method the pipelines serve; a CORS preflight is the browser asking whether it may send it. */
  private static final HttpMethod SERVED = HttpMethod.POST;
  /** The {@code Allow} of a 405 on each token path. */
  static final Map<String, String> ALLOW = Arrays.stream(Endpoint.values())
      .collect(Collectors.toUnmodifiableMap(Endpoint::path, e -> SERVED.name()));

  private final EmbedPipeline embeds;
  private final MintPipeline guests;
  private final MintPipeline refreshes;

  /**
   * @param guestTokens SignalWire's guest token call, through the upstream guards
   * @param refreshedTokens SignalWire's refresh call, through the upstream guards
   */
  public TokenPipelines(int maxBodyBytes, CorsPolicy cors, ClientLimits clientLimits, RequestValidator validator,
      EmbedTokenCache embedCache, GuestChecks guestChecks, Function<JsonObject, Future<TokenAnswer>> guestTokens,
      Function<JsonObject, Future<TokenAnswer>> refreshedTokens, AccessLog accessLog) {
    RequestBodies bodies = new RequestBodies(maxBodyBytes);
    this.embeds = new EmbedPipeline(cors, clientLimits, bodies, validator, embedCache, accessLog);
    this.guests = new MintPipeline(Endpoint.GUESTS, cors, clientLimits, bodies, validator::guestRequest,
        (x, body) -> guestChecks.check(x.request, x.client, addresses(body)), guestTokens, accessLog);
    this.refreshes = new MintPipeline(Endpoint.REFRESH, cors, clientLimits, bodies, validator::refreshRequest,
        MintPipeline.Admission.ANYONE, refreshedTokens, accessLog);
  }

  /** The pipeline that owns {@code request}, or null when the router answers it. */
  Handler<HttpServerRequest> of(HttpServerRequest request) {
    if (request.method() != SERVED && !CorsPolicy.isPreflight(request)) {
      return null;
    }
    String path = request.path();
    if (Endpoint.EMBEDS.path().equals(path)) {
      return embeds;
    }
    if (Endpoint.GUESTS.path().equals(path)) {
      return guests;
    }
    return Endpoint.REFRESH.path().equals(path) ? refreshes : null;
  }

  @SuppressWarnings("unchecked")
  private static List<String> addresses(JsonObject validGuestBody) {
    return validGuestBody.getJsonArray("allowed_addresses").getList();
  }
}
