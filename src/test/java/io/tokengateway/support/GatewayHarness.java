package io.tokengateway.support;

import static io.tokengateway.support.Await.await;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tokengateway.Gateway;
import io.tokengateway.core.Time;
import io.tokengateway.config.GatewayConfig;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.HashMap;
import java.util.Map;

/** Starts a gateway on a random port in front of a {@link FakeSignalWire}, and talks to it. */
public final class GatewayHarness {

  public static final String PROJECT_ID = "test-project-0001";
  public static final String API_TOKEN = "PTsecret-api-token-7f3a9c";
  public static final String C2C = "c2c_7acc0e5e968706a032983cd80cdca219";
  public static final String ADDRESS = "2f8e6d4c-1b3a-4c5d-9e7f-0a1b2c3d4e5f";

  public final Vertx vertx;
  public final Gateway gateway;
  public final WebClient client;

  private GatewayHarness(Vertx vertx, Gateway gateway) {
    this.vertx = vertx;
    this.gateway = gateway;
    this.client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(gateway.port()));
  }

  /** Settings pointing the gateway at {@code fake}, with short timeouts and no drain; add or replace with {@code extra}. */
  public static Map<String, Object> settings(FakeSignalWire fake, Map<String, ?> extra) {
    Map<String, Object> s = new HashMap<>();
    s.put("http.port", 0);
    s.put("http.instances", 2);
    s.put("signalwire.baseUrl", fake == null ? "" : fake.baseUrl());
    s.put("signalwire.projectId", PROJECT_ID);
    s.put("signalwire.apiToken", API_TOKEN);
    s.put("upstream.timeoutMs", 400);
    s.put("shutdown.drainSeconds", 0);
    s.put("management.port", 0);
    // every test client is 127.0.0.1: limits are generous unless a test is about them
    s.put("client.rateLimit.perSecond", 1_000_000);
    s.put("client.rateLimit.burst", 1_000_000);
    s.put("http.maxConnectionsPerClient", 1_000_000);
    s.put("upstream.rateLimit.perSecond", 1_000_000);
    s.put("upstream.rateLimit.burst", 1_000_000);
    s.put("breaker.maxFailures", 10_000);
    s.putAll(extra);
    return s;
  }

  public static GatewayHarness start(Vertx vertx, FakeSignalWire fake, Map<String, ?> extra) {
    return start(vertx, GatewayConfig.of(settings(fake, extra)), Time.system(vertx));
  }

  public static GatewayHarness start(Vertx vertx, GatewayConfig config, Time time) {
    return new GatewayHarness(vertx, await(Gateway.start(vertx, config, time)));
  }

  /** Starts with its meters in {@code registry}, which a test reads without opening a connection. */
  public static GatewayHarness start(Vertx vertx, FakeSignalWire fake, Map<String, ?> extra,
      PrometheusMeterRegistry registry) {
    GatewayConfig config = GatewayConfig.of(settings(fake, extra));
    return new GatewayHarness(vertx, await(Gateway.start(vertx, config, Time.system(vertx), registry)));
  }

  public HttpResponse<Buffer> post(String path, String contentType, String body, MultiMap headers) {
    return await(postAsync(path, contentType, body, headers));
  }

  public Future<HttpResponse<Buffer>> postAsync(String path, String contentType, String body, MultiMap headers) {
    HttpRequest<Buffer> request = client.post(path);
    if (contentType != null) {
      request.putHeader("Content-Type", contentType);
    }
    if (headers != null) {
      request.putHeaders(headers);
    }
    return request.sendBuffer(Buffer.buffer(body));
  }

  /** {@code n} embed requests sent at once over up to {@code n} connections; token {@code i} is {@code tokenOf(i)}. */
  public java.util.List<HttpResponse<Buffer>> embedsAtOnce(int n, java.util.function.IntFunction<String> tokenOf) {
    WebClient many = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(gateway.port()), new io.vertx.core.http.PoolOptions().setHttp1MaxSize(Math.min(n, 128)));
    try {
      java.util.List<Future<HttpResponse<Buffer>>> sent = new java.util.ArrayList<>();
      for (int i = 0; i < n; i++) {
        sent.add(many.post("/api/fabric/embeds/tokens").sendJsonObject(new JsonObject().put("token", tokenOf.apply(i))));
      }
      return sent.stream().map(Await::await).toList();
    } finally {
      many.close();
    }
  }

  public HttpResponse<Buffer> postJson(String path, String body) {
    return post(path, "application/json", body, null);
  }

  public HttpResponse<Buffer> embed(String c2c) {
    return postJson("/api/fabric/embeds/tokens", new JsonObject().put("token", c2c).encode());
  }

  public HttpResponse<Buffer> guest(String body) {
    return postJson("/api/fabric/guests/tokens", body);
  }

  public HttpResponse<Buffer> get(String path) {
    return await(client.get(path).send());
  }

  /** One series of this gateway's {@code /metrics}, e.g. {@code gateway_redis_available} or {@code name{label="v"}}. */
  public java.util.OptionalDouble metric(String series) {
    return metric(get("/metrics").bodyAsString(), series);
  }

  /** One series of a Prometheus scrape; empty when the scrape does not show it. */
  public static java.util.OptionalDouble metric(String scrape, String series) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^" + java.util.regex.Pattern.quote(series)
        + " (\\S+)$").matcher(scrape);
    return m.find() ? java.util.OptionalDouble.of(Double.parseDouble(m.group(1))) : java.util.OptionalDouble.empty();
  }

  /** Closes the test client, then shuts the gateway down (so no idle keep-alive connection waits out the drain). */
  public void stop() {
    client.close();
    await(gateway.shutdown());
  }
}
