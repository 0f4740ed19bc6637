package io.tokengateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokengateway.config.Secret;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Only SignalWire's documented error shapes are passed on, rebuilt field by field, never with credentials. */
class ErrorBodiesTest {

  private static final String PROJECT = "test-project-0001";
  private static final String TOKEN = "PTsecret-api-token-7f3a9c";
  private static final String BASIC = Base64.getEncoder()
      .encodeToString((PROJECT + ":" + TOKEN).getBytes(StandardCharsets.UTF_8));
  private static final ErrorBodies BODIES = new ErrorBodies(PROJECT, new Secret(TOKEN));

  private static JsonObject item(String message) {
    return new JsonObject().put("type", "validation_error").put("code", "invalid").put("message", message)
        .put("attribute", "token").put("url", "https://developer.signalwire.com/rest/");
  }

  private static JsonObject passed(int status, JsonObject upstream) {
    return new JsonObject(BODIES.passThrough(status, upstream));
  }

  private static JsonObject own(int status) {
    return new JsonObject().put("error", io.tokengateway.core.GatewayFailure.reason(status));
  }

  @Test
  void documentedShapesPassRebuilt() {
    JsonObject error = new JsonObject().put("error", "Not Found");
    assertThat(passed(404, error)).isEqualTo(error);
    JsonObject errors = new JsonObject().put("errors", new JsonArray().add(item("bad")).add(item("worse")));
    assertThat(passed(422, errors)).isEqualTo(errors);
  }

  @Test
  void unknownKeysAreNeverCopied() {
    JsonObject echo = new JsonObject().put("error", "Not Found").put("request", new JsonObject()
        .put("authorization", "Basic " + BASIC));
    assertThat(passed(404, echo)).isEqualTo(new JsonObject().put("error", "Not Found"));
    JsonObject withExtras = new JsonObject().put("debug", "Basic " + BASIC)
        .put("errors", new JsonArray().add(item("bad").put("headers", new JsonObject().put("x", TOKEN)).put("n", 1)));
    assertThat(passed(422, withExtras)).isEqualTo(new JsonObject().put("errors", new JsonArray().add(item("bad"))));
  }

  @Test
  void attributeMayBeNullOrAbsent() {
    JsonObject absent = item("bad");
    absent.remove("attribute");
    JsonObject out = passed(422, new JsonObject().put("errors", new JsonArray().add(absent)
        .add(item("b").putNull("attribute"))));
    assertThat(out.getJsonArray("errors")).hasSize(2);
    assertThat(out.getJsonArray("errors").getJsonObject(0).containsKey("attribute")).isTrue();
    assertThat(out.getJsonArray("errors").getJsonObject(0).getValue("attribute")).isNull();
    assertThat(out.getJsonArray("errors").getJsonObject(1).getValue("attribute")).isNull();
  }

  @Test
  void itemsThatAreNotDocumentedAreDroppedAndTheCountIsBounded() {
    JsonArray items = new JsonArray().add("text").add(42).add(item("bad").put("code", 7))
        .add(item("bad").putNull("url")).add(item("x".repeat(ErrorBodies.MAX_VALUE_CHARS + 1)))
        .add(item("bad").put("attribute", new JsonArray()));
    for (int i = 0; i < 30; i++) {
      items.add(item("ok " + i));
    }
    JsonArray out = passed(422, new JsonObject().put("errors", items)).getJsonArray("errors");
    assertThat(out).hasSize(ErrorBodies.MAX_ITEMS);
    assertThat(out.getJsonObject(0)).isEqualTo(item("ok 0"));
    JsonObject atTheBound = new JsonObject()
        .put("errors", new JsonArray().add(item("x".repeat(ErrorBodies.MAX_VALUE_CHARS))));
    assertThat(passed(422, atTheBound)).as("a value at the length bound passes").isEqualTo(atTheBound);
  }

  @ParameterizedTest
  @ValueSource(strings = {"{}", "{\"error\":42}", "{\"error\":null}", "{\"errors\":{}}", "{\"errors\":[]}",
      "{\"errors\":[1,2]}", "{\"message\":\"Not Found\"}"})
  void anythingElseIsTheGatewaysOwnBody(String body) {
    assertThat(passed(404, new JsonObject(body))).isEqualTo(own(404));
    assertThat(passed(422, new JsonObject(body))).isEqualTo(own(422));
    assertThat(new JsonObject(BODIES.passThrough(401, null))).isEqualTo(own(401));
  }

  @Test
  void aLongErrorStringIsTheGatewaysOwnBody() {
    assertThat(passed(404, new JsonObject().put("error", "N".repeat(257)))).isEqualTo(own(404));
  }

  @ParameterizedTest
  @ValueSource(strings = {TOKEN, PROJECT + ":" + TOKEN, "Basic ", "url-safe"})
  void credentialsInAKeptValueMakeTheGatewaysOwnBody(String kind) {
    String leak = switch (kind) {
      case "Basic " -> "you sent Basic " + BASIC;
      case "url-safe" -> Base64.getUrlEncoder().withoutPadding()
          .encodeToString((PROJECT + ":" + TOKEN).getBytes(StandardCharsets.UTF_8));
      default -> "bad credentials " + kind;
    };
    assertThat(passed(422, new JsonObject().put("errors", new JsonArray().add(item("fine")).add(item(leak)))))
        .isEqualTo(own(422));
    assertThat(passed(401, new JsonObject().put("error", leak))).isEqualTo(own(401));
    assertThat(passed(422, new JsonObject().put("errors", new JsonArray().add(item("fine").put("url", leak)))))
        .isEqualTo(own(422));
  }

  @Test
  void withoutAnApiTokenNothingCountsAsACredential() {
    ErrorBodies none = new ErrorBodies("", new Secret(""));
    assertThat(new JsonObject(none.passThrough(404, new JsonObject().put("error", "Not Found"))))
        .isEqualTo(new JsonObject().put("error", "Not Found"));
  }
}
