package io.tokengateway.http;

import static io.tokengateway.support.Answers.assertError;
import static io.tokengateway.support.GatewayHarness.ADDRESS;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokengateway.support.FakeSignalWire;
import io.tokengateway.support.GatewayHarness;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every input rule answers its 4xx in SignalWire's shape, and nothing invalid reaches the upstream. */
@ExtendWith(VertxExtension.class)
class InputRulesIT {

  private static final String EMBEDS = "/api/fabric/embeds/tokens";
  private static final String GUESTS = "/api/fabric/guests/tokens";
  private static final String REFRESH = "/api/fabric/subscribers/tokens/refresh";
  private static final String JWE = "eyJhbGciOiJkaXIiLCJ0eXAiOiJSZWZyZXNoIn0..aXZpdml2aXY.Y2lwaGVy.dGFndGFn";
  private static final String ALLOWED = "11111111-2222-4333-8444-555555555555";

  private FakeSignalWire upstream;
  private GatewayHarness gw;

  @BeforeEach
  void start(Vertx vertx) {
    upstream = FakeSignalWire.start(vertx);
    gw = GatewayHarness.start(vertx, upstream, Map.of("http.maxBodyBytes", 4096));
  }

  @AfterEach
  void stop() {
    assertThat(upstream.calls()).as("no invalid request may reach the upstream").isZero();
    gw.stop();
  }

  @ParameterizedTest
  @ValueSource(strings = {"text/plain", "application/x-www-form-urlencoded", "application/jsonx"})
  void otherContentTypesAre415(String type) {
    assertError(gw.post(EMBEDS, type, "{\"token\":\"c2c_abcdefgh\"}", null), 415, "Unsupported Media Type");
  }

  @Test
  void missingContentTypeIs415() {
    assertError(gw.post(GUESTS, null, "{}", null), 415, "Unsupported Media Type");
    assertError(gw.post(REFRESH, null, "{\"refresh_token\":\"" + JWE + "\"}", null), 415, "Unsupported Media Type");
    assertError(gw.post(REFRESH, "text/plain", "{\"refresh_token\":\"" + JWE + "\"}", null), 415,
        "Unsupported Media Type");
  }

