package io.tokengateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tokengateway.support.Await;
import io.tokengateway.support.GatewayHarness;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code java -jar target/token-gateway.jar} on the JVM running this test (Java 17, and Java 25 in the suite's
 * second run, pom.xml): it starts, serves an embed and a guest token and a scrape, stops on SIGTERM with 0, writes
 * only JSON lines to stdout, the queued ones included, and nothing at all to stderr: no warning from the JVM or
 * a library (the {@code sun.misc.Unsafe} warnings of a disruptor, say). Runs after the package phase.
 */
class JarStartIT {

  private static final Path JAR = Path.of("target", "token-gateway.jar");
  private static final Pattern READY = Pattern.compile("token-gateway ready on port (\\d+)");

  @Test
  void theJarStartsServesAndStopsWithNothingOnStderr() throws Exception {
    assertThat(JAR).as("the built jar (mvn verify builds it before this test)").isRegularFile();
    int java = Runtime.version().feature();
    Path out = Path.of("target", "jar-start-java" + java + ".out");
    Path err = Path.of("target", "jar-start-java" + java + ".err");
    ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", JAR.toString()).redirectOutput(out.toFile()).redirectError(err.toFile());
    Map<String, String> env = builder.environment();
    // only this run's settings; a JVM options variable would make the JVM say "Picked up ..." on stderr
    env.keySet().removeIf(k -> k.startsWith("GATEWAY_") || k.startsWith("SIGNALWIRE_") || k.endsWith("JAVA_OPTIONS")
        || k.equals("JAVA_TOOL_OPTIONS"));
    env.putAll(Map.of("GATEWAY_PORT", "0", "GATEWAY_MANAGEMENT_PORT", "0", "GATEWAY_SHUTDOWN_DRAIN_SECONDS", "0"));
    Process gateway = builder.start();
    try {
      Await.until(() -> port(out) > 0 || !gateway.isAlive(), 60_000, "the gateway's ready line");
      assertThat(gateway.isAlive()).as("running; stderr: %s", read(err)).isTrue();
      String base = "http://127.0.0.1:" + port(out);
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
      assertThat(post(http, base + "/api/fabric/embeds/tokens", "{\"token\":\"" + GatewayHarness.C2C + "\"}"))
          .isEqualTo(201);
      assertThat(post(http, base + "/api/fabric/guests/tokens",
          "{\"allowed_addresses\":[\"" + GatewayHarness.ADDRESS + "\"]}")).isEqualTo(201);
      assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).timeout(Duration.ofSeconds(20))
          .build(), HttpResponse.BodyHandlers.ofString()).body()).contains("gateway_requests_total");

      gateway.destroy(); // SIGTERM
      assertThat(gateway.waitFor(30, TimeUnit.SECONDS)).as("stopped on SIGTERM").isTrue();
      assertThat(gateway.exitValue()).isZero();
    } finally {
      gateway.destroyForcibly();
    }
    assertThat(read(err)).as("stderr of java -jar on Java %d", java).isEmpty();
    List<JsonNode> lines = new ArrayList<>();
    ObjectMapper json = new ObjectMapper();
    for (String line : Files.readAllLines(out)) {
      JsonNode node = json.readTree(line);
      assertThat(node.isObject()).as("a JSON object per line: %s", line).isTrue();
      assertThat(node.has("@timestamp") && node.has("message") && node.has("logger_name") && node.has("thread_name")
          && node.has("level")).as("the schema's fields: %s", line).isTrue();
      lines.add(node);
    }
    assertThat(lines).filteredOn(n -> "access".equals(n.path("logger_name").asText())).hasSize(3);
    assertThat(lines.get(lines.size() - 1).path("message").asText()).as("the last line, written at exit")
        .isEqualTo("token-gateway stopped");
  }

  private static int post(HttpClient http, String url, String body) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  /** The API port from the ready line, 0 before it. */
  private static int port(Path out) {
    Matcher m = READY.matcher(read(out));
    return m.find() ? Integer.parseInt(m.group(1)) : 0;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return "";
    }
  }
}
