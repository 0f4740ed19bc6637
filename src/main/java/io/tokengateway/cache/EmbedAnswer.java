package io.tokengateway.cache;

import io.tokengateway.GatewayFailure;
import io.vertx.core.buffer.Buffer;

/**
 * An embed answer and how it was served: a token body ({@code failure == null}) or a remembered negative
 * answer ({@link CacheStatus#NEGATIVE}).
 */
public record EmbedAnswer(CacheStatus status, Buffer body, GatewayFailure failure) {
}
