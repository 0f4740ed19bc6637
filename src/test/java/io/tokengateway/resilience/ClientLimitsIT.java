package io.tokengateway.resilience;

import static io.tokengateway.support.Answers.assertError;
import static io.tokengateway.support.GatewayHarness.C2C;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokengateway.support.FakeSignalWire;
import io.tokengateway.support.GatewayHarness;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Per-client token buckets, and who the client is behind trusted proxies. */
@ExtendWith(VertxExtension.class)
class ClientLimitsIT {

  private static final String EMBEDS = "/api/fabric/embeds/tokens";
  private static final String BODY = new JsonObject().put("token", C2C).encode();

  private static HttpResponse<Buffer> embedFrom(GatewayHarness gw, String forwardedFor) {
    MultiMap h = MultiMap.caseInsensitiveMultiMap();
    if (forwardedFor != null) {
      h.add("X-Forwarded-For", forwardedFor);
    }
    return gw.post(EMBEDS, "application/json", BODY, h);
  }

  @Test
  void tooManyRequestsAfterTheBurstCacheHitsIncluded(Vertx vertx) {
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    GatewayHarness gw = GatewayHarness.start(vertx, upstream, Map.of("client.rateLimit.perSecond", 1,
        "client.rateLimit.burst", 3));
    try {
      for (int i = 0; i < 3; i++) {
        assertThat(gw.embed(C2C).statusCode()).isEqualTo(201);
      }
      HttpResponse<Buffer> limited = gw.embed(C2C);
      assertError(limited, 429, "Too Many Requests");
      assertThat(limited.getHeader("Retry-After")).isEqualTo("1");
      assertThat(gw.postJson(EMBEDS, "not json").statusCode()).as("every token request counts").isEqualTo(429);
      assertThat(gw.get("/health/ready").statusCode()).as("health is not limited").isEqualTo(200);
      assertThat(upstream.calls()).isEqualTo(1);
    } finally {
      gw.stop();
    }
  }

  @Test
  void forwardedForIsHonouredOnlyFromTrustedProxies(Vertx vertx) {
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    GatewayHarness untrusting = GatewayHarness.start(vertx, upstream, Map.of("client.rateLimit.perSecond", 1,
        "client.rateLimit.burst", 2));
    GatewayHarness behindProxy = GatewayHarness.start(vertx, upstream, Map.of("client.rateLimit.perSecond", 1,
        "client.rateLimit.burst", 2, "http.trustedProxies", "127.0.0.0/8, 10.0.0.0/8"));
    try {
      assertThat(embedFrom(untrusting, "203.0.113.1").statusCode()).isEqualTo(201);
      assertThat(embedFrom(untrusting, "203.0.113.2").statusCode()).isEqualTo(201);
      assertThat(embedFrom(untrusting, "203.0.113.3").statusCode())
          .as("a spoofed X-Forwarded-For from an untrusted peer changes nothing").isEqualTo(429);

      for (int i = 0; i < 2; i++) {
        assertThat(embedFrom(behindProxy, "198.51.100.7, 10.1.2.3").statusCode()).isEqualTo(201);
      }
      assertThat(embedFrom(behindProxy, "198.51.100.7, 10.1.2.3").statusCode())
          .as("the noisy client is limited").isEqualTo(429);
      assertThat(embedFrom(behindProxy, "1.2.3.4, 198.51.100.8").statusCode())
          .as("another client is not; the right-most untrusted hop counts").isEqualTo(201);
      assertThat(embedFrom(behindProxy, "198.51.100.8").statusCode()).isEqualTo(201);
      assertThat(embedFrom(behindProxy, "198.51.100.8").statusCode()).isEqualTo(429);
    } finally {
      untrusting.stop();
      behindProxy.stop();
    }
  }
  @Test
  void forwardedHopsThatAreNotLiteralsAreNeverLookedUp(Vertx vertx) throws Exception {
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    GatewayHarness gw = GatewayHarness.start(vertx, upstream, Map.of("http.trustedProxies", "127.0.0.0/8"));
    try {
      java.util.List<String> hops = new java.util.ArrayList<>(java.util.List.of("999.1.1.1", "256.0.0.1",
          "::ffff:999.0.0.1", "1.2.3", "gateway.example"));
      for (int i = 0; i < 50; i++) {
        hops.add((300 + i) + ".1.1.1");
      }
      java.util.List<Integer> statuses = new java.util.ArrayList<>();
      java.util.List<String> lookups = io.tokengateway.support.NameLookups.during(() -> {
        for (String hop : hops) {
          statuses.add(embedFrom(gw, "198.51.100.7, " + hop).statusCode());
        }
      });
      assertThat(lookups).as("names looked up while serving").doesNotContainAnyElementsOf(hops).isEmpty();
      assertThat(statuses).as("a malformed hop: the proxy is the client").containsOnly(201);
    } finally {
      gw.stop();
    }
  }

  @Test
  void ipv6ClientsBehindAProxyHaveOneBucketPerSlash64(Vertx vertx) {
    FakeSignalWire upstream = FakeSignalWire.start(vertx);
    GatewayHarness gw = GatewayHarness.start(vertx, upstream, Map.of("client.rateLimit.perSecond", 1,
        "client.rateLimit.burst", 2, "http.trustedProxies", "127.0.0.0/8"));
    try {
      assertThat(embedFrom(gw, "2001:db8:1:2::1").statusCode()).isEqualTo(201);
      assertThat(embedFrom(gw, "2001:db8:1:2:aaaa::2").statusCode()).isEqualTo(201);
      assertThat(embedFrom(gw, "[2001:db8:1:2:ffff:ffff:ffff:ffff]").statusCode())
          .as("a third address in the same /64 is the same client").isEqualTo(429);
      assertThat(embedFrom(gw, "2001:db8:1:3::1").statusCode()).as("the next /64 is another client").isEqualTo(201);
      assertThat(embedFrom(gw, "203.0.113.9").statusCode()).isEqualTo(201);
      assertThat(embedFrom(gw, "::ffff:203.0.113.9").statusCode()).isEqualTo(201);
      assertThat(embedFrom(gw, "203.0.113.9").statusCode()).as("IPv4 and its mapped form are one client")
          .isEqualTo(429);
      assertThat(embedFrom(gw, "203.0.113.10").statusCode()).as("IPv4 stays per address").isEqualTo(201);
    } finally {
      gw.stop();
    }
  }
}
