package io.wasmfleet.sim.exec;

/**
 * How a call into a module ended, in WAMR's words: {@code status} is a RESULT status,
 * {@code retI32} the first result (null for none), {@code msg} the exception text.
 */
public record Outcome(String status, Integer retI32, String msg) {

  public static Outcome ok(Integer ret) {
    return new Outcome("OK", ret, null);
  }

  public static Outcome exception(String msg) {
    return new Outcome("EXCEPTION", null, msg);
  }

  public static Outcome stopped() {
    return new Outcome("STOPPED", null, "Exception: terminated by user");
  }
}
