package io.tokengateway.tracing;

import io.opentelemetry.api.common.AttributeKey;

/**
 * Every attribute the gateway puts on a span. Each value is a fixed label, a status code or a configured host:
 * never a path beyond the gateway's own, a header, a body, a key or an argument, so no token or credential can
 * reach a span (tested: TracingSecrecyIT).
 */
final class TraceAttributes {

  static final AttributeKey<String> HTTP_METHOD = AttributeKey.stringKey("http.request.method");
  static final AttributeKey<String> HTTP_ROUTE = AttributeKey.stringKey("http.route");
  static final AttributeKey<Long> HTTP_STATUS = AttributeKey.longKey("http.response.status_code");
  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
  static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
  static final AttributeKey<String> URL_TEMPLATE = AttributeKey.stringKey("url.template");
  /** How an embed answer was served: {@code MISS}, {@code HIT}, {@code STALE}, {@code NEGATIVE}, {@code SHARED}. */
  static final AttributeKey<String> CACHE = AttributeKey.stringKey("tokengateway.cache");
  /** The upstream outcome, as the access line's {@code upstream} field. */
  static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("tokengateway.upstream");
  /** The SignalWire endpoint of a client span: {@code embeds}, {@code guests}, {@code refresh}. */
  static final AttributeKey<String> ENDPOINT = AttributeKey.stringKey("tokengateway.endpoint");
  static final AttributeKey<String> DB_SYSTEM = AttributeKey.stringKey("db.system");
  static final AttributeKey<String> DB_SYSTEM_NAME = AttributeKey.stringKey("db.system.name");
  static final AttributeKey<String> DB_OPERATION = AttributeKey.stringKey("db.operation");
  static final AttributeKey<String> DB_OPERATION_NAME = AttributeKey.stringKey("db.operation.name");
  static final AttributeKey<Long> DB_BATCH_SIZE = AttributeKey.longKey("db.operation.batch.size");
  /** A Redis error reply's code (its first word, e.g. {@code ERR}, {@code NOSCRIPT}), never its text. */
  static final AttributeKey<String> DB_STATUS = AttributeKey.stringKey("db.response.status_code");

  private TraceAttributes() {
  }
}
