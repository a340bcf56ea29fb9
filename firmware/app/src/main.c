/*
 * The wasmfleet agent on Zephyr: wire protocol v1 on the board's UART (the ST-Link virtual
 * COM port), modules run by WAMR, one worker thread per slot. main() is the RX thread: bytes
 * from the UART ring go to the agent core, and every 10 ms it looks at its timeouts.
 */
#include <app_version.h>
#include <stdio.h>
#include <stdlib.h>
#include <zephyr/drivers/hwinfo.h>
#include <zephyr/kernel.h>

#include "agent/agent.h"
#ifdef CONFIG_AGENT_NATIVE_BENCH
#include "native_bench.h"
#endif
#include "natives.h"
#include "uart_link.h"
#ifdef CONFIG_AGENT_SIGNATURES
#include "verify_psa.h"
#endif
#include "vm_wamr.h"
#include "workers.h"

static uint8_t wamr_pool[CONFIG_AGENT_WAMR_POOL_SIZE] __aligned(8);
static K_MUTEX_DEFINE(agent_lock); /* every agent_* call */
static struct agent agent;
static char device_id[2 * 16 + 1];
#ifdef CONFIG_AGENT_SIGNATURES
static char key_id[9]; /* the provisioned key's name: 8 hex of its SHA-256 */
#endif

static void port_tx(void *ctx, const char *line)
{
	ARG_UNUSED(ctx);
	uart_link_send(line);
}

static uint32_t port_now_ms(void *ctx)
{
	ARG_UNUSED(ctx);
	return k_uptime_get_32();
}

static uint8_t *port_payload_alloc(void *ctx, size_t size)
{
	ARG_UNUSED(ctx);
	return vm_wamr_payload_alloc(size);
}

static void port_payload_free(void *ctx, uint8_t *buf)
{
	ARG_UNUSED(ctx);
	vm_wamr_payload_free(buf);
}

static enum agent_vm_result port_vm_load(void *ctx, int slot, uint8_t *payload, size_t size, void **module, char *err,
					 size_t err_len)
{
	ARG_UNUSED(ctx);
	return vm_wamr_load(payload, size, workers_get(slot), module, err, err_len);
}

static void port_vm_unload(void *ctx, void *module)
{
	ARG_UNUSED(ctx);
	workers_release(module); /* never free a module a worker still runs */
	vm_wamr_unload(module);
}

static bool port_vm_has_export(void *ctx, void *module, const char *func)
{
	ARG_UNUSED(ctx);
	return vm_wamr_has_export(module, func);
}

static void port_vm_start(void *ctx, int slot, void *module, const char *func, const int32_t *args, size_t nargs,
			  uint32_t job)
{
	ARG_UNUSED(ctx);
	workers_start(slot, module, func, args, nargs, job);
}

static void port_vm_stop(void *ctx, int slot, bool force)
{
	ARG_UNUSED(ctx);
	workers_stop(slot, force);
}

static void port_vm_mem(void *ctx, struct agent_mem *out)
{
	ARG_UNUSED(ctx);
	vm_wamr_mem(out);
}

static uint32_t port_stack_free(void *ctx, int slot)
{
	ARG_UNUSED(ctx);
	return workers_stack_free(slot);
}

static const struct agent_ports ports = {
	.tx = port_tx, .now_ms = port_now_ms, .payload_alloc = port_payload_alloc, .payload_free = port_payload_free,
	.vm_load = port_vm_load, .vm_unload = port_vm_unload, .vm_has_export = port_vm_has_export,
	.vm_start = port_vm_start, .vm_stop = port_vm_stop, .vm_mem = port_vm_mem, .worker_stack_free = port_stack_free,
#ifdef CONFIG_AGENT_SIGNATURES
	.verify_signature = agent_psa_verify,
#endif
};

