package io.tokengateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokengateway.upstream.Endpoint;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The key layout: the keys one script uses share a hash tag (so one Redis Cluster hash slot), the tag is the
 * only text between braces, and the patterns of a purge of all match the gateway's own keys only. The slots
 * themselves are asked of a real cluster in {@link RedisClusterModeIT}.
 */
class ClusterKeysTest {

  private final ClusterKeys keys = new ClusterKeys("tg:");
  private final String hash = ClusterKeys.hash("c2c_7acc0e5e968706a032983cd80cdca219");

  @Test
  void aTokensEntryLockAndGenerationShareOneHashTag() {
    assertThat(List.of(keys.embed(hash), keys.lock(hash), keys.generation(hash)))
        .containsExactly("tg:{" + hash + "}:embed", "tg:{" + hash + "}:lock", "tg:{" + hash + "}:gen")
        .allSatisfy(k -> assertThat(hashTag(k)).isEqualTo(hash));
    assertThat(keys.hashOfLock(keys.lock(hash))).isEqualTo(hash);
  }

  @Test
  void theBucketAndEveryPauseShareOneHashTag() {
    assertThat(keys.bucket()).isEqualTo("tg:{upstream}:bucket");
    assertThat(keys.pause(Endpoint.EMBEDS)).isEqualTo("tg:{upstream}:pause:embeds");
    for (Endpoint e : Endpoint.values()) {
      assertThat(hashTag(keys.pause(e))).isEqualTo(hashTag(keys.bucket()));
    }
  }

  @Test
  void thePatternsOfAPurgeOfAllMatchTheirKeysUnderTheirPrefixOnly() {
    assertThat(glob(keys.embedPattern(), keys.embed(hash))).isTrue();
    assertThat(glob(keys.embedPattern(), keys.lock(hash))).isFalse();
    assertThat(glob(keys.lockPattern(), keys.lock(hash))).isTrue();
    ClusterKeys odd = new ClusterKeys("gw*[1]:");
    assertThat(odd.embedPattern()).isEqualTo("gw\\*\\[1\\]:{*}:embed");
    assertThat(glob(odd.embedPattern(), odd.embed(hash))).isTrue();
    assertThat(glob(odd.embedPattern(), "gwX1:{" + hash + "}:embed")).as("the prefix is literal").isFalse();
  }

  @Test
  void keysOfOtherFeaturesGetTheirOwnGroup() {
    assertThat(keys.key("guest:1.2.3.0", "quota")).isEqualTo("tg:{guest:1.2.3.0}:quota");
    assertThat(keys.groupOf(keys.key("guest:1.2.3.0", "quota"), "quota")).isEqualTo("guest:1.2.3.0");
  }

  /** What Redis Cluster hashes: the text between the first '{' and the next '}', when not empty. */
  private static String hashTag(String key) {
    int open = key.indexOf('{');
    int close = open < 0 ? -1 : key.indexOf('}', open + 1);
    return close > open + 1 ? key.substring(open + 1, close) : key;
  }

  /** Redis's MATCH for the patterns used here: '*' any run, '\' escapes the next character. */
  private static boolean glob(String pattern, String key) {
    StringBuilder regex = new StringBuilder();
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c == '\\') {
        regex.append(java.util.regex.Pattern.quote(String.valueOf(pattern.charAt(++i))));
      } else if (c == '*') {
        regex.append(".*");
      } else {
        regex.append(java.util.regex.Pattern.quote(String.valueOf(c)));
      }
    }
    return key.matches(regex.toString());
  }
}
