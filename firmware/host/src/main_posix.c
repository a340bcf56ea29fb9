/*
 * agent-host: the firmware's core as a POSIX program. It opens a pseudo-terminal, prints its
 * path (and links it to --link NAME), and speaks wire protocol v1 on it exactly as a board does
 * on its UART. The VM port is vm_double.c, a TEST DOUBLE of WAMR (WAMR cannot be installed
 * here); the ports' other halves are pthreads: the RX loop, one worker per slot, one TX lock.
 *
 *   agent-host [--board nucleo_f446re|nucleo_f746zg] [--device-id ID] [--link PATH]
 *              [--payload-idle-ms N] [--stop-grace-ms N] [--signing-key PUB.pem [--require-signature on]]
 *
 * It speaks LOAD v2 (caps=load2). With --signing-key it checks signed modules against that
 * public key with OpenSSL (verify_openssl.c), as a board does with PSA and its provisioned key.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "agent/agent.h"
#include "native_bench.h"
#include "verify_openssl.h"
#ifdef AGENT_HOST_WAMR
#include "vm_wamr.h"
#include "wasm_export.h"
#else
#include "vm_double.h"
#endif

/* The WAMR pool's model: what a module, its payload buffer and its exec env take. */
#define RUNTIME_RESERVED 2056U
#define EXEC_ENV_BYTES 8192U
#define WORKER_STACK 4096U
#ifdef AGENT_HOST_WAMR
#define RUNTIME_NAME "WAMR"
#else
#define RUNTIME_NAME "vm-test-double"
#endif

struct module_handle {
	struct vmd_module *vm;
	uint32_t pool_bytes;
};

struct worker {
	pthread_t thread;
	pthread_cond_t wake;
	int slot;
	bool has_job;
	struct module_handle *module;
	char func[AGENT_FUNC_MAX + 1];
	int32_t args[AGENT_MAX_ARGS];
	size_t nargs;
	uint32_t job;
	volatile int stop;
	uint64_t toggles;
	bool exec_env;
	bool busy; /* inside vmd_call (guarded by busy_lock) */
};

static int master_fd;
static pthread_mutex_t core_lock = PTHREAD_MUTEX_INITIALIZER; /* every agent_* call */
static pthread_mutex_t tx_lock = PTHREAD_MUTEX_INITIALIZER;   /* one line at a time on the wire */
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t stop_cond = PTHREAD_COND_INITIALIZER;   /* wakes natives that sleep */
static pthread_mutex_t busy_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t idle_cond = PTHREAD_COND_INITIALIZER;   /* a worker left vmd_call */
static struct agent agent;
static struct worker workers[AGENT_MAX_SLOTS + AGENT_MAX_BUILTINS];
static uint32_t pool_total;
static uint32_t pool_used;
static uint32_t pool_highmark;

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000U + (uint64_t)ts.tv_nsec / 1000U;
}

static void write_all(const char *text, size_t len)
{
	while (len > 0) {
		ssize_t n = write(master_fd, text, len);

		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				continue;
			}
			return; /* nobody reads the pty: the line is lost, as on a UART with no listener */
		}
		text += n;
		len -= (size_t)n;
	}
}

static void port_tx(void *ctx, const char *line)
{
	(void)ctx;
	pthread_mutex_lock(&tx_lock);
	write_all(line, strlen(line));
	pthread_mutex_unlock(&tx_lock);
}

static uint32_t port_now_ms(void *ctx)
{
	(void)ctx;
	return (uint32_t)(now_us() / 1000U);
}

static bool pool_take(uint32_t bytes)
{
	bool ok;

	pthread_mutex_lock(&pool_lock);
	ok = pool_used + bytes <= pool_total;
	if (ok) {
		pool_used += bytes;
		if (pool_used > pool_highmark) {
			pool_highmark = pool_used;
		}
	}
	pthread_mutex_unlock(&pool_lock);
	return ok;
}

static void pool_give(uint32_t bytes)
{
	pthread_mutex_lock(&pool_lock);
	pool_used -= bytes;
	pthread_mutex_unlock(&pool_lock);
}

#ifdef AGENT_HOST_WAMR
static uint8_t *port_payload_alloc(void *ctx, size_t size)
{
	(void)ctx;
	return vm_wamr_payload_alloc(size);
}

