package io.wasmfleet.sim.exec;

/** The firmware's native functions, module {@code env}, as a slot provides them. */
public interface HostCalls {

  /** {@code gpio_toggle()}: toggles the user LED (PA5 on NUCLEO-F446RE). */
  void gpioToggle();

  /** {@code uart_print(i32 ptr)}: prints a NUL-terminated string as one console line. */
  void uartPrint(String text);

  /** {@code led_toggle(i32 ms)}: toggles the LED, then sleeps {@code ms} (not interruptible). */
  void ledToggle(int ms);
}
