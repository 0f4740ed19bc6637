package io.tokengateway.upstream;

import io.vertx.core.buffer.Buffer;

/**
 * A token SignalWire issued: the token itself (opaque) and the answer body, serialised once, ready to write.
 *
 * @param token the issued token, used only to read an expiry where it is readable; never logged
 * @param body the JSON answer for the caller ({@code {"token": ...}} and, for guests, {@code refresh_token})
 */
public record TokenAnswer(String token, Buffer body) {
}
