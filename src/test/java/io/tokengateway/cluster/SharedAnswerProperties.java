package io.tokengateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Whatever a shared Redis holds under the gateway's keys, reading it is a valid answer or a miss, never an error. */
class SharedAnswerProperties {

  @Property(tries = 2_000)
  void anyStoredTextIsAnAnswerOrAMiss(@ForAll("stored") String value, @ForAll long ttlMs) {
    SharedAnswer answer = SharedAnswer.parse(value, ttlMs);
    if (answer != null) {
      assertThat(ttlMs).isPositive();
      if (answer.negative()) {
        assertThat(answer.status()).isIn(404, 422);
        assertThat(answer.failure().status()).isEqualTo(answer.status());
      } else {
        assertThat(answer.lifetimeMs()).isPositive();
        assertThat(answer.answer().token()).isNotNull();
        assertThat(answer.answer().ageMillis()).isNotNegative();
        assertThat(answer.answer().shared()).isTrue();
      }
    }
  }

  @Property(tries = 200)
  void whatThePodsWriteTheyReadBack(@ForAll("tokens") String token, @ForAll("lifetimes") long lifetimeMs) {
    String body = new JsonObject().put("token", token).encode();
    String stored = new JsonObject().put("lifetimeMs", lifetimeMs).put("body", body).encode();
    SharedAnswer answer = SharedAnswer.parse(stored, lifetimeMs / 2 + 1);
    assertThat(answer).isNotNull();
    assertThat(answer.answer().token()).isEqualTo(token);
    assertThat(answer.body().toString()).isEqualTo(body);
    assertThat(answer.answer().ageMillis()).isEqualTo(lifetimeMs - (lifetimeMs / 2 + 1));
  }

  @Provide
  Arbitrary<String> stored() {
    Arbitrary<String> junk = Arbitraries.strings().ofMaxLength(200);
    Arbitrary<String> jsonish = Arbitraries.of("{}", "[]", "null", "{\"status\":\"x\"}", "{\"status\":500,\"body\":\"e\"}",
        "{\"status\":404}", "{\"lifetimeMs\":-5,\"body\":\"{\\\"token\\\":\\\"t\\\"}\"}",
        "{\"lifetimeMs\":\"soon\",\"body\":\"{}\"}", "{\"lifetimeMs\":1000,\"body\":\"not json\"}",
        "{\"lifetimeMs\":1000,\"body\":\"{\\\"token\\\":42}\"}", "{\"lifetimeMs\":1000,\"body\":7}",
        "{\"lifetimeMs\":1000,\"body\":\"{\\\"token\\\":\\\"ok\\\"}\"}");
    return Arbitraries.oneOf(junk, jsonish);
  }

  @Provide
  Arbitrary<String> tokens() {
    return Arbitraries.strings().withCharRange('!', '~').ofMinLength(1).ofMaxLength(300);
  }

  @Provide
  Arbitrary<Long> lifetimes() {
    return Arbitraries.longs().between(2, 7 * 86_400_000L);
  }
}
