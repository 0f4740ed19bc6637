package io.tokengateway.core;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A request that ends in an error answer: the HTTP status, the body in SignalWire's error shapes,
 * an optional {@code Retry-After}, and the upstream outcome for logs and metrics.
 *
 * <p>Stackless: these are expected answers, not bugs, and a stack trace never reaches a response.
 * Every error answer the gateway writes goes through one of these (see {@code http.ErrorResponses}).
 */
public final class GatewayFailure extends RuntimeException {

  /** How the request ended, as logs and metrics name it. */
  public enum Outcome {
    INVALID_REQUEST("invalid_request"),
    CLIENT_ERROR("client_error"),
    SERVER_ERROR("server_error"),
    TIMEOUT("timeout"),
    CONNECTION_ERROR("connection_error"),
    RATE_LIMITED("rate_limited"),
    REJECTED_BY_BREAKER("rejected_by_breaker"),
    /** The caller went over its own per-client limit; SignalWire was not asked. */
    CLIENT_LIMITED("client_limited"),
    /** A guest check's own service (CAPTCHA siteverify, the site's JWKS) failed or is misconfigured; SignalWire was not asked. */
    CHECK_UNAVAILABLE("check_unavailable");

    private final String label;

    Outcome(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  public static final String DOCS_URL = "https://developer.signalwire.com/rest/";

  private final int status;
  private final Buffer body;
  private final Integer retryAfterSeconds;
  private final Outcome outcome;
  /** A {@code WWW-Authenticate} challenge for a 401, or null. */
  private final String challenge;
  /** Whether this is an answer the gateway remembered instead of asking SignalWire again (a cached 404/422). */
  private final boolean remembered;

  private GatewayFailure(int status, Buffer body, Integer retryAfterSeconds, Outcome outcome, String message) {
    this(status, body, retryAfterSeconds, outcome, message, null, false);
  }

  private GatewayFailure(int status, Buffer body, Integer retryAfterSeconds, Outcome outcome, String message,
      String challenge, boolean remembered) {
    super(message, null, false, false);
    this.status = status;
    this.body = body;
    this.retryAfterSeconds = retryAfterSeconds;
    this.outcome = outcome;
    this.challenge = challenge;
    this.remembered = remembered;
  }

  /** The same answer, given again from memory (the embed cache's negative entries): see {@link #remembered()}. */
  public GatewayFailure asRemembered() {
    return remembered ? this : new GatewayFailure(status, body, retryAfterSeconds, outcome, getMessage(), challenge,
        true);
  }

  /** Whether SignalWire was not asked for this answer: it was remembered from an earlier call. */
  public boolean remembered() {
    return remembered;
  }

  /** A 401 {@code {"error":"Unauthorized"}} answered with {@code WWW-Authenticate: <challenge>}. */
  public static GatewayFailure unauthorized(String challenge, String message) {
    return new GatewayFailure(401, errorBody(401), null, Outcome.INVALID_REQUEST, message, challenge, false);
  }

  /** {@code {"error":"<Reason Phrase>"}} with the given status, caused by the caller's request. */
  public static GatewayFailure invalid(int status) {
    return new GatewayFailure(status, errorBody(status), null, Outcome.INVALID_REQUEST, reason(status));
  }

  /** A 422 naming the attribute at fault, in SignalWire's {@code errors} shape. */
  public static GatewayFailure unprocessable(String attribute, String code, String message) {
    return unprocessable(attribute, code, message, attribute + ": " + message);
  }

  /**
   * A 422 for a field the gateway does not forward. {@code echoedName} is the caller's field name, already
   * bounded by the caller of this method; it goes into the body only, never into this failure's message
   * (which may be logged).
   */
  public static GatewayFailure unknownAttribute(String echoedName) {
    return unprocessable(echoedName, "unknown_attribute",
        "unknown attribute: the gateway forwards only the fields SignalWire documents", "unknown attribute");
  }

  private static GatewayFailure unprocessable(String attribute, String code, String message, String logMessage) {
    JsonObject item = new JsonObject()
        .put("type", "validation_error")
        .put("code", code)
        .put("message", message)
        .put("attribute", attribute)
        .put("url", DOCS_URL);
    Buffer body = new JsonObject().put("errors", new JsonArray().add(item)).toBuffer();
    return new GatewayFailure(422, body, null, Outcome.INVALID_REQUEST, logMessage);
  }

  /** An upstream 4xx answered to the caller with SignalWire's own status and body. */
  public static GatewayFailure passThrough(int status, Buffer body) {
    return new GatewayFailure(status, body, null, Outcome.CLIENT_ERROR, "upstream " + status);
  }

  /** An error the gateway answers with a plain {@code {"error": ...}} body and an upstream outcome. */
  public static GatewayFailure upstream(int status, Outcome outcome, String message) {
    return new GatewayFailure(status, errorBody(status), null, outcome, message);
  }

  /** A 429 or 503 that asks the caller to come back after {@code retryAfterSeconds}. */
  public static GatewayFailure retryLater(int status, int retryAfterSeconds, Outcome outcome, String message) {
    return new GatewayFailure(status, errorBody(status), Math.max(1, retryAfterSeconds), outcome, message);
  }

  /** A {@code Retry-After} for a wait of {@code nanos}: whole seconds, rounded up, at least 1. */
  public static int retryAfterSeconds(long nanos) {
    return (int) Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
  }

  public static Buffer errorBody(int status) {
    return new JsonObject().put("error", reason(status)).toBuffer();
  }

  public static String reason(int status) {
    return HttpResponseStatus.valueOf(status).reasonPhrase();
  }

  public int status() {
    return status;
  }

  /** The body to write; callers must not modify it (it may be shared). */
  public Buffer body() {
    return body;
  }

  /** Seconds for {@code Retry-After}, or null when the answer has none. */
  public Integer retryAfterSeconds() {
    return retryAfterSeconds;
  }

  public Outcome outcome() {
    return outcome;
  }

  /** The {@code WWW-Authenticate} value to answer with, or null. */
  public String challenge() {
    return challenge;
  }
}
