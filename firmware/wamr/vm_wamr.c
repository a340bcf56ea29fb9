#include "vm_wamr.h"

#include <stdio.h>
#include <string.h>

#include "wasm_export.h"

#define WASM_STACK_SIZE 4096U /* per instance, as firmware 1.0.0 */
#define APP_HEAP_SIZE 4096U

struct vm_wamr_module {
	uint8_t *payload;
	wasm_module_t module;
	wasm_module_inst_t inst;
	wasm_exec_env_t env;
	void *slot_ctx;
};

static const struct vm_wamr_natives *natives;

static void *slot_of(wasm_exec_env_t exec_env)
{
	return wasm_runtime_get_custom_data(wasm_runtime_get_module_inst(exec_env));
}

static void env_gpio_toggle(wasm_exec_env_t exec_env)
{
	natives->gpio_toggle(slot_of(exec_env));
}

static void env_uart_print(wasm_exec_env_t exec_env, const char *text)
{
	natives->uart_print(slot_of(exec_env), text); /* "($)": WAMR checked the string lies in linear memory */
}

static void env_led_toggle(wasm_exec_env_t exec_env, int32_t ms)
{
	natives->led_toggle(slot_of(exec_env), ms);
}

static NativeSymbol env_symbols[] = {
	{"gpio_toggle", (void *)env_gpio_toggle, "()", NULL},
	{"uart_print", (void *)env_uart_print, "($)", NULL},
	{"led_toggle", (void *)env_led_toggle, "(i)", NULL},
};

bool vm_wamr_init(void *pool, uint32_t pool_size, const struct vm_wamr_natives *n)
{
	RuntimeInitArgs init;

	natives = n;
	memset(&init, 0, sizeof(init));
	init.mem_alloc_type = Alloc_With_Pool;
	init.mem_alloc_option.pool.heap_buf = pool;
	init.mem_alloc_option.pool.heap_size = pool_size;
	init.native_module_name = "env";
	init.native_symbols = env_symbols;
	init.n_native_symbols = sizeof(env_symbols) / sizeof(env_symbols[0]);
	init.max_thread_num = AGENT_MAX_SLOTS + AGENT_MAX_BUILTINS + 1;
	return wasm_runtime_full_init(&init);
}

uint8_t *vm_wamr_payload_alloc(size_t size)
{
	return wasm_runtime_malloc((uint32_t)size);
}

void vm_wamr_payload_free(uint8_t *buf)
{
	wasm_runtime_free(buf);
}

enum agent_vm_result vm_wamr_load(uint8_t *payload, size_t size, void *slot_ctx, void **out, char *err,
				  size_t err_len)
{
	struct vm_wamr_module *m = wasm_runtime_malloc(sizeof(*m));

	if (m == NULL) {
		snprintf(err, err_len, "allocate memory failed");
		return AGENT_VM_NO_MEM;
	}
	memset(m, 0, sizeof(*m));
	m->module = wasm_runtime_load(payload, (uint32_t)size, err, (uint32_t)err_len);
	if (m->module == NULL) {
		wasm_runtime_free(m);
		return strstr(err, "allocate memory failed") != NULL ? AGENT_VM_NO_MEM : AGENT_VM_LOAD_FAIL;
	}
	m->inst = wasm_runtime_instantiate(m->module, WASM_STACK_SIZE, APP_HEAP_SIZE, err, (uint32_t)err_len);
	if (m->inst == NULL) {
		wasm_runtime_unload(m->module);
		wasm_runtime_free(m);
		return strstr(err, "allocate memory failed") != NULL ? AGENT_VM_NO_MEM : AGENT_VM_INSTANTIATE_FAIL;
	}
	m->payload = payload;
	m->slot_ctx = slot_ctx;
	wasm_runtime_set_custom_data(m->inst, slot_ctx);
	*out = m;
	return AGENT_VM_OK;
}

