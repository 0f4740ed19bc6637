package io.tokengateway.upstream;

import io.tokengateway.core.GatewayFailure;
import io.tokengateway.core.GatewayFailure.Outcome;
import io.tokengateway.config.Secret;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.net.ConnectException;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns what SignalWire answered (or how the call failed) into a {@link TokenAnswer} or a
 * {@link GatewayFailure}. This is the single place that decides what an upstream status means for the caller.
 */
public final class UpstreamReplies {

  private static final Logger LOG = LoggerFactory.getLogger(UpstreamReplies.class);
  static final int DEFAULT_RETRY_AFTER_SECONDS = 1;
  /** The call's deadline passed: 504. */
  private static final GatewayFailure DEADLINE = GatewayFailure.upstream(504, Outcome.TIMEOUT,
      "SignalWire did not answer within upstream.timeoutMs");
  /** The answer is larger than allowed, or its length malformed: 502. */
  private static final GatewayFailure TOO_LARGE = GatewayFailure.upstream(502, Outcome.SERVER_ERROR,
      "SignalWire's answer is larger than upstream.maxResponseBytes or declares a malformed length");

  private final ErrorBodies errorBodies;

  /** The rules for a gateway whose SignalWire credentials are these (kept out of passed-through bodies). */
  public UpstreamReplies(String projectId, Secret apiToken) {
    this.errorBodies = new ErrorBodies(projectId, apiToken);
  }

  /** The answer for {@code endpoint}; throws the {@link GatewayFailure} the caller sees otherwise. */
  public TokenAnswer classify(Endpoint endpoint, UpstreamReply response) {
    int status = response.statusCode();
    if (status == 200 || status == 201) {
      return success(endpoint, response.body());
    }
    if (status == 429) {
      throw GatewayFailure.retryLater(429, retryAfter(response.getHeader("Retry-After")), Outcome.RATE_LIMITED,
          "SignalWire rate limited the " + endpoint.label() + " call");
    }
    if (status >= 500) {
      throw GatewayFailure.upstream(502, Outcome.SERVER_ERROR, "SignalWire answered " + status);
    }
    if (endpoint == Endpoint.REFRESH) {
      return refreshStatus(status, response.body());
    }
    if (endpoint == Endpoint.GUESTS && (status == 401 || status == 403)) {
      LOG.error("SignalWire refused the gateway's own credentials ({} on guest tokens): "
          + "check SIGNALWIRE_PROJECT_ID and SIGNALWIRE_API_TOKEN", status);
      throw GatewayFailure.upstream(502, Outcome.CLIENT_ERROR, "SignalWire refused the gateway's credentials");
    }
    if (status == 401 || status == 403 || status == 404 || status == 422) {
      return passThrough(status, response.body());
    }
    throw GatewayFailure.upstream(502, Outcome.CLIENT_ERROR, "SignalWire answered an unexpected " + status);
  }

  /**
   * Refresh's own 4xx rule: 401, 404 and 422 describe the caller's refresh token and pass through; 403 means
   * the gateway's API token lacks the scope (502, logged as ERROR); any other 4xx is a 502.
   */
  private TokenAnswer refreshStatus(int status, Buffer body) {
    if (status == 401 || status == 404 || status == 422) {
      return passThrough(status, body);
    }
    if (status == 403) {
      LOG.error("SignalWire refused a guest token refresh with 403: the gateway's API token lacks the scope "
          + "(check SIGNALWIRE_API_TOKEN's scopes)");
      throw GatewayFailure.upstream(502, Outcome.CLIENT_ERROR, "SignalWire refused the gateway's API token");
    }
    throw GatewayFailure.upstream(502, Outcome.CLIENT_ERROR, "SignalWire answered an unexpected " + status);
  }

  /** The failure for a call that got no HTTP answer (a {@link BoundedHttp.Failed}, or any exception). */
  public static GatewayFailure fromException(Throwable t) {
    if (t instanceof GatewayFailure f) {
      return f;
    }
    if (t instanceof BoundedHttp.Failed f) {
      return switch (f.fault()) {
        case DEADLINE -> DEADLINE;
        case TOO_LARGE -> TOO_LARGE;
        case POOL_FULL -> GatewayFailure.upstream(502, Outcome.CONNECTION_ERROR, "SignalWire call failed: "
            + f.getMessage());
        case LOST -> fromException(f.getCause());
      };
    }
    if (t instanceof ConnectException) {
      return GatewayFailure.upstream(502, Outcome.CONNECTION_ERROR, "cannot connect to SignalWire");
    }
    if (t instanceof TimeoutException) {
      return GatewayFailure.upstream(504, Outcome.TIMEOUT, "SignalWire did not answer in time");
    }
    return GatewayFailure.upstream(502, Outcome.CONNECTION_ERROR, "SignalWire call failed: " + t.getClass().getSimpleName());
  }

  /** Seconds from a {@code Retry-After} header: delta-seconds, else the default; HTTP dates count as the default. */
  static int retryAfter(String header) {
    if (header == null) {
      return DEFAULT_RETRY_AFTER_SECONDS;
    }
    try {
      long seconds = Long.parseLong(header.trim());
      return (int) Math.max(DEFAULT_RETRY_AFTER_SECONDS, Math.min(seconds, 3_600));
    } catch (NumberFormatException e) {
      return DEFAULT_RETRY_AFTER_SECONDS;
    }
  }

  private static TokenAnswer success(Endpoint endpoint, Buffer body) {
    JsonObject json = parseObject(body);
    Object token = json == null ? null : json.getValue("token");
    if (!(token instanceof String t) || t.isEmpty()) {
      throw GatewayFailure.upstream(502, Outcome.SERVER_ERROR, "SignalWire answered without a token");
    }
    JsonObject answer = new JsonObject().put("token", t);
    if (endpoint == Endpoint.GUESTS || endpoint == Endpoint.REFRESH) {
      Object refresh = json.getValue("refresh_token");
      if (!(refresh instanceof String r) || r.isEmpty()) {
        throw GatewayFailure.upstream(502, Outcome.SERVER_ERROR, "SignalWire answered without a refresh_token");
      }
      answer.put("refresh_token", r);
    }
    return new TokenAnswer(t, answer.toBuffer());
  }

  private TokenAnswer passThrough(int status, Buffer body) {
    throw GatewayFailure.passThrough(status, errorBodies.passThrough(status, parseObject(body)));
  }

  private static JsonObject parseObject(Buffer body) {
    if (body == null || body.length() == 0) {
      return null;
    }
    try {
      Object parsed = io.vertx.core.json.Json.decodeValue(body);
      return parsed instanceof JsonObject o ? o : null;
    } catch (DecodeException e) {
      return null;
    }
  }
}