  @Test
  void bodyOverTheLimitIs413() {
    String big = "{\"token\":\"c2c_" + "a".repeat(5000) + "\"}";
    assertError(gw.postJson(EMBEDS, big), 413, "Request Entity Too Large");
    assertError(gw.postJson(REFRESH, "{\"refresh_token\":\"" + JWE + "." + "a".repeat(5000) + "\"}"), 413,
        "Request Entity Too Large");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "{", "not json", "[1,2]", "\"c2c_abcdefgh\"", "42", "null", "{\"token\":}"})
  void unparseableOrNonObjectBodiesAre400(String body) {
    assertError(gw.postJson(EMBEDS, body), 400, "Bad Request");
    assertError(gw.postJson(GUESTS, body), 400, "Bad Request");
    assertError(gw.postJson(REFRESH, body), 400, "Bad Request");
  }

  @ParameterizedTest
  @CsvSource({"GET," + EMBEDS, "PUT," + GUESTS, "DELETE," + EMBEDS, "POST,/health/live", "GET," + REFRESH,
      "PATCH," + REFRESH})
  void wrongMethodIs405(String method, String path) {
    HttpResponse<Buffer> r = io.tokengateway.support.Await.await(
        gw.client.request(io.vertx.core.http.HttpMethod.valueOf(method), path).send());
    assertError(r, 405, "Method Not Allowed");
    assertThat(r.getHeader("Allow")).isNotBlank();
  }

  @ParameterizedTest
  @ValueSource(strings = {"/", "/api/fabric/embeds", "/api/fabric/embeds/tokens/x", "/c2c_7acc0e5e968706a0",
      "/api/fabric/subscribers/tokens", "/api/fabric/subscribers/tokens/refresh/x", "/api/fabric/guests/tokens/refresh"})
  void unknownPathIs404(String path) {
    assertError(gw.postJson(path, "{}"), 404, "Not Found");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/%", "/a%zz", "/api/fabric/embeds/tokens%", "/api/%g0/x"})
  void undecodablePathIs400(String path) {
    assertError(gw.postJson(path, "{}"), 400, "Bad Request");
  }

  @ParameterizedTest
  @ValueSource(strings = {"{}", "{\"token\":null}", "{\"token\":42}", "{\"token\":[\"c2c_abcdefgh\"]}",
      "{\"token\":\"\"}", "{\"token\":\"c2c_short\"}", "{\"token\":\"abc_abcdefghij\"}",
      "{\"token\":\"c2c_abcdefgh!\"}", "{\"token\":\"c2c_abcdefgh\\n\"}"})
  void badEmbedTokenIs422OnToken(String body) {
    assertUnprocessable(gw.postJson(EMBEDS, body), "token");
  }

  @Test
  void overlongEmbedTokenIs422() {
    assertUnprocessable(gw.embed("c2c_" + "a".repeat(129)), "token");
  }

  @ParameterizedTest
  @ValueSource(strings = {"{}", "{\"allowed_addresses\":null}", "{\"allowed_addresses\":\"" + ADDRESS + "\"}",
      "{\"allowed_addresses\":[]}", "{\"allowed_addresses\":[42]}", "{\"allowed_addresses\":[\"not-a-uuid\"]}",
      "{\"allowed_addresses\":[\"" + ADDRESS + "\",\"" + ADDRESS + "\"]}",
      "{\"allowed_addresses\":[\"" + ADDRESS + "x\"]}"})
  void badAllowedAddressesAre422(String body) {
    assertUnprocessable(gw.guest(body), "allowed_addresses");
  }

  @Test
  void moreThanTenAddressesIs422() {
    StringBuilder list = new StringBuilder();
    for (int i = 0; i < 11; i++) {
      list.append(i == 0 ? "" : ",").append("\"00000000-0000-4000-8000-0000000000").append(10 + i).append('"');
    }
    assertUnprocessable(gw.guest("{\"allowed_addresses\":[" + list + "]}"), "allowed_addresses");
  }

  @Test
  void badExpireAtIs422() {
    long now = System.currentTimeMillis() / 1000;
    for (String value : new String[] {"\"soon\"", "1.5", "true", String.valueOf(now - 10),
        String.valueOf(now + 7200 + 120), "99999999999999999999"}) {
      String body = "{\"allowed_addresses\":[\"" + ADDRESS + "\"],\"expire_at\":" + value + "}";
      assertUnprocessable(gw.guest(body), "expire_at");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"\"", "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"", "\"US-CENTRAL\"", "\"us_central\"",
      "\"us central\"", "\"us-central\\n\"", "\"\u00fcs-central\"", "42", "true", "[\"us-central\"]",
      "{\"name\":\"us-central\"}"})
  void badRegionOrChIs422OnThatAttribute(String value) {
    for (String attr : new String[] {"region", "ch"}) {
      String body = "{\"allowed_addresses\":[\"" + ADDRESS + "\"],\"" + attr + "\":" + value + "}";
      assertUnprocessable(gw.guest(body), attr);
    }
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"allowed_addresses\":[\"" + ADDRESS + "\"],\"extra\":1}|extra",
      "{\"allowedAddresses\":[\"" + ADDRESS + "\"]}|allowedAddresses",
      "{\"allowed_addresses\":[\"" + ADDRESS + "\"],\"project_id\":\"p\",\"x\":1}|project_id",
      "{\"allowed_addresses\":[\"" + ADDRESS + "\"],\"\":1}|''",
      "{\"allowed_addresses\":[\"" + ADDRESS + "\"],\"<b>\\\"a b\":1}|_b__a_b"})
  void anUnknownGuestFieldIs422NamingIt(String body, String attribute) {
    HttpResponse<Buffer> r = gw.guest(body);
    assertUnprocessable(r, attribute);
    assertThat(r.bodyAsJsonObject().getJsonArray("errors").getJsonObject(0).getString("code"))
        .isEqualTo("unknown_attribute");
  }

  @Test
  void anUnknownFieldNameIsEchoedBoundedTo64PlainCharacters() {
    String pasted = "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..c2VjcmV0.".repeat(40); // a 2,000-char "name"
    HttpResponse<Buffer> r = gw.guest("{\"allowed_addresses\":[\"" + ADDRESS + "\"],\"" + pasted + "\":1}");
    assertThat(r.statusCode()).isEqualTo(422);
    String echoed = r.bodyAsJsonObject().getJsonArray("errors").getJsonObject(0).getString("attribute");
    assertThat(echoed).hasSize(64).isEqualTo(pasted.substring(0, 64)).matches("[A-Za-z0-9_.-]+");
    assertThat(r.bodyAsString()).hasSizeLessThan(400);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{}", "{\"refresh_token\":null}", "{\"refresh_token\":42}", "{\"refresh_token\":true}",
      "{\"refresh_token\":[\"" + JWE + "\"]}", "{\"refresh_token\":{\"t\":\"" + JWE + "\"}}",
      "{\"refresh_token\":\"\"}",
      "{\"refresh_token\":\"abcd.efgh.ijklm\"}",                       // 15 characters: too short
      "{\"refresh_token\":\"abcdefghijklmnopqrstuvwxyz\"}",            // no dot
      "{\"refresh_token\":\"abcdefghijkl.mnopqrstuvwxyz\"}",           // two parts
      "{\"refresh_token\":\"abcdefgh.ijkl.mnop.qrstuvwxyz\"}",         // four parts
      "{\"refresh_token\":\"" + JWE + ".abcd\"}",                      // six parts
      "{\"refresh_token\":\"abcdefgh..ijklmnopqrst\"}",                // JWS with an empty payload
      "{\"refresh_token\":\".abcdefgh.ijklmnopqrst\"}",                // empty header
      "{\"refresh_token\":\"abcdefgh.ijklmnopqrst.\"}",                // empty signature
      "{\"refresh_token\":\"eyJhbGciOiJkaXIifQ..aXY..dGFndGFn\"}",     // JWE with an empty ciphertext
      "{\"refresh_token\":\"abcdefgh.ijkl+mnop.qrst/uvwx\"}",          // base64, not base64url
      "{\"refresh_token\":\"abcdefgh.ijklmnop.qrstuvwx==\"}",          // padding
      "{\"refresh_token\":\"abcdefgh.ijklmnop.qrst uvwx\"}",
      "{\"refresh_token\":\"abcdefgh.ijklmnop.qrstuvwx\\n\"}",
      "{\"refresh_token\":\"abcdefgh.ijklmnop.qrst\u00e9uvwx\"}"})
  void badRefreshTokenIs422OnRefreshToken(String body) {
    assertUnprocessable(gw.postJson(REFRESH, body), "refresh_token");
  }

  @Test
  void anUnknownRefreshFieldIs422NamingIt() {
    HttpResponse<Buffer> r = gw.postJson(REFRESH, "{\"refresh_token\":\"" + JWE + "\",\"project_id\":\"x\"}");
    assertUnprocessable(r, "project_id");
    assertThat(r.bodyAsJsonObject().getJsonArray("errors").getJsonObject(0).getString("code"))
        .isEqualTo("unknown_attribute");
    assertUnprocessable(gw.postJson(REFRESH, "{\"token\":\"" + JWE + "\"}"), "token");
  }

  @Test
  void aRefreshTokenOver8192CharactersIs422WhenTheBodyLimitLetsItIn(Vertx vertx) {
    GatewayHarness roomy = GatewayHarness.start(vertx, upstream, Map.of("http.maxBodyBytes", 16_384));
    try {
      String longest = "eyJhbGciOiJkaXIifQ..aXY.dGFn." + "a".repeat(8192 - 29);
      assertThat(longest).hasSize(8192);
      HttpResponse<Buffer> r = roomy.postJson(REFRESH, "{\"refresh_token\":\"" + longest + "a\"}");
      assertUnprocessable(r, "refresh_token");
      assertThat(r.bodyAsJsonObject().getJsonArray("errors").getJsonObject(0).getString("code"))
          .isEqualTo("invalid_length");
      assertThat(upstream.calls()).isZero();
      assertThat(roomy.postJson(REFRESH, "{\"refresh_token\":\"" + longest + "\"}").statusCode()).isEqualTo(201);
      assertThat(upstream.received().get(0).json().getString("refresh_token")).isEqualTo(longest);
      upstream.received().clear();
    } finally {
      roomy.stop();
    }
  }

  @Test
  void addressOutsideTheAllowListIs403(Vertx vertx) {
    GatewayHarness restricted = GatewayHarness.start(vertx, upstream, Map.of("guest.allowedAddresses", ALLOWED));
    try {
      String mixed = "{\"allowed_addresses\":[\"" + ALLOWED + "\",\"" + ADDRESS + "\"]}";
      assertError(restricted.guest(mixed), 403, "Forbidden");
      assertThat(upstream.calls()).isZero();
      assertThat(restricted.guest("{\"allowed_addresses\":[\"" + ALLOWED.toUpperCase() + "\"]}").statusCode())
          .isEqualTo(201);
      assertThat(upstream.calls()).isEqualTo(1);
      upstream.received().clear();
    } finally {
      restricted.stop();
    }
  }

  private static void assertUnprocessable(HttpResponse<Buffer> r, String attribute) {
    assertThat(r.statusCode()).isEqualTo(422);
    JsonObject error = r.bodyAsJsonObject().getJsonArray("errors").getJsonObject(0);
    assertThat(error.getString("attribute")).isEqualTo(attribute);
    assertThat(error.fieldNames()).contains("type", "code", "message", "attribute", "url");
    assertThat(r.getHeader("Cache-Control")).isEqualTo("no-store");
  }
}
