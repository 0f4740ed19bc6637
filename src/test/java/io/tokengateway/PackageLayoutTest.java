package io.tokengateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package rules of {@code src/main}, read from each file's imports and fully qualified references: no cycle
 * between packages (a subpackage is a package of its own), {@code core} imports no other package of the gateway,
 * the root holds only wiring, and the guest checks never reach into the simulator.
 */
class PackageLayoutTest {

  private static final Path MAIN = Path.of("src", "main", "java");
  private static final String ROOT = "io.tokengateway";
  private static final Pattern REFERENCE = Pattern.compile("\\b(io\\.tokengateway(?:\\.[a-z][a-z0-9]*)*)\\.[A-Z]");

  @Test
  void noPackageCycles() throws IOException {
    Map<String, Set<String>> uses = dependencies();
    List<String> cycles = new ArrayList<>();
    for (String from : uses.keySet()) {
      for (String to : uses.get(from)) {
        if (reaches(uses, to, from, new TreeSet<>())) {
          cycles.add(from + " -> " + to);
        }
      }
    }
    assertThat(cycles).as("package dependencies that close a cycle").isEmpty();
  }

  @Test
  void coreIsALeafAndGuestNeverUsesTheSimulator() throws IOException {
    Map<String, Set<String>> uses = dependencies();
    assertThat(uses.getOrDefault(ROOT + ".core", Set.of())).as("core's dependencies").isEmpty();
    assertThat(uses.getOrDefault(ROOT + ".guest", Set.of())).doesNotContain(ROOT + ".upstream.simulator");
    assertThat(uses.keySet()).as("packages").contains(ROOT + ".http", ROOT + ".http.connection", ROOT + ".core");
  }

  /** Each package of the gateway and the other packages of the gateway its files name. */
  private static Map<String, Set<String>> dependencies() throws IOException {
    Map<String, Set<String>> uses = new TreeMap<>();
    try (Stream<Path> files = Files.walk(MAIN.resolve(ROOT.replace('.', '/')))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        String pkg = MAIN.relativize(file.getParent()).toString().replace('/', '.');
        Set<String> out = uses.computeIfAbsent(pkg, k -> new TreeSet<>());
        Matcher m = REFERENCE.matcher(Files.readString(file));
        while (m.find()) {
          if (!m.group(1).equals(pkg)) {
            out.add(m.group(1));
          }
        }
      }
    }
    return uses;
  }

  private static boolean reaches(Map<String, Set<String>> uses, String from, String to, Set<String> seen) {
    if (from.equals(to)) {
      return true;
    }
    if (!seen.add(from)) {
      return false;
    }
    for (String next : uses.getOrDefault(from, Set.of())) {
      if (reaches(uses, next, to, seen)) {
        return true;
      }
    }
    return false;
  }
}
