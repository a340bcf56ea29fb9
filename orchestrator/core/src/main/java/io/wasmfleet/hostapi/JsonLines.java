package io.wasmfleet.hostapi;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.util.Map;

/**
 * One JSON line to a tree and back, for a short-lived client: bin/host makes one request and
 * exits, and most of its run went into setting up Jackson's {@code ObjectMapper} and, for its
 * parser, {@code BigDecimal}'s static tables. Lines are read by a small strict parser of our own
 * into Jackson's own {@code JsonNode}s, and written with Jackson's streaming generator; the
 * trees are the same as an ObjectMapper's (JsonLinesTest holds them side by side).
 */
public final class JsonLines {

  private static final JsonFactory FACTORY = new JsonFactory();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final String text;
  private int at;

  private JsonLines(String text) {
    this.text = text;
  }

  public static ObjectNode object() {
    return NODES.objectNode();
  }

  /**
   * What is wrong with text that is not JSON, as the parser says it but without its internals:
   * "Unexpected end-of-input: expected close marker for Object, at column 35" (Jackson's own
   * message names its source and the object's start; this parser's errors pass unchanged).
   */
  public static String problem(IOException e) {
    if (!(e instanceof JsonProcessingException p)) {
      return firstLine(e.getMessage());
    }
    String what = firstLine(p.getOriginalMessage()).replaceAll("\\s*\\(start marker at \\[Source:.*\\]\\)", "");
    JsonLocation at = p.getLocation();
    return at == null || at.getColumnNr() < 1 ? what : what + ", at column " + at.getColumnNr();
  }

  private static String firstLine(String text) {
    return text == null ? "" : text.lines().findFirst().orElse("");
  }

  /** The one JSON value on {@code line} (RFC 8259; nothing but white space around it). */
  public static JsonNode read(String line) throws IOException {
    JsonLines p = new JsonLines(line);
    p.space();
    if (p.at == line.length()) {
      throw new IOException("not JSON: an empty line");
    }
    JsonNode value = p.value();
    p.space();
    if (p.at < line.length()) {
      throw p.error("nothing after the value");
    }
    return value;
  }

