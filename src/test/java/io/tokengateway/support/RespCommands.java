package io.tokengateway.support;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Reads the commands a Redis client sends (RESP arrays of bulk strings) from a byte stream that arrives in
 * pieces, and reports each command's name, upper-cased. Only what {@link TcpProxy} needs: no inline commands.
 */
final class RespCommands {

  private Buffer pending = Buffer.buffer();

  /** Adds {@code data} to the stream and reports every command now complete. */
  void feed(Buffer data, Consumer<String> onCommand) {
    pending.appendBuffer(data);
    int at = 0;
    while (true) {
      int end = command(at, onCommand);
      if (end < 0) {
        break;
      }
      at = end;
    }
    pending = pending.getBuffer(at, pending.length());
  }

  /** Parses one command at {@code at}; its end, or -1 when incomplete. */
  private int command(int at, Consumer<String> onCommand) {
    int line = lineEnd(at);
    if (line < 0) {
      return -1;
    }
    if (pending.getByte(at) != '*') {
      throw new IllegalStateException("not a RESP array: " + pending.getString(at, line));
    }
    int parts = Integer.parseInt(pending.getString(at + 1, line));
    int pos = line + 2;
    String name = null;
    for (int i = 0; i < parts; i++) {
      int header = lineEnd(pos);
      if (header < 0) {
        return -1;
      }
      int length = Integer.parseInt(pending.getString(pos + 1, header));
      int start = header + 2;
      if (pending.length() < start + length + 2) {
        return -1;
      }
      if (i == 0) {
        name = pending.getString(start, start + length, StandardCharsets.UTF_8.name()).toUpperCase();
      }
      pos = start + length + 2;
    }
    onCommand.accept(name);
    return pos;
  }

  private int lineEnd(int from) {
    for (int i = from; i + 1 < pending.length(); i++) {
      if (pending.getByte(i) == '\r' && pending.getByte(i + 1) == '\n') {
        return i;
      }
    }
    return -1;
  }
}
