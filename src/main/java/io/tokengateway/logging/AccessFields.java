package io.tokengateway.logging;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import net.logstash.logback.marker.LogstashMarker;

/**
 * The fields of one access line as a single logstash marker that writes them itself (the encoder's
 * {@code logstashMarkers} provider): one small object per line instead of a structured argument per field,
 * an argument array and a Jackson serializer lookup for each value. Measured on the cached embed path's line:
 * 224 instead of 472 bytes allocated on the event loop, 585 instead of 905 in all (README, Logs).
 */
public final class AccessFields extends LogstashMarker {

  private final String method;
  private final String path;
  private final int status;
  private final double durationMs;
  private final String upstream;
  private final String cache;
  private final String traceId;
  private final String spanId;

  public AccessFields(String method, String path, int status, double durationMs, String upstream, String cache,
      String traceId, String spanId) {
    super("access");
    this.method = method;
    this.path = path;
    this.status = status;
    this.durationMs = durationMs;
    this.upstream = upstream;
    this.cache = cache;
    this.traceId = traceId;
    this.spanId = spanId;
  }

  @Override
  public void writeTo(JsonGenerator generator) throws IOException {
    generator.writeStringField("method", method);
    generator.writeStringField("path", path);
    generator.writeNumberField("status", status);
    generator.writeNumberField("durationMs", durationMs);
    generator.writeStringField("upstream", upstream);
    generator.writeStringField("cache", cache);
    generator.writeStringField("trace_id", traceId);
    generator.writeStringField("span_id", spanId);
  }

  @Override
  protected String toStringSelf() {
    return "access " + method + ' ' + path + ' ' + status;
  }
}
