package io.wasmfleet.cli;

import io.wasmfleet.hostapi.HostApiClient;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A progress line on stderr for uploads and builds that take over a second: bytes sent, then
 * the wait for the gateway (which compiles, loads and runs). Only when stderr is a terminal and
 * never with {@code --json}; otherwise it does nothing.
 */
final class UploadProgress implements HostApiClient.Progress, AutoCloseable {

  private static final UploadProgress OFF = new UploadProgress(null, null, 0);
  private static final long SHOW_AFTER_NANOS = 1_000_000_000L;

  private final PrintWriter err;
  private final String label;
  private final long total;
  private final long start = System.nanoTime();
  private final ScheduledExecutorService ticker;
  private volatile long sent;
  private volatile boolean waiting;
  private volatile boolean shown;

  private UploadProgress(PrintWriter err, String label, long total) {
    this.err = err;
    this.label = label;
    this.total = total;
    if (err == null) {
      this.ticker = null;
    } else {
      this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "progress");
        t.setDaemon(true);
        return t;
      });
      ticker.scheduleAtFixedRate(this::draw, SHOW_AFTER_NANOS, 200_000_000L, TimeUnit.NANOSECONDS);
    }
  }

  static UploadProgress start(PrintWriter err, String label, byte[] blob, boolean allowed) {
    if (!allowed || label == null || blob == null || !stderrIsTerminal()) {
      return OFF;
    }
    return new UploadProgress(err, label, blob.length);
  }

  /** Linux: fd 2 is a terminal when it points at a tty device. */
  static boolean stderrIsTerminal() {
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
    } catch (Exception e) {
      return false;
    }
  }

  @Override
  public void sent(long bytes, long all) {
    sent = bytes;
  }

  @Override
  public void awaitingAnswer() {
    waiting = true;
  }

  private synchronized void draw() {
    double seconds = (System.nanoTime() - start) / 1e9;
    String line;
    if (!waiting) {
      int width = 24;
      int filled = total == 0 ? width : (int) (width * sent / total);
      line = String.format(Locale.ROOT, "%s [%s%s] %3d%% %.1f/%.1f KB %.1fs", label, "#".repeat(filled),
          ".".repeat(width - filled), total == 0 ? 100 : 100 * sent / total, sent / 1024.0, total / 1024.0, seconds);
    } else {
      line = String.format(Locale.ROOT, "%s: sent %.1f KB, waiting for the gateway %.1fs", label, total / 1024.0,
          seconds);
    }
    err.print("\r\033[K" + line);
    err.flush();
    shown = true;
  }

  @Override
  public synchronized void close() {
    if (ticker != null) {
      ticker.shutdownNow();
      if (shown) {
        err.print("\r\033[K");
        err.flush();
      }
    }
  }
}
