package io.wasmfleet.gateway;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** What a failed stage failed with. */
public final class Failures {

  private Failures() {}

  /**
   * The failure itself, without the {@link CompletionException} (or, from a {@code get()}, the
   * {@link ExecutionException}) that a dependent stage wraps it in.
   */
  public static Throwable cause(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
