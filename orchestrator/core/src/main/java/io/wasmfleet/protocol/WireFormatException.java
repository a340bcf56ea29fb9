package io.wasmfleet.protocol;

/**
 * A value that cannot go on (or come off) the wire. Names the offending field so that the
 * message a user sees says which part of the request was wrong.
 */
public final class WireFormatException extends IllegalArgumentException {

  /** Whether the field was absent or present with a bad value. */
  public enum Problem {
    MISSING,
    INVALID
  }

  private final String field;
  private final Problem problem;

  public WireFormatException(String field, Problem problem, String message) {
    super(message);
    this.field = field;
    this.problem = problem;
  }

  static WireFormatException missing(String field) {
    return new WireFormatException(field, Problem.MISSING, "missing " + field);
  }

  static WireFormatException invalid(String field, String value, String rule) {
    return new WireFormatException(
        field, Problem.INVALID, "invalid " + field + " " + quote(value) + ": " + rule);
  }

  private static String quote(String value) {
    StringBuilder b = new StringBuilder("'");
    value.codePoints().limit(64).forEach(c -> {
      if (c < 0x20 || c == 0x7f) {
        b.append(String.format("\\x%02x", c));
      } else {
        b.appendCodePoint(c);
      }
    });
    if (value.length() > 64) {
      b.append("...");
    }
    return b.append('\'').toString();
  }

  /** The wire key (or host API field) that was wrong, e.g. {@code module_id}. */
  public String field() {
    return field;
  }

  public Problem problem() {
    return problem;
  }
}
