package io.tokengateway.upstream;

import io.tokengateway.config.UpstreamOptions;
import io.tokengateway.tracing.ChildSpan;
import io.tokengateway.tracing.Tracing;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.URI;

/**
 * Calls SignalWire's token endpoints through one pooled HTTP client shared by every verticle. Answers come back
 * as a {@link TokenAnswer} or fail with a {@link io.tokengateway.core.GatewayFailure}.
 *
 * <p>A call is described with the {@link WebClient}'s request builder ({@link #request}: path, headers, Basic
 * auth) and carried out by {@link #send} as a {@link BoundedHttp} call on the core client underneath, so that
 * every endpoint gets the total deadline ({@code upstream.timeoutMs}) and the size bound
 * ({@code upstream.maxResponseBytes}) the WebClient cannot give.
 */
public final class SignalWireClient {

  private final BoundedHttp bounded;
  private final HttpClientAgent http;
  private final WebClient client;
  private final UpstreamOptions options;
  private final String basePath;
  private final UpstreamReplies replies;

  private SignalWireClient(BoundedHttp bounded, HttpClientAgent http, WebClientOptions clientOptions,
      UpstreamOptions options, String basePath) {
    this.bounded = bounded;
    this.http = http;
    this.client = WebClient.wrap(http, clientOptions);
    this.options = options;
    this.basePath = basePath;
    this.replies = new UpstreamReplies(options.projectId(), options.apiToken());
  }

  /** The client of {@code options}' SignalWire, its calls made by {@code bounded}. */
  public static SignalWireClient create(BoundedHttp bounded, UpstreamOptions options) {
    URI base = URI.create(options.baseUrl());
    boolean tls = "https".equals(base.getScheme());
    int port = base.getPort() != -1 ? base.getPort() : tls ? 443 : 80;
    WebClientOptions clientOptions = new WebClientOptions()
        .setDefaultHost(base.getHost())
        .setDefaultPort(port)
        .setSsl(tls)
        .setKeepAlive(true)
        .setKeepAliveTimeout(options.keepAliveSeconds())
        .setIdleTimeout(options.idleTimeoutSeconds())
        .setConnectTimeout(options.connectTimeoutMs())
        .setUserAgent("token-gateway")
        .setFollowRedirects(false);
    if (tls && options.http2()) {
      clientOptions.setProtocolVersion(HttpVersion.HTTP_2).setUseAlpn(true);
    }
    PoolOptions pool = new PoolOptions()
        .setHttp1MaxSize(options.poolMaxSize())
        .setHttp2MaxSize(options.poolHttp2MaxSize())
        .setMaxWaitQueueSize(options.poolMaxWaitQueue());
    String path = base.getRawPath() == null ? "" : base.getRawPath().replaceAll("/+$", "");
    return new SignalWireClient(bounded, bounded.client(clientOptions, pool), clientOptions, options, path);
  }

  /** Exchanges a C2C token for an embed token; Basic auth only when {@code signalwire.embedAuth} is set. */
  public Future<TokenAnswer> createEmbedToken(String c2cToken) {
    HttpRequest<Buffer> request = request(Endpoint.EMBEDS);
    if (options.embedAuth()) {
      request.basicAuthentication(options.projectId(), options.apiToken().reveal());
    }
    return send(Endpoint.EMBEDS, request, new JsonObject().put("token", c2cToken));
  }

  /** Mints a guest token with the gateway's own Basic auth. */
  public Future<TokenAnswer> createGuestToken(JsonObject body) {
    HttpRequest<Buffer> request = request(Endpoint.GUESTS)
        .basicAuthentication(options.projectId(), options.apiToken().reveal());
    return send(Endpoint.GUESTS, request, body);
  }

  /**
   * Refreshes a guest token: {@code body} is exactly {@code {"refresh_token": ...}}; the gateway's own Basic
   * auth, never the caller's. Never cached: each refresh is one visitor's.
   */
  public Future<TokenAnswer> refreshGuestToken(JsonObject body) {
    HttpRequest<Buffer> request = request(Endpoint.REFRESH)
        .basicAuthentication(options.projectId(), options.apiToken().reveal());
    return send(Endpoint.REFRESH, request, body);
  }

  public Future<Void> close() {
    return http.close();
  }

  private HttpRequest<Buffer> request(Endpoint endpoint) {
    return client.post(basePath + endpoint.path())
        .putHeader("Accept", "application/json");
  }

  /**
   * Sends {@code request} with {@code body} as JSON, within the deadline and the size bound; the answer classified.
   * The call is a client span of the request it is made for, and carries its {@code traceparent}.
   */
  private Future<TokenAnswer> send(Endpoint endpoint, HttpRequest<Buffer> request, JsonObject body) {
    RequestOptions call = new RequestOptions()
        .setMethod(request.method())
        .setHost(request.host())
        .setPort(request.port())
        .setURI(request.uri())
        .setHeaders(request.headers())
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
    ChildSpan span = Tracing.upstream(endpoint.label(), endpoint.path(), call);
    return bounded.send(http, "signalwire", call, body.toBuffer(), options.timeoutMs(), options.maxResponseBytes())
        .recover(t -> Future.failedFuture(UpstreamReplies.fromException(t)))
        .andThen(ar -> span.endHttp(ar.succeeded() ? ar.result().statusCode() : 0, ar.cause()))
        .map(response -> replies.classify(endpoint, response));
  }
}
