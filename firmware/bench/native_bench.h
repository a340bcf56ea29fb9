/*
 * The benchmarks as native C, built into the firmware and started like modules under reserved
 * ids: "native.fft" runs wasm/c/fft_bench.c compiled for the board itself, "native.toggle"
 * calls the same gpio_toggle native the wasm toggle imports, through a function pointer. A
 * campaign gets its "Native C" row from them, on the same board and clock as the wasm rows.
 * Both look at *stop between iterations, so STOP ends them cooperatively.
 */
#ifndef NATIVE_BENCH_H_
#define NATIVE_BENCH_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agent/agent.h"

extern const struct agent_builtin native_bench_builtins[2];

struct native_bench_env {
	volatile int *stop;
	void (*gpio_toggle)(void *ctx);
	void *ctx;
};

enum native_bench_result { NATIVE_BENCH_OK, NATIVE_BENCH_STOPPED, NATIVE_BENCH_NO_FUNC };

/* Runs `func` of built-in `which` (0 native.fft, 1 native.toggle). */
enum native_bench_result native_bench_call(int which, const char *func, const int32_t *args, size_t nargs,
					   const struct native_bench_env *env, uint32_t *ret, bool *has_ret);

#endif /* NATIVE_BENCH_H_ */
