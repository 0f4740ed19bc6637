package io.tokengateway.cluster;

import io.tokengateway.GatewayFailure;
import io.tokengateway.upstream.TokenAnswer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Response;

/**
 * One entry of the shared embed cache as read back: a token answer with its lifetime and how much of it is
 * left ({@code ttlMs}), or a remembered 404/422 ({@code status}).
 */
public record SharedAnswer(int status, String token, Buffer body, long lifetimeMs, long ttlMs) {

  /** The entry from a GET and a PTTL reply; null when absent, expiring, or not in the gateway's format. */
  static SharedAnswer parse(Response value, Response pttl) {
    if (value == null || pttl == null || pttl.toLong() <= 0) {
      return null;
    }
    try {
      JsonObject json = new JsonObject(value.toString());
      Buffer body = Buffer.buffer(json.getString("body", ""));
      if (json.containsKey("status")) {
        return new SharedAnswer(json.getInteger("status"), null, body, 0, pttl.toLong());
      }
      String token = new JsonObject(body).getString("token");
      return token == null ? null : new SharedAnswer(0, token, body, json.getLong("lifetimeMs"), pttl.toLong());
    } catch (DecodeException | ClassCastException | NullPointerException e) {
      return null;
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