static void port_payload_free(void *ctx, uint8_t *buf)
{
	(void)ctx;
	vm_wamr_payload_free(buf);
}

static enum agent_vm_result port_vm_load(void *ctx, int slot, uint8_t *payload, size_t size, void **module, char *err,
					 size_t err_len)
{
	(void)ctx;
	return vm_wamr_load(payload, size, &workers[slot], module, err, err_len);
}

#else
static uint8_t *port_payload_alloc(void *ctx, size_t size)
{
	(void)ctx;
	if (size > pool_total || !pool_take((uint32_t)size)) {
		return NULL;
	}
	uint8_t *buf = malloc(size + sizeof(uint32_t));

	memcpy(buf, &(uint32_t){(uint32_t)size}, sizeof(uint32_t));
	return buf + sizeof(uint32_t);
}

static void port_payload_free(void *ctx, uint8_t *buf)
{
	(void)ctx;
	uint32_t size;

	memcpy(&size, buf - sizeof(uint32_t), sizeof(uint32_t));
	pool_give(size);
	free(buf - sizeof(uint32_t));
}

static enum agent_vm_result port_vm_load(void *ctx, int slot, uint8_t *payload, size_t size, void **module, char *err,
					 size_t err_len)
{
	(void)slot;
	struct vmd_module *vm = NULL;
	enum vmd_load_result r = vmd_load(payload, size, &vm, err, err_len);

	if (r != VMD_LOADED) {
		return r == VMD_INSTANTIATE_FAIL ? AGENT_VM_INSTANTIATE_FAIL : AGENT_VM_LOAD_FAIL;
	}
	uint32_t instance = (uint32_t)vmd_footprint(vm);

	if (!pool_take(instance)) {
		vmd_free(vm);
		snprintf(err, err_len, "WASM module instantiate failed: allocate memory failed");
		return AGENT_VM_NO_MEM;
	}
	struct module_handle *h = calloc(1, sizeof(*h));

	h->vm = vm;
	h->pool_bytes = (uint32_t)size + instance; /* WAMR keeps the bytecode it runs */
	/* the payload buffer's pool bytes now belong to the module */
	free(payload - sizeof(uint32_t));
	(void)ctx;
	*module = h;
	return AGENT_VM_OK;
}

#endif

/* Never frees a module its worker is still running: forces it and waits for it to let go. */
static void release_worker(void *module)
{
	for (int i = 0; i < AGENT_MAX_SLOTS; i++) {
		if (workers[i].module == module) {
			workers[i].stop = 2;
#ifdef AGENT_HOST_WAMR
			vm_wamr_terminate(module);
#endif
			pthread_mutex_lock(&pool_lock);
			pthread_cond_broadcast(&stop_cond);
			pthread_mutex_unlock(&pool_lock);
			pthread_mutex_lock(&busy_lock);
			while (workers[i].busy) {
				pthread_cond_wait(&idle_cond, &busy_lock);
			}
			pthread_mutex_unlock(&busy_lock);
#ifndef AGENT_HOST_WAMR
			if (workers[i].exec_env) {
				pool_give(EXEC_ENV_BYTES);
			}
#endif
			workers[i].exec_env = false;
			workers[i].module = NULL;
		}
	}
}

static void port_vm_unload(void *ctx, void *module)
{
	(void)ctx;
	release_worker(module);
#ifdef AGENT_HOST_WAMR
	vm_wamr_unload(module);
#else
	struct module_handle *h = module;

	pool_give(h->pool_bytes);
	vmd_free(h->vm);
	free(h);
#endif
}

static bool port_vm_has_export(void *ctx, void *module, const char *func)
{
	(void)ctx;
#ifdef AGENT_HOST_WAMR
	return vm_wamr_has_export(module, func);
#else
	return vmd_has_export(((struct module_handle *)module)->vm, func);
#endif
}

static void port_vm_start(void *ctx, int slot, void *module, const char *func, const int32_t *args, size_t nargs,
			  uint32_t job)
{
	(void)ctx;
	struct worker *w = &workers[slot];

	pthread_mutex_lock(&busy_lock);
	while (w->busy) { /* an aborted job still winding down (it stops at its next branch) */
		pthread_cond_wait(&idle_cond, &busy_lock);
	}
	pthread_mutex_unlock(&busy_lock);
	w->job = job;
	w->module = module;
	strcpy(w->func, func);
	memcpy(w->args, args, nargs * sizeof(int32_t));
	w->nargs = nargs;
	w->stop = 0;
	w->has_job = true;
	pthread_cond_signal(&w->wake);
}

