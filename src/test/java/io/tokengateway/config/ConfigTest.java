package io.tokengateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokengateway.config.UpstreamOptions.Mode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Layering, environment names and fail-fast validation of the configuration. */
class ConfigTest {

  @Test
  void envNamesAreUpperSnakeCaseOfTheKey() {
    assertThat(ConfigLoader.envName("upstream.timeoutMs")).isEqualTo("GATEWAY_UPSTREAM_TIMEOUT_MS");
    assertThat(ConfigLoader.envName("guest.allowedAddresses")).isEqualTo("GATEWAY_GUEST_ALLOWED_ADDRESSES");
    assertThat(ConfigLoader.envName("guest.maxTtlSeconds")).isEqualTo("GATEWAY_GUEST_MAX_TTL_SECONDS");
    assertThat(ConfigLoader.envName("upstream.pool.http2MaxSize")).isEqualTo("GATEWAY_UPSTREAM_POOL_HTTP2_MAX_SIZE");
  }

  @Test
  void clusterModeIsOffUntilARedisUrlIsSetAndItsEndpointNeverShowsThePassword() {
    assertThat(GatewayConfig.of(Map.of()).cluster().enabled()).isFalse();
    ClusterOptions on = GatewayConfig.from(ConfigLoader.load(Map.of(
        "GATEWAY_REDIS_URL", "rediss://:hunter2-redis@redis.internal:6380/0",
        "GATEWAY_CLUSTER_EXPECTED_REPLICAS", "10"))).cluster();
    assertThat(on.enabled()).isTrue();
    assertThat(on.expectedReplicas()).isEqualTo(10);
    assertThat(on.endpoint()).isEqualTo("rediss://redis.internal:6380").doesNotContain("hunter2");
    assertThat(on.url().toString()).doesNotContain("hunter2");
    assertThatThrownBy(() -> GatewayConfig.of(Map.of("redis.url", "http://redis:6379")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("GATEWAY_REDIS_URL");
    assertThatThrownBy(() -> GatewayConfig.of(Map.of("cluster.expectedReplicas", -1)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("cluster.expectedReplicas");
  }

  @Test
  void sentinelAndClusterModesTakeANodeListAndPrintItWithoutCredentials() {
    assertThat(GatewayConfig.of(Map.of()).cluster().mode()).isEqualTo(ClusterOptions.Mode.STANDALONE);
    ClusterOptions sentinel = GatewayConfig.from(ConfigLoader.load(Map.of(
        "GATEWAY_REDIS_MODE", "sentinel", "GATEWAY_REDIS_SENTINEL_MASTER", "mymaster",
        "GATEWAY_REDIS_URL", "redis://:hunter2-redis@s1:26379, redis://app:hunter2-redis@s2:26379/0",
        "GATEWAY_CLUSTER_EXPECTED_REPLICAS", "4"))).cluster();
    assertThat(sentinel.mode()).isEqualTo(ClusterOptions.Mode.SENTINEL);
    assertThat(sentinel.sentinelMaster()).isEqualTo("mymaster");
    assertThat(sentinel.nodes()).hasSize(2);
    assertThat(sentinel.endpoint()).isEqualTo("redis://s1:26379,redis://s2:26379").doesNotContain("hunter2");
    ClusterOptions cluster = GatewayConfig.of(Map.of("redis.mode", "CLUSTER", "redis.url",
        "rediss://:hunter2-redis@n1:6379,rediss://n2:6379,rediss://n3", "cluster.expectedReplicas", 4)).cluster();
    assertThat(cluster.mode()).isEqualTo(ClusterOptions.Mode.CLUSTER);
    assertThat(cluster.endpoint()).isEqualTo("rediss://n1:6379,rediss://n2:6379,rediss://n3");
  }

  @Test
  void aBadModeOrNodeListStopsTheStartWithOneLineNamingTheSetting() {
    Map<Map<String, Object>, String> bad = Map.of(
        Map.of("redis.mode", "replicated"), "redis.mode (GATEWAY_REDIS_MODE) must be standalone, sentinel or cluster",
        Map.of("redis.url", "redis://a:6379,redis://b:6379"), "a list needs redis.mode (GATEWAY_REDIS_MODE)",
        Map.of("redis.mode", "sentinel", "redis.url", "redis://s1:26379"),
        "redis.sentinelMaster (GATEWAY_REDIS_SENTINEL_MASTER) must name the master set",
        Map.of("redis.mode", "cluster", "redis.url", "redis://a:6379/2,redis://b:6379"),
        "Redis Cluster has database 0 only",
        Map.of("redis.mode", "cluster", "redis.url", "redis://a:6379,rediss://b:6379"), "mixes redis:// and rediss://",
        Map.of("redis.mode", "cluster", "redis.url", "redis://a:6379,http://b"), "redis.url (GATEWAY_REDIS_URL) must look like");
    bad.forEach((settings, message) -> {
      Map<String, Object> s = new java.util.HashMap<>(settings);
      s.putIfAbsent("redis.url", "redis://redis:6379/0");
      s.put("cluster.expectedReplicas", 2);
      assertThatThrownBy(() -> GatewayConfig.of(s)).as(settings.toString()).isInstanceOf(ConfigException.class)
          .hasMessageContaining(message).hasMessageNotContaining("\n");
    });
  }

  /** No fallback share is safe for every fleet: cluster mode does not start without the number of pods. */
  @Test
  void clusterModeRefusesToStartWithoutExpectedReplicas() {
    assertThat(GatewayConfig.of(Map.of()).cluster().expectedReplicas()).as("unset by default").isZero();
    assertThatThrownBy(() -> GatewayConfig.from(ConfigLoader.load(Map.of("GATEWAY_REDIS_URL", "redis://redis:6379/0"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("cluster.expectedReplicas (GATEWAY_CLUSTER_EXPECTED_REPLICAS) must be set in cluster mode")
        .hasMessageNotContaining("\n");
    ClusterOptions set = GatewayConfig.of(Map.of("redis.url", "redis://redis:6379/0", "cluster.expectedReplicas", 3))
        .cluster();
    assertThat(set.expectedReplicas()).isEqualTo(3);
    assertThat(set.failuresToUnavailable()).isEqualTo(3);
    assertThat(set.warmupSeconds()).isEqualTo(10);
  }

  @Test
  void theFreshWindowMustBePositiveAndLeaveRoomForTheMargin() {
    assertThatThrownBy(() -> GatewayConfig.from(ConfigLoader.load(Map.of("GATEWAY_CACHE_EMBED_FRESH_SECONDS", "0"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("cache.embed.freshSeconds")
        .hasMessageContaining("GATEWAY_CACHE_EMBED_FRESH_SECONDS");
    assertThatThrownBy(() -> GatewayConfig.of(Map.of("cache.embed.freshSeconds", 3301)))
        .isInstanceOf(ConfigException.class)
        .hasMessage("cache.embed.freshSeconds (3301) + cache.embed.expiryMarginSeconds (300) must not exceed "
            + "cache.embed.tokenLifetimeSeconds (3600)");
    assertThat(GatewayConfig.of(Map.of("cache.embed.freshSeconds", 3300)).cache().freshSeconds()).isEqualTo(3300);
    assertThatThrownBy(() -> GatewayConfig.of(Map.of("cache.embed.tokenLifetimeSeconds", 800)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("must not exceed");
  }

  @Test
  void defaultsRunOnTheSimulator() {
    GatewayConfig c = GatewayConfig.from(ConfigLoader.load(Map.of()));
    assertThat(c.upstream().mode()).isEqualTo(Mode.SIMULATOR);
    assertThat(c.http().port()).isEqualTo(8080);
    assertThat(c.http().maxBodyBytes()).isEqualTo(4096);
    assertThat(c.upstream().timeoutMs()).isEqualTo(5000);
    assertThat(c.guest().maxTtlSeconds()).isEqualTo(7200);
    assertThat(c.shutdown().drainSeconds()).isEqualTo(5);
    assertThat(c.embedTokenPattern().pattern()).isEqualTo("^c2[ct]_[A-Za-z0-9]{8,128}$");
    assertThat(c.cache().freshSeconds()).isEqualTo(600);
  }

  @Test
  void everyKeyIsOverriddenByItsEnvironmentVariable() {
    Settings defaults = ConfigLoader.load(Map.of());
    Map<String, String> env = new HashMap<>();
    for (String key : defaults.keys()) {
      env.put(ConfigLoader.envName(key), "42");
    }
    Settings overridden = ConfigLoader.load(env);
    for (String key : defaults.keys()) {
      JsonNode value = overridden.tree().at("/" + key.replace('.', '/'));
      assertThat(value.isArray() ? value.get(0).asText() : value.asText()).as(key).isEqualTo("42");
    }
    assertThat(overridden.warnings()).isEmpty();
  }

  @Test
  void fixedOperatorNamesApply() {
    UUID a = UUID.randomUUID();
    UUID b = UUID.randomUUID();
    GatewayConfig c = GatewayConfig.from(ConfigLoader.load(Map.of(
        "GATEWAY_PORT", "9999",
        "SIGNALWIRE_SPACE", "example",
        "SIGNALWIRE_PROJECT_ID", "p",
        "SIGNALWIRE_API_TOKEN", "t",
        "GATEWAY_GUEST_ALLOWED_ADDRESSES", a + ", " + b,
        "GATEWAY_GUEST_MAX_TTL_SECONDS", "600",
        "GATEWAY_UPSTREAM_TIMEOUT_MS", "1500")));
    assertThat(c.http().port()).isEqualTo(9999);
    assertThat(c.upstream().mode()).isEqualTo(Mode.SIGNALWIRE);
    assertThat(c.upstream().baseUrl()).isEqualTo("https://example.signalwire.com");
    assertThat(c.guest().allowedAddresses()).containsExactlyInAnyOrder(a, b);
    assertThat(c.guest().maxTtlSeconds()).isEqualTo(600);
    assertThat(c.upstream().timeoutMs()).isEqualTo(1500);
  }

  @Test
  void baseUrlOverridesTheSpaceAndExplicitModeWins() {
    GatewayConfig c = GatewayConfig.from(ConfigLoader.load(Map.of(
        "SIGNALWIRE_SPACE", "example", "SIGNALWIRE_BASE_URL", "http://127.0.0.1:9000/",
        "GATEWAY_UPSTREAM", "simulator")));
    assertThat(c.upstream().mode()).isEqualTo(Mode.SIMULATOR);
    assertThat(c.upstream().baseUrl()).isEqualTo("http://127.0.0.1:9000");
  }

  @Test
  void signalWireModeWithoutCredentialsFailsFast() {
    assertThatThrownBy(() -> GatewayConfig.from(ConfigLoader.load(Map.of("SIGNALWIRE_SPACE", "example"))))
        .isInstanceOf(ConfigException.class)
        .hasMessage("upstream mode signalwire needs SIGNALWIRE_PROJECT_ID and SIGNALWIRE_API_TOKEN");
    assertThatThrownBy(() -> GatewayConfig.from(ConfigLoader.load(Map.of("GATEWAY_UPSTREAM", "signalwire"))))
        .hasMessageContaining("SIGNALWIRE_SPACE or SIGNALWIRE_BASE_URL");
  }

  @Test
  void badValuesFailWithOneLineNamingTheSetting() {
    assertThatThrownBy(() -> GatewayConfig.from(ConfigLoader.load(Map.of("GATEWAY_UPSTREAM_TIMEOUT_MS", "soon"))))
        .hasMessage("upstream.timeoutMs (GATEWAY_UPSTREAM_TIMEOUT_MS) must be a whole number, got 'soon'");
    assertThatThrownBy(() -> GatewayConfig.from(ConfigLoader.load(Map.of("GATEWAY_PORT", "70000"))))
        .hasMessageContaining("http.port");
    assertThatThrownBy(() -> GatewayConfig.from(ConfigLoader.load(Map.of("GATEWAY_UPSTREAM", "mars"))))
        .hasMessageContaining("'simulator' or 'signalwire'");
    assertThatThrownBy(() -> GatewayConfig.from(ConfigLoader.load(Map.of("GATEWAY_GUEST_ALLOWED_ADDRESSES", "x"))))
        .hasMessageContaining("not a UUID");
    assertThatThrownBy(() -> GatewayConfig.from(ConfigLoader.load(Map.of("GATEWAY_EMBED_TOKEN_PATTERN", "(["))))
        .hasMessageContaining("embed.tokenPattern");
    assertThatThrownBy(() -> GatewayConfig.from(ConfigLoader.load(Map.of("GATEWAY_SIMULATOR_FAILURE_RATE", "2"))))
        .hasMessageContaining("simulator.failureRate");
    assertThatThrownBy(() -> GatewayConfig.from(ConfigLoader.load(
        Map.of("GATEWAY_UPSTREAM_MAX_RESPONSE_BYTES", "100"))))
        .hasMessage("upstream.maxResponseBytes (GATEWAY_UPSTREAM_MAX_RESPONSE_BYTES) must be between 1024 and 16777216,"
            + " got '100'");
  }

  @Test
  void upstreamAnswersAreBoundedByDefault() {
    GatewayConfig c = GatewayConfig.from(ConfigLoader.load(Map.of()));
    assertThat(c.upstream().maxResponseBytes()).isEqualTo(65_536);
    assertThat(GatewayConfig.from(ConfigLoader.load(Map.of("GATEWAY_UPSTREAM_MAX_RESPONSE_BYTES", "4096")))
        .upstream().maxResponseBytes()).isEqualTo(4_096);
  }

  @Test
  void connectionSettingsHaveSafeDefaultsAndRefuseNonsense() {
    GatewayConfig c = GatewayConfig.of(Map.of());
    assertThat(c.http().idleTimeoutSeconds()).isEqualTo(60);
    assertThat(c.http().requestTimeoutSeconds()).isEqualTo(10);
    assertThat(c.http().maxConnections()).isEqualTo(10_000);
    assertThat(c.http().h2c()).isFalse();
    assertThat(c.management().maxConnections()).isEqualTo(100);
    assertThatThrownBy(() -> GatewayConfig.from(ConfigLoader.load(Map.of("GATEWAY_HTTP_IDLE_TIMEOUT_SECONDS", "0"))))
        .hasMessage("http.idleTimeoutSeconds (GATEWAY_HTTP_IDLE_TIMEOUT_SECONDS) must be between 1 and 3600, got '0'");
    assertThatThrownBy(() -> GatewayConfig.from(ConfigLoader.load(Map.of("GATEWAY_HTTP_REQUEST_TIMEOUT_SECONDS", "-1"))))
        .hasMessageContaining("http.requestTimeoutSeconds");
    assertThatThrownBy(() -> GatewayConfig.from(ConfigLoader.load(Map.of("GATEWAY_HTTP_MAX_CONNECTIONS", "0"))))
        .hasMessageContaining("http.maxConnections");
    assertThatThrownBy(() -> GatewayConfig.from(ConfigLoader.load(Map.of("GATEWAY_HTTP_H2C", "yes"))))
        .hasMessage("http.h2c (GATEWAY_HTTP_H2C) must be true or false, got 'yes'");
    assertThatThrownBy(() -> GatewayConfig.from(ConfigLoader.load(Map.of("GATEWAY_MANAGEMENT_MAX_CONNECTIONS", "none"))))
        .hasMessageContaining("management.maxConnections");
  }

  @Test
  void secretsAreNeverEchoedInErrorsOrToString() {
    assertThatThrownBy(() -> GatewayConfig.of(Map.of("signalwire.apiToken", List.of("PTxyz"))))
        .hasMessageContaining("signalwire.apiToken").hasMessageNotContaining("PTxyz");
    GatewayConfig c = GatewayConfig.from(ConfigLoader.load(Map.of("SIGNALWIRE_BASE_URL", "http://127.0.0.1:1",
        "SIGNALWIRE_PROJECT_ID", "p", "SIGNALWIRE_API_TOKEN", "PTsupersecret")));
    assertThat(c.toString()).doesNotContain("PTsupersecret");
    assertThat(c.upstream().apiToken().reveal()).isEqualTo("PTsupersecret");
  }

  @Test
  void configFileLayersOverDefaultsAndRejectsUnknownKeys(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("g.yaml");
    Files.writeString(file, "upstream:\n  timeoutMs: 1234\n");
    assertThat(GatewayConfig.from(ConfigLoader.load(Map.of("GATEWAY_CONFIG", file.toString()))).upstream().timeoutMs())
        .isEqualTo(1234);
    assertThat(GatewayConfig.from(ConfigLoader.load(Map.of("GATEWAY_CONFIG", file.toString(),
        "GATEWAY_UPSTREAM_TIMEOUT_MS", "99"))).upstream().timeoutMs()).as("env beats file").isEqualTo(99);
    Files.writeString(file, "upstream:\n  timeoutMillis: 1\n");
    assertThatThrownBy(() -> ConfigLoader.load(Map.of("GATEWAY_CONFIG", file.toString())))
        .hasMessageContaining("unknown setting 'upstream.timeoutMillis'");
    assertThatThrownBy(() -> ConfigLoader.load(Map.of("GATEWAY_CONFIG", dir.resolve("none.yaml").toString())))
        .hasMessageContaining("not a readable file");
  }

  @Test
  void aFileValueTakesTheShapeOfItsDefault(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("g.yaml");
    Files.writeString(file, "http:\n  trustedProxies: 10.0.0.0/8, fd00::/8\n"
        + "  cors:\n    origins: [' https://a.example.com ', '']\nsignalwire:\n  apiToken: 42\ntracing:\n");
    GatewayConfig c = GatewayConfig.from(ConfigLoader.load(Map.of("GATEWAY_CONFIG", file.toString())));
    assertThat(c.trustedProxies()).as("a list from a comma-separated string").map(Cidr::toString)
        .containsExactly("10.0.0.0/8", "fd00::/8");
    assertThat(c.cors().origins()).as("items trimmed, blanks dropped").containsExactly("https://a.example.com");
    assertThat(c.upstream().apiToken().reveal()).as("a number for a text setting").isEqualTo("42");
    assertThat(c.tracing()).as("an empty section keeps its defaults").isEqualTo(GatewayConfig.of(Map.of()).tracing());
    assertThatThrownBy(() -> GatewayConfig.of(Map.of("upstream.timeoutMillis", 1)))
        .hasMessage("unknown setting 'upstream.timeoutMillis' in overrides");
    assertThatThrownBy(() -> GatewayConfig.of(Map.of("upstream.timeoutMs", 1.5)))
        .hasMessage("upstream.timeoutMs (GATEWAY_UPSTREAM_TIMEOUT_MS) must be a whole number, got '1.5'");
  }

  @Test
  void logSettingsComeFromTheEnvironmentAndBadOnesFailNamingTheSetting() {
    LogOptions log = GatewayConfig.from(ConfigLoader.load(Map.of("GATEWAY_LOG_ACCESS", "Sampled",
        "GATEWAY_LOG_ACCESS_SAMPLE_RATE", "0.25", "GATEWAY_LOG_REJECTION_LINES_PER_INTERVAL", "3",
        "GATEWAY_LOG_REJECTION_INTERVAL_SECONDS", "60"))).log();
    assertThat(log).isEqualTo(new LogOptions(LogOptions.Access.SAMPLED, 0.25, 3, 60));
    assertThat(GatewayConfig.of(Map.of()).log()).as("the defaults")
        .isEqualTo(new LogOptions(LogOptions.Access.ALL, 0.01, 5, 10));
    assertThatThrownBy(() -> GatewayConfig.from(ConfigLoader.load(Map.of("GATEWAY_LOG_ACCESS", "some"))))
        .hasMessage("log.access (GATEWAY_LOG_ACCESS) must be 'all', 'errors' or 'sampled', got 'some'");
    assertThatThrownBy(() -> GatewayConfig.from(ConfigLoader.load(Map.of("GATEWAY_LOG_ACCESS_SAMPLE_RATE", "2"))))
        .hasMessageContaining("log.accessSampleRate (GATEWAY_LOG_ACCESS_SAMPLE_RATE) must be between");
    assertThatThrownBy(() -> GatewayConfig.from(ConfigLoader.load(
        Map.of("GATEWAY_LOG_REJECTION_INTERVAL_SECONDS", "0")))).hasMessageContaining("log.rejectionIntervalSeconds");
    assertThat(ConfigLoader.load(Map.of("GATEWAY_LOG_LEVEL", "WARN")).warnings())
        .as("GATEWAY_LOG_LEVEL is logback.xml's, not a setting, and no unknown variable").isEmpty();
  }

  @Test
  void unknownGatewayVariablesAreReported() {
    assertThat(ConfigLoader.load(Map.of("GATEWAY_UPSTREAM_TIMEOUT", "5")).warnings())
        .containsExactly("ignoring unknown environment variable GATEWAY_UPSTREAM_TIMEOUT");
  }
}
