package io.tokengateway.cache;

import io.vertx.core.buffer.Buffer;

/**
 * An embed token and how it was served: SignalWire's answer body, its {@code X-Cache} status, and its age in
 * whole seconds since the gateway received it (its {@code Age} header). A request that gets no token fails with a
 * {@link io.tokengateway.core.GatewayFailure} instead: {@link io.tokengateway.core.GatewayFailure#remembered()
 * remembered} when it is a negative entry's 404/422.
 */
public record EmbedAnswer(CacheStatus status, Buffer body, long ageSeconds) {
}