static void port_vm_stop(void *ctx, int slot, bool force)
{
	(void)ctx;
	workers[slot].stop = force ? 2 : 1;
#ifdef AGENT_HOST_WAMR
	if (slot < AGENT_MAX_SLOTS && workers[slot].module != NULL) {
		vm_wamr_terminate(workers[slot].module);
	}
#endif
	pthread_mutex_lock(&pool_lock);
	pthread_cond_broadcast(&stop_cond);
	pthread_mutex_unlock(&pool_lock);
}

static void port_vm_mem(void *ctx, struct agent_mem *out)
{
	(void)ctx;
#ifdef AGENT_HOST_WAMR
	vm_wamr_mem(out);
	return;
#endif
	pthread_mutex_lock(&pool_lock);
	out->available = true;
	out->total = pool_total;
	out->used = pool_used;
	out->free = pool_total - pool_used;
	out->highmark = pool_highmark;
	pthread_mutex_unlock(&pool_lock);
}

static uint32_t port_stack_free(void *ctx, int slot)
{
	(void)ctx;
	(void)slot;
	return WORKER_STACK; /* not measured on the host: the firmware's worker stack size */
}

static struct agent_ports ports = {
	.tx = port_tx, .now_ms = port_now_ms, .payload_alloc = port_payload_alloc, .payload_free = port_payload_free,
	.vm_load = port_vm_load, .vm_unload = port_vm_unload, .vm_has_export = port_vm_has_export,
	.vm_start = port_vm_start, .vm_stop = port_vm_stop, .vm_mem = port_vm_mem, .worker_stack_free = port_stack_free,
};

/* ---- the natives a module imports --------------------------------------------------------- */

static void native_gpio_toggle(void *ctx)
{
	((struct worker *)ctx)->toggles++;
}

static void native_uart_print(void *ctx, const char *text)
{
	(void)ctx;
	pthread_mutex_lock(&tx_lock);
	write_all(text, strlen(text));
	write_all("\n", 1);
	pthread_mutex_unlock(&tx_lock);
}

/* Sleeps `ms`, but wakes at once on a STOP (1.0.0 slept in k_msleep, out of a stop's reach). */
static void native_led_toggle(void *ctx, int32_t ms)
{
	struct worker *w = ctx;
	struct timespec until;

	w->toggles++;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&pool_lock);
	while (w->stop == 0 && pthread_cond_timedwait(&stop_cond, &pool_lock, &until) != ETIMEDOUT) {
	}
	pthread_mutex_unlock(&pool_lock);
}

enum run_status { RUN_OK, RUN_TRAP, RUN_STOPPED, RUN_NO_FUNC };

/* The exec env (WAMR: created at the first call) fits in the pool. */
static bool exec_env_fits(void)
{
#ifdef AGENT_HOST_WAMR
	return true; /* WAMR allocates it and says so if it cannot */
#else
	return pool_take(EXEC_ENV_BYTES);
#endif
}

