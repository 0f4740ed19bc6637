package io.tokengateway.http;

import io.tokengateway.core.GatewayFailure;
import io.tokengateway.guest.GuestGrant;
import io.tokengateway.upstream.Endpoint;
import io.tokengateway.upstream.TokenAnswer;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.function.Function;

/**
 * The whole life of a request that mints a token with the project's own credentials, {@code POST
 * /api/fabric/guests/tokens} or {@code POST /api/fabric/subscribers/tokens/refresh} (and of its CORS
 * preflight), one stage after the other over one {@link Exchange}:
 * <ol>
 *   <li>trace: the caller's W3C trace continued, or a new one ({@code traceparent} on the answer);</li>
 *   <li>CORS: the answer's allow headers; a preflight is answered here;</li>
 *   <li>client limit: one permit from the client's bucket, else 429;</li>
 *   <li>body: JSON, within {@code http.maxBodyBytes}, read whole (415, 413);</li>
 *   <li>validate: the documented fields only, checked, into the body SignalWire gets (400, 403, 422);</li>
 *   <li>admit: who may mint (the guest checks: site JWT, quota, CAPTCHA; nobody is turned away from a refresh,
 *       whose refresh token is itself the proof of an earlier mint);</li>
 *   <li>upstream: SignalWire, through the upstream guards; the admission is settled with its result;</li>
 *   <li>write: SignalWire's 201, or the failure's answer; never cached, each answer is one visitor's;</li>
 *   <li>observe: the meters, the access line, the end of the trace.</li>
 * </ol>
 * Every failure on the way is a {@link GatewayFailure} and becomes HTTP in {@link Responses}.
 */
final class MintPipeline implements Handler<HttpServerRequest> {

  /** The admit stage: a grant to settle after the upstream call, or the failure to answer. */
  @FunctionalInterface
  interface Admission {
    Future<GuestGrant> admit(Exchange x, JsonObject validBody);

    /** Everybody may go on (the refresh endpoint). */
    Admission ANYONE = (x, body) -> Future.succeededFuture(GuestGrant.none());
  }

  private final Endpoint endpoint;
  private final CorsPolicy cors;
  private final ClientLimits clientLimits;
  private final RequestBodies bodies;
  private final Function<Buffer, JsonObject> validate;
  private final Admission admission;
  private final Function<JsonObject, Future<TokenAnswer>> upstream;
  private final AccessLog accessLog;

  MintPipeline(Endpoint endpoint, CorsPolicy cors, ClientLimits clientLimits, RequestBodies bodies,
      Function<Buffer, JsonObject> validate, Admission admission, Function<JsonObject, Future<TokenAnswer>> upstream,
      AccessLog accessLog) {
    this.endpoint = endpoint;
    this.cors = cors;
    this.clientLimits = clientLimits;
    this.bodies = bodies;
    this.validate = validate;
    this.admission = admission;
    this.upstream = upstream;
    this.accessLog = accessLog;
  }

  @Override
  public void handle(HttpServerRequest request) {
    Exchange x = new Exchange(request, endpoint, accessLog.begin(request));
    if (cors.answeredPreflight(x)) {
      accessLog.observe(x);
      return;
    }
    GatewayFailure limited = clientLimits.check(x);
    if (limited != null) {
      write(x, Future.failedFuture(limited));
      return;
    }
    bodies.read(x)
        .map(validate)
        .compose(body -> admission.admit(x, body)
            .compose(grant -> upstream.apply(body).andThen(grant::settle)))
        .onComplete(answer -> write(x, answer));
  }

  /** Write, then observe. */
  private void write(Exchange x, AsyncResult<TokenAnswer> answer) {
    if (answer.succeeded()) {
      x.outcome = "success";
      Responses.json(x.response, 201, answer.result().body());
    } else {
      Responses.error(x, answer.cause());
    }
    accessLog.observe(x);
  }
}
