package io.wasmfleet.protocol.load2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.wasmfleet.protocol.load2.Load2Frame.Bad;
import io.wasmfleet.protocol.load2.Load2Frame.Data;
import io.wasmfleet.protocol.load2.Load2Frame.Signature;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Load2FrameTest {

  /** A frame as the board's framer hands it over: without its line end. */
  private static byte[] line(byte[] frame) {
    assertEquals('\n', frame[frame.length - 1]);
    return Arrays.copyOf(frame, frame.length - 1);
  }

  @Test
  void dataComesBackWhateverItHolds() {
    byte[] module = {'\n', '\r', 0x1B, (byte) 0xA5, 0, 'S', 'T', 'A', 'R', 'T', ' ', '\n', 0x2A, 0x2D, 0x3B};
    byte[] frame = line(Load2Frame.data(module, 0, module.length));
    assertEquals(0xA5, frame[0] & 0xFF);
    for (byte b : frame) {
      assertEquals(false, b == '\n', "no line end inside a frame");
    }
    Data d = assertInstanceOf(Data.class, Load2Frame.decode(frame, frame.length, 1024));
    assertEquals(0, d.offset());
    assertArrayEquals(module, d.data());
    byte[] part = line(Load2Frame.data(module, 3, 5));
    Data at = assertInstanceOf(Data.class, Load2Frame.decode(part, part.length, 1024));
    assertEquals(3, at.offset());
    assertArrayEquals(Arrays.copyOfRange(module, 3, 8), at.data());
  }

  @Test
  void theOverheadIsTwelveBytesAFramePlusOneIn254AtMost() {
    byte[] zeros = new byte[1024];
    assertEquals(1024 + Load2Frame.OVERHEAD, Load2Frame.data(zeros, 0, 1024).length);
    byte[] plain = new byte[2048];
    Arrays.fill(plain, (byte) 'x');
    assertEquals(2048 + Load2Frame.OVERHEAD + 2048 / 254, Load2Frame.data(plain, 0, 2048).length,
        "no zero at all: one code byte more every 254 bytes");
    byte[] random = new byte[1 << 20];
    new Random(1).nextBytes(random);
    long sent = 0;
    for (int off = 0; off < random.length; off += 2048) {
      sent += Load2Frame.data(random, off, 2048).length;
    }
    double rate = (double) random.length / sent;
    assertEquals(0.993, rate, 0.002, "random bytes in 2 KiB frames: 12 bytes a frame, a code byte more now and then");
  }

  @Test
  void everyLengthComesBackAcrossCobsBlockEnds() {
    // no zero in the data: COBS blocks of 254 bytes end at every length around their boundaries
    for (int n = 1; n <= 1100; n++) {
      byte[] module = new byte[n];
      for (int i = 0; i < n; i++) {
        module[i] = (byte) (1 + (i * 7) % 255);
      }
      byte[] frame = line(Load2Frame.data(module, 0, n));
      Data d = assertInstanceOf(Data.class, Load2Frame.decode(frame, frame.length, 2048), "length " + n);
      assertArrayEquals(module, d.data(), "length " + n);
    }
  }

  @Test
  void everyDamagedByteIsCaught() {
    byte[] module = new byte[300];
    new Random(2).nextBytes(module);
    byte[] frame = line(Load2Frame.data(module, 0, module.length));
    for (int i = 1; i < frame.length; i++) {
      for (int flip = 1; flip < 256; flip <<= 1) {
        byte[] damaged = frame.clone();
        damaged[i] ^= (byte) flip;
        assertInstanceOf(Bad.class, Load2Frame.decode(damaged, damaged.length, 1024), "byte " + i + " ^ " + flip);
      }
    }
  }

  @Test
  void badFramesSayWhy() {
    byte[] module = {1, 2, 3, 4, 5, 6, 7, 8};
    byte[] frame = line(Load2Frame.data(module, 0, module.length));
    assertEquals(new Bad("LENGTH"), Load2Frame.decode(frame, frame.length, 4), "more data than the chunk");
    assertEquals(new Bad("LENGTH"), Load2Frame.decode(frame, 5, 1024));
    byte[] cut = Arrays.copyOf(frame, frame.length - 3);
    cut[1] = (byte) (40 ^ '\n'); // its first block says 39 bytes follow: more than the line holds
    assertEquals(new Bad("ENCODING"), Load2Frame.decode(cut, cut.length, 1024));
    byte[] crc = frame.clone();
    crc[crc.length - 1] ^= 1;
    assertEquals(new Bad("CRC"), Load2Frame.decode(crc, crc.length, 1024));
  }

  @Test
  void signatureFrames() {
    byte[] sig = new byte[64];
    new Random(3).nextBytes(sig);
    byte[] frame = line(Load2Frame.signature(Load2Frame.ED25519, sig));
    Signature s = assertInstanceOf(Signature.class, Load2Frame.decode(frame, frame.length, 16));
    assertEquals(Load2Frame.ED25519, s.alg());
    assertArrayEquals(sig, s.signature());
  }
}
