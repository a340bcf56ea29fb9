package io.wasmfleet.protocol;

import java.util.Optional;

/**
 * A line split into its keyword and parameters: {@code RESULT status=OK module_id=m}. Both
 * directions of the protocol are read through this one tokenizer.
 */
public record WireLine(String keyword, WireParams params) {

  /** Strips the line ending ({@code \n}, {@code \r} or both) a reader may have left. */
  public static String stripEol(String line) {
    int end = line.length();
    while (end > 0 && (line.charAt(end - 1) == '\n' || line.charAt(end - 1) == '\r')) {
      end--;
    }
    return line.substring(0, end);
  }

  /**
   * The keyword (upper-case letters, digits and {@code _}, starting with a letter) and its
   * parameters; empty for anything else, which callers treat as console text.
   */
  public static Optional<WireLine> tokenize(String line) {
    String text = stripEol(line);
    int space = text.indexOf(' ');
    String keyword = space < 0 ? text : text.substring(0, space);
    if (!isKeyword(keyword)) {
      return Optional.empty();
    }
    String rest = space < 0 ? "" : text.substring(space + 1);
    return WireParams.parse(rest).map(p -> new WireLine(keyword, p));
  }

  private static boolean isKeyword(String word) {
    if (word.isEmpty() || word.charAt(0) < 'A' || word.charAt(0) > 'Z') {
      return false;
    }
    for (int i = 0; i < word.length(); i++) {
      char c = word.charAt(i);
      if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) {
        return false;
      }
    }
    return true;
  }

  public String format() {
    return keyword + params.format();
  }
}
