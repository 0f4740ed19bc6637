package io.tokengateway.http.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.HttpServerOptions;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * The HTTP/1.1 rules over generated requests, with an oracle of their own: each request is built from a grammar
 * of sound forms (RFC 9112) and at most one defect taken from a list written here, and the verdict expected is
 * whether a defect went in. Nothing of the rules' code (trimming, case folding, hex parsing) is used to decide
 * it. Whole requests go through the gateway's decoder in random slices, as TCP may deliver them, with a second
 * request pipelined behind.
 */
class FramingProperties {

  /** How a generated request breaks the rules: {@code NONE}, or the one defect put in. */
  enum Defect {
    NONE, FOLD_IN_HEADER, FOLD_AFTER_REQUEST_LINE, HOST_TWICE, HOST_MISSING, BAD_CHUNK_SIZE, FOLD_IN_TRAILER;

    boolean inHead() {
      return this == FOLD_IN_HEADER || this == FOLD_AFTER_REQUEST_LINE || this == HOST_TWICE || this == HOST_MISSING;
    }
  }

  /** One chunked request as sent, the body it carries and its defect. */
  record Request(byte[] wire, byte[] body, Defect defect, List<Integer> cuts) {
    @Override
    public String toString() {
      return defect + " " + new String(wire, StandardCharsets.ISO_8859_1).replace("\r", "\\r").replace("\n", "\\n")
          .replace("\t", "\\t") + " cut at " + cuts;
    }
  }

  private static final String NEXT = "GET /next HTTP/1.1\r\nHost: a\r\n\r\n";

  @Property(tries = 2_000)
  void theDecoderRefusesExactlyTheDefectiveRequestsAndReadsNothingAfterThem(@ForAll("requests") Request request) {
    EmbeddedChannel channel = new EmbeddedChannel(new StrictRequestDecoder(new HttpServerOptions()));
    byte[] wire = concat(request.wire(), NEXT.getBytes(StandardCharsets.ISO_8859_1));
    int at = 0;
    for (int cut : request.cuts()) {
      int end = Math.min(wire.length, Math.max(at, cut));
      channel.writeInbound(Unpooled.wrappedBuffer(wire, at, end - at));
      at = end;
    }
    channel.writeInbound(Unpooled.wrappedBuffer(wire, at, wire.length - at));
    List<HttpObject> out = new ArrayList<>();
    for (Object o = channel.readInbound(); o != null; o = channel.readInbound()) {
      out.add((HttpObject) o);
    }
    try {
      judge(request, out);
    } finally {
      out.forEach(ReferenceCountUtil::release);
      channel.finishAndReleaseAll();
    }
  }

  private static void judge(Request request, List<HttpObject> out) {
    List<HttpRequest> heads = out.stream().filter(HttpRequest.class::isInstance).map(HttpRequest.class::cast).toList();
    assertThat(heads).isNotEmpty();
    if (request.defect().inHead()) {
      assertThat(heads.get(0).decoderResult().isFailure()).as("the head refused").isTrue();
      assertThat(heads).as("nothing after it read as a request").hasSize(1);
      return;
    }
    assertThat(heads.get(0).decoderResult().isSuccess()).as("the head accepted").isTrue();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    boolean refused = false;
    int i = 1;
    for (; i < out.size() && !(out.get(i) instanceof HttpRequest); i++) {
      HttpContent content = (HttpContent) out.get(i);
      refused |= content.decoderResult().isFailure();
      ByteBuf data = content.content();
      byte[] bytes = new byte[data.readableBytes()];
      data.getBytes(data.readerIndex(), bytes);
      body.writeBytes(bytes);
    }
    if (request.defect() != Defect.NONE) {
      assertThat(refused).as("the body refused").isTrue();
      assertThat(heads).as("nothing after it read as a request").hasSize(1);
      return;
    }
    assertThat(refused).isFalse();
    assertThat(out.get(i - 1)).as("the body ended").isInstanceOf(LastHttpContent.class);
    assertThat(body.toByteArray()).as("the body as sent").isEqualTo(request.body());
    assertThat(heads).as("the pipelined request read next").hasSize(2);
    assertThat(heads.get(1).uri()).isEqualTo("/next");
    assertThat(heads.get(1).decoderResult().isSuccess()).isTrue();
  }

