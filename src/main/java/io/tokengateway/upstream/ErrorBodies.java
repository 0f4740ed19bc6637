package io.tokengateway.upstream;

import io.tokengateway.core.GatewayFailure;
import io.tokengateway.config.Secret;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The body the caller gets for a SignalWire error passed through with its status (401/403/404/422): only
 * SignalWire's documented shapes, rebuilt field by field, so that nothing else SignalWire (or anything posing as
 * it) put in the answer reaches a browser:
 *
 * <ul>
 *   <li>{@code {"error": "<reason>"}}, the string at most {@value #MAX_VALUE_CHARS} characters;
 *   <li>{@code {"errors": [{"type","code","message","attribute","url"}, ...]}}: the first {@value #MAX_ITEMS}
 *       items that have the four required strings and an {@code attribute} that is a string, null or absent,
 *       each value at most {@value #MAX_VALUE_CHARS} characters; other items are dropped, other keys never copied.
 * </ul>
 *
 * Anything else, and any body whose kept values carry the gateway's own credentials (the API token, or the
 * Basic header value made from it), becomes the gateway's own body for that status.
 */
final class ErrorBodies {

  static final int MAX_ITEMS = 10;
  static final int MAX_VALUE_CHARS = 256;
  private static final String[] REQUIRED = {"type", "code", "message", "url"};
  private static final Logger LOG = LoggerFactory.getLogger(ErrorBodies.class);

  /** Texts that must never reach a caller: the API token and its Basic header encodings. */
  private final List<String> secrets = new ArrayList<>();

  ErrorBodies(String projectId, Secret apiToken) {
    if (!apiToken.isEmpty()) {
      byte[] basic = (projectId + ":" + apiToken.reveal()).getBytes(StandardCharsets.UTF_8);
      secrets.add(apiToken.reveal());
      secrets.add(Base64.getEncoder().withoutPadding().encodeToString(basic));
      secrets.add(Base64.getUrlEncoder().withoutPadding().encodeToString(basic));
    }
  }

  /** The body to answer with {@code status} for SignalWire's {@code json} (null when it was not a JSON object). */
  Buffer passThrough(int status, JsonObject json) {
    JsonObject rebuilt = json == null ? null : rebuild(json);
    if (rebuilt == null) {
      return GatewayFailure.errorBody(status);
    }
    if (carriesSecret(rebuilt)) {
      LOG.warn("SignalWire's {} answer carried the gateway's credentials: answered the gateway's own body", status);
      return GatewayFailure.errorBody(status);
    }
    return rebuilt.toBuffer();
  }

  private static JsonObject rebuild(JsonObject json) {
    Object error = json.getValue("error");
    if (error != null) {
      return bounded(error) ? new JsonObject().put("error", error) : null;
    }
    if (!(json.getValue("errors") instanceof JsonArray errors)) {
      return null;
    }
    JsonArray kept = new JsonArray();
    for (int i = 0; i < errors.size() && kept.size() < MAX_ITEMS; i++) {
      JsonObject item = errors.getValue(i) instanceof JsonObject o ? item(o) : null;
      if (item != null) {
        kept.add(item);
      }
    }
    return kept.isEmpty() ? null : new JsonObject().put("errors", kept);
  }

  /** One documented error item, rebuilt; null when it is not one. */
  private static JsonObject item(JsonObject o) {
    JsonObject item = new JsonObject();
    for (String key : REQUIRED) {
      Object value = o.getValue(key);
      if (!bounded(value)) {
        return null;
      }
      item.put(key, value);
    }
    Object attribute = o.getValue("attribute");
    if (attribute != null && !bounded(attribute)) {
      return null;
    }
    return item.put("attribute", attribute);
  }

  private static boolean bounded(Object value) {
    return value instanceof String s && s.length() <= MAX_VALUE_CHARS;
  }

  private boolean carriesSecret(JsonObject rebuilt) {
    if (secrets.isEmpty()) {
      return false;
    }
    Object error = rebuilt.getValue("error");
    if (error != null) {
      return carriesSecret((String) error);
    }
    for (Object item : rebuilt.getJsonArray("errors")) {
      for (Object value : ((JsonObject) item).getMap().values()) {
        if (value != null && carriesSecret((String) value)) {
          return true;
        }
      }
    }
    return false;
  }

  private boolean carriesSecret(String value) {
    for (String secret : secrets) {
      if (value.contains(secret)) {
        return true;
      }
    }
    return false;
  }
}
