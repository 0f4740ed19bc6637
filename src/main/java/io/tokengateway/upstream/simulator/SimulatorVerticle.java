package io.tokengateway.upstream.simulator;

import io.tokengateway.config.SimulatorOptions;
import io.tokengateway.upstream.Endpoint;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * A stand-in for SignalWire's token endpoints (embeds, guests, refresh): the same paths, auth rules, status
 * codes and error shapes as the reference pages, with faults (latency, 500s, hangs, 429s) injected from
 * {@link SimulatorOptions}. It counts the calls it receives ({@code GET /simulator/stats};
 * {@code POST /simulator/reset} zeroes them). Refresh tokens it minted (on a guest mint or a refresh) are
 * accepted once each while valid (2 h 5 min on the injected clock); others get 401.
 * It also serves the CAPTCHA providers' siteverify endpoints ({@link SiteverifyStandIn}).
 */
public final class SimulatorVerticle extends VerticleBase {

  private static final Pattern UUID_TEXT =
      Pattern.compile("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
  private static final Pattern REGION_TEXT = Pattern.compile("^[a-z0-9-]{1,32}$");
  private static final long DEFAULT_GUEST_TTL_SECONDS = 7200;

  private final SimulatorOptions options;
  private final SimulatorStats stats;
  private final String host;
  private final Clock clock;
  private final SimulatedTokens tokens;
  private final Set<String> unknownTokens;
  private final String expectedAuth;
  private final RefreshTokenStore refreshTokens;
  private final SiteverifyStandIn siteverify;
  private HttpServer server;

  /** One simulator instance with refresh tokens and a siteverify stand-in of its own, on {@code clock}. */
  public SimulatorVerticle(SimulatorOptions options, SimulatorStats stats, String host, Clock clock) {
    this(options, stats, new RefreshTokenStore(clock), host, clock, new SiteverifyStandIn());
  }

  /** An instance sharing {@code refreshTokens} and {@code siteverify} with the others on its port. */
  SimulatorVerticle(SimulatorOptions options, SimulatorStats stats, RefreshTokenStore refreshTokens, String host,
      Clock clock, SiteverifyStandIn siteverify) {
    this.refreshTokens = refreshTokens;
    this.siteverify = siteverify;
    this.options = options;
    this.stats = stats;
    this.host = host;
    this.clock = clock;
    this.tokens = new SimulatedTokens(options.tokenFormat());
    this.unknownTokens = Set.copyOf(options.unknownTokens());
    this.expectedAuth = "Basic " + Base64.getEncoder().encodeToString(
        (options.projectId() + ":" + options.apiToken().reveal()).getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    BodyHandler body = BodyHandler.create(false).setBodyLimit(64 * 1024);
    router.post(Endpoint.EMBEDS.path()).handler(body).handler(ctx -> call(ctx, Endpoint.EMBEDS));
    router.post(Endpoint.GUESTS.path()).handler(body).handler(ctx -> call(ctx, Endpoint.GUESTS));
    router.post(Endpoint.REFRESH.path()).handler(body).handler(ctx -> call(ctx, Endpoint.REFRESH));
    siteverify.mount(router);
    router.get("/simulator/stats").handler(ctx -> ctx.json(stats.toJson()));
    router.post("/simulator/reset").handler(ctx -> {
      stats.reset();
      ctx.json(stats.toJson());
    });
    server = vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(options.port()));
    return server.requestHandler(router).listen();
  }

  public int actualPort() {
    return server.actualPort();
  }

  private void call(RoutingContext ctx, Endpoint endpoint) {
    stats.record(endpoint);
    delay().onSuccess(v -> answer(ctx, endpoint));
  }

  private Future<Void> delay() {
    if (options.latencyMs() == 0) {
      return Future.succeededFuture();
    }
    Promise<Void> p = Promise.promise();
    vertx.setTimer(options.latencyMs(), id -> p.complete());
    return p.future();
  }

  private void answer(RoutingContext ctx, Endpoint endpoint) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    if (hits(random, options.timeoutRate())) {
      return; // never answer: the caller's timeout has to fire
    }
    if (hits(random, options.rateLimitRate())) {
      ctx.response().putHeader("Retry-After", String.valueOf(options.retryAfterSeconds()));
      error(ctx, 429, "Too Many Requests");
    } else if (hits(random, options.failureRate())) {
      error(ctx, 500, "Internal Server Error");
    } else {
      switch (endpoint) {
        case EMBEDS -> embed(ctx);
        case GUESTS -> guest(ctx);
        case REFRESH -> refresh(ctx);
      }
    }
  }

