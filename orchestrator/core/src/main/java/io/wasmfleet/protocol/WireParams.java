package io.wasmfleet.protocol;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The {@code key=value} part of a wire line, in the order it was written. Values that were
 * quoted ({@code msg="module running"}) stay quoted when formatted back, and tokens without
 * {@code =} are kept as they are, so a parsed line formats back byte for byte.
 */
public final class WireParams {

  /** One {@code key=value} (or a bare token, when {@code value} is null). */
  public record Param(String key, String value, boolean quoted) {

    String format() {
      if (value == null) {
        return key;
      }
      return quoted ? key + "=\"" + value + "\"" : key + "=" + value;
    }
  }

  public static final WireParams EMPTY = new WireParams(List.of());

  private final List<Param> params;

  private WireParams(List<Param> params) {
    this.params = params;
  }

  /**
   * Splits {@code text} into parameters; a quoted value may hold spaces and commas. Empty when
   * the text is not well formed (an unterminated quote, a quote glued to the next token).
   */
  public static Optional<WireParams> parse(String text) {
    List<Param> out = new ArrayList<>();
    int i = 0;
    int n = text.length();
    while (i < n) {
      if (text.charAt(i) == ' ') {
        i++;
        continue;
      }
      int keyEnd = i;
      while (keyEnd < n && text.charAt(keyEnd) != ' ' && text.charAt(keyEnd) != '=') {
        keyEnd++;
      }
      String key = text.substring(i, keyEnd);
      if (keyEnd == n || text.charAt(keyEnd) == ' ') {
        out.add(new Param(key, null, false));
        i = keyEnd;
        continue;
      }
      if (key.isEmpty()) {
        return Optional.empty();
      }
      int valueStart = keyEnd + 1;
      if (valueStart < n && text.charAt(valueStart) == '"') {
        int close = text.indexOf('"', valueStart + 1);
        if (close < 0 || (close + 1 < n && text.charAt(close + 1) != ' ')) {
          return Optional.empty();
        }
        out.add(new Param(key, text.substring(valueStart + 1, close), true));
        i = close + 1;
      } else {
        int valueEnd = text.indexOf(' ', valueStart);
        if (valueEnd < 0) {
          valueEnd = n;
        }
        String value = text.substring(valueStart, valueEnd);
        if (value.indexOf('"') >= 0) {
          return Optional.empty();
        }
        out.add(new Param(key, value, false));
        i = valueEnd;
      }
    }
    return Optional.of(new WireParams(Collections.unmodifiableList(out)));
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The first value written for {@code key}, if any. */
  public Optional<String> get(String key) {
    for (Param p : params) {
      if (p.key().equals(key) && p.value() != null) {
        return Optional.of(p.value());
      }
    }
    return Optional.empty();
  }

  public List<Param> asList() {
    return params;
  }

  public boolean isEmpty() {
    return params.isEmpty();
  }

  /** Everything except the given keys: what a typed line keeps as forward-compatible extras. */
  public WireParams without(List<String> keys) {
    List<Param> rest = new ArrayList<>();
    List<String> seen = new ArrayList<>();
    for (Param p : params) {
      boolean known = keys.contains(p.key()) && p.value() != null && !seen.contains(p.key());
      if (known) {
        seen.add(p.key());
      } else {
        rest.add(p);
      }
    }
    return rest.isEmpty() ? EMPTY : new WireParams(Collections.unmodifiableList(rest));
  }

  /** The parameters as written on the wire, each preceded by one space. */
  public String format() {
    StringBuilder b = new StringBuilder();
    for (Param p : params) {
      b.append(' ').append(p.format());
    }
    return b.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WireParams other && other.params.equals(params);
  }

  @Override
  public int hashCode() {
    return params.hashCode();
  }

  @Override
  public String toString() {
    return format().trim();
  }

  /** Builds parameters in wire order; null values are left out. */
  public static final class Builder {
    private final List<Param> params = new ArrayList<>();

    /** Adds {@code key=value}, quoting the value when it holds a space or a comma. */
    public Builder add(String key, Object value) {
      if (value != null) {
        String text = printable(value.toString());
        boolean needsQuotes = text.isEmpty() || text.indexOf(' ') >= 0 || text.indexOf(',') >= 0;
        params.add(new Param(key, text, needsQuotes));
      }
      return this;
    }

    /** Adds {@code key="value"}; quotes and line breaks inside become harmless. */
    public Builder quoted(String key, String value) {
      if (value != null) {
        params.add(new Param(key, printable(value), true));
      }
      return this;
    }

    /**
     * A value can never end the line or close its quotes early: {@code "} becomes {@code '}
     * and control characters become spaces.
     */
    private static String printable(String text) {
      StringBuilder b = new StringBuilder(text.length());
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        b.append(c == '"' ? '\'' : (c < 0x20 || c == 0x7f) ? ' ' : c);
      }
      return b.toString();
    }

    public Builder addAll(WireParams extra) {
      params.addAll(extra.params);
      return this;
    }

    public WireParams build() {
      return params.isEmpty() ? EMPTY : new WireParams(Collections.unmodifiableList(params));
    }
  }
}
