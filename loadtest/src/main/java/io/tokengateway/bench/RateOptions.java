package io.tokengateway.bench;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** The rate client's command line ({@code --key=value}), validated. */
record RateOptions(URI url, double rate, int connections, int warmupSeconds, int durationSeconds, String body,
    String contentType, long timeoutMs, long spinMicros, String client) {

  private static final Set<String> KEYS = Set.of("url", "rate", "connections", "warmup", "duration", "body",
      "content-type", "timeout-ms", "spin-us", "client");

  RateOptions {
    if (!"http".equals(url.getScheme()) || url.getHost() == null) {
      throw new IllegalArgumentException("--url must be http://host:port/path, not " + url);
    }
    if (!(rate > 0) || rate > 10_000_000) {
      throw new IllegalArgumentException("--rate must be a positive number of requests per second, not " + rate);
    }
    if (connections < 1 || warmupSeconds < 0 || durationSeconds < 1 || timeoutMs < 1 || spinMicros < 0) {
      throw new IllegalArgumentException("--connections >= 1, --warmup >= 0, --duration >= 1, --timeout-ms >= 1,"
          + " --spin-us >= 0");
    }
    if (!"netty".equals(client) && !"vertx".equals(client)) {
      throw new IllegalArgumentException("--client must be netty or vertx, not " + client);
    }
  }

  static RateOptions parse(String[] args) {
    Map<String, String> values = new HashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (!arg.startsWith("--") || eq < 0 || !KEYS.contains(arg.substring(2, eq))) {
        throw new IllegalArgumentException("unknown argument " + arg + " (expected --key=value, keys " + KEYS + ")");
      }
      values.put(arg.substring(2, eq), arg.substring(eq + 1));
    }
    if (!values.containsKey("url") || !values.containsKey("rate")) {
      throw new IllegalArgumentException("--url and --rate are required");
    }
    try {
      return new RateOptions(URI.create(values.get("url")), Double.parseDouble(values.get("rate")),
          Integer.parseInt(values.getOrDefault("connections", "64")),
          Integer.parseInt(values.getOrDefault("warmup", "8")),
          Integer.parseInt(values.getOrDefault("duration", "15")),
          values.getOrDefault("body", RateClient.DEFAULT_BODY),
          values.getOrDefault("content-type", "application/json"),
          Long.parseLong(values.getOrDefault("timeout-ms", "2000")),
          Long.parseLong(values.getOrDefault("spin-us", "500")),
          values.getOrDefault("client", "netty"));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a number: " + e.getMessage());
    }
  }
}