/* The board's own id (the STM32's 96-bit UID), not 1.0.0's fixed one. */
static void read_device_id(void)
{
	uint8_t id[16];
	ssize_t n = hwinfo_get_device_id(id, sizeof(id));

	if (n <= 0) {
		snprintf(device_id, sizeof(device_id), "%s", CONFIG_BOARD);
		return;
	}
	for (ssize_t i = 0; i < n; i++) {
		snprintf(device_id + 2 * i, 3, "%02x", id[i]);
	}
}

int main(void)
{
	if (uart_link_init() != 0 || natives_init() != 0) {
		return 0; /* no wire, or no LED: nothing to talk on */
	}
	read_device_id();
	if (!vm_wamr_init(wamr_pool, sizeof(wamr_pool), &natives_table)) {
		uart_link_send("ERROR code=WAMR_INIT_FAIL\n");
		return 0;
	}
#ifdef CONFIG_AGENT_SIGNATURES
	const char *bad_key = agent_psa_key_init(CONFIG_AGENT_SIGNING_KEY, key_id);

	if (bad_key != NULL) {
		char line[128];

		snprintf(line, sizeof(line), "ERROR code=SIGNING_KEY msg=\"%s\"\n", bad_key);
		uart_link_send(line);
		return 0; /* a board that cannot check what it was told to check takes nothing */
	}
#endif
	const struct agent_config cfg = {
		.device_id = device_id,
		.rtos = "Zephyr",
		.runtime = "WAMR",
		.fw_version = APP_VERSION_STRING,
		.board = CONFIG_BOARD,
		.clock_mhz = CONFIG_AGENT_CLOCK_MHZ[0] != '\0' ? CONFIG_AGENT_CLOCK_MHZ : NULL,
		.fpu = IS_ENABLED(CONFIG_FPU) ? "on" : "off",
		.payload_idle_ms = CONFIG_AGENT_LOAD_IDLE_TIMEOUT_MS,
		.stop_grace_ms = CONFIG_AGENT_STOP_GRACE_MS,
		.start_guard_no_env = 16384,
		.start_guard_with_env = 4096,
		.low_stack_below = 512,
		.load2_chunk = CONFIG_AGENT_LOAD2_CHUNK,
		.load2_window = CONFIG_AGENT_RX_RING_SIZE / CONFIG_AGENT_LOAD2_CHUNK > 0
					? CONFIG_AGENT_RX_RING_SIZE / CONFIG_AGENT_LOAD2_CHUNK : 1,
#ifdef CONFIG_AGENT_SIGNATURES
		.require_signature = IS_ENABLED(CONFIG_AGENT_REQUIRE_SIGNATURE),
		.key_id = key_id,
#endif
#ifdef CONFIG_AGENT_NATIVE_BENCH
		.builtins = native_bench_builtins,
		.nbuiltins = 2,
#endif
	};
	uint32_t mhz = (uint32_t)strtoul(CONFIG_AGENT_CLOCK_MHZ, NULL, 10);

	agent_init(&agent, &ports, &cfg);
	workers_init(&agent, &agent_lock, mhz == 0 ? (uint32_t)(sys_clock_hw_cycles_per_sec() / 1000000U) : mhz);
	k_mutex_lock(&agent_lock, K_FOREVER);
	bool early = uart_link_has_input(); /* bytes that came while we booted: nobody saw HELLO yet */

	agent_boot(&agent);
	if (early) {
		agent_discard_line(&agent); /* the rest of what was on the wire when the board reset */
	}
	k_mutex_unlock(&agent_lock);

	uint8_t buf[64];

	while (true) {
		size_t n = uart_link_read(buf, sizeof(buf), K_MSEC(10));

		k_mutex_lock(&agent_lock, K_FOREVER);
		if (n > 0) {
			agent_on_bytes(&agent, buf, n);
		}
		agent_on_tick(&agent);
		workers_tick();
		k_mutex_unlock(&agent_lock);
	}
	return 0;
}
