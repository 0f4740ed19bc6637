package io.tokengateway.guest;

import static io.tokengateway.support.Answers.assertError;
import static io.tokengateway.support.Await.await;
import static io.tokengateway.support.GatewayHarness.ADDRESS;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokengateway.support.FakeSignalWire;
import io.tokengateway.support.GatewayHarness;
import io.tokengateway.support.RedisSupport;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.net.ServerSocket;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Cluster mode: two gateways (two Vert.x instances, as two pods) share one quota in the real Redis. */
@ExtendWith(VertxExtension.class)
class SharedQuotaIT {

  static final String GUESTS = "/api/fabric/guests/tokens";
  static final String BODY = "{\"allowed_addresses\":[\"" + ADDRESS + "\"]}";

  private Vertx vertx;
  private Vertx otherPod;
  private RedisSupport redis;
  private FakeSignalWire upstream;
  private final List<GatewayHarness> started = new ArrayList<>();

  @BeforeEach
  void redis(Vertx vertx) {
    RedisSupport.assumeRunning();
    this.vertx = vertx;
    this.otherPod = Vertx.vertx();
    this.redis = new RedisSupport(vertx);
    this.upstream = FakeSignalWire.start(vertx);
  }

  @AfterEach
  void stop() {
    started.forEach(GatewayHarness::stop);
    if (redis != null) {
      redis.close();
      await(otherPod.close());
    }
  }

  private GatewayHarness pod(Vertx on, Map<String, ?> extra) {
    Map<String, Object> s = redis.settings(extra);
    GatewayHarness gw = GatewayHarness.start(on, upstream, s);
    started.add(gw);
    return gw;
  }

  private static HttpResponse<Buffer> mint(GatewayHarness gw, String authorization) {
    MultiMap h = MultiMap.caseInsensitiveMultiMap();
    if (authorization != null) {
      h.add("Authorization", authorization);
    }
    return gw.post(GUESTS, "application/json", BODY, h);
  }

  @Test
  void twoPodsShareOneQuotaKeyedByAHashOfTheAddress() {
    Map<String, Object> quota = Map.of("guest.quota.perClientPerHour", 3);
    GatewayHarness one = pod(vertx, quota);
    GatewayHarness two = pod(otherPod, quota);

    assertThat(mint(one, null).statusCode()).isEqualTo(201);
    assertThat(mint(two, null).statusCode()).isEqualTo(201);
    assertThat(mint(one, null).statusCode()).isEqualTo(201);
    HttpResponse<Buffer> over = mint(two, null);
    assertError(over, 429, "Too Many Requests");
    assertThat(Integer.parseInt(over.getHeader("Retry-After"))).isBetween(3_590, 3_600);
    assertError(mint(one, null), 429, "Too Many Requests");
    assertThat(upstream.calls()).isEqualTo(3);

    List<String> keys = redis.keys().stream().filter(k -> k.contains("guest:")).toList();
    assertThat(keys).hasSize(1);
    assertThat(keys.get(0)).matches(java.util.regex.Pattern.quote(redis.prefix) + "guest:quota:[0-9a-f]{64}")
        .doesNotContain("127.0.0.1");
    assertThat(redis.contents().values()).noneMatch(v -> v.contains("127.0.0.1"));
  }

  @Test
  void signedInCallersAreKeyedByAHashOfTheirSubject() {
    Map<String, Object> s = new HashMap<>(Map.of("guest.quota.perClientPerHour", 1, "guest.jwt.secret", Jwts.HS_SECRET,
        "guest.jwt.issuer", Jwts.ISSUER, "guest.jwt.audience", Jwts.AUDIENCE));
    GatewayHarness one = pod(vertx, s);
    GatewayHarness two = pod(otherPod, s);
    String alice = "Bearer " + Jwts.hs256(Jwts.HS_SECRET, Jwts.claims(Instant.now(), "alice@example.com").build());

    assertThat(mint(one, alice).statusCode()).isEqualTo(201);
    assertError(mint(two, alice), 429, "Too Many Requests");
    assertThat(redis.keys()).filteredOn(k -> k.contains("guest:quota:")).hasSize(1);
    assertThat(redis.keys()).allSatisfy(k -> assertThat(k).doesNotContain("alice"));
    assertThat(redis.contents().values()).noneMatch(v -> v.contains("alice"));
  }

  @Test
  void withoutRedisEachPodKeepsItsOwnCount() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    Map<String, Object> s = new HashMap<>(Map.of("guest.quota.perClientPerHour", 1, "redis.url",
        RedisSupport.url(closed)));
    GatewayHarness one = pod(vertx, s);
    GatewayHarness two = pod(otherPod, s);

    assertThat(mint(one, null).statusCode()).isEqualTo(201);
    assertError(mint(one, null), 429, "Too Many Requests");
    assertThat(mint(two, null).statusCode()).as("the other pod's own map").isEqualTo(201);
    assertThat(upstream.calls()).isEqualTo(2);
  }
}
