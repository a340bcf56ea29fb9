#include "workers.h"

#include <stdio.h>
#include <string.h>

#ifdef CONFIG_AGENT_NATIVE_BENCH
#include "native_bench.h"
#endif
#include "natives.h"
#include "vm_wamr.h"
#include "wasm_export.h"

#if defined(CONFIG_CPU_CORTEX_M) && !defined(CONFIG_BOARD_NATIVE_SIM)
#include <cmsis_core.h>
#define HAVE_DWT 1
#endif

#define NWORKERS (AGENT_MAX_SLOTS + AGENT_MAX_BUILTINS)
#define ABORT_AFTER_MS CONFIG_AGENT_STOP_GRACE_MS

K_THREAD_STACK_ARRAY_DEFINE(worker_stacks, NWORKERS, CONFIG_AGENT_WORKER_STACK_SIZE);
static struct worker workers[NWORKERS];
static struct agent *agent;
static struct k_mutex *agent_lock;
static uint32_t clock_mhz;

static void worker_main(void *p1, void *p2, void *p3);

static void spawn(struct worker *w)
{
	w->tid = k_thread_create(&w->thread, worker_stacks[w->slot], K_THREAD_STACK_SIZEOF(worker_stacks[w->slot]),
				 worker_main, w, NULL, NULL, K_PRIO_PREEMPT(8), 0, K_NO_WAIT);
}

void workers_init(struct agent *a, struct k_mutex *lock, uint32_t mhz)
{
	agent = a;
	agent_lock = lock;
	clock_mhz = mhz;
#ifdef HAVE_DWT
	CoreDebug->DEMCR |= CoreDebug_DEMCR_TRCENA_Msk;
#if defined(CONFIG_CPU_CORTEX_M7)
	DWT->LAR = 0xC5ACCE55; /* the M7's DWT is locked after reset */
#endif
	DWT->CYCCNT = 0;
	DWT->CTRL |= DWT_CTRL_CYCCNTENA_Msk;
#endif
	for (int i = 0; i < NWORKERS; i++) {
		workers[i].slot = i;
		k_sem_init(&workers[i].go, 0, 1);
		k_sem_init(&workers[i].stop_sem, 0, 1);
		spawn(&workers[i]);
	}
}

struct worker *workers_get(int slot)
{
	return &workers[slot];
}

void workers_start(int slot, void *module, const char *func, const int32_t *args, size_t nargs, uint32_t job)
{
	struct worker *w = &workers[slot];

	while (w->busy) { /* an aborted job still winding down: it stops at its next branch */
		k_sleep(K_MSEC(1));
	}
	w->module = module;
	w->aot = module != NULL && vm_wamr_is_aot(module);
	strncpy(w->func, func, AGENT_FUNC_MAX);
	w->func[AGENT_FUNC_MAX] = '\0';
	memcpy(w->args, args, nargs * sizeof(int32_t));
	w->nargs = nargs;
	w->job = job;
	w->stop = 0;
	w->force_at = 0;
	k_sem_reset(&w->stop_sem);
	w->busy = true;
	k_sem_give(&w->go);
}

void workers_stop(int slot, bool force)
{
	struct worker *w = &workers[slot];

	w->stop = force ? 2 : 1; /* before terminate: a call that had not begun sees it */
	k_sem_give(&w->stop_sem);
	if (w->module != NULL) {
		vm_wamr_terminate(w->module);
	}
	if (force && w->force_at == 0) {
		w->force_at = k_uptime_get() + ABORT_AFTER_MS;
	}
}

void workers_release(void *module)
{
	for (int i = 0; i < AGENT_MAX_SLOTS; i++) {
		struct worker *w = &workers[i];

		if (w->module != module) {
			continue;
		}
		if (w->busy) {
			workers_stop(i, true);
			/* it leaves wasm at its next branch, or workers_tick aborts it (its outcome,
			 * reported once we let go of the agent's lock, names a job already answered) */
			while (w->busy) {
				k_sleep(K_MSEC(1));
				workers_tick();
			}
		}
		w->module = NULL;
	}
}

uint32_t workers_stack_free(int slot)
{
	size_t unused = 0;

	if (k_thread_stack_space_get(&workers[slot].thread, &unused) != 0) {
		return 0;
	}
	return (uint32_t)unused;
}

/*
 * The forced-stop path. An interpreted job stops at its next branch (WAMR's thread manager);
 * AOT code checks nothing in its loops, so a forced AOT job still running after the grace is
 * aborted, but only while it is in wasm code: inside a native it may hold a lock (the TX queue,
 * a driver), and is left to return first. The module is then re-instantiated.
 */
