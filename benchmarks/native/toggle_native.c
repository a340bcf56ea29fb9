/*
 * The host twin of the MCU toggle benchmark: what it costs to call out of the benchmark loop.
 * Native C calls a no-op gpio_toggle through a function pointer the compiler cannot inline,
 * as a wasm module calls its imported gpio_toggle through the runtime.
 *
 * usage: toggle_native [calls]; prints the calls and the ns per call (the loop alone is timed)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static void gpio_toggle(void)
{
	__asm__ volatile("" ::: "memory");
}

void (*volatile toggle_fn)(void) = gpio_toggle;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long calls = argc > 1 ? atol(argv[1]) : 1000000;
	double start = now_ns();

	for (long i = 0; i < calls; i++) {
		toggle_fn();
	}
	double elapsed = now_ns() - start;

	printf("calls=%ld ns_per_call=%.4f\n", calls, elapsed / (double)calls);
	return 0;
}
