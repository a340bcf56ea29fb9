/*
 * One worker thread per module slot and per built-in benchmark, each with its own stack:
 * they run the jobs, time them (DWT cycle counter on Cortex-M) and hand the outcome back to
 * the agent under its lock.
 */
#ifndef WORKERS_H_
#define WORKERS_H_

#include <stdbool.h>
#include <stdint.h>
#include <zephyr/kernel.h>

#include "agent/agent.h"

struct worker {
	struct k_thread thread;
	k_tid_t tid;
	int slot;
	struct k_sem go;
	struct k_sem stop_sem;   /* natives that sleep wait on it: a STOP wakes them */
	volatile int stop;       /* 0 run, 1 stop, 2 forced */
	volatile bool busy;
	volatile bool in_native; /* inside a native (may hold a lock): never aborted there */
	void *module;
	bool aot;
	char func[AGENT_FUNC_MAX + 1];
	int32_t args[AGENT_MAX_ARGS];
	size_t nargs;
	uint32_t job;
	uint64_t toggles;
	int64_t force_at;        /* uptime (ms) after which a forced job may be aborted; 0: none */
};

void workers_init(struct agent *agent, struct k_mutex *agent_lock, uint32_t clock_mhz);
struct worker *workers_get(int slot);
void workers_start(int slot, void *module, const char *func, const int32_t *args, size_t nargs, uint32_t job);
void workers_stop(int slot, bool force);
/* Waits until no worker runs `module` (forcing it) before the module is freed. */
void workers_release(void *module);
uint32_t workers_stack_free(int slot);
/* The forced-stop path (call from the agent's thread, under its lock). */
void workers_tick(void);

#endif /* WORKERS_H_ */
