package io.tokengateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tokengateway.core.GatewayFailure;
import io.tokengateway.config.GatewayConfig;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Validation rules at their boundaries, with a fixed clock. */
class RequestValidatorTest {

  private static final long NOW = 1_800_000_000L;
  private static final String ADDRESS = "2f8e6d4c-1b3a-4c5d-9e7f-0a1b2c3d4e5f";
  /** Shaped like SignalWire's refresh tokens: a JWE with alg dir (empty encrypted key). */
  private static final String JWE = "eyJhbGciOiJkaXIiLCJ0eXAiOiJSZWZyZXNoIn0..aXZpdml2aXY.Y2lwaGVy.dGFndGFn";
  private final RequestValidator validator = new RequestValidator(GatewayConfig.of(Map.of()),
      Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC));

  @Test
  void expireAtBoundsAreNowExclusiveAndMaxTtlInclusive() {
    assertThat(guest(NOW + 1).getLong("expire_at")).isEqualTo(NOW + 1);
    assertThat(guest(NOW + 7200).getLong("expire_at")).isEqualTo(NOW + 7200);
    assertRejected(() -> guest(NOW), 422, "expire_at");
    assertRejected(() -> guest(NOW + 7201), 422, "expire_at");
  }

  @Test
  void embedTokenPatternBounds() {
    assertThat(validator.embedToken(json("{\"token\":\"c2c_abcdefgh\"}"))).isEqualTo("c2c_abcdefgh");
    assertThat(validator.embedToken(json("{\"token\":\"c2c_" + "a".repeat(128) + "\"}"))).hasSize(132);
    assertRejected(() -> validator.embedToken(json("{\"token\":\"c2c_abcdefg\"}")), 422, "token");
    assertRejected(() -> validator.embedToken(json("{\"token\":\"c2c_" + "a".repeat(129) + "\"}")), 422, "token");
  }

  @Test
  void tenAddressesAreAcceptedAndOnlyDocumentedFieldsAreForwarded() {
    StringBuilder list = new StringBuilder();
    for (int i = 0; i < 10; i++) {
      list.append(i == 0 ? "" : ",").append("\"00000000-0000-4000-8000-00000000001").append(i).append('"');
    }
    JsonObject out = validator.guestRequest(json("{\"allowed_addresses\":[" + list + "]}"));
    assertThat(out.getJsonArray("allowed_addresses")).hasSize(10);
    assertThat(out.fieldNames()).containsExactly("allowed_addresses");
  }

  @Test
  void regionAndChAreOneTo32LowercaseLettersDigitsOrDashes() {
    String max = "a-" + "0".repeat(30);
    JsonObject out = validator.guestRequest(json("{\"allowed_addresses\":[\"" + ADDRESS + "\"],\"region\":\"" + max
        + "\",\"ch\":\"x\"}"));
    assertThat(out).isEqualTo(new JsonObject().put("allowed_addresses", new io.vertx.core.json.JsonArray().add(ADDRESS))
        .put("region", max).put("ch", "x"));
    assertRejected(() -> validator.guestRequest(json("{\"allowed_addresses\":[\"" + ADDRESS + "\"],\"ch\":\""
        + max + "z\"}")), 422, "ch");
  }

  @Test
  void anyOtherFieldIsUnknownAndItsNameIsNeverInTheFailureMessage() {
    assertRejected(() -> validator.guestRequest(json("{\"allowed_addresses\":[\"" + ADDRESS + "\"],\"secretish\":1}")),
        422, "secretish");
    assertRejected(() -> validator.refreshRequest(json("{\"refresh_token\":\"" + JWE + "\",\"token\":1}")),
        422, "token");
    assertThatThrownBy(() -> validator.guestRequest(json("{\"secretish\":1}")))
        .isInstanceOfSatisfying(GatewayFailure.class, f -> assertThat(f.getMessage()).doesNotContain("secretish"));
  }

  @Test
  void echoedNamesAreAtMost64PlainCharacters() {
    assertThat(RequestValidator.echoable("expire_at")).isEqualTo("expire_at");
    assertThat(RequestValidator.echoable("a.b-c_D9")).isEqualTo("a.b-c_D9");
    assertThat(RequestValidator.echoable("x".repeat(65))).isEqualTo("x".repeat(64));
    assertThat(RequestValidator.echoable("<script>\n\u00e9\"")).isEqualTo("_script____");
    assertThat(RequestValidator.echoable("\uD83D\uDE00")).isEqualTo("__");
    assertThat(RequestValidator.echoable("")).isEmpty();
  }

  @Test
  void nullExpireAtMeansTheDefault() {
    JsonObject out = validator.guestRequest(json("{\"allowed_addresses\":[\"" + ADDRESS + "\"],\"expire_at\":null}"));
    assertThat(out.containsKey("expire_at")).isFalse();
  }

  @Test
  void refreshTokenIs16To8192CharactersOfACompactJwsOrJwe() {
    String shortest = "abcd.efgh.ijklmn";
    String longest = "eyJhbGciOiJkaXIifQ..aXY.dGFn." + "a".repeat(8192 - 29);
    assertThat(refresh(shortest)).isEqualTo(new JsonObject().put("refresh_token", shortest));
    assertThat(refresh(longest).getString("refresh_token")).hasSize(8192);
    assertThat(refresh(JWE).fieldNames()).containsExactly("refresh_token");
    assertThat(refresh("a.b-c_d.e9f.GHIJ.KLMN").getString("refresh_token")).isEqualTo("a.b-c_d.e9f.GHIJ.KLMN");
    assertRejected(() -> refresh(shortest.substring(1)), 422, "refresh_token");
    assertRejected(() -> refresh(longest + "a"), 422, "refresh_token");
    assertRejected(() -> refresh("abcdefgh.ijklmnop.qrst.uvwx.yz12.3456"), 422, "refresh_token");
    assertRejected(() -> refresh("abcdefgh.ijklmnop..qrst.uvwx"), 422, "refresh_token");
  }

  @Test
  void deeplyNestedJsonIsABadRequestNotACrash() {
    String nested = "[".repeat(2000) + "]".repeat(2000);
    assertRejected(() -> validator.embedToken(json(nested)), 400, null);
  }

  private JsonObject refresh(String token) {
    return validator.refreshRequest(json(new JsonObject().put("refresh_token", token).encode()));
  }

  private JsonObject guest(long expireAt) {
    return validator.guestRequest(json("{\"allowed_addresses\":[\"" + ADDRESS + "\"],\"expire_at\":" + expireAt + "}"));
  }

  private static Buffer json(String text) {
    return Buffer.buffer(text);
  }

  private static void assertRejected(Runnable call, int status, String attribute) {
    assertThatThrownBy(call::run).isInstanceOfSatisfying(GatewayFailure.class, f -> {
      assertThat(f.status()).isEqualTo(status);
      if (attribute != null) {
        assertThat(new JsonObject(f.body()).getJsonArray("errors").getJsonObject(0).getString("attribute"))
            .isEqualTo(attribute);
      }
      assertThat(f.getStackTrace()).isEmpty();
    });
  }
}
