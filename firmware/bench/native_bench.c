#include "native_bench.h"

#include <string.h>

/* wasm/c/fft_bench.c, built natively (its app_main renamed to fft_app_main by the build) */
void fft_init(void);
void fft_bench(int iterations);
int fft_checksum(void);

static const char *const fft_funcs[] = {"fft_bench", "fft_checksum", "app_main", NULL};
static const char *const toggle_funcs[] = {"toggle_n", NULL};

const struct agent_builtin native_bench_builtins[2] = {
	{"native.fft", fft_funcs},
	{"native.toggle", toggle_funcs},
};

static int32_t arg0(const int32_t *args, size_t nargs)
{
	return nargs > 0 ? args[0] : 0;
}

static bool ffts(int32_t n, const struct native_bench_env *env)
{
	for (int32_t i = 0; i < n; i++) {
		if (*env->stop != 0) {
			return false;
		}
		fft_bench(1);
	}
	return true;
}

enum native_bench_result native_bench_call(int which, const char *func, const int32_t *args, size_t nargs,
					   const struct native_bench_env *env, uint32_t *ret, bool *has_ret)
{
	*has_ret = false;
	if (which == 0) {
		if (strcmp(func, "fft_checksum") == 0) {
			*ret = (uint32_t)fft_checksum();
			*has_ret = true;
			return NATIVE_BENCH_OK;
		}
		bool whole = strcmp(func, "app_main") == 0;

		if (!whole && strcmp(func, "fft_bench") != 0) {
			return NATIVE_BENCH_NO_FUNC;
		}
		if (whole) {
			fft_init();
		}
		if (!ffts(arg0(args, nargs), env)) {
			return NATIVE_BENCH_STOPPED;
		}
		if (whole) {
			*ret = (uint32_t)fft_checksum();
			*has_ret = true;
		}
		return NATIVE_BENCH_OK;
	}
	if (strcmp(func, "toggle_n") != 0) {
		return NATIVE_BENCH_NO_FUNC;
	}
	int32_t n = arg0(args, nargs);
	void (*volatile toggle)(void *) = env->gpio_toggle; /* called through a pointer, as wasm calls its import */

	for (int32_t i = 0; i < n; i++) {
		if ((i & 1023) == 0 && *env->stop != 0) {
			return NATIVE_BENCH_STOPPED;
		}
		toggle(env->ctx);
	}
	*ret = (uint32_t)n;
	*has_ret = true;
	return NATIVE_BENCH_OK;
}
