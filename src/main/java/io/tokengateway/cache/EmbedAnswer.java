package io.tokengateway.cache;

import io.tokengateway.core.GatewayFailure;
import io.vertx.core.buffer.Buffer;

/**
 * An embed answer and how it was served: a token body ({@code failure == null}) with its age in whole seconds
 * since the gateway received it from SignalWire (its {@code Age} header), or a remembered negative answer
 * ({@link CacheStatus#NEGATIVE}).
 */
public record EmbedAnswer(CacheStatus status, Buffer body, GatewayFailure failure, long ageSeconds) {
}