  /** {@code node} as compact JSON on one line (no newline). */
  public static String write(JsonNode node) throws IOException {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = FACTORY.createGenerator(w)) {
      write(node, g);
    }
    return w.toString();
  }

  private JsonNode value() throws IOException {
    char c = peek();
    switch (c) {
      case '{' -> {
        at++;
        ObjectNode o = NODES.objectNode();
        space();
        if (peek() == '}') {
          at++;
          return o;
        }
        do {
          space();
          if (peek() != '"') {
            throw error("a field name");
          }
          String name = string();
          space();
          expect(':');
          space();
          o.set(name, value());
          space();
        } while (next(','));
        expect('}');
        return o;
      }
      case '[' -> {
        at++;
        ArrayNode a = NODES.arrayNode();
        space();
        if (peek() == ']') {
          at++;
          return a;
        }
        do {
          space();
          a.add(value());
          space();
        } while (next(','));
        expect(']');
        return a;
      }
      case '"' -> {
        return NODES.textNode(string());
      }
      case 't' -> {
        return word("true", NODES.booleanNode(true));
      }
      case 'f' -> {
        return word("false", NODES.booleanNode(false));
      }
      case 'n' -> {
        return word("null", NODES.nullNode());
      }
      default -> {
        if (c == '-' || c >= '0' && c <= '9') {
          return number();
        }
        throw error("a value");
      }
    }
  }

  private String string() throws IOException {
    at++; // the opening quote
    StringBuilder s = new StringBuilder();
    while (true) {
      if (at >= text.length()) {
        throw error("the end of a string");
      }
      char c = text.charAt(at++);
      if (c == '"') {
        return s.toString();
      }
      if (c < 0x20) {
        throw error("no control character in a string");
      }
      if (c != '\\') {
        s.append(c);
        continue;
      }
      if (at >= text.length()) {
        throw error("an escape");
      }
      char e = text.charAt(at++);
      switch (e) {
        case '"', '\\', '/' -> s.append(e);
        case 'b' -> s.append('\b');
        case 'f' -> s.append('\f');
        case 'n' -> s.append('\n');
        case 'r' -> s.append('\r');
        case 't' -> s.append('\t');
        case 'u' -> {
          int unit = 0;
          for (int end = at + 4; at < end; at++) {
            int digit = at < text.length() ? Character.digit(text.charAt(at), 16) : -1;
            if (digit < 0) {
              throw error("four hex digits");
            }
            unit = unit * 16 + digit;
          }
          s.append((char) unit);
        }
        default -> {
          at--;
          throw error("an escape");
        }
      }
    }
  }

  private JsonNode number() throws IOException {
    int start = at;
    next('-');
    if (!next('0')) {
      digits();
    }
    boolean integral = true;
    if (next('.')) {
      integral = false;
      digits();
    }
    if (next('e') || next('E')) {
      integral = false;
      if (!next('+')) {
        next('-');
      }
      digits();
    }
    String n = text.substring(start, at);
    if (!integral) {
      return NODES.numberNode(Double.parseDouble(n));
    }
    if (n.length() < 10) {
      return NODES.numberNode(Integer.parseInt(n));
    }
    try {
      long l = Long.parseLong(n);
      return l == (int) l ? NODES.numberNode((int) l) : NODES.numberNode(l);
    } catch (NumberFormatException tooBig) {
      return NODES.numberNode(new BigInteger(n));
    }
  }

  private void digits() throws IOException {
    int start = at;
    while (at < text.length() && text.charAt(at) >= '0' && text.charAt(at) <= '9') {
      at++;
    }
    if (at == start) {
      throw error("a digit");
    }
  }

  private JsonNode word(String word, JsonNode node) throws IOException {
    if (!text.startsWith(word, at)) {
      throw error("a value");
    }
    at += word.length();
    return node;
  }

  private void space() {
    while (at < text.length() && " \t\r\n".indexOf(text.charAt(at)) >= 0) {
      at++;
    }
  }

  private char peek() throws IOException {
    if (at >= text.length()) {
      throw error("more");
    }
    return text.charAt(at);
  }

  private boolean next(char c) {
    if (at < text.length() && text.charAt(at) == c) {
      at++;
      return true;
    }
    return false;
  }

  private void expect(char c) throws IOException {
    if (!next(c)) {
      throw error("'" + c + "'");
    }
  }

  private IOException error(String expected) {
    String found = at < text.length() ? "'" + text.charAt(at) + "'" : "the end of the line";
    return new IOException("not JSON: expected " + expected + " at column " + (at + 1) + ", found " + found);
  }

  private static void write(JsonNode node, JsonGenerator g) throws IOException {    switch (node.getNodeType()) {
      case OBJECT -> {
        g.writeStartObject();
        for (Map.Entry<String, JsonNode> field : node.properties()) {
          g.writeFieldName(field.getKey());
          write(field.getValue(), g);
        }
        g.writeEndObject();
      }
      case ARRAY -> {
        g.writeStartArray();
        for (JsonNode element : node) {
          write(element, g);
        }
        g.writeEndArray();
      }
      case STRING -> g.writeString(node.textValue());
      case NUMBER -> {
        if (node.isIntegralNumber() && node.canConvertToLong()) {
          g.writeNumber(node.longValue());
        } else if (node.isIntegralNumber()) {
          g.writeNumber(node.bigIntegerValue());
        } else {
          g.writeNumber(node.doubleValue());
        }
      }
      case BOOLEAN -> g.writeBoolean(node.booleanValue());
      case NULL, MISSING -> g.writeNull();
      default -> throw new IOException("cannot write a " + node.getNodeType() + " node as JSON");
    }
  }
}
