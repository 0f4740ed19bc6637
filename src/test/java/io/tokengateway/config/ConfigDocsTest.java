package io.tokengateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** conf/gateway.yaml comments every setting, and the README lists every setting with its variable. */
class ConfigDocsTest {

  private static final Path YAML = Path.of("conf", "gateway.yaml");
  private static final Path README = Path.of("docs", "configuration.md");

  @Test
  void everySettingHasAOneLineComment() throws Exception {
    List<String> lines = Files.readAllLines(YAML);
    for (String key : ConfigLoader.load(java.util.Map.of()).keys()) {
      String leaf = key.substring(key.lastIndexOf('.') + 1);
      assertThat(lines).as("a commented line for " + key)
          .anyMatch(l -> l.trim().startsWith(leaf + ":") && l.contains(" # "));
    }
  }

  @Test
  void readmeListsEverySettingAndItsVariable() throws Exception {
    String readme = Files.readString(README);
    for (String key : ConfigLoader.load(java.util.Map.of()).keys()) {
      assertThat(readme).as("README names " + key).contains("`" + key + "`");
      assertThat(readme).as("README names " + ConfigLoader.envName(key)).contains(ConfigLoader.envName(key));
    }
    ConfigLoader.ALIASES.keySet().forEach(name -> assertThat(readme).contains(name));
  }
}
