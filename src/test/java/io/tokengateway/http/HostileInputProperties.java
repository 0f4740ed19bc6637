package io.tokengateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokengateway.support.Await;
import io.tokengateway.support.FakeSignalWire;
import io.tokengateway.support.GatewayHarness;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Random bodies, headers, methods and paths: never a 5xx but the documented upstream answers, always a JSON
 * body, and never an upstream call for a request the gateway rejects.
 */
class HostileInputProperties {

  private static final Set<Integer> REJECTIONS = Set.of(400, 403, 404, 405, 413, 415, 422, 429);
  private static Vertx vertx;
  private static FakeSignalWire upstream;
  private static GatewayHarness gw;

  @BeforeContainer
  static void start() {
    vertx = Vertx.vertx();
    upstream = FakeSignalWire.start(vertx);
    gw = GatewayHarness.start(vertx, upstream, Map.of("guest.allowedAddresses",
        "2f8e6d4c-1b3a-4c5d-9e7f-0a1b2c3d4e5f", "cache.embed.enabled", false));
  }

  @AfterContainer
  static void stop() {
    gw.stop();
    Await.await(vertx.close());
  }

  /** One hostile request. */
  record Attempt(HttpMethod method, String path, String contentType, String body, String headerName,
      String headerValue) {
  }

  @Property(tries = 400)
  void neverAnUndocumented5xxAlwaysJsonNoUpstreamCallWhenRejected(@ForAll("attempts") Attempt a) {
    int before = upstream.calls();
    HttpRequest<Buffer> req = gw.client.request(a.method(), a.path());
    if (a.contentType() != null) {
      req.putHeader("Content-Type", a.contentType());
    }
    if (a.headerName() != null) {
      req.putHeader(a.headerName(), a.headerValue());
    }
    HttpResponse<Buffer> r = Await.await(req.sendBuffer(Buffer.buffer(a.body())));
    int calls = upstream.calls() - before;

    assertThat(r.statusCode()).as("no 5xx but the upstream's 502/503/504").isNotIn(500, 501, 505);
    if (r.statusCode() != 204) {
      assertThat(r.getHeader("Content-Type")).isEqualTo("application/json");
      assertThat(Json.decodeValue(r.body())).isInstanceOf(JsonObject.class);
    }
    if (REJECTIONS.contains(r.statusCode())) {
      assertThat(calls).as("a rejected request never reaches the upstream").isZero();
    }
    assertThat(calls).isLessThanOrEqualTo(1);
  }

  @Provide
  Arbitrary<Attempt> attempts() {
    Arbitrary<HttpMethod> methods = Arbitraries.of(HttpMethod.POST, HttpMethod.POST, HttpMethod.POST, HttpMethod.GET,
        HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.PATCH, HttpMethod.OPTIONS);
    Arbitrary<String> paths = Arbitraries.oneOf(
        Arbitraries.of("/api/fabric/embeds/tokens", "/api/fabric/guests/tokens",
            "/api/fabric/subscribers/tokens/refresh", "/api/fabric/subscribers/tokens/refresh/", "/health/ready", "/",
            "/api/fabric/embeds/tokens/", "/api/fabric//guests/tokens", "/api/fabric/embeds/tokens?x=1",
            "/%2e%2e/%2e%2e/etc/passwd", "/api/fabric/embeds/tokens/..;/x"),
        Arbitraries.strings().withChars("abc/._-%?&=").ofMaxLength(30).map(s -> "/" + s));
    Arbitrary<String> types = Arbitraries.of("application/json", "application/json; charset=utf-8",
        "APPLICATION/JSON", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data", "", null);
    Arbitrary<String> bodies = Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(200),
        Arbitraries.strings().withChars("{}[]\":,0123456789tokenallowed_addresexpire_tnul-c2 ").ofMaxLength(120),
        jsonBodies(),
        Arbitraries.strings().withChars("[{").ofMinLength(500).ofMaxLength(3000),
        Arbitraries.just("{\"token\":\"c2c_" + "a".repeat(5000) + "\"}"));
    Arbitrary<String> headerNames = Arbitraries.of("Authorization", "X-Forwarded-For", "Origin",
        "Access-Control-Request-Method", "Content-Length-Fake", "Accept", null);
    Arbitrary<String> headerValues = Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(60);
    return Combinators.combine(methods, paths, types, bodies, headerNames, headerValues).as(Attempt::new);
  }

  private static Arbitrary<String> jsonBodies() {
    Arbitrary<Object> values = Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(40).map(s -> (Object) s),
        Arbitraries.strings().withChars("c2_abcdef0123456789").ofMinLength(4).ofMaxLength(40).map(s -> (Object) s),
        Arbitraries.strings().withChars("abcXYZ019-_.").ofMinLength(10).ofMaxLength(60).map(s -> (Object) s),
        Arbitraries.of((Object) "us-central", (Object) "US-CENTRAL", (Object) ""),
        Arbitraries.integers().map(i -> (Object) i),
        Arbitraries.longs().map(l -> (Object) l),
        Arbitraries.doubles().map(d -> (Object) d),
        Arbitraries.just((Object) List.of()),
        Arbitraries.of((Object) List.of("2f8e6d4c-1b3a-4c5d-9e7f-0a1b2c3d4e5f"),
            (Object) List.of("00000000-0000-4000-8000-000000000001"), (Object) List.of(1, 2)),
        Arbitraries.just((Object) Boolean.TRUE));
    Arbitrary<String> keys = Arbitraries.of("token", "allowed_addresses", "expire_at", "region", "ch",
        "refresh_token", "x", "");
    return Arbitraries.maps(keys, values).ofMaxSize(4).map(m -> new JsonObject(new java.util.HashMap<>(m)).encode());
  }
}
