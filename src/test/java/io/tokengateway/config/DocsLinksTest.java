package io.tokengateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every relative link of the README and {@code docs/*.md} resolves: the file exists and its {@code #anchor} is a
 * heading's GitHub anchor (lower case, punctuation dropped, spaces as dashes, {@code -1}, {@code -2} for repeats).
 * Moving a section between pages cannot leave a dead link behind.
 */
class DocsLinksTest {

  private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
  private static final Pattern FENCE = Pattern.compile("```.*?```", Pattern.DOTALL);
  private static final Pattern HEADING = Pattern.compile("^#{1,6} (.*)$");
  private static final Pattern LINK_TEXT = Pattern.compile("\\[([^\\]]*)\\]\\([^)]*\\)");

  @Test
  void everyRelativeLinkResolvesToAFileAndHeading() throws IOException {
    List<Path> pages = new ArrayList<>(List.of(Path.of("README.md")));
    try (Stream<Path> docs = Files.list(Path.of("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
    }
    Map<Path, Set<String>> anchors = new HashMap<>();
    List<String> broken = new ArrayList<>();
    int checked = 0;
    for (Path page : pages) {
      Matcher m = LINK.matcher(FENCE.matcher(Files.readString(page)).replaceAll(""));
      while (m.find()) {
        String target = m.group(1);
        if (target.matches("^[a-z]+:.*")) {
          continue; // https:, mailto:
        }
        checked++;
        int hash = target.indexOf('#');
        String file = hash < 0 ? target : target.substring(0, hash);
        Path dest = file.isEmpty() ? page : page.resolveSibling(file).normalize();
        if (!Files.exists(dest)) {
          broken.add(page + ": " + target + " (no such file)");
        } else if (hash >= 0 && dest.toString().endsWith(".md")
            && !anchors.computeIfAbsent(dest, DocsLinksTest::anchorsOf).contains(target.substring(hash + 1))) {
          broken.add(page + ": " + target + " (no such heading)");
        }
      }
    }
    assertThat(checked).as("links checked").isGreaterThan(20);
    assertThat(broken).as("broken links").isEmpty();
  }

  @Test
  void anchorsFollowGitHubsRules() {
    assertThat(anchor("The next widget: `<sw-call-widget>` (`@signalwire/js` 4)"))
        .isEqualTo("the-next-widget-sw-call-widget-signalwirejs-4");
    assertThat(anchor("Connections, timeouts and shutdown")).isEqualTo("connections-timeouts-and-shutdown");
  }

  private static Set<String> anchorsOf(Path page) {
    Set<String> out = new HashSet<>();
    Map<String, Integer> seen = new HashMap<>();
    boolean fence = false;
    try {
      for (String line : Files.readAllLines(page)) {
        if (line.startsWith("```")) {
          fence = !fence;
        }
        Matcher h = HEADING.matcher(line);
        if (fence || !h.matches()) {
          continue;
        }
        String a = anchor(h.group(1));
        int n = seen.merge(a, 1, Integer::sum) - 1;
        out.add(n == 0 ? a : a + "-" + n);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out;
  }

  private static String anchor(String heading) {
    String text = LINK_TEXT.matcher(heading.trim()).replaceAll("$1").toLowerCase(Locale.ROOT);
    return text.replaceAll("[^\\w\\- ]", "").replace(' ', '-');
  }
}
