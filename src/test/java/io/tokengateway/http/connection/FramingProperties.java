package io.tokengateway.http.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The framing rule over any Transfer-Encoding fields: accepted only as one field saying exactly chunked. */
class FramingProperties {

  @Property
  void onlyASingleChunkedCodingIsAccepted(@ForAll("fields") List<String> fields, @ForAll boolean http10) {
    HttpRequest head = new DefaultHttpRequest(http10 ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1, HttpMethod.POST, "/");
    fields.forEach(f -> head.headers().add("Transfer-Encoding", f));
    boolean sound = fields.isEmpty() || (!http10 && fields.size() == 1 && fields.get(0).trim().equalsIgnoreCase("chunked"));
    assertThat(Framing.violation(head)).isEqualTo(sound ? null : Framing.BAD_FRAMING);
  }

  @Property
  void aVersionOtherThanOneIsRefusedWhateverTheHeaders(@ForAll("fields") List<String> fields) {
    HttpRequest head = new DefaultHttpRequest(HttpVersion.valueOf("HTTP/2.0"), HttpMethod.GET, "*");
    fields.forEach(f -> head.headers().add("Transfer-Encoding", f));
    assertThat(Framing.violation(head)).isSameAs(Framing.BAD_VERSION);
  }

  @Provide
  Arbitrary<List<String>> fields() {
    Arbitrary<String> coding = Arbitraries.oneOf(
        Arbitraries.of("chunked", "Chunked", "CHUNKED", "identity", "gzip", "deflate", "compress", "br", "x-y",
            "chunked;q=1", ""),
        Arbitraries.strings().withCharRange('!', '~').ofMaxLength(12));
    Arbitrary<String> field = coding.list().ofMinSize(1).ofMaxSize(3).map(l -> String.join(", ", l).trim()); // the decoder strips surrounding whitespace
    return field.list().ofMaxSize(3);
  }
}
