package io.wasmfleet.sim.board;

import com.typesafe.config.Config;
import io.wasmfleet.protocol.WireParams;
import java.time.Duration;
import java.util.Locale;
import java.util.Random;

/**
 * The faults a simulated board injects, set from HOCON at start and changed at run time with
 * {@code SIM_FAULT}. All randomness comes from one generator seeded per board, so a failing
 * run replays exactly when started with the same seed and the same traffic.
 */
public final class Faults {

  private long seed;
  private Random random;
  private double corruptRate;
  private double dropRate;
  private Duration delay = Duration.ZERO;
  private long cutAfterBytes = -1;
  private double noiseRate;
  private long rebootAtPayloadByte = -1;
  private long poolShrink;
  private long noiseCount;

  public Faults(long seed) {
    reseed(seed);
  }

  public static Faults fromConfig(long seed, Config c) {
    Faults f = new Faults(c.hasPath("seed") ? c.getLong("seed") : seed);
    f.corruptRate = c.hasPath("corrupt-rate") ? c.getDouble("corrupt-rate") : 0;
    f.dropRate = c.hasPath("drop-rate") ? c.getDouble("drop-rate") : 0;
    f.delay = c.hasPath("delay") ? c.getDuration("delay") : Duration.ZERO;
    f.cutAfterBytes = c.hasPath("cut-after-bytes") ? c.getLong("cut-after-bytes") : -1;
    f.noiseRate = c.hasPath("noise-rate") ? c.getDouble("noise-rate") : 0;
    f.rebootAtPayloadByte =
        c.hasPath("reboot-at-payload-byte") ? c.getLong("reboot-at-payload-byte") : -1;
    f.poolShrink = c.hasPath("pool-shrink") ? c.getBytes("pool-shrink") : 0;
    return f;
  }

  private void reseed(long newSeed) {
    seed = newSeed;
    random = new Random(newSeed);
  }

  /**
   * Applies {@code SIM_FAULT} keys: {@code seed, corrupt_rate, drop_rate, delay_ms,
   * cut_after_bytes, noise_rate, reboot_at_payload_byte, pool_shrink}; {@code clear=1} first
   * resets everything. Throws IllegalArgumentException naming a bad key or value.
   */
  public synchronized void apply(WireParams params) {
    if (params.get("clear").map("1"::equals).orElse(false)) {
      corruptRate = 0;
      dropRate = 0;
      delay = Duration.ZERO;
      cutAfterBytes = -1;
      noiseRate = 0;
      rebootAtPayloadByte = -1;
      poolShrink = 0;
    }
    for (WireParams.Param p : params.asList()) {
      String v = p.value();
      if (v == null) {
        throw new IllegalArgumentException("expected key=value, got " + p.key());
      }
      try {
        switch (p.key()) {
          case "clear" -> { }
          case "seed" -> reseed(Long.parseLong(v));
          case "corrupt_rate" -> corruptRate = rate(p.key(), v);
          case "drop_rate" -> dropRate = rate(p.key(), v);
          case "delay_ms" -> delay = Duration.ofMillis(Long.parseLong(v));
          case "cut_after_bytes" -> cutAfterBytes = Long.parseLong(v);
          case "noise_rate" -> noiseRate = rate(p.key(), v);
          case "reboot_at_payload_byte" -> rebootAtPayloadByte = Long.parseLong(v);
          case "pool_shrink" -> poolShrink = Long.parseLong(v);
          default -> throw new IllegalArgumentException("unknown fault " + p.key());
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bad number for " + p.key() + ": " + v);
      }
    }
  }

  private static double rate(String key, String value) {
    double r = Double.parseDouble(value);
    if (!(r >= 0 && r <= 1)) {
      throw new IllegalArgumentException(key + " must be between 0 and 1");
    }
    return r;
  }

  /** The current settings, as the keys {@code SIM_FAULT} takes. */
  public synchronized WireParams describe() {
    return WireParams.builder()
        .add("seed", seed)
        .add("corrupt_rate", corruptRate)
        .add("drop_rate", dropRate)
        .add("delay_ms", delay.toMillis())
        .add("cut_after_bytes", cutAfterBytes)
        .add("noise_rate", noiseRate)
        .add("reboot_at_payload_byte", rebootAtPayloadByte)
        .add("pool_shrink", poolShrink)
        .build();
  }

  /** What happens to one payload byte on its way in. */
  public enum ByteFate {
    KEEP,
    DROP,
    CORRUPT
  }

  public synchronized ByteFate payloadByte() {
    if (dropRate > 0 && random.nextDouble() < dropRate) {
      return ByteFate.DROP;
    }
    if (corruptRate > 0 && random.nextDouble() < corruptRate) {
      return ByteFate.CORRUPT;
    }
    return ByteFate.KEEP;
  }

  /** A byte with one bit flipped, chosen by the seeded generator. */
  public synchronized int corrupt(int b) {
    return (b ^ (1 << random.nextInt(8))) & 0xff;
  }

  public synchronized Duration delay() {
    return delay;
  }

  /** A console line to print before a reply, or null; the noise a real UART carries. */
  public synchronized String noiseLine() {
    if (noiseRate <= 0 || random.nextDouble() >= noiseRate) {
      return null;
    }
    noiseCount++;
    return switch (random.nextInt(3)) {
      case 0 -> String.format(Locale.ROOT, "LED ON (thread 0x2000%04x)", random.nextInt(0x10000));
      case 1 -> String.format(Locale.ROOT, "[00:%02d:%02d.%03d,000] <inf> agent: heartbeat %d",
          noiseCount / 3600 % 60, noiseCount / 60 % 60, noiseCount % 1000, noiseCount);
      default -> String.format(Locale.ROOT, "<wrn> uart: rx overrun %d", random.nextInt(100));
    };
  }

  /**
   * How many of the next {@code n} bytes a connection may carry before the cut fault closes
   * it; {@code n} when no cut is armed. The cut fires once, then disarms.
   */
  public synchronized long bytesBeforeCut(long n) {
    if (cutAfterBytes < 0) {
      return n;
    }
    if (n < cutAfterBytes) {
      cutAfterBytes -= n;
      return n;
    }
    long allowed = cutAfterBytes;
    cutAfterBytes = -1;
    return allowed;
  }

  /** True once, when payload byte number {@code index} (0-based) should reboot the board. */
  public synchronized boolean rebootAt(long index) {
    if (rebootAtPayloadByte >= 0 && index >= rebootAtPayloadByte) {
      rebootAtPayloadByte = -1;
      return true;
    }
    return false;
  }

  public synchronized long poolShrink() {
    return poolShrink;
  }
}
