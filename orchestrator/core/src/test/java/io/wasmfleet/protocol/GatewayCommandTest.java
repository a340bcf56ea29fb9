package io.wasmfleet.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasmfleet.protocol.GatewayCommand.Load;
import io.wasmfleet.protocol.GatewayCommand.Start;
import io.wasmfleet.protocol.GatewayCommand.Status;
import io.wasmfleet.protocol.GatewayCommand.Stop;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every gateway command: formatted exactly, parsed back, and impossible to inject into. */
class GatewayCommandTest {

  @ParameterizedTest
  @ValueSource(strings = {
      "LOAD module_id=math_ops size=345 crc32=0a1b2c3d",
      "LOAD module_id=toggle3 size=120 crc32=ffffffff replace=1",
      "LOAD module_id=toggle3 size=120 crc32=00000000 replace=1 replace_victim=toggle2",
      "START module_id=math_ops func=add args=\"a=10,b=15\"",
      "START module_id=toggle1 func=toggle_forever",
      "START module_id=math_ops",
      "START module_id=m args=\"a=-2147483648,b=2147483647,c=0,d=-1\"",
      "STOP module_id=toggle1",
      "STATUS",
  })
  void commandsFormatBackIdentically(String line) {
    GatewayCommand command = GatewayCommand.parse(line);
    assertEquals(line, command.format());
  }

  @Test
  void loadWritesTheSeedLine() {
    Load load = new Load("math_ops", 345, 0x0a1b2c3d, false, null);
    assertEquals("LOAD module_id=math_ops size=345 crc32=0a1b2c3d", load.format());
  }

  @Test
  void aVictimAlwaysBringsReplace() {
    Load load = new Load("toggle3", 120, 7, false, "toggle2");
    assertTrue(load.replace());
    assertEquals("LOAD module_id=toggle3 size=120 crc32=00000007 replace=1 replace_victim=toggle2",
        load.format());
    Load parsed = (Load) GatewayCommand.parse("LOAD module_id=a size=1 crc32=0 replace_victim=b");
    assertTrue(parsed.replace(), "a board treats a victim as replace=1 too");
  }

  @Test
  void startArgsKeepTheirOrder() {
    Start start = new Start("math_ops", "add", StartArgs.parse("a=10,b=15"));
    assertEquals("START module_id=math_ops func=add args=\"a=10,b=15\"", start.format());
    assertArrayEquals(new int[] {10, 15}, start.args().values());
    assertArrayEquals(new int[] {3, -4}, StartArgs.parse("3, -4").values());
    assertEquals("a=3,b=-4", StartArgs.parse("3,-4").format());
  }

  @Test
  void statusAndStop() {
    assertEquals("STATUS", new Status().format());
    assertEquals("STOP module_id=t", new Stop("t").format());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "math ops", "m\nSTATUS", "m size=1", "m\"", "", "12345678901234567890123456789012",
      "m=1", "m,n", "ü", "m\r",
  })
  void moduleIdsThatWouldChangeTheLineAreRefused(String id) {
    WireFormatException e = assertThrows(WireFormatException.class, () -> new Stop(id));
    assertEquals("module_id", e.field());
    assertTrue(e.getMessage().startsWith("invalid module_id"), e.getMessage());
  }

  @Test
  void refusalsNameTheField() {
    assertEquals("replace_victim",
        assertThrows(WireFormatException.class, () -> new Load("a", 1, 0, true, "b c")).field());
    assertEquals("func",
        assertThrows(WireFormatException.class, () -> new Start("a", "f x", StartArgs.NONE)).field());
    assertEquals("func",
        assertThrows(WireFormatException.class, () -> new Start("a", "f=1", StartArgs.NONE)).field());
    assertEquals("size",
        assertThrows(WireFormatException.class, () -> new Load("a", 0, 0, false, null)).field());
    WireFormatException args = assertThrows(WireFormatException.class,
        () -> StartArgs.parse("a=1,b=2,c=3,d=4,e=5"));
    assertEquals("args", args.field());
    assertTrue(args.getMessage().contains("at most 4"), args.getMessage());
    assertEquals("args", assertThrows(WireFormatException.class,
        () -> StartArgs.parse("a=2147483648")).field());
    assertEquals("args", assertThrows(WireFormatException.class,
        () -> StartArgs.parse("a=1\" func=\"evil")).field());
    assertEquals("args", assertThrows(WireFormatException.class, () -> StartArgs.parse("a=")).field());
  }

  @Test
  void parsingACommandNamesWhatIsMissing() {
    assertEquals("module_id", assertThrows(WireFormatException.class,
        () -> GatewayCommand.parse("LOAD size=1 crc32=0")).field());
    assertEquals("size", assertThrows(WireFormatException.class,
        () -> GatewayCommand.parse("LOAD module_id=m crc32=0")).field());
    assertEquals("size", assertThrows(WireFormatException.class,
        () -> GatewayCommand.parse("LOAD module_id=m size=0 crc32=0")).field());
    assertEquals("crc32", assertThrows(WireFormatException.class,
        () -> GatewayCommand.parse("LOAD module_id=m size=1")).field());
    assertEquals("module_id", assertThrows(WireFormatException.class,
        () -> GatewayCommand.parse("START func=add")).field());
    assertEquals("command", assertThrows(WireFormatException.class,
        () -> GatewayCommand.parse("REBOOT now=1")).field());
    assertEquals("command", assertThrows(WireFormatException.class,
        () -> GatewayCommand.parse("\u0001\u0002")).field());
  }

  @Test
  void randomValidIdsAndArgsRoundTrip() {
    Random random = new Random(7);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-";
    for (int i = 0; i < 5_000; i++) {
      StringBuilder id = new StringBuilder();
      int length = 1 + random.nextInt(31);
      for (int k = 0; k < length; k++) {
        id.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      int[] values = random.ints(random.nextInt(5)).toArray();
      Start start = new Start(id.toString(), "app_main", StartArgs.of(values));
      Start back = (Start) GatewayCommand.parse(start.format());
      assertEquals(start.moduleId(), back.moduleId());
      assertArrayEquals(values, back.args().values());
      Load load = new Load(id.toString(), 1 + random.nextInt(1 << 20), random.nextInt(), false,
          random.nextBoolean() ? id.toString() : null);
      assertEquals(load, GatewayCommand.parse(load.format()));
    }
  }

  @Test
  void randomInvalidIdsAreRefused() {
    Random random = new Random(11);
    int refused = 0;
    for (int i = 0; i < 5_000; i++) {
      byte[] bytes = new byte[random.nextInt(40)];
      random.nextBytes(bytes);
      String id = new String(bytes, StandardCharsets.ISO_8859_1);
      if (WireValues.MODULE_ID.matcher(id).matches()) {
        continue;
      }
      WireFormatException e = assertThrows(WireFormatException.class, () -> new Stop(id));
      assertEquals("module_id", e.field());
      refused++;
    }
    assertTrue(refused > 4_000);
  }
}
