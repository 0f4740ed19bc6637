package io.tokengateway.http;

import io.tokengateway.core.GatewayFailure;
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
 *
 * <p>The guest and refresh bodies are signed upstream with the project's own credentials, so they carry only
 * the fields SignalWire documents: any other field is a 422 {@code unknown_attribute} naming it (bounded by
 * {@link #echoable}), and the body sent upstream is rebuilt from the checked fields.
 */
public final class RequestValidator {

  static final int MAX_ADDRESSES = 10;
  static final int MAX_REGION = 32;
  static final int MIN_REFRESH_TOKEN = 16;
  static final int MAX_REFRESH_TOKEN = 8192;
  static final int MAX_ECHOED_NAME = 64;
  private static final Set<String> GUEST_FIELDS = Set.of("allowed_addresses", "expire_at", "region", "ch");
  private static final Set<String> REFRESH_FIELDS = Set.of("refresh_token");
  private static final Pattern UUID_TEXT =
      Pattern.compile("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
  private static final Pattern REGION_TEXT = Pattern.compile("^[a-z0-9-]+$");
  /**
   * A compact JWS (three non-empty parts) or JWE (five parts; only the second, the encrypted key, may be
   * empty, as it is with {@code alg: dir}), each part base64url without padding.
   */
  private static final Pattern COMPACT_JOSE = Pattern.compile("^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$"
      + "|^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*(?:\\.[A-Za-z0-9_-]+){3}$");

  private final java.util.function.Predicate<String> embedTokenPattern;
  private final Set<UUID> allowedAddresses;
  private final long maxTtlSeconds;
  private final Clock clock;

  public RequestValidator(GatewayConfig config, Clock clock) {
    // the wall clock: expire_at is in epoch seconds
    this.embedTokenPattern = EmbedBodies.matcher(config.embed().tokenPattern());
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
    onlyKnown(json, GUEST_FIELDS);
    List<String> addresses = addresses(json.getValue("allowed_addresses"));
    Long expireAt = expireAt(json.getValue("expire_at"));
    String region = region("region", json.getValue("region"));
    String ch = region("ch", json.getValue("ch"));
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
    if (region != null) {
      upstream.put("region", region);
    }
    if (ch != null) {
      upstream.put("ch", ch);
    }
    return upstream;
  }

  /** The body to send SignalWire for a refresh request: exactly {@code {"refresh_token": ...}}, checked. */
  public JsonObject refreshRequest(Buffer body) {
    JsonObject json = object(body);
    onlyKnown(json, REFRESH_FIELDS);
    String attr = "refresh_token";
    Object value = json.getValue(attr);
    if (value == null) {
      throw GatewayFailure.unprocessable(attr, "missing", "refresh_token is required");
    }
    if (!(value instanceof String token)) {
      throw GatewayFailure.unprocessable(attr, "invalid_type", "refresh_token must be a string");
    }
    if (token.length() < MIN_REFRESH_TOKEN || token.length() > MAX_REFRESH_TOKEN) {
      throw GatewayFailure.unprocessable(attr, "invalid_length",
          "refresh_token must be " + MIN_REFRESH_TOKEN + " to " + MAX_REFRESH_TOKEN + " characters");
    }
    if (!COMPACT_JOSE.matcher(token).matches()) {
      throw GatewayFailure.unprocessable(attr, "invalid_format",
          "refresh_token must be a compact JWE or JWS (dot-separated base64url parts)");
    }
    return new JsonObject().put(attr, token);
  }

  /**
   * A caller's field name as it may be echoed in an error body: its first {@value #MAX_ECHOED_NAME} characters,
   * each outside {@code [A-Za-z0-9_.-]} replaced by {@code _}, so an error body can carry neither a huge name
   * nor markup, control characters or a whole pasted token. Never logged.
   */
  static String echoable(String name) {
    int n = Math.min(name.length(), MAX_ECHOED_NAME);
    StringBuilder out = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      char c = name.charAt(i);
      boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '_' || c == '-' || c == '.';
      out.append(plain ? c : '_');
    }
    return out.toString();
  }

  /** Fails on the first field (in body order) that {@code known} does not name. */
  private static void onlyKnown(JsonObject json, Set<String> known) {
    for (String name : json.fieldNames()) {
      if (!known.contains(name)) {
        throw GatewayFailure.unknownAttribute(echoable(name));
      }
    }
  }

  /** A region name ({@code region}, {@code ch}): absent or null = SignalWire's default; else 1 to 32 of [a-z0-9-]. */
  private static String region(String attr, Object value) {
    if (value == null) {
      return null;
    }
    if (!(value instanceof String text)) {
      throw GatewayFailure.unprocessable(attr, "invalid_type", attr + " must be a string (a region name)");
    }
    if (text.isEmpty() || text.length() > MAX_REGION) {
      throw GatewayFailure.unprocessable(attr, "invalid_length", attr + " must be 1 to " + MAX_REGION + " characters");
    }
    if (!REGION_TEXT.matcher(text).matches()) {
      throw GatewayFailure.unprocessable(attr, "invalid_format",
          attr + " must be a region name of lowercase letters, digits and '-', e.g. us-central");
    }
    return text;
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
