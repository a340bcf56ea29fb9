package io.wasmfleet.hostapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class JsonLinesTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Test
  void readsWhatAnObjectMapperReads() throws IOException {
    String line = "{\"ok\":true,\"detail\":\"STATUS_OK modules=\\\"none\\\"\",\"n\":3,\"big\":12345678901,"
        + "\"huge\":123456789012345678901234,\"ms\":1.25,\"boards\":[{\"id\":\"b1\",\"tags\":[]},null],\"e\":{}}";
    JsonNode mine = JsonLines.read(line);
    assertEquals(MAPPER.readTree(line), mine);
    assertTrue(mine.get("big").isLong() && mine.get("n").isInt());
  }

  @Test
  void stringsNumbersAndWhiteSpaceAsAnObjectMapperReadsThem() throws IOException {
    for (String line : new String[] {
        " { \"a\" : [ 1 , -2 , 0 , -0.5 , 1e3 , 2.5E-2 , -2147483649 , 2147483647 ] } \r",
        "{\"s\":\"tab\\t quote\\\" slash\\/ back\\\\ nl\\n \\u00e9\\u20AC \\ud83d\\ude00 é\"}",
        "[true,false,null,{},[],\"\"]", "\"just a string\"", "42", "-9223372036854775809"}) {
      assertEquals(MAPPER.readTree(line), JsonLines.read(line), line);
    }
  }

  @Test
  void writesCompactJsonThatReadsBackEqual() throws IOException {
    var request = JsonLines.object();
    request.put("cmd", "load").put("module_id", "m \"1\"\n").put("blob_size", 4096).put("result_timeout", 2.5)
        .put("replace", false);
    request.putArray("modules").addObject().put("bench", "fft");
    request.putNull("victim");
    String line = JsonLines.write(request);
    assertEquals(MAPPER.writeValueAsString(request), line);
    assertEquals(request, JsonLines.read(line));
  }

  @Test
  void aLineThatIsNotJsonSaysWhereAndWhy() {
    assertEquals("not JSON: an empty line", error(" "));
    assertEquals("not JSON: expected a value at column 8, found 't'", error("{\"ok\": tru"));
    assertEquals("not JSON: expected '}' at column 11, found the end of the line", error("{\"ok\":true"));
    assertEquals("not JSON: expected nothing after the value at column 4, found 'x'", error("{} x"));
    assertEquals("not JSON: expected a field name at column 2, found '1'", error("{1:2}"));
    assertEquals("not JSON: expected a digit at column 3, found '.'", error("[-.5]"));
    assertEquals("not JSON: expected four hex digits at column 6, found 'g'", error("\"\\u00g0\""));
    assertEquals("not JSON: expected an escape at column 3, found 'x'", error("\"\\x\""));
    assertEquals("not JSON: expected no control character in a string at column 4, found 'b'", error("\"a\tb\""));
    assertEquals("not JSON: expected the end of a string at column 5, found the end of the line", error("\"abc"));
  }

  private static String error(String line) {
    return assertThrows(IOException.class, () -> JsonLines.read(line), line).getMessage();
  }
}
