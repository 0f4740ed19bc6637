package io.tokengateway.upstream;

import io.vertx.core.buffer.Buffer;

/**
 * A token SignalWire issued: the token itself (opaque) and the answer body, serialised once, ready to write.
 *
 * @param token the issued token, used only to read an expiry where it is readable; never logged
 * @param body the JSON answer for the caller ({@code {"token": ...}} and, for guests and refreshes, {@code refresh_token})
 * @param ageMillis how long ago SignalWire issued it: 0 for a fresh answer, more for one another pod shared
 * @param shared whether it came from the cluster's shared cache rather than from SignalWire
 */
public record TokenAnswer(String token, Buffer body, long ageMillis, boolean shared) {

  /** A fresh answer from SignalWire. */
  public TokenAnswer(String token, Buffer body) {
    this(token, body, 0, false);
  }
}
