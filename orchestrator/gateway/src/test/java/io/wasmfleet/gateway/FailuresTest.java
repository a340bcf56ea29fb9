package io.wasmfleet.gateway;

import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** The failure a request reports is the one that happened, not the wrapper a later stage added. */
class FailuresTest {

  @Test
  void aDependentStagesFailureIsTheOriginal() {
    IllegalStateException original = new IllegalStateException("board b1 is busy");
    CompletableFuture<String> later = CompletableFuture.<String>failedFuture(original).thenApply(s -> s + "!")
        .thenCompose(CompletableFuture::completedFuture);
    Throwable seen = later.handle((v, failure) -> failure).join();
    assertSame(original, Failures.cause(seen));
    ExecutionException fromGet = new ExecutionException(new CompletionException(original));
    assertSame(original, Failures.cause(fromGet));
    assertSame(original, Failures.cause(original));
  }
}
