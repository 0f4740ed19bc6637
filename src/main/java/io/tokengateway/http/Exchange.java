package io.tokengateway.http;

import io.tokengateway.cache.CacheStatus;
import io.tokengateway.tracing.RequestTrace;
import io.tokengateway.upstream.Endpoint;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * One token request on its way through a pipeline: what each stage needs to know of the ones before it, and
 * what the access line and the meters report at the end. Written by the event loop serving the request only.
 */
final class Exchange {

  final HttpServerRequest request;
  final HttpServerResponse response;
  final Endpoint endpoint;
  /** When the pipeline got the request ({@link System#nanoTime()}). */
  final long startNanos;
  /** Its trace: continued from the caller's {@code traceparent}, or new; on the answer's headers already. */
  final RequestTrace trace;
  /** The client's limiter key, once the client limit stage has read it. */
  String client;
  /** How the embed cache served it, once the request reached the cache; null before. */
  CacheStatus cache;
  /** How it ended upstream ({@code success}, a failure's outcome); null when SignalWire was not involved. */
  String outcome;

  Exchange(HttpServerRequest request, Endpoint endpoint, RequestTrace trace) {
    this.request = request;
    this.response = request.response();
    this.endpoint = endpoint;
    this.startNanos = System.nanoTime();
    this.trace = trace;
  }

  /** Nanoseconds since the pipeline got the request. */
  long elapsedNanos() {
    return System.nanoTime() - startNanos;
  }
}
