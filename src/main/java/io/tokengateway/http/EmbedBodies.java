package io.tokengateway.http;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Hot-path helpers for embed requests, each exact for what it accepts and silent otherwise, so the general
 * path (Jackson, the configured regex) decides everything else.
 */
final class EmbedBodies {

  /** The default {@code embed.tokenPattern}. */
  static final String DEFAULT_PATTERN = "^c2[ct]_[A-Za-z0-9]{8,128}$";

  private EmbedBodies() {
  }

  /**
   * The token of a body that is exactly {@code {"token":"<ASCII letters, digits, _>"}} with optional spaces
   * around the punctuation; null for any other body (the caller then parses it in full).
   */
  static String simpleToken(Buffer body) {
    int n = body.length();
    int i = skip(body, 0, n);
    if (i >= n || body.getByte(i) != '{') {
      return null;
    }
    i = skip(body, i + 1, n);
    if (!literal(body, i, n, "\"token\"")) {
      return null;
    }
    i = skip(body, i + 7, n);
    if (i >= n || body.getByte(i) != ':') {
      return null;
    }
    i = skip(body, i + 1, n);
    if (i >= n || body.getByte(i) != '"') {
      return null;
    }
    int start = ++i;
    while (i < n && isTokenChar(body.getByte(i))) {
      i++;
    }
    if (i >= n || body.getByte(i) != '"') {
      return null;
    }
    int end = i;
    i = skip(body, i + 1, n);
    if (i >= n || body.getByte(i) != '}' || skip(body, i + 1, n) != n) {
      return null;
    }
    return body.getString(start, end, StandardCharsets.US_ASCII.name());
  }

  /** The configured pattern as a predicate; the default one is checked without a regex engine. */
  static Predicate<String> matcher(Pattern pattern) {
    if (DEFAULT_PATTERN.equals(pattern.pattern())) {
      return EmbedBodies::matchesDefault;
    }
    return text -> pattern.matcher(text).matches();
  }

  static boolean matchesDefault(String s) {
    int n = s.length();
    if (n < 12 || n > 132 || s.charAt(0) != 'c' || s.charAt(1) != '2' || (s.charAt(2) != 'c' && s.charAt(2) != 't')
        || s.charAt(3) != '_') {
      return false;
    }
    for (int i = 4; i < n; i++) {
      char c = s.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
        return false;
      }
    }
    return true;
  }

  private static boolean isTokenChar(byte b) {
    return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '_';
  }

  private static boolean literal(Buffer body, int i, int n, String text) {
    if (i + text.length() > n) {
      return false;
    }
    for (int k = 0; k < text.length(); k++) {
      if (body.getByte(i + k) != text.charAt(k)) {
        return false;
      }
    }
    return true;
  }

  private static int skip(Buffer body, int i, int n) {
    while (i < n) {
      byte b = body.getByte(i);
      if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
        return i;
      }
      i++;
    }
    return i;
  }
}
