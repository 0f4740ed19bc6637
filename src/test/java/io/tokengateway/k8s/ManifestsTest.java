package io.tokengateway.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.tokengateway.config.GatewayConfig;
import io.tokengateway.config.Settings;
import io.tokengateway.metrics.GatewayMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The manifests in k8s/ agree with what the gateway serves and reads: ports, probe paths, variable names,
 * ConfigMap keys, drain timing, the rate budget, and the metric names in the dashboard and alerts.
 * A rename in code fails here.
 */
class ManifestsTest {

  private static final Path K8S = Path.of("k8s");
  private static final Path OVERLAY = K8S.resolve("overlays/redis");
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final List<JsonNode> DOCS = new ArrayList<>();

  @BeforeAll
  static void parse() throws Exception {
    try (Stream<Path> files = Files.walk(K8S)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml") && !p.startsWith(K8S.resolve("overlays")))
          .toList()) {
        DOCS.addAll(documents(f));
      }
    }
  }

  private static List<JsonNode> documents(Path file) throws java.io.IOException {
    List<JsonNode> docs = new ArrayList<>();
    try (var it = YAML.readValues(new YAMLFactory().createParser(file.toFile()), JsonNode.class)) {
      while (it.hasNext()) {
        JsonNode doc = it.next();
        if (doc != null && !doc.isNull() && !doc.isEmpty()) {
          docs.add(doc);
        }
      }
    }
    return docs;
  }

  private static JsonNode kind(String kind) {
    return DOCS.stream().filter(d -> kind.equals(d.path("kind").asText())).findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " in k8s/"));
  }

  private static JsonNode container() {
    return kind("Deployment").at("/spec/template/spec/containers/0");
  }

  private static Settings configMapSettings(Path dir) throws Exception {
    Path file = dir.resolve("gateway.yaml");
    Files.writeString(file, kind("ConfigMap").at("/data/gateway.yaml").asText());
    Map<String, String> env = new java.util.HashMap<>();
    kind("Secret").path("stringData").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
    env.put("SIGNALWIRE_SPACE", "example"); // the placeholder is not a valid space name
    env.put(Settings.CONFIG_ENV, file.toString());
    return Settings.load(env);
  }

  @Test
  void kustomizationsListExistingFiles() throws Exception {
    for (Path dir : List.of(K8S, K8S.resolve("base"), OVERLAY)) {
      JsonNode k = documents(dir.resolve("kustomization.yaml")).get(0);
      for (JsonNode r : k.path("resources")) {
        assertThat(dir.resolve(r.asText())).as(dir + ": " + r.asText()).exists();
      }
      for (JsonNode p : k.path("patches")) {
        if (p.has("path")) {
          assertThat(dir.resolve(p.path("path").asText())).exists();
        }
      }
    }
  }

  /** The cluster-mode overlay: Redis from a Secret, the whole budget shared, and a fallback within it. */
  @Test
  void redisOverlaySharesTheBudgetAndFallsBackWithinIt() throws Exception {
    JsonNode patch = documents(OVERLAY.resolve("deployment-redis.yaml")).get(0);
    JsonNode env = patch.at("/spec/template/spec/containers/0/env");
    Map<String, String> values = new java.util.HashMap<>();
    env.forEach(e -> values.put(e.path("name").asText(), e.path("value").asText()));
    Settings defaults = Settings.load(Map.of());
    Set<String> known = new HashSet<>();
    defaults.keys().forEach(k -> known.add(Settings.envName(k)));
    assertThat(known).containsAll(values.keySet());

    JsonNode secret = documents(OVERLAY.resolve("secret-redis.yaml")).get(0);
    String secretKey = env.findValue("secretKeyRef").path("key").asText();
    assertThat(env.findValue("secretKeyRef").path("name").asText()).isEqualTo(secret.at("/metadata/name").asText());
    assertThat(secret.at("/stringData/" + secretKey).asText()).startsWith("REPLACE_WITH_");
    assertThat(values).containsKey("GATEWAY_REDIS_URL");
    assertThat(values.get("GATEWAY_REDIS_MODE")).as("redis.mode shown").isIn("standalone", "sentinel", "cluster");

    int maxReplicas = kind("HorizontalPodAutoscaler").at("/spec/maxReplicas").asInt();
    int budget = Integer.parseInt(values.get("GATEWAY_UPSTREAM_RATE_LIMIT_PER_SECOND"));
    int replicas = Integer.parseInt(values.get("GATEWAY_CLUSTER_EXPECTED_REPLICAS"));
    assertThat(replicas).as("expected replicas = the HPA's maximum").isEqualTo(maxReplicas);
    assertThat(budget).as("the shared budget within SignalWire's 1,380 POST/s").isLessThanOrEqualTo(1_380);
    assertThat(budget / replicas * maxReplicas).as("the fallback, every pod at its share").isLessThanOrEqualTo(1_380);

    String kustomization = Files.readString(OVERLAY.resolve("kustomization.yaml"));
    assertThat(kustomization).contains("kind: NetworkPolicy").contains("port: 6379").contains("port: 26379");
  }

  @Test
  void portsAndProbesMatchWhatTheGatewayServes(@TempDir Path dir) throws Exception {
    GatewayConfig config = GatewayConfig.from(configMapSettings(dir));
    Map<String, Integer> ports = new java.util.HashMap<>();
    container().path("ports").forEach(p -> ports.put(p.path("name").asText(), p.path("containerPort").asInt()));
    assertThat(ports).containsEntry("http", config.http().port()).containsEntry("management", config.management().port());
    Set<String> served = Set.of("/health/live", "/health/ready");
    for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
      JsonNode get = container().path(probe).path("httpGet");
      assertThat(served).as(probe).contains(get.path("path").asText());
      assertThat(ports).as(probe + " port").containsKey(get.path("port").asText());
    }
    assertThat(container().at("/livenessProbe/httpGet/path").asText()).isEqualTo("/health/live");
    assertThat(container().at("/readinessProbe/httpGet/path").asText()).isEqualTo("/health/ready");

    JsonNode service = DOCS.stream().filter(d -> "Service".equals(d.path("kind").asText())
        && "token-gateway".equals(d.at("/metadata/name").asText())).findFirst().orElseThrow();
    List<String> targets = new ArrayList<>();
    service.path("spec").path("ports").forEach(p -> targets.add(p.path("targetPort").asText()));
    assertThat(targets).as("the ingress Service exposes the API only").containsExactly("http");
  }

  @Test
  void everyVariableAndConfigKeyIsOneTheGatewayReads(@TempDir Path dir) throws Exception {
    Settings defaults = Settings.load(Map.of());
    Set<String> known = new HashSet<>(Settings.ALIASES.keySet());
    defaults.keys().forEach(k -> known.add(Settings.envName(k)));
    known.addAll(List.of(Settings.CONFIG_ENV, "GATEWAY_LOG_LEVEL", "JAVA_TOOL_OPTIONS"));
    container().path("env").forEach(e -> assertThat(known).as("env " + e.path("name").asText())
        .contains(e.path("name").asText()));
    assertThat(container().path("env").findValuesAsText("name")).contains("GATEWAY_UPSTREAM");
    assertThat(container().path("env").toString()).contains("\"value\":\"signalwire\"");
    kind("Secret").path("stringData").fieldNames().forEachRemaining(name -> {
      assertThat(known).as("secret key " + name).contains(name);
      assertThat(kind("Secret").at("/stringData/" + name).asText()).as("a placeholder, never a value")
          .startsWith("REPLACE_WITH_");
    });
    configMapSettings(dir); // unknown keys would throw
    String mountPath = container().path("volumeMounts").get(0).path("mountPath").asText();
    assertThat(container().path("env").toString()).contains(mountPath + "/gateway.yaml");
  }

  @Test
  void drainTimingAndTheRateBudgetHoldTogether(@TempDir Path dir) throws Exception {
    GatewayConfig config = GatewayConfig.from(configMapSettings(dir));
    String preStop = container().at("/lifecycle/preStop/exec/command").toString();
    assertThat(preStop).contains("sleep " + config.shutdown().drainSeconds());
    int grace = kind("Deployment").at("/spec/template/spec/terminationGracePeriodSeconds").asInt();
    assertThat(grace).isGreaterThan(2 * config.shutdown().drainSeconds() + config.shutdown().timeoutSeconds());
    int maxReplicas = kind("HorizontalPodAutoscaler").at("/spec/maxReplicas").asInt();
    assertThat(config.upstream().rateLimit().perSecond() * maxReplicas)
        .as("per-pod limit x max replicas within SignalWire's 1,380 POST/s").isLessThanOrEqualTo(1_380);
    assertThat(kind("Deployment").at("/spec/strategy/rollingUpdate/maxUnavailable").asInt()).isZero();
  }

  /** loadtest/bench.sh measures the JVM the way a pod runs it: the same heap and collector. */
  @Test
  void theBenchmarkRunsWithThePodsHeapAndCollector() throws Exception {
    String limit = container().at("/resources/limits/memory").asText();
    assertThat(limit).endsWith("Mi");
    String options = container().path("env").toString();
    Matcher percent = Pattern.compile("MaxRAMPercentage=(\\d+)").matcher(options);
    assertThat(percent.find()).isTrue();
    long heapMi = Long.parseLong(limit.replace("Mi", "")) * Long.parseLong(percent.group(1)) / 100;
    String bench = Files.readString(Path.of("loadtest/bench.sh"));
    assertThat(bench).contains("-Xmx" + heapMi + "m");
    for (String gc : List.of("UseSerialGC", "UseG1GC", "UseParallelGC", "UseZGC")) {
      assertThat(bench.contains("-XX:+" + gc)).as(gc).isEqualTo(options.contains("-XX:+" + gc));
    }
  }

  @Test
  void podIsLockedDown() {
    JsonNode sc = container().path("securityContext");
    assertThat(sc.path("readOnlyRootFilesystem").asBoolean()).isTrue();
    assertThat(sc.path("allowPrivilegeEscalation").asBoolean()).isFalse();
    assertThat(sc.at("/capabilities/drop/0").asText()).isEqualTo("ALL");
    assertThat(kind("Deployment").at("/spec/template/spec/securityContext/runAsNonRoot").asBoolean()).isTrue();
    assertThat(container().at("/resources/limits/memory").asText()).isNotEmpty();
    assertThat(container().path("env").toString()).contains("MaxRAMPercentage");
  }

  @Test
  void dashboardAndAlertsUseOnlyExportedMetricNames() throws Exception {
    String text = Files.readString(K8S.resolve("grafana-dashboard.json")) + Files.readString(K8S.resolve("base/prometheus-rules.yaml"));
    new ObjectMapper().readTree(Files.readString(K8S.resolve("grafana-dashboard.json")));
    Matcher m = Pattern.compile("gateway_[a-z_]+").matcher(text);
    Set<String> used = new HashSet<>();
    while (m.find()) {
      used.add(m.group().replaceAll("_(bucket|count|sum|max)$", ""));
    }
    assertThat(used).isNotEmpty();
    assertThat(GatewayMetrics.NAMES).containsAll(used);
    for (String alert : List.of("gateway_breaker_state", "gateway_upstream_requests_total", "gateway_requests_total",
        "gateway_request_duration_seconds")) {
      assertThat(Files.readString(K8S.resolve("base/prometheus-rules.yaml"))).contains(alert);
    }
  }
}
