package io.tokengateway.cache;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.OptionalLong;

/**
 * Best-effort reading of a token's {@code exp}: the payload of a JWS (three parts) or the protected header of a
 * JWE (five parts). Real SignalWire tokens are encrypted, so this usually finds nothing; any malformed input
 * also finds nothing, and never throws.
 */
public final class TokenExpiry {

  private TokenExpiry() {
  }

  /** The {@code exp} claim in epoch seconds, when the token shows one. */
  public static OptionalLong exp(String token) {
    try {
      String[] parts = token.split("\\.", -1);
      String readable = parts.length == 3 ? parts[1] : parts.length == 5 ? parts[0] : null;
      if (readable == null) {
        return OptionalLong.empty();
      }
      JsonObject json = new JsonObject(new String(Base64.getUrlDecoder().decode(readable), StandardCharsets.UTF_8));
      Object exp = json.getValue("exp");
      if (exp instanceof Number n && Double.isFinite(n.doubleValue()) && n.doubleValue() > 0) {
        return OptionalLong.of(n.longValue());
      }
      return OptionalLong.empty();
    } catch (RuntimeException e) {
      return OptionalLong.empty();
    }
  }
}