/* Runs one job on this worker's thread: a built-in native benchmark, or a module's export. */
static enum run_status run_job(struct worker *w, void *module, bool builtin, const char *func, const int32_t *args,
			       size_t nargs, uint32_t *ret, bool *has_ret, char *msg, size_t msg_len)
{
	if (builtin) {
		struct native_bench_env env = {&w->stop, native_gpio_toggle, w};
		enum native_bench_result nr = native_bench_call(w->slot - AGENT_MAX_SLOTS, func, args, nargs, &env, ret,
								has_ret);

		if (nr == NATIVE_BENCH_STOPPED) {
			snprintf(msg, msg_len, "Exception: terminated by user");
		}
		return nr == NATIVE_BENCH_OK ? RUN_OK : nr == NATIVE_BENCH_STOPPED ? RUN_STOPPED : RUN_NO_FUNC;
	}
#ifdef AGENT_HOST_WAMR
	enum vm_wamr_status st = vm_wamr_call(module, func, args, nargs, &w->stop, ret, has_ret, msg, msg_len);

	return st == VM_WAMR_OK ? RUN_OK : st == VM_WAMR_TRAP ? RUN_TRAP : st == VM_WAMR_STOPPED ? RUN_STOPPED
									: RUN_NO_FUNC;
#else
	struct vmd_host host = {w, native_gpio_toggle, native_uart_print, native_led_toggle, &w->stop};
	enum vmd_status st = vmd_call(((struct module_handle *)module)->vm, func, args, nargs, &host, ret, has_ret, msg,
				      msg_len);

	return st == VMD_OK ? RUN_OK : st == VMD_TRAP ? RUN_TRAP : st == VMD_STOPPED ? RUN_STOPPED : RUN_NO_FUNC;
#endif
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

#ifdef AGENT_HOST_WAMR
	wasm_runtime_init_thread_env();
#endif
	pthread_mutex_lock(&core_lock);
	while (true) {
		while (!w->has_job) {
			pthread_cond_wait(&w->wake, &core_lock);
		}
		w->has_job = false;
		void *h = w->module;
		struct agent_outcome o = {0};
		uint32_t job = w->job;
		char func[AGENT_FUNC_MAX + 1];
		int32_t args[AGENT_MAX_ARGS];
		size_t nargs = w->nargs;

		strcpy(func, w->func);
		memcpy(args, w->args, sizeof(args));
		bool builtin = w->slot >= AGENT_MAX_SLOTS;

		if (!builtin && !w->exec_env && !exec_env_fits()) {
			o.status = AGENT_JOB_NO_EXEC_ENV;
			agent_job_done(&agent, w->slot, job, &o);
			continue;
		}
		w->exec_env = !builtin;
		pthread_mutex_lock(&busy_lock);
		w->busy = true;
		pthread_mutex_unlock(&busy_lock);
		pthread_mutex_unlock(&core_lock);

		char msg[AGENT_MSG_MAX + 1] = "";
		uint32_t ret = 0;
		bool has_ret = false;
		uint64_t toggles_before = w->toggles;
		uint64_t start = now_us();
		enum run_status st = run_job(w, h, builtin, func, args, nargs, &ret, &has_ret, msg, sizeof(msg));
		uint64_t elapsed = now_us() - start;
		int stop = w->stop;

		pthread_mutex_lock(&busy_lock);
		w->busy = false;
		pthread_cond_broadcast(&idle_cond);
		pthread_mutex_unlock(&busy_lock);
		pthread_mutex_lock(&core_lock);
		o.status = st == RUN_OK ? AGENT_JOB_OK : st == RUN_TRAP ? AGENT_JOB_EXCEPTION
			 : st == RUN_STOPPED ? AGENT_JOB_STOPPED : AGENT_JOB_NO_FUNC;
		o.forced = st == RUN_STOPPED && stop == 2;
		o.has_ret = has_ret;
		o.ret_i32 = ret;
		o.msg = msg[0] == '\0' ? NULL : msg;
		o.elapsed_us = elapsed;
		o.has_toggles = true;
		o.toggles = w->toggles - toggles_before;
		agent_job_done(&agent, w->slot, job, &o);
	}
	return NULL;
}

static void usage(const char *why)
{
	fprintf(stderr, "agent-host: %s\nusage: agent-host [--board nucleo_f446re|nucleo_f746zg] [--device-id ID]"
			" [--link PATH] [--payload-idle-ms N] [--stop-grace-ms N]"
			" [--signing-key PUB.pem [--require-signature on]]\n", why);
	exit(2);
}