void workers_tick(void)
{
	int64_t now = k_uptime_get();

	for (int i = 0; i < AGENT_MAX_SLOTS; i++) {
		struct worker *w = &workers[i];

		if (!w->busy || w->force_at == 0 || now < w->force_at || !w->aot || w->in_native) {
			continue;
		}
		k_thread_abort(w->tid);
		char err[AGENT_MSG_MAX + 1];
		struct agent_outcome o = {.status = AGENT_JOB_STOPPED, .forced = true};

		if (!vm_wamr_reinstantiate(w->module, err, sizeof(err))) {
			o.status = AGENT_JOB_EXCEPTION;
			o.msg = err;
		}
		w->busy = false;
		w->force_at = 0;
		spawn(w);
		agent_job_done(agent, i, w->job, &o);
	}
}

static uint64_t elapsed_cycles(uint32_t dwt0, int64_t ticks0)
{
#ifdef HAVE_DWT
	uint32_t dwt = DWT->CYCCNT - dwt0;
	uint64_t us = k_ticks_to_us_floor64((uint64_t)(k_uptime_ticks() - ticks0));
	/* CYCCNT wraps every 2^32 cycles (24 s at 180 MHz): the uptime says how many times */
	uint64_t expected = us * clock_mhz;
	uint64_t wraps = expected > dwt ? (expected - dwt + (1ULL << 31)) >> 32 : 0;

	return ((uint64_t)wraps << 32) + dwt;
#else
	ARG_UNUSED(dwt0);
	ARG_UNUSED(ticks0);
	return 0;
#endif
}

static void worker_main(void *p1, void *p2, void *p3)
{
	ARG_UNUSED(p2);
	ARG_UNUSED(p3);
	struct worker *w = p1;
	bool builtin = w->slot >= AGENT_MAX_SLOTS;

	if (!builtin) {
		wasm_runtime_init_thread_env();
	}
	while (true) {
		k_sem_take(&w->go, K_FOREVER);
		char msg[AGENT_MSG_MAX + 1] = "";
		uint32_t ret = 0;
		bool has_ret = false;
		uint64_t toggles0 = w->toggles;
		struct agent_outcome o = {0};
		int64_t ticks0 = k_uptime_ticks();
#ifdef HAVE_DWT
		uint32_t dwt0 = DWT->CYCCNT;
#else
		uint32_t dwt0 = 0;
#endif

#ifdef CONFIG_AGENT_NATIVE_BENCH
		if (builtin) {
			struct native_bench_env env = {&w->stop, natives_gpio_toggle, w};
			enum native_bench_result r = native_bench_call(w->slot - AGENT_MAX_SLOTS, w->func, w->args, w->nargs,
								       &env, &ret, &has_ret);

			o.status = r == NATIVE_BENCH_OK ? AGENT_JOB_OK : r == NATIVE_BENCH_STOPPED ? AGENT_JOB_STOPPED
												: AGENT_JOB_NO_FUNC;
			if (r == NATIVE_BENCH_STOPPED) {
				snprintf(msg, sizeof(msg), "Exception: terminated by user");
			}
		} else
#endif
		{
			enum vm_wamr_status r = vm_wamr_call(w->module, w->func, w->args, w->nargs, &w->stop, &ret,
							     &has_ret, msg, sizeof(msg));

			o.status = r == VM_WAMR_OK ? AGENT_JOB_OK : r == VM_WAMR_TRAP ? AGENT_JOB_EXCEPTION
				 : r == VM_WAMR_STOPPED ? AGENT_JOB_STOPPED : AGENT_JOB_NO_FUNC;
			if (r == VM_WAMR_TRAP && strstr(msg, "create_exec_env failed") != NULL) {
				o.status = AGENT_JOB_NO_EXEC_ENV;
			}
		}
		uint64_t cycles = elapsed_cycles(dwt0, ticks0);

		o.forced = o.status == AGENT_JOB_STOPPED && w->stop == 2;
		o.has_ret = has_ret;
		o.ret_i32 = ret;
		o.msg = msg[0] == '\0' ? NULL : msg;
#ifdef HAVE_DWT
		o.has_cycles = true;
		o.cycles = cycles;
		o.elapsed_us = cycles / clock_mhz;
#else
		ARG_UNUSED(cycles);
		o.elapsed_us = k_ticks_to_us_floor64((uint64_t)(k_uptime_ticks() - ticks0));
#endif
		o.has_toggles = true;
		o.toggles = w->toggles - toggles0;
		uint32_t job = w->job;

		w->force_at = 0;
		w->busy = false; /* before the lock: a module being freed waits for this, holding it */
		k_mutex_lock(agent_lock, K_FOREVER);
		agent_job_done(agent, w->slot, job, &o);
		k_mutex_unlock(agent_lock);
	}
}
