package io.wasmfleet.protocol.load2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A LOAD v2 sender and receiver joined by a byte stream that the test damages: what arrives
 * is always the module, or nothing; a damaged byte costs frames, not the upload.
 */
class Load2Test {

  /** The board's line framer: splits the bytes on line ends (a frame's only at 0x0A, a command
   * line's at 0x0A or 0x0D); frames go to the receiver. */
  private static final class Link {
    final Random random;
    final double damage;
    int linesNotFrames;
    long bytes;

    Link(long seed, double damage) {
      this.random = new Random(seed);
      this.damage = damage;
    }

    /** Sends {@code frames} through the link; the board's answers go back to the sender. */
    void carry(List<byte[]> frames, Load2Receiver board, Load2Sender gateway) {
      ByteArrayOutputStream wire = new ByteArrayOutputStream();
      for (byte[] f : frames) {
        for (byte b : f) {
          wire.write(random.nextDouble() < damage ? b ^ (1 + random.nextInt(255)) : b);
        }
      }
      byte[] bytes = wire.toByteArray();
      this.bytes += bytes.length;
      int start = 0;
      for (int i = 0; i < bytes.length; i++) {
        boolean frame = (bytes[start] & 0xFF) == Load2Frame.MARK;
        if (bytes[i] == '\n' || bytes[i] == '\r' && !frame) {
          deliver(bytes, start, i, board, gateway);
          start = i + 1;
        }
      }
      deliver(bytes, start, bytes.length, board, gateway); // a frame whose line end was damaged
    }

    private void deliver(byte[] bytes, int from, int to, Load2Receiver board, Load2Sender gateway) {
      if (to == from) {
        return;
      }
      if ((bytes[from] & 0xFF) != Load2Frame.MARK) {
        linesNotFrames++; // a board's framer drops these: they begin no command
        return;
      }
      byte[] line = java.util.Arrays.copyOfRange(bytes, from, to);
      String answer = board.onFrame(line, line.length);
      if (answer != null) {
        long offset = Long.parseLong(answer.replaceAll(".* offset=(\\d+).*", "$1"));
        if (answer.startsWith("LOAD_NAK ")) {
          gateway.onNak(offset);
        } else {
          gateway.onAck(offset, Long.parseLong(answer.replaceAll(".* end=(\\d+).*", "$1")));
        }
      }
    }
  }

  private static byte[] module(long seed, int size) {
    byte[] m = new byte[size];
    new Random(seed).nextBytes(m);
    return m;
  }

  /** Runs the upload to its end; a round that sends nothing stands for the sender's 1 s silence timer. */
  private static void upload(Link link, Load2Sender gateway, Load2Receiver board) {
    for (int round = 0; !board.complete(); round++) {
      assertTrue(round < 100_000, "the upload makes progress");
      List<byte[]> frames = gateway.next();
      if (frames.isEmpty()) {
        gateway.onSilence();
      } else {
        link.carry(frames, board, gateway);
      }
    }
  }

  @Test
  void aCleanLinkCarriesTheModuleAtAlmostTheLineRate() {
    byte[] module = module(1, 64 * 1024);
    String sha = Load2Receiver.sha256Hex(module);
    Load2Receiver board = new Load2Receiver("m", module.length, sha, 1024, 8, false, new byte[0]);
    Load2Sender gateway = new Load2Sender(module, board.chunk(), 8, board.offset(), null);
    Link link = new Link(1, 0);
    upload(link, gateway, board);
    assertArrayEquals(module, board.module());
    assertNull(board.verify());
    assertTrue(gateway.allAcknowledged());
    assertEquals(0.987, (double) module.length / link.bytes, 0.002, "12 bytes a 1 KiB frame, a few COBS codes");
  }

  @Test
  void withOneByteInAThousandDamagedEveryUploadEndsWithTheRightModule() {
    int uploads = 200;
    long sent = 0;
    long payload = 0;
    for (int i = 0; i < uploads; i++) {
      byte[] module = module(100 + i, 16 * 1024);
      Load2Receiver board = new Load2Receiver("m", module.length, Load2Receiver.sha256Hex(module), 1024, 8, false,
          new byte[0]);
      Load2Sender gateway = new Load2Sender(module, 1024, 8, 0, null);
      Link link = new Link(i, 0.001);
      upload(link, gateway, board);
      assertArrayEquals(module, board.module(), "upload " + i);
      assertNull(board.verify());
      sent += link.bytes;
      payload += module.length;
    }
    // a 1 KiB frame is damaged two times in three at this rate: lost frames are sent again,
    // smaller, not whole windows (0.64 of the bytes sent are the modules', with these seeds)
    assertTrue((double) payload / sent > 0.55, "repeats cost frames, not uploads: " + (double) payload / sent);
  }

