package io.tokengateway.config;

import java.util.List;

/** Browser access ({@code http.cors}): the exact origins a page may call from ({@code *} = any), preflight lifetime. */
public record CorsOptions(List<String> origins, @Range(max = 86_400) int maxAgeSeconds) {
  public CorsOptions {
    origins = origins.stream().map(o -> o.replaceAll("/+$", "")).toList();
    for (String o : origins) {
      if (!o.equals("*") && !o.matches("https?://[^/\\s]+")) {
        throw new ConfigException("http.cors.origins (GATEWAY_HTTP_CORS_ORIGINS) holds '" + o
            + "': use exact origins like https://www.example.com");
      }
    }
  }
}
