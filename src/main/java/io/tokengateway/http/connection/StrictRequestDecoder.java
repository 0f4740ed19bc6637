package io.tokengateway.http.connection;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpConstants;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;
import java.util.List;

/**
 * Vert.x's own request decoder (same limits, same header interning), refusing what Netty would read leniently
 * (see {@link Framing}): a head with both {@code Content-Length} and {@code Transfer-Encoding: chunked} (Netty
 * drops the length), an obs-fold (Netty unfolds it, so {@code Transfer-Encoding:\r\n chunked} would be
 * chunked), a {@code Host} missing on HTTP/1.1 or repeated, and a chunk-size line other than hex digits and an
 * extension. A refused head is delivered with a failed decoder result and a refused chunk as a failed last
 * content; nothing after either is read. A head is refused by throwing from a hook Netty calls while it reads
 * the head, the override Netty documents; Netty's reading of a chunk-size line has no hook, so the line is
 * judged here before Netty reads it.
 *
 * <p>What it costs a request: per header line a name compared by length and a look at the next line's first
 * byte (where an obs-fold would be, without scanning the head); per head a few field checks. Chunked bodies
 * alone pay for their size lines being read twice.
 *
 * <p>Netty reads at most one chunk-size line per call of {@code decode}, always first: after a head it returns,
 * and after a chunk's closing CRLF too. Where the next size line starts is therefore followed from the bytes
 * each call consumed (Netty keeps its own state private): it starts after a head that reads chunks, and a line
 * announcing {@code n} bytes is followed by {@code n} bytes and a CRLF. Vert.x never sends Netty's
 * {@code HttpExpectationFailedEvent} (which would make Netty skip a body), so nothing else moves Netty's state.
 */
final class StrictRequestDecoder extends VertxHttpRequestDecoder {

  /** No chunked body is being read. */
  private static final long NOT_CHUNKED = -1;

  /** Netty refuses a chunk-size line longer than this (its line limit); such a line is left to it. */
  private final int maxLineLength;
  /** The bytes being decoded, during {@link #decode} only: where the header line just read ends. */
  private ByteBuf in;
  /** A header line ended with the bytes at hand: the first byte of the next line is still to be looked at. */
  private boolean nextLineUnseen;
  /** An obs-fold was seen in the head being read, across two reads: refused at its next header or its end. */
  private boolean folded;
  private int hosts;
  private boolean transferEncoding;
  /** Bytes before the next chunk-size line: 0 when it starts here, {@link #NOT_CHUNKED} outside a chunked body. */
  private long toNextChunkSize = NOT_CHUNKED;
  /** A request was refused here: nothing more is read (as Netty does after its own refusals). */
  private boolean refused;

  StrictRequestDecoder(HttpServerOptions options) {
    super(options);
    this.maxLineLength = options.getMaxInitialLineLength();
  }

  @Override
  protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
    refused = true;
    throw Framing.BAD_FRAMING;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
    if (refused) {
      buffer.skipBytes(buffer.readableBytes());
      return;
    }
    if (nextLineUnseen && buffer.isReadable()) {
      nextLineUnseen = false;
      // Netty unfolds the line without a hook: refused at the head's next header or its end (in trailers, Netty
      // refuses it itself: it forgets the field a line would continue between two reads)
      folded = Framing.isBlank(buffer.getByte(buffer.readerIndex()));
    }
    in = buffer;
    if (toNextChunkSize == NOT_CHUNKED) {
      super.decode(ctx, buffer, out); // a head that reads chunks next sets toNextChunkSize (isContentAlwaysEmpty)
    } else {
      decodeChunks(ctx, buffer, out);
    }
    in = null;
  }

  /** Reads on in a chunked body, judging a chunk-size line first when one starts here. */
  private void decodeChunks(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
    int from = buffer.readerIndex();
    long chunkSize = -1;
    int sizeLine = 0;
    if (toNextChunkSize == 0) {
      int lf = buffer.indexOf(from, from + Math.min(buffer.readableBytes(), maxLineLength + 2), HttpConstants.LF);
      if (lf >= 0) {
        chunkSize = lf > from && buffer.getByte(lf - 1) == HttpConstants.CR ? Framing.chunkSize(buffer, from, lf - 1)
            : -1;
        if (chunkSize < 0) {
          refuseChunk(buffer, out);
          return;
        }
        sizeLine = lf + 1 - from;
      } // else Netty waits for the rest of the line, or refuses it as too long
    }
    int produced = out.size();
    super.decode(ctx, buffer, out);
    int consumed = buffer.readerIndex() - from;
    if (sizeLine > 0 && consumed > 0) {
      toNextChunkSize = chunkSize == 0 ? NOT_CHUNKED : sizeLine + chunkSize + 2 - consumed; // 0: trailers follow
    } else {
      toNextChunkSize -= consumed;
    }
    for (int i = produced; i < out.size(); i++) {
      if (((HttpObject) out.get(i)).decoderResult().isFailure()) {
        refused = true; // Netty refused a chunk (its CRLF missing, its line too long) and reads nothing more
      }
    }
  }

  private void refuseChunk(ByteBuf buffer, List<Object> out) {
    buffer.skipBytes(buffer.readableBytes());
    LastHttpContent refusal = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
    refusal.setDecoderResult(DecoderResult.failure(Framing.BAD_FRAMING));
    out.add(refusal);
    refused = true;
  }

  @Override
  protected HttpMessage createMessage(String[] initialLine) {
    hosts = 0;
    transferEncoding = false;
    folded = false;
    nextLineUnseen = false;
    return super.createMessage(initialLine);
  }

  /**
   * Called for each header line (and trailer line) but an obs-fold, once the line is consumed: the next line's
   * first byte, when it is already here, tells whether it is an obs-fold.
   */
  @Override
  protected AsciiString splitHeaderName(byte[] line, int start, int length) {
    if (folded) {
      refused = true;
      throw Framing.MALFORMED_HEAD;
    }
    AsciiString name = super.splitHeaderName(line, start, length);
    if (HttpHeaderNames.HOST.contentEqualsIgnoreCase(name)) { // names of other lengths cost a length compare
      hosts++;
    } else if (HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(name)) {
      transferEncoding = true;
    }
    if (!in.isReadable()) {
      nextLineUnseen = true;
    } else if (Framing.isBlank(in.getByte(in.readerIndex()))) {
      refused = true;
      throw Framing.MALFORMED_HEAD;
    }
    return name;
  }

  /**
   * Called once per head, when its last line is read: the head's own checks, and whether chunks follow (Netty
   * reads them when {@code HttpUtil.isTransferEncodingChunked} says so, right after this call).
   */
  @Override
  protected boolean isContentAlwaysEmpty(HttpMessage message) {
    if (folded || hosts > 1 || (hosts == 0 && message.protocolVersion() == HttpVersion.HTTP_1_1)) {
      refused = true;
      throw Framing.MALFORMED_HEAD;
    }
    toNextChunkSize = transferEncoding && HttpUtil.isTransferEncodingChunked(message) ? 0 : NOT_CHUNKED;
    return super.isContentAlwaysEmpty(message);
  }
}