  @Provide
  Arbitrary<Request> requests() {
    Arbitrary<List<String>> headers = header().list().ofMaxSize(4);
    Arbitrary<List<String>> chunks = Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(40)
        .list().ofMinSize(0).ofMaxSize(3);
    Arbitrary<List<String>> sizeLines = sizeLine().list().ofSize(4);
    Arbitrary<List<String>> trailers = Arbitraries.of("X-T: a", "X-T:", "X-U: b c").list().ofMaxSize(2);
    Arbitrary<Defect> defects = Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just(Defect.NONE)),
        Tuple.of(1, Arbitraries.of(Defect.class)));
    Arbitrary<String> fold = Arbitraries.of(" ", "\t", "  ", " \t");
    Arbitrary<String> badSize = Arbitraries.of(" %s", "\t%s", "%s ", "%s\t", "%s x", "0x%s", "+%s", "-%s", "", "%sg",
        "%s;a\rb", "%s;a\u0000", "%s\u000b", "80000000", "100000000", "%s,1");
    Arbitrary<List<Integer>> cuts = Arbitraries.integers().between(0, 1_000).list().ofMaxSize(5);
    return Combinators.combine(headers, chunks, sizeLines, trailers, defects, fold, badSize, cuts)
        .as(FramingProperties::build);
  }

  /** A sound header line other than Host: a field name and a value with inner blanks, never a fold. */
  private static Arbitrary<String> header() {
    Arbitrary<String> names = Arbitraries.of("Accept", "X-Trace", "User-Agent", "X-Empty");
    Arbitrary<String> values = Arbitraries.strings().withCharRange('!', '~').withChars(' ', '\t').ofMaxLength(20)
        .map(v -> v.isBlank() ? v.strip() : v);
    Arbitrary<String> ows = Arbitraries.of("", " ", "\t", "  ");
    return Combinators.combine(names, ows, values, ows).as((n, a, v, b) -> n + ":" + a + v + (v.isEmpty() ? "" : b));
  }

  /** A sound chunk-size line's format: hex digits in either case, leading zeros, maybe extensions (RFC 9112 7.1.1). */
  private static Arbitrary<String> sizeLine() {
    Arbitrary<String> zeros = Arbitraries.of("", "0", "00");
    Arbitrary<Boolean> upper = Arbitraries.of(true, false);
    Arbitrary<String> bws = Arbitraries.of("", " ", "\t", " \t");
    Arbitrary<String> token = Arbitraries.strings().withCharRange('a', 'z').withChars('-', '!', '~').ofMinLength(1)
        .ofMaxLength(6);
    Arbitrary<String> value = Arbitraries.oneOf(token, token.map(t -> "\"" + t + " \\\" x\""));
    Arbitrary<String> extension = Combinators.combine(bws, bws, token, bws, value, Arbitraries.of(true, false))
        .as((b1, b2, name, b3, v, valued) -> b1 + ";" + b2 + name + (valued ? b3 + "=" + b3 + v : ""));
    Arbitrary<String> extensions = extension.list().ofMaxSize(2).map(l -> String.join("", l));
    return Combinators.combine(zeros, upper, extensions).as((z, u, ext) -> z + (u ? "%X" : "%x") + ext);
  }

  private static Request build(List<String> headers, List<String> chunks, List<String> sizeFormats,
      List<String> trailers, Defect defect, String fold, String badSize, List<Integer> cuts) {
    List<String> lines = new ArrayList<>(headers);
    lines.add(0, "Host: a.example");
    if (defect == Defect.HOST_TWICE) {
      lines.add(lines.size() / 2 + 1, "host: b.example");
    } else if (defect == Defect.HOST_MISSING) {
      lines.remove(0);
    }
    lines.add("Transfer-Encoding: chunked");
    if (defect == Defect.FOLD_IN_HEADER) {
      int at = cuts.size() % lines.size(); // any line, the framing header's too
      lines.set(at, lines.get(at) + "\r\n" + fold + "folded");
    }
    StringBuilder wire = new StringBuilder("POST /t HTTP/1.1\r\n");
    if (defect == Defect.FOLD_AFTER_REQUEST_LINE) {
      wire.append(fold).append("X-A: b\r\n");
    }
    lines.forEach(l -> wire.append(l).append("\r\n"));
    wire.append("\r\n");
    int badChunk = defect == Defect.BAD_CHUNK_SIZE ? headers.size() % (chunks.size() + 1) : -1;
    StringBuilder body = new StringBuilder();
    for (int i = 0; i <= chunks.size(); i++) {
      String data = i < chunks.size() ? chunks.get(i) : "";
      String format = i == badChunk ? badSize : sizeFormats.get(i);
      wire.append(String.format(format, data.length())).append("\r\n");
      if (!data.isEmpty()) {
        wire.append(data).append("\r\n");
        body.append(data);
      }
    }
    for (int i = 0; i < trailers.size(); i++) {
      wire.append(trailers.get(i)).append("\r\n");
      if (defect == Defect.FOLD_IN_TRAILER && i == 0) {
        wire.append(fold).append("folded\r\n");
      }
    }
    wire.append("\r\n");
    Defect actual = defect == Defect.FOLD_IN_TRAILER && trailers.isEmpty() ? Defect.NONE : defect;
    byte[] bytes = wire.toString().getBytes(StandardCharsets.ISO_8859_1);
    return new Request(bytes, body.toString().getBytes(StandardCharsets.ISO_8859_1), actual, slices(bytes, cuts));
  }

  /**
   * Where the bytes are cut into the reads the decoder gets: an even number picks the end of a line (where a
   * line's successor, an obs-fold perhaps, arrives in the next read), an odd one any byte.
   */
  private static List<Integer> slices(byte[] wire, List<Integer> picks) {
    List<Integer> lineEnds = new ArrayList<>();
    for (int i = 0; i < wire.length; i++) {
      if (wire[i] == '\n') {
        lineEnds.add(i + 1);
      }
    }
    return picks.stream().map(p -> p % 2 == 0 ? lineEnds.get(p / 2 % lineEnds.size()) : p % wire.length).sorted()
        .toList();
  }

  // ---- the rules on a parsed head: version, method, Transfer-Encoding ----

  /** A version as a request line may carry it, and whether it is one the gateway serves. */
  record Version(String text, boolean served) {
  }

  @Property
  void onlyHttp10AndHttp11AreServed(@ForAll("versions") Version version) {
    HttpRequest head = new DefaultHttpRequest(HttpVersion.valueOf(version.text()), HttpMethod.GET, "/");
    head.headers().add("Host", "a");
    assertThat(Framing.violation(head)).isEqualTo(version.served() ? null : Framing.BAD_VERSION);
  }

  @Provide
  Arbitrary<Version> versions() {
    Arbitrary<Version> served = Arbitraries.of(new Version("HTTP/1.0", true), new Version("HTTP/1.1", true));
    Arbitrary<Integer> digit = Arbitraries.integers().between(0, 9);
    Arbitrary<Version> otherDigits = Combinators.combine(digit, digit).filter((a, b) -> a != 1 || b > 1)
        .as((a, b) -> new Version("HTTP/" + a + "." + b, false));
    Arbitrary<Version> otherSpelling = Arbitraries.of("http/1.1", "Http/1.0", "HTTP/01.1", "HTTP/1.01", "HTTP/10.1",
        "HTTP/1.10", "HTTPS/1.1").map(t -> new Version(t, false));
    return Arbitraries.oneOf(served, otherDigits, otherSpelling);
  }

  @Property
  void aMethodOfMoreThan16CharactersIsRefused(@ForAll("tokens") String method) {
    HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), "/");
    boolean tooLong = method.length() > 16; // the rule as the gateway states it
    assertThat(Framing.violation(head)).isEqualTo(tooLong ? Framing.MALFORMED_HEAD : null);
  }

  @Provide
  Arbitrary<String> tokens() {
    return Arbitraries.strings().withCharRange('A', 'Z').withChars('-', '_', '!').ofMinLength(1).ofMaxLength(40);
  }

  /** Transfer-Encoding fields and whether the body they frame is unambiguous (RFC 9112 6.1, 6.3). */
  record Framings(List<String> fields, boolean http10, boolean sound) {
  }

  @Property
  void onlyOneFieldSayingExactlyChunkedFramesABody(@ForAll("framings") Framings f) {
    HttpRequest head = new DefaultHttpRequest(f.http10() ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1,
        HttpMethod.POST, "/");
    f.fields().forEach(v -> head.headers().add("Transfer-Encoding", v));
    assertThat(Framing.violation(head)).isEqualTo(f.sound() ? null : Framing.BAD_FRAMING);
  }

  @Provide
  Arbitrary<Framings> framings() {
    // the decoder strips a value's surrounding whitespace: the spellings of chunked are its case variants
    Arbitrary<String> chunked = Arbitraries.of("chunked", "Chunked", "CHUNKED", "cHuNkEd");
    Arbitrary<String> other = Arbitraries.oneOf(Arbitraries.of("identity", "gzip", "deflate", "compress", "br", "x-y",
            "chunked;q=1", "chunked , gzip", "gzip, chunked", "chunked, chunked", "chunk", "chunkedx", ""),
        Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(12).filter(s -> s.length() != 7));
    Arbitrary<Framings> none = Arbitraries.of(true, false).map(http10 -> new Framings(List.of(), http10, true));
    Arbitrary<Framings> one = chunked.map(c -> new Framings(List.of(c), false, true));
    Arbitrary<Framings> onHttp10 = chunked.map(c -> new Framings(List.of(c), true, false));
    Arbitrary<Framings> wrong = other.map(o -> new Framings(List.of(o), false, false));
    Arbitrary<Framings> twoFields = Combinators.combine(Arbitraries.oneOf(chunked, other),
        Arbitraries.oneOf(chunked, other)).as((a, b) -> new Framings(List.of(a, b), false, false));
    return Arbitraries.oneOf(none, one, onHttp10, wrong, twoFields);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
