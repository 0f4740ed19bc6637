package io.tokengateway.cluster;

import io.tokengateway.core.GatewayFailure;
import io.tokengateway.upstream.TokenAnswer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Response;

/**
 * One entry of the shared embed cache as read back: a token answer with its lifetime and how much of it is
 * left ({@code ttlMs}), or a remembered 404/422 ({@code status}).
 */
public record SharedAnswer(int status, String token, Buffer body, long lifetimeMs, long ttlMs) {

  /** The entry from a GET and a PTTL reply; null when absent, expiring, or not in the gateway's format. */
  static SharedAnswer parse(Response value, Response pttl) {
    return value == null || pttl == null ? null : parse(value.toString(), pttl.toLong());
  }

  /**
   * The entry from its stored text and remaining time; null when expiring or not in the gateway's format (a
   * foreign or damaged value is a miss, never an error).
   */
  static SharedAnswer parse(String value, long ttlMs) {
    if (value == null || ttlMs <= 0) {
      return null;
    }
    try {
      JsonObject json = new JsonObject(value);
      Buffer body = Buffer.buffer(json.getString("body", ""));
      if (json.containsKey("status")) {
        int status = json.getInteger("status");
        return status == 404 || status == 422 ? new SharedAnswer(status, null, body, 0, ttlMs) : null;
      }
      Long lifetimeMs = json.getLong("lifetimeMs");
      String token = new JsonObject(body).getString("token");
      return token == null || lifetimeMs == null || lifetimeMs <= 0 ? null
          : new SharedAnswer(0, token, body, lifetimeMs, ttlMs);
    } catch (RuntimeException e) {
      return null; // DecodeException, ClassCastException and kin: not ours
    }
  }

  public boolean negative() {
    return status != 0;
  }

  /** The token answer, aged by the time since another pod received it. */
  public TokenAnswer answer() {
    return new TokenAnswer(token, body, Math.max(0, lifetimeMs - ttlMs), true);
  }

  /** The remembered negative answer, as SignalWire gave it. */
  public GatewayFailure failure() {
    return GatewayFailure.passThrough(status, body);
  }
}
