package io.tokengateway.http;

import io.tokengateway.GatewayFailure;
import io.tokengateway.config.GatewayConfig;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Checks token requests before anything reaches SignalWire. Each method returns what to send upstream or
 * throws a {@link GatewayFailure} (400, 403 or 422 in SignalWire's shapes).
 */
public final class RequestValidator {

  static final int MAX_ADDRESSES = 10;
  private static final Pattern UUID_TEXT =
      Pattern.compile("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");

  private final java.util.function.Predicate<String> embedTokenPattern;
  private final Set<UUID> allowedAddresses;
  private final long maxTtlSeconds;
  private final Clock clock;

  public RequestValidator(GatewayConfig config, Clock clock) {
    // the wall clock: expire_at is in epoch seconds
    this.embedTokenPattern = EmbedBodies.matcher(config.embedTokenPattern());
    this.allowedAddresses = config.guest().allowedAddresses();
    this.maxTtlSeconds = config.guest().maxTtlSeconds();
    this.clock = clock;
  }

  /** The C2C token of an embed request. */
  public String embedToken(Buffer body) {
    String simple = body == null ? null : EmbedBodies.simpleToken(body);
    Object token = simple != null ? simple : object(body).getValue("token");
    if (token == null) {
      throw GatewayFailure.unprocessable("token", "missing", "token is required");
    }
    if (!(token instanceof String text)) {
      throw GatewayFailure.unprocessable("token", "invalid_type", "token must be a string");
    }
    if (!embedTokenPattern.test(text)) {
      throw GatewayFailure.unprocessable("token", "invalid_format", "token is not a valid Click-to-Call token");
    }
    return text;
  }

  /** The C2C token of a routed request's body, or null once its 4xx has been answered. */
  String embedTokenOrAnswer(io.vertx.ext.web.RoutingContext ctx) {
    try {
      return embedToken(ctx.body().buffer());
    } catch (RuntimeException e) {
      Responses.error(ctx, e);
      return null;
    }
  }

  /** The body to send SignalWire for a guest request: only the documented fields, checked. */
  public JsonObject guestRequest(Buffer body) {
    JsonObject json = object(body);
    List<String> addresses = addresses(json.getValue("allowed_addresses"));
    Long expireAt = expireAt(json.getValue("expire_at"));
    if (!allowedAddresses.isEmpty()) {
      for (String a : addresses) {
        if (!allowedAddresses.contains(UUID.fromString(a))) {
          throw GatewayFailure.invalid(403);
        }
      }
    }
    JsonObject upstream = new JsonObject().put("allowed_addresses", new JsonArray(addresses));
    if (expireAt != null) {
      upstream.put("expire_at", expireAt);
    }
    return upstream;
  }

  private static JsonObject object(Buffer body) {
    Object parsed;
    try {
      parsed = body == null || body.length() == 0 ? null : Json.decodeValue(body);
    } catch (RuntimeException e) {
      throw GatewayFailure.invalid(400);
    }
    if (!(parsed instanceof JsonObject json)) {
      throw GatewayFailure.invalid(400);
    }
    return json;
  }

  private static List<String> addresses(Object value) {
    String attr = "allowed_addresses";
    if (value == null) {
      throw GatewayFailure.unprocessable(attr, "missing", "allowed_addresses is required");
    }
    if (!(value instanceof JsonArray array)) {
      throw GatewayFailure.unprocessable(attr, "invalid_type", "allowed_addresses must be an array of UUIDs");
    }
    if (array.isEmpty()) {
      throw GatewayFailure.unprocessable(attr, "empty", "allowed_addresses must name at least one address");
    }
    if (array.size() > MAX_ADDRESSES) {
      throw GatewayFailure.unprocessable(attr, "too_many", "allowed_addresses holds at most " + MAX_ADDRESSES + " addresses");
    }
    Set<UUID> seen = new HashSet<>();
    for (Object item : array) {
      if (!(item instanceof String s) || !UUID_TEXT.matcher(s).matches()) {
        throw GatewayFailure.unprocessable(attr, "invalid_uuid", "every allowed address must be a UUID");
      }
      if (!seen.add(UUID.fromString(s))) {
        throw GatewayFailure.unprocessable(attr, "duplicate", "allowed_addresses must not repeat an address");
      }
    }
    @SuppressWarnings("unchecked")
    List<String> list = (List<String>) (List<?>) array.getList();
    return List.copyOf(list);
  }

  private Long expireAt(Object value) {
    if (value == null) {
      return null;
    }
    if (!(value instanceof Integer || value instanceof Long)) {
      throw GatewayFailure.unprocessable("expire_at", "invalid_type", "expire_at must be an integer (unix seconds)");
    }
    long at = ((Number) value).longValue();
    long now = clock.instant().getEpochSecond();
    if (at <= now) {
      throw GatewayFailure.unprocessable("expire_at", "in_past", "expire_at must be in the future");
    }
    if (at > now + maxTtlSeconds) {
      throw GatewayFailure.unprocessable("expire_at", "too_late",
          "expire_at must be at most " + maxTtlSeconds + " seconds from now");
    }
    return at;
  }
}
