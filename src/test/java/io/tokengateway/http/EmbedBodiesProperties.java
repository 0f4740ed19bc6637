package io.tokengateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The hot path's hand-written checks agree with the regex and with Jackson on everything they accept. */
class EmbedBodiesProperties {

  private static final Pattern DEFAULT = Pattern.compile(EmbedBodies.DEFAULT_PATTERN);

  @Property(tries = 2000)
  void defaultPatternCheckEqualsTheRegex(@ForAll("tokens") String token) {
    assertThat(EmbedBodies.matchesDefault(token)).isEqualTo(DEFAULT.matcher(token).matches());
  }

  @Property(tries = 2000)
  void simpleParseAgreesWithJackson(@ForAll("bodies") String body) {
    String simple = EmbedBodies.simpleToken(Buffer.buffer(body));
    if (simple != null) {
      Object parsed = Json.decodeValue(body);
      assertThat(parsed).isInstanceOf(JsonObject.class);
      assertThat(((JsonObject) parsed).getValue("token")).isEqualTo(simple);
      assertThat(((JsonObject) parsed).size()).isEqualTo(1);
    }
  }

  @Example
  void acceptsTheCanonicalShapes() {
    assertThat(EmbedBodies.simpleToken(Buffer.buffer("{\"token\":\"c2c_abc123XYZ\"}"))).isEqualTo("c2c_abc123XYZ");
    assertThat(EmbedBodies.simpleToken(Buffer.buffer(" {\n \"token\" : \"c2c_abcdefgh\" }\n"))).isEqualTo("c2c_abcdefgh");
    assertThat(EmbedBodies.simpleToken(Buffer.buffer("{\"token\":\"c2c_a\",\"x\":1}"))).isNull();
    assertThat(EmbedBodies.simpleToken(Buffer.buffer("{\"token\":\"c2c\\u0041\"}"))).isNull();
    assertThat(EmbedBodies.matcher(Pattern.compile("^x+$")).test("xxx")).isTrue();
  }

  @Provide
  Arbitrary<String> tokens() {
    return Arbitraries.oneOf(
        Arbitraries.strings().withChars("c2_abcXYZ019-!é ").ofMaxLength(140),
        Arbitraries.strings().withChars("abcdefXYZ0189").ofMinLength(6).ofMaxLength(130)
            .flatMap(s -> Arbitraries.of("c2c_", "c2t_", "c2x_", "C2C_", "c2c", "c3c_").map(p -> p + s)),
        Arbitraries.strings().ofMaxLength(20).map(s -> "c2c_" + s));
  }

  @Provide
  Arbitrary<String> bodies() {
    Arbitrary<String> token = Arbitraries.strings().withChars("c2_abXY09\"\\ u{}:,").ofMaxLength(20);
    Arbitrary<String> ws = Arbitraries.strings().withChars(" \t\r\n").ofMaxLength(2);
    return Arbitraries.oneOf(
        token.map(t -> "{\"token\":\"" + t + "\"}"),
        net.jqwik.api.Combinators.combine(ws, token, ws).as((a, t, b) -> a + "{" + b + "\"token\"" + a + ":" + b
            + "\"" + t + "\"" + a + "}" + b),
        Arbitraries.strings().withChars("{}\":,token c2_ab").ofMaxLength(30));
  }
}