  @Test
  void aCutHalfWayResumesFromWhatTheBoardHolds() {
    byte[] module = module(3, 200 * 1024);
    String sha = Load2Receiver.sha256Hex(module);
    Load2Receiver first = new Load2Receiver("m", module.length, sha, 1024, 8, false, new byte[0]);
    Load2Sender gateway = new Load2Sender(module, 1024, 8, 0, null);
    Link link = new Link(3, 0);
    while (first.offset() < module.length / 2) {
      link.carry(gateway.next(), first, gateway);
    }
    List<byte[]> inFlight = gateway.next(); // sent, then the link is cut: lost
    long lost = inFlight.stream().mapToLong(f -> f.length).sum();
    byte[] held = first.kept();
    Load2Receiver resumed = new Load2Receiver("m", module.length, sha, 1024, 8, false, held);
    Load2Sender again = new Load2Sender(module, 1024, 8, resumed.offset(), null);
    upload(link, again, resumed);
    assertArrayEquals(module, resumed.module());
    double total = (double) (link.bytes + lost) / module.length;
    assertTrue(total <= 1.1, "bytes sent over the module: " + total);
  }

  @Test
  void aModuleThatIsNotTheOneAnnouncedIsRefusedNamingBothDigests() {
    byte[] module = module(4, 5000);
    String wrong = Load2Receiver.sha256Hex(new byte[] {1});
    Load2Receiver board = new Load2Receiver("m", module.length, wrong, 512, 4, false, new byte[0]);
    upload(new Link(4, 0), new Load2Sender(module, 512, 4, 0, null), board);
    assertEquals("LOAD_ERR code=BAD_SHA256 msg=\"expected=" + wrong + " got=" + Load2Receiver.sha256Hex(module) + "\"",
        board.verify());
  }

  @Test
  void aSignedUploadIsCompleteOnlyWithItsSignatureEvenWhenThatIsDamaged() {
    byte[] module = module(5, 3000);
    byte[] sig = module(6, 64);
    Load2Receiver board = new Load2Receiver("m", module.length, Load2Receiver.sha256Hex(module), 1024, 8, true,
        new byte[0]);
    Load2Sender gateway = new Load2Sender(module, 1024, 8, 0, Load2Frame.signature(Load2Frame.P256, sig));
    List<byte[]> frames = new ArrayList<>(gateway.next());
    byte[] damaged = frames.get(frames.size() - 1).clone();
    damaged[10] ^= 0x40;
    frames.set(frames.size() - 1, damaged);
    Link link = new Link(5, 0);
    link.carry(frames, board, gateway);
    assertEquals(module.length, board.offset());
    assertTrue(!board.complete(), "the signature frame was damaged");
    upload(link, gateway, board);
    assertArrayEquals(sig, board.signature().signature());
    assertEquals(Load2Frame.P256, board.signature().alg());
  }

  @Test
  void noLineOfAnUploadCanBeReadAsACommand() {
    // a board that gave up the upload reads the rest as lines, as its framer cuts them (a line
    // that begins with 0xA5 ends at 0x0A only): every one begins with 0xA5
    List<byte[]> lines = new ArrayList<>();
    byte[] module = module(7, 32 * 1024);
    for (int i = 0; i < module.length; i += 100) {
      module[i] = '\n'; // and a module full of line ends
    }
    Load2Sender gateway = new Load2Sender(module, 1024, 64, 0, null);
    for (byte[] f : gateway.next()) {
      int start = 0;
      for (int i = 0; i < f.length; i++) {
        if (f[i] == '\n' || f[i] == '\r' && (f[start] & 0xFF) != Load2Frame.MARK) {
          lines.add(java.util.Arrays.copyOfRange(f, start, i));
          start = i + 1;
        }
      }
      assertEquals(f.length, start, "a frame ends with its line end");
    }
    assertEquals(32, lines.size());
    lines.forEach(l -> assertEquals(Load2Frame.MARK, l[0] & 0xFF));
  }

  @Test
  void aSenderStartsWithTheFrameSizeTheLastUploadEndedWith() {
    byte[] module = new byte[4096];
    Load2Sender sender = new Load2Sender(module, 2048, 2, 0, null).startingWith(256);
    java.util.List<byte[]> frames = sender.next();
    assertEquals(16, frames.size(), "4 KiB in flight, in frames of 256 bytes");
    assertEquals(256 + Load2Frame.OVERHEAD, frames.get(0).length);
    assertEquals(64, new Load2Sender(module, 2048, 2, 0, null).startingWith(1).frameSize());
    assertEquals(2048, new Load2Sender(module, 2048, 2, 0, null).startingWith(1 << 20).frameSize());
  }
}
