package io.wasmfleet.sim.link;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One selector thread for every simulated board's TCP bridge in the process: it accepts
 * connections and reads what the gateways send, so a thousand boards need one IO thread, not
 * a thread per board and per connection. Work from other threads (a change of interest, a
 * registration) is handed to the selector thread.
 */
final class TcpHub {

  private static final Logger log = LoggerFactory.getLogger(TcpHub.class);
  private static TcpHub shared;

  private final Selector selector;
  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  /** The selector thread's read buffer, shared by every connection (one read at a time). */
  final ByteBuffer readBuffer = ByteBuffer.allocate(16 * 1024);

  private TcpHub() throws IOException {
    selector = Selector.open();
    Thread t = new Thread(this::loop, "sim-tcp");
    t.setDaemon(true);
    t.start();
  }

  static synchronized TcpHub shared() {
    if (shared == null) {
      try {
        shared = new TcpHub();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot open a selector for the simulated boards' TCP links", e);
      }
    }
    return shared;
  }

  Selector selector() {
    return selector;
  }

  /** Runs {@code task} on the selector thread. */
  void submit(Runnable task) {
    tasks.add(task);
    selector.wakeup();
  }

  /** Registers {@code channel} (non-blocking) on the selector thread; {@code ready} handles its events. */
  void register(SelectableChannel channel, int ops, Consumer<SelectionKey> ready) {
    submit(() -> {
      try {
        channel.register(selector, ops, ready);
      } catch (IOException | CancelledKeyException e) {
        log.debug("registering a channel failed: {}", e.getMessage());
      }
    });
  }

  /** Changes a key's interest on the selector thread; a closed channel's key is left alone. */
  void interest(SelectionKey key, int add, int remove) {
    submit(() -> {
      if (key.isValid()) {
        try {
          key.interestOps((key.interestOps() | add) & ~remove);
        } catch (CancelledKeyException e) {
          // closed meanwhile
        }
      }
    });
  }

  @SuppressWarnings("unchecked")
  private void loop() {
    while (true) {
      try {
        selector.select();
        Runnable task;
        while ((task = tasks.poll()) != null) {
          task.run();
        }
        Iterator<SelectionKey> it = selector.selectedKeys().iterator();
        while (it.hasNext()) {
          SelectionKey key = it.next();
          it.remove();
          if (key.isValid()) {
            try {
              ((Consumer<SelectionKey>) key.attachment()).accept(key);
            } catch (CancelledKeyException e) {
              // closed while handling
            }
          }
        }
      } catch (IOException | RuntimeException e) {
        log.error("simulated boards' TCP selector: {}", e.toString(), e);
      }
    }
  }
}