void vm_wamr_unload(void *module)
{
	struct vm_wamr_module *m = module;

	if (m->env != NULL) {
		wasm_runtime_destroy_exec_env(m->env);
	}
	wasm_runtime_deinstantiate(m->inst);
	wasm_runtime_unload(m->module);
	wasm_runtime_free(m->payload);
	wasm_runtime_free(m);
}

bool vm_wamr_has_export(void *module, const char *func)
{
	return wasm_runtime_lookup_function(((struct vm_wamr_module *)module)->inst, func) != NULL;
}

enum vm_wamr_status vm_wamr_call(void *module, const char *func, const int32_t *args, size_t nargs,
				 const volatile int *stop, uint32_t *ret, bool *has_ret, char *msg, size_t msg_len)
{
	struct vm_wamr_module *m = module;
	wasm_function_inst_t f = wasm_runtime_lookup_function(m->inst, func);
	uint32_t argv[8] = {0};

	*has_ret = false;
	msg[0] = '\0';
	if (f == NULL) {
		return VM_WAMR_NO_FUNC;
	}
	if (m->env == NULL) {
		m->env = wasm_runtime_create_exec_env(m->inst, WASM_STACK_SIZE);
		if (m->env == NULL) {
			snprintf(msg, msg_len, "create_exec_env failed");
			return VM_WAMR_TRAP;
		}
	}
	uint32_t params = wasm_func_get_param_count(f, m->inst);
	uint32_t results = wasm_func_get_result_count(f, m->inst);

	if (params > nargs) {
		snprintf(msg, msg_len, "Exception: invalid argument count %u, must be no smaller than %u", (unsigned)nargs,
			 (unsigned)params);
		return VM_WAMR_TRAP;
	}
	for (uint32_t i = 0; i < params && i < 4; i++) {
		argv[i] = (uint32_t)args[i];
	}
	/*
	 * The exec env exists now, so a terminate from here on reaches the call (its cluster's
	 * cancel flag); one that came earlier is seen in *stop. The exception is cleared after a
	 * call, never before, so no stop request is lost.
	 */
	if (*stop != 0) {
		snprintf(msg, msg_len, "Exception: terminated by user");
		return VM_WAMR_STOPPED;
	}
	if (!wasm_runtime_call_wasm(m->env, f, params, argv)) {
		const char *e = wasm_runtime_get_exception(m->inst);

		snprintf(msg, msg_len, "%s", e != NULL ? e : "Exception: unknown");
		wasm_runtime_clear_exception(m->inst);
		return strstr(msg, "terminated by user") != NULL ? VM_WAMR_STOPPED : VM_WAMR_TRAP;
	}
	if (results > 0) {
		*ret = argv[0];
		*has_ret = true;
	}
	return VM_WAMR_OK;
}

void vm_wamr_terminate(void *module)
{
	wasm_runtime_terminate(((struct vm_wamr_module *)module)->inst);
}

void vm_wamr_mem(struct agent_mem *out)
{
	mem_alloc_info_t info;

	if (!wasm_runtime_get_mem_alloc_info(&info)) {
		out->available = false;
		return;
	}
	out->available = true;
	out->total = info.total_size;
	out->free = info.total_free_size;
	out->used = info.total_size - info.total_free_size;
	out->highmark = info.highmark_size;
}

bool vm_wamr_is_aot(void *module)
{
	const struct vm_wamr_module *m = module;

	return m->payload[1] == 'a' && m->payload[2] == 'o' && m->payload[3] == 't';
}

bool vm_wamr_reinstantiate(void *module, char *err, size_t err_len)
{
	struct vm_wamr_module *m = module;

	if (m->env != NULL) {
		wasm_runtime_destroy_exec_env(m->env);
		m->env = NULL;
	}
	wasm_runtime_deinstantiate(m->inst);
	m->inst = wasm_runtime_instantiate(m->module, WASM_STACK_SIZE, APP_HEAP_SIZE, err, (uint32_t)err_len);
	if (m->inst == NULL) {
		return false;
	}
	wasm_runtime_set_custom_data(m->inst, m->slot_ctx);
	return true;
}
