/*
 * The agent's VM port over WAMR (wasm_export.h), shared by the Zephyr application and by
 * agent-host built with WAMR_ROOT: modules are loaded and instantiated from the pool WAMR was
 * given, run on the caller's (the slot worker's) thread, stopped with wasm_runtime_terminate
 * (checked at every branch when WAMR is built with its thread manager).
 */
#ifndef VM_WAMR_H_
#define VM_WAMR_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agent/agent.h"

/* What the env imports do; slot_ctx is what vm_wamr_load was given for the module. */
struct vm_wamr_natives {
	void (*gpio_toggle)(void *slot_ctx);
	void (*uart_print)(void *slot_ctx, const char *text);
	void (*led_toggle)(void *slot_ctx, int32_t ms);
};

enum vm_wamr_status { VM_WAMR_OK, VM_WAMR_TRAP, VM_WAMR_STOPPED, VM_WAMR_NO_FUNC };

bool vm_wamr_init(void *pool, uint32_t pool_size, const struct vm_wamr_natives *natives);

uint8_t *vm_wamr_payload_alloc(size_t size);
void vm_wamr_payload_free(uint8_t *buf);

/*
 * Loads and instantiates; on success the module owns `payload` (WAMR runs the bytecode in
 * place) and frees it on unload.
 */
enum agent_vm_result vm_wamr_load(uint8_t *payload, size_t size, void *slot_ctx, void **module, char *err,
				  size_t err_len);
void vm_wamr_unload(void *module);
bool vm_wamr_has_export(void *module, const char *func);

/*
 * Runs func(args) on this thread; msg gets WAMR's exception ("Exception: ..."). `stop` is the
 * slot's stop request: set before vm_wamr_terminate, it also stops a call that had not begun.
 */
enum vm_wamr_status vm_wamr_call(void *module, const char *func, const int32_t *args, size_t nargs,
				 const volatile int *stop, uint32_t *ret, bool *has_ret, char *msg, size_t msg_len);

/* Asks a running call to stop (from any thread); set the slot's stop request first. */
void vm_wamr_terminate(void *module);

void vm_wamr_mem(struct agent_mem *out);

/* True for a module loaded from a WAMR AOT file (native code: no suspend checks in loops). */
bool vm_wamr_is_aot(void *module);

/*
 * After the worker running it was aborted: a fresh instance (and exec env) of the same module,
 * since the old one stopped mid-call. False (err says why) when it does not fit any more.
 */
bool vm_wamr_reinstantiate(void *module, char *err, size_t err_len);

#endif /* VM_WAMR_H_ */