  private static boolean hits(ThreadLocalRandom random, double rate) {
    return rate > 0 && random.nextDouble() < rate;
  }

  private void embed(RoutingContext ctx) {
    JsonObject body = jsonObject(ctx.body().buffer());
    Object token = body == null ? null : body.getValue("token");
    if (!(token instanceof String c2c) || !(c2c.startsWith("c2c_") || c2c.startsWith("c2t_"))) {
      invalid(ctx, "token", "token must be a Click-to-Call token");
      return;
    }
    if (unknownTokens.contains(c2c)) {
      error(ctx, 404, "Not Found");
      return;
    }
    long now = clock.instant().getEpochSecond();
    created(ctx, new JsonObject().put("token", tokens.mint(now, now + options.embedLifetimeSeconds())));
  }

  private void guest(RoutingContext ctx) {
    if (!authorized(ctx)) {
      return;
    }
    JsonObject body = jsonObject(ctx.body().buffer());
    Object addresses = body == null ? null : body.getValue("allowed_addresses");
    if (!(addresses instanceof JsonArray list) || list.isEmpty() || list.size() > 10
        || !list.stream().allMatch(a -> a instanceof String s && UUID_TEXT.matcher(s).matches())) {
      invalid(ctx, "allowed_addresses", "allowed_addresses must hold 1 to 10 address UUIDs");
      return;
    }
    Object expireAt = body.getValue("expire_at");
    if (expireAt != null && !(expireAt instanceof Integer || expireAt instanceof Long)) {
      invalid(ctx, "expire_at", "expire_at must be an integer");
      return;
    }
    for (String attr : new String[] {"region", "ch"}) {
      Object region = body.getValue(attr);
      if (region != null && !(region instanceof String r && REGION_TEXT.matcher(r).matches())) {
        invalid(ctx, attr, attr + " must be a region name, e.g. us-central");
        return;
      }
    }
    stats.recordGuest(body.getString("region"), body.getString("ch"));
    long now = clock.instant().getEpochSecond();
    long exp = expireAt == null ? now + DEFAULT_GUEST_TTL_SECONDS : ((Number) expireAt).longValue();
    created(ctx, tokenPair(now, exp));
  }

  private void refresh(RoutingContext ctx) {
    if (!authorized(ctx)) {
      return;
    }
    JsonObject body = jsonObject(ctx.body().buffer());
    Object refreshToken = body == null ? null : body.getValue("refresh_token");
    if (!(refreshToken instanceof String presented) || presented.isEmpty()) {
      invalid(ctx, "refresh_token", "refresh_token must be a refresh token");
      return;
    }
    if (!refreshTokens.spend(presented)) {
      error(ctx, 401, "Unauthorized"); // unknown, expired or already spent
      return;
    }
    long now = clock.instant().getEpochSecond();
    created(ctx, tokenPair(now, now + DEFAULT_GUEST_TTL_SECONDS));
  }

  /** A token valid until {@code exp} and a new refresh token, remembered until it is spent or expires. */
  private JsonObject tokenPair(long now, long exp) {
    String refreshToken = tokens.mintRefresh(now, RefreshTokenStore.expiresAt(now));
    refreshTokens.issue(refreshToken);
    return new JsonObject().put("token", tokens.mint(now, exp)).put("refresh_token", refreshToken);
  }

  /** True when the call carries the project's Basic auth; else answers 401. */
  private boolean authorized(RoutingContext ctx) {
    if (expectedAuth.equals(ctx.request().getHeader("Authorization"))) {
      return true;
    }
    error(ctx, 401, "Unauthorized");
    return false;
  }

  private static JsonObject jsonObject(Buffer buffer) {
    try {
      return buffer != null && Json.decodeValue(buffer) instanceof JsonObject o ? o : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static void created(RoutingContext ctx, JsonObject body) {
    ctx.response().setStatusCode(201).putHeader("Content-Type", "application/json").end(body.toBuffer());
  }

  private static void invalid(RoutingContext ctx, String attribute, String message) {
    JsonObject item = new JsonObject().put("type", "validation_error").put("code", "invalid_parameter")
        .put("message", message).put("attribute", attribute)
        .put("url", "https://developer.signalwire.com/rest/overview/error-codes");
    ctx.response().setStatusCode(422).putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("errors", new JsonArray().add(item)).toBuffer());
  }

  private static void error(RoutingContext ctx, int status, String reason) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("error", reason).toBuffer());
  }
}