int main(int argc, char **argv)
{
	const char *board = "nucleo_f446re";
	const char *device_id = "agent-host";
	const char *link_path = NULL;
	uint32_t idle_ms = 5000;
	uint32_t grace_ms = 1200;
	const char *signing_key = NULL;
	bool require_signature = false;
	static char key_id[9];

	for (int i = 1; i < argc; i++) {
		if (i + 1 >= argc) {
			usage("every option takes a value");
		}
		if (strcmp(argv[i], "--board") == 0) {
			board = argv[++i];
		} else if (strcmp(argv[i], "--device-id") == 0) {
			device_id = argv[++i];
		} else if (strcmp(argv[i], "--link") == 0) {
			link_path = argv[++i];
		} else if (strcmp(argv[i], "--payload-idle-ms") == 0) {
			idle_ms = (uint32_t)strtoul(argv[++i], NULL, 10);
		} else if (strcmp(argv[i], "--stop-grace-ms") == 0) {
			grace_ms = (uint32_t)strtoul(argv[++i], NULL, 10);
		} else if (strcmp(argv[i], "--signing-key") == 0) {
			signing_key = argv[++i];
		} else if (strcmp(argv[i], "--require-signature") == 0) {
			require_signature = strcmp(argv[++i], "on") == 0;
		} else {
			usage("unknown option");
		}
	}
	if (strcmp(board, "nucleo_f446re") == 0) {
		pool_total = 100U * 1024U;
	} else if (strcmp(board, "nucleo_f746zg") == 0) {
		pool_total = 216U * 1024U;
	} else {
		usage("--board takes nucleo_f446re or nucleo_f746zg");
	}
	pool_used = pool_highmark = RUNTIME_RESERVED;
	if (signing_key != NULL) {
		char err[200];

		if (!host_key_load(signing_key, key_id, err, sizeof(err))) {
			usage(err);
		}
		ports.verify_signature = host_key_verify;
	} else if (require_signature) {
		usage("--require-signature on needs --signing-key");
	}
#ifdef AGENT_HOST_WAMR
	static const struct vm_wamr_natives wamr_natives = {native_gpio_toggle, native_uart_print, native_led_toggle};

	if (!vm_wamr_init(calloc(1, pool_total), pool_total, &wamr_natives)) {
		fprintf(stderr, "agent-host: WAMR failed to start\n");
		return 1;
	}
#endif
	signal(SIGPIPE, SIG_IGN);

	master_fd = posix_openpt(O_RDWR | O_NOCTTY);
	if (master_fd < 0 || grantpt(master_fd) != 0 || unlockpt(master_fd) != 0) {
		perror("agent-host: cannot open a pseudo-terminal");
		return 1;
	}
	const char *slave = ptsname(master_fd);
	/* Hold the slave open: the pty then survives a client that closes it, as a UART does. */
	int hold = open(slave, O_RDWR | O_NOCTTY);
	struct termios raw;

	tcgetattr(hold, &raw);
	cfmakeraw(&raw);
	tcsetattr(hold, TCSANOW, &raw);
	if (link_path != NULL) {
		unlink(link_path);
		if (symlink(slave, link_path) != 0) {
			perror("agent-host: --link");
			return 1;
		}
	}

	const struct agent_config cfg = {
		.device_id = device_id, .rtos = "POSIX", .runtime = RUNTIME_NAME, .fw_version = "1.1.0",
		.board = board, .payload_idle_ms = idle_ms, .stop_grace_ms = grace_ms,
		.start_guard_no_env = 16384, .start_guard_with_env = 4096, .low_stack_below = 512,
		.builtins = native_bench_builtins, .nbuiltins = 2,
		.require_signature = require_signature, .key_id = key_id,
	};
	agent_init(&agent, &ports, &cfg);
	for (int i = 0; i < AGENT_MAX_SLOTS + AGENT_MAX_BUILTINS; i++) {
		workers[i].slot = i;
		pthread_cond_init(&workers[i].wake, NULL);
		pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]);
	}
	printf("agent-host device_id=%s board=%s pty=%s%s%s\nready\n", device_id, board, slave,
	       link_path ? " link=" : "", link_path ? link_path : "");
	fflush(stdout);
	uint8_t buf[4096];
	struct pollfd pfd = {master_fd, POLLIN, 0};

	pthread_mutex_lock(&core_lock);
	bool early = poll(&pfd, 1, 0) > 0 && (pfd.revents & POLLIN); /* as the board: bytes before HELLO */

	agent_boot(&agent);
	if (early) {
		agent_discard_line(&agent);
	}
	pthread_mutex_unlock(&core_lock);

	while (true) {
		int n = poll(&pfd, 1, 10);

		pthread_mutex_lock(&core_lock);
		if (n > 0 && (pfd.revents & POLLIN)) {
			ssize_t got = read(master_fd, buf, sizeof(buf));

			if (got > 0) {
				agent_on_bytes(&agent, buf, (size_t)got);
			}
		}
		agent_on_tick(&agent);
		pthread_mutex_unlock(&core_lock);
	}
}
