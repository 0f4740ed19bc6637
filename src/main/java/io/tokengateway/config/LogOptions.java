package io.tokengateway.config;

/**
 * What the access log writes ({@code log.*}). {@code access}: a line for every request ({@code ALL}, the default),
 * for errors only ({@code ERRORS}: 4xx and 5xx), or for errors and every {@code 1 / accessSampleRate}-th other
 * request ({@code SAMPLED}). Expected rejections (client and upstream limits, the open breaker, invalid requests)
 * are written in full {@code rejectionLinesPerInterval} times per reason per {@code rejectionIntervalSeconds}; the
 * rest of them are only counted, in one summary line per reason and interval.
 */
public record LogOptions(Access access, @Range(max = 1) double accessSampleRate,
    @Range(max = 1_000_000) int rejectionLinesPerInterval, @Range(min = 1, max = 86_400) int rejectionIntervalSeconds) {

  /** Which answered requests get an access line. */
  public enum Access { ALL, ERRORS, SAMPLED }
}
