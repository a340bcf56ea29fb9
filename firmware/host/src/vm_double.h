/*
 * TEST DOUBLE of WAMR for agent-host (WAMR cannot be installed here): a small interpreter of
 * the integer subset of WebAssembly MVP that the project's test modules use (i32/i64
 * arithmetic, control flow, calls, linear memory, globals; no floats, no tables). A module that
 * needs more fails to load, saying so. Trap messages are WAMR's words. Build agent-host with
 * WAMR_ROOT to run modules on the real WAMR instead.
 */
#ifndef VM_DOUBLE_H_
#define VM_DOUBLE_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vmd_module;

/* What a module's env imports do, and how a running call learns it must stop. */
struct vmd_host {
	void *ctx;
	void (*gpio_toggle)(void *ctx);
	void (*uart_print)(void *ctx, const char *text);
	void (*led_toggle)(void *ctx, int32_t ms);
	/* 0: run; 1: stop cooperatively; 2: stop now (forced). Read at every branch and call. */
	volatile int *stop;
};

enum vmd_load_result { VMD_LOADED = 0, VMD_LOAD_FAIL, VMD_INSTANTIATE_FAIL };

enum vmd_load_result vmd_load(const uint8_t *bytes, size_t size, struct vmd_module **out, char *err, size_t err_len);
void vmd_free(struct vmd_module *m);
bool vmd_has_export(const struct vmd_module *m, const char *name);
/* Bytes the instance takes besides its bytecode: linear memory (up to __heap_base, as WAMR shrinks it) and globals. */
size_t vmd_footprint(const struct vmd_module *m);

enum vmd_status { VMD_OK, VMD_TRAP, VMD_STOPPED, VMD_NO_FUNC };

enum vmd_status vmd_call(struct vmd_module *m, const char *func, const int32_t *args, size_t nargs,
			 const struct vmd_host *host, uint32_t *ret, bool *has_ret, char *msg, size_t msg_len);

#endif /* VM_DOUBLE_H_ */
