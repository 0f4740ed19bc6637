package io.tokengateway.upstream.simulator;

import io.tokengateway.config.SimulatorOptions.TokenFormat;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.UUID;

/**
 * Mints tokens shaped like SignalWire's. {@code JWE}: five base64url parts with a protected header
 * {@code {"alg":"dir","enc":"A256GCM","typ":"SAT","ch":...}} and random remainder, unreadable like the real
 * ones. {@code JWS}: a readable JWT whose payload carries {@code exp}, for tests of that path.
 */
public final class SimulatedTokens {

  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String JWE_HEADER = b64(new JsonObject()
      .put("alg", "dir").put("enc", "A256GCM").put("typ", "SAT").put("ch", "relay.signalwire.com").encode());
  private static final String JWE_REFRESH_HEADER = b64(new JsonObject()
      .put("alg", "dir").put("enc", "A256GCM").put("typ", "Refresh").encode());
  private static final String JWS_HEADER = b64(new JsonObject().put("alg", "HS256").put("typ", "JWT").encode());

  private final TokenFormat format;

  public SimulatedTokens(TokenFormat format) {
    this.format = format;
  }

  /** A token valid until {@code expEpochSeconds} (visible only in the JWS format). */
  public String mint(long nowEpochSeconds, long expEpochSeconds) {
    return mint(JWE_HEADER, nowEpochSeconds, expEpochSeconds);
  }

  /** A refresh token ({@code typ: Refresh} in the JWE format) valid until {@code expEpochSeconds}. */
  public String mintRefresh(long nowEpochSeconds, long expEpochSeconds) {
    return mint(JWE_REFRESH_HEADER, nowEpochSeconds, expEpochSeconds);
  }

  private String mint(String jweHeader, long nowEpochSeconds, long expEpochSeconds) {
    if (format == TokenFormat.JWS) {
      JsonObject claims = new JsonObject()
          .put("jti", UUID.randomUUID().toString())
          .put("iat", nowEpochSeconds)
          .put("exp", expEpochSeconds);
      return JWS_HEADER + "." + b64(claims.encode()) + "." + random(32);
    }
    // alg "dir" has an empty encrypted key part: header..iv.ciphertext.tag
    return jweHeader + ".." + random(12) + "." + random(180) + "." + random(16);
  }

  private static String random(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return B64.encodeToString(b);
  }

  private static String b64(String text) {
    return B64.encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }
}
