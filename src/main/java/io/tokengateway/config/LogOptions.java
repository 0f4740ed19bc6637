package io.tokengateway.config;

/**
 * What the access log writes. {@code access}: a line for every request ({@code ALL}, the default), for errors
 * only ({@code ERRORS}: 4xx and 5xx), or for errors and every {@code 1 / accessSampleRate}-th other request
 * ({@code SAMPLED}). Expected rejections (client and upstream limits, the open breaker, invalid requests) are
 * written in full {@code rejectionLinesPerInterval} times per reason per {@code rejectionIntervalSeconds}; the
 * rest of them are only counted, in one summary line per reason and interval.
 */
public record LogOptions(Access access, double accessSampleRate, int rejectionLinesPerInterval,
    int rejectionIntervalSeconds) {

  /** Which answered requests get an access line. */
  public enum Access { ALL, ERRORS, SAMPLED }

  static LogOptions from(Settings s) {
    return new LogOptions(access(s.string("log.access")), s.doubleValue("log.accessSampleRate", 0.0, 1.0),
        s.intValue("log.rejectionLinesPerInterval", 0, 1_000_000),
        s.intValue("log.rejectionIntervalSeconds", 1, 86_400));
  }

  private static Access access(String value) {
    return switch (value.toLowerCase()) {
      case "all" -> Access.ALL;
      case "errors" -> Access.ERRORS;
      case "sampled" -> Access.SAMPLED;
      default -> throw new ConfigException(
          "log.access (GATEWAY_LOG_ACCESS) must be 'all', 'errors' or 'sampled', got '" + value + "'");
    };
  }
}
