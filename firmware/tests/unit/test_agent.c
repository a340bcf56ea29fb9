/*
 * The agent over a fake platform: captured TX lines, a settable clock, and a VM port TEST
 * DOUBLE (no WAMR here) whose modules are their payload bytes, whose exports are listed by hand
 * and whose load results are scripted. Each test says which firmware 1.0.0 defect it proves gone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "agent/agent.h"
#include "agent/crc32.h"

/* ---- the fake platform -------------------------------------------------------------------- */

#define MAX_LINES 64

static char lines[MAX_LINES][600];
static int nlines;
static uint32_t clock_ms;
static uint32_t pool_free;
static enum agent_vm_result next_load = AGENT_VM_OK;
static int loaded_modules;
static int starts;
static int soft_stops;
static int forced_stops;
static int last_started_slot;
static struct agent agent;

struct fake_module {
	uint32_t size;
};

static struct fake_module modules[8];
static int next_module;

static void tx(void *ctx, const char *line)
{
	(void)ctx;
	assert_true(nlines < MAX_LINES);
	strcpy(lines[nlines++], line);
}

static uint32_t now_ms(void *ctx)
{
	(void)ctx;
	return clock_ms;
}

static uint8_t *payload_alloc(void *ctx, size_t size)
{
	(void)ctx;
	if (size > pool_free) {
		return NULL;
	}
	pool_free -= (uint32_t)size;
	uint8_t *buf = test_malloc(size + sizeof(uint32_t));

	memcpy(buf, &(uint32_t){(uint32_t)size}, sizeof(uint32_t));
	return buf + sizeof(uint32_t);
}

static void payload_free(void *ctx, uint8_t *buf)
{
	(void)ctx;
	uint32_t size;

	memcpy(&size, buf - sizeof(uint32_t), sizeof(uint32_t));
	pool_free += size;
	test_free(buf - sizeof(uint32_t));
}

static enum agent_vm_result vm_load(void *ctx, int slot, uint8_t *payload, size_t size, void **module, char *err,
				    size_t err_len)
{
	(void)slot;
	if (next_load != AGENT_VM_OK) {
		snprintf(err, err_len, "WASM module load failed: magic header not detected");
		return next_load;
	}
	payload_free(ctx, payload); /* this double keeps nothing of the bytes but their count */
	pool_free -= (uint32_t)size;
	modules[next_module].size = (uint32_t)size;
	*module = &modules[next_module++];
	loaded_modules++;
	return AGENT_VM_OK;
}

static void vm_unload(void *ctx, void *module)
{
	(void)ctx;
	pool_free += ((struct fake_module *)module)->size;
	loaded_modules--;
}

static bool vm_has_export(void *ctx, void *module, const char *func)
{
	(void)ctx;
	(void)module;
	return strcmp(func, "app_main") == 0 || strcmp(func, "add") == 0;
}

static uint32_t last_job;

static void vm_start(void *ctx, int slot, void *module, const char *func, const int32_t *args, size_t nargs,
		     uint32_t job)
{
	last_job = job;
	(void)ctx;
	(void)module;
	(void)func;
	(void)args;
	(void)nargs;
	starts++;
	last_started_slot = slot;
}

static void vm_stop(void *ctx, int slot, bool force)
{
	(void)ctx;
	(void)slot;
	if (force) {
		forced_stops++;
	} else {
		soft_stops++;
	}
}

static void vm_mem(void *ctx, struct agent_mem *out)
{
	(void)ctx;
	out->available = true;
	out->total = 102400;
	out->free = pool_free;
	out->used = 102400 - pool_free;
	out->highmark = out->used;
}

static uint32_t worker_stack_free(void *ctx, int slot)
{
	(void)ctx;
	(void)slot;
	return 3000;
}

static const struct agent_ports ports = {
	.tx = tx, .now_ms = now_ms, .payload_alloc = payload_alloc, .payload_free = payload_free, .vm_load = vm_load,
	.vm_unload = vm_unload, .vm_has_export = vm_has_export, .vm_start = vm_start, .vm_stop = vm_stop,
	.vm_mem = vm_mem, .worker_stack_free = worker_stack_free,
};

static const struct agent_config config = {
	.device_id = "f446-0042", .rtos = "Zephyr", .runtime = "WAMR", .fw_version = "1.1.0", .board = "nucleo_f446re",
	.clock_mhz = "180", .fpu = "on", .payload_idle_ms = 5000, .stop_grace_ms = 1200, .start_guard_no_env = 16384,
	.start_guard_with_env = 4096, .low_stack_below = 512,
};

static int setup(void **state)
{
	(void)state;
	nlines = 0;
	clock_ms = 1000;
	pool_free = 100000;
	next_load = AGENT_VM_OK;
	loaded_modules = starts = soft_stops = forced_stops = next_module = 0;
	agent_init(&agent, &ports, &config);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (agent.load.buf != NULL) {
		payload_free(NULL, agent.load.buf);
	}
	if (agent.kept.buf != NULL) {
		payload_free(NULL, agent.kept.buf);
	}
	return 0;
}

static void send_text(const char *text)
{
	agent_on_bytes(&agent, (const uint8_t *)text, strlen(text));
}

/* The lines sent since the last call, joined. */
static const char *said(void)
{
	static char out[MAX_LINES * 600];

	out[0] = '\0';
	for (int i = 0; i < nlines; i++) {
		strcat(out, lines[i]);
	}
	nlines = 0;
	return out;
}

static const uint8_t WASM[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};

/* LOAD of the 8-byte module under `id` with `extra` keys, then its payload (CRC as given). */
static const char *load(const char *id, const char *extra, uint32_t crc)
{
	char line[200];

	snprintf(line, sizeof(line), "LOAD module_id=%s size=8 crc32=%08x%s\n", id, crc, extra);
	send_text(line);
	if (agent.load.active) {
		agent_on_bytes(&agent, WASM, sizeof(WASM));
	}
	return said();
}

static uint32_t wasm_crc(void)
{
	return agent_crc32(0, WASM, sizeof(WASM));
}

static void ok_load(const char *id)
{
	char expected[200];

	snprintf(expected, sizeof(expected), "LOAD_READY module_id=%s size=8 crc32=%08x\nLOAD_OK\n", id, wasm_crc());
	assert_string_equal(expected, load(id, "", wasm_crc()));
}

/* ---- the tests ---------------------------------------------------------------------------- */

static void hello_names_the_board_clock_and_fpu(void **state)
{
	(void)state;
	agent_boot(&agent);
	assert_string_equal("HELLO device_id=f446-0042 rtos=Zephyr runtime=WAMR fw_version=1.1.0 board=nucleo_f446re"
			    " clock_mhz=180 fpu=on caps=timing,stopfix,exactkeys,idletimeout,load2\n",
			    said());
}

static void load_then_status_byte_for_byte(void **state)
{
	(void)state;
	send_text("STATUS\n");
	assert_string_equal("STATUS_OK modules=\"none\" low_stack=\"none\" wamr_total=102400 wamr_free=100000"
			    " wamr_used=2400 wamr_highmark=2400"
			    " caps=timing,stopfix,exactkeys,idletimeout,load2\n",
			    said());
	ok_load("m1");
	send_text("STATUS\r\n");
	assert_string_equal("STATUS_OK modules=\"m1:LOADED:wasm=8:stack_free=3000\" low_stack=\"none\""
			    " wamr_total=102400 wamr_free=99992 wamr_used=2408 wamr_highmark=2408"
			    " caps=timing,stopfix,exactkeys,idletimeout,load2\n",
			    said());
}

/* 1.0.0: a failed LOAD left a ghost slot that STATUS listed and START tried to run */
static void a_failed_load_leaves_no_ghost_slot(void **state)
{
	(void)state;
	next_load = AGENT_VM_LOAD_FAIL;
	const char *out = load("ghost", "", wasm_crc());

	assert_non_null(strstr(out, "LOAD_ERR code=LOAD_FAIL msg=\"WASM module load failed: magic header not detected\"\n"));
	send_text("STATUS\n");
	assert_non_null(strstr(said(), "modules=\"none\""));
	assert_int_equal(100000, pool_free); /* the payload buffer went back */
	next_load = AGENT_VM_OK;
	ok_load("a");
	ok_load("b"); /* both slots are usable: none was leaked */
}

/* 1.0.0: the module being replaced (or the victim) was destroyed before the payload was checked */
static void a_bad_payload_leaves_the_module_it_would_replace(void **state)
{
	(void)state;
	ok_load("a");
	ok_load("b");
	char expected[200];

	snprintf(expected, sizeof(expected), "LOAD_READY module_id=c size=8 crc32=deadbeef\nLOAD_ERR code=BAD_CRC"
		 " msg=\"expected=deadbeef got=%08x\"\n", wasm_crc());
	assert_string_equal(expected, load("c", " replace=1 replace_victim=a", 0xdeadbeef));
	send_text("STATUS\n");
	const char *status = said();

	assert_non_null(strstr(status, "a:LOADED"));
	assert_non_null(strstr(status, "b:LOADED"));
	next_load = AGENT_VM_INSTANTIATE_FAIL;
	assert_non_null(strstr(load("a", " replace=1", wasm_crc()), "LOAD_ERR code=INSTANTIATE_FAIL"));
	send_text("STATUS\n");
	assert_non_null(strstr(said(), "a:LOADED")); /* in place, too */
	next_load = AGENT_VM_OK;
	snprintf(expected, sizeof(expected), "LOAD_READY module_id=c size=8 crc32=%08x\nLOAD_OK\n", wasm_crc());
	assert_string_equal(expected, load("c", " replace=1 replace_victim=a", wasm_crc()));
	send_text("STATUS\n");
	status = said();
	assert_null(strstr(status, "a:"));
	assert_non_null(strstr(status, "c:LOADED"));
	assert_int_equal(2, loaded_modules);
}

/* The replace/victim table of the protocol document. */
static void the_replace_table(void **state)
{
	(void)state;
	ok_load("a");
	ok_load("b");
	assert_string_equal("LOAD_ERR code=NO_SLOT msg=\"MAX_MODULES reached\"\n", load("c", "", wasm_crc()));
	assert_string_equal("LOAD_ERR code=FULL msg=\"NEED_VICTIM\"\n", load("c", " replace=1", wasm_crc()));
	assert_string_equal("LOAD_ERR code=BAD_VICTIM msg=\"NOT_FOUND\"\n",
			    load("c", " replace=1 replace_victim=zz", wasm_crc()));
	char expected[200];

	snprintf(expected, sizeof(expected), "LOAD_READY module_id=a size=8 crc32=%08x\nLOAD_OK warn=VICTIM_IGNORED"
		 " replace_victim=b\n", wasm_crc());
	assert_string_equal(expected, load("a", " replace=1 replace_victim=b", wasm_crc()));
	send_text("START module_id=a\n");
	assert_string_equal("START_OK\n", said());
	assert_string_equal("LOAD_ERR code=BUSY msg=\"module running\"\n", load("a", "", wasm_crc()));
	/* replace=1 on a running module: its job is aborted first (as v1), the module kept until the new one is in */
	clock_ms += 7;
	snprintf(expected, sizeof(expected), "RESULT status=STOPPED forced=1 module_id=a func=app_main elapsed_us=7000\n"
		 "LOAD_READY module_id=a size=8 crc32=%08x\nLOAD_OK\n", wasm_crc());
	assert_string_equal(expected, load("a", " replace=1", wasm_crc()));
	assert_int_equal(1, forced_stops);
	struct agent_outcome late = {.status = AGENT_JOB_STOPPED, .forced = true};

	agent_job_done(&agent, 0, last_job, &late); /* the old job's end is not reported against the new module */
	assert_string_equal("", said());
	/* 1.0.0 read size=-1 with atoi, and found size= inside other keys */
	send_text("LOAD module_id=x size=-1 crc32=1\nLOAD module_id=x size=0 crc32=1\nLOAD size=8 crc32=1\n"
		  "LOAD module_id=x xsize=8 crc32=1\nLOAD module_id=x size=8 size=9 crc32=1\n");
	assert_string_equal("LOAD_ERR code=BAD_PARAMS msg=\"size and crc32 required\"\n"
			    "LOAD_ERR code=BAD_PARAMS msg=\"size and crc32 required\"\n"
			    "LOAD_ERR code=BAD_PARAMS msg=\"missing module_id\"\n"
			    "LOAD_ERR code=BAD_PARAMS msg=\"size and crc32 required\"\n"
			    "LOAD_ERR code=BAD_PARAMS msg=\"malformed line\"\n", said());
}

static void a_payload_that_stops_coming_times_out_after_the_last_byte(void **state)
{
	(void)state;
	send_text("LOAD module_id=slow size=8 crc32=00000001\n");
	said();
	clock_ms += 4000;
	agent_on_bytes(&agent, WASM, 4);
	clock_ms += 4000; /* 8 s since LOAD_READY: 1.0.0 had given up at 5 s */
	agent_on_tick(&agent);
	assert_string_equal("", said());
	clock_ms += 1000;
	agent_on_tick(&agent);
	assert_string_equal("LOAD_ERR code=TIMEOUT msg=\"binary payload not received\"\n", said());
	assert_int_equal(100000, pool_free);
	send_text("STATUS\n"); /* back to lines, and no ghost slot */
	assert_non_null(strstr(said(), "modules=\"none\""));
}

static void start_refusals_and_results(void **state)
{
	(void)state;
	send_text("START module_id=nope\n");
	assert_string_equal("RESULT status=NO_MODULE module_id=nope\n", said());
	send_text("START\n");
	assert_string_equal("RESULT status=BAD_PARAMS msg=\"missing module_id\"\n", said());
	ok_load("m");
	send_text("START module_id=m func=add args=\"a=10,b=15,c=1,d=2,e=3\"\n");
	assert_string_equal("RESULT status=BAD_PARAMS module_id=m msg=\"invalid args: at most 4 signed 32-bit integers,"
			    " written a=1,b=2\"\n", said());
	pool_free = 10000;
	send_text("START module_id=m func=add\n");
	assert_string_equal("RESULT status=NO_MEM module_id=m msg=\"free=10000 need>=16384 exec_env=no\"\n", said());
	pool_free = 50000;
	/* 1.0.0 took func=3 out of args="func=3"; exact keys start app_main */
	send_text("START module_id=m args=\"func=3\"\n");
	assert_string_equal("START_OK\n", said());
	send_text("START module_id=m\n");
	assert_string_equal("RESULT status=BUSY module_id=m\n", said());
	struct agent_outcome ok = {.status = AGENT_JOB_OK, .has_ret = true, .ret_i32 = 25, .elapsed_us = 12, .has_cycles = true,
				   .cycles = 2160};

	agent_job_done(&agent, last_started_slot, last_job, &ok);
	assert_string_equal("RESULT status=OK module_id=m func=app_main ret_i32=25 elapsed_us=12 cycles=2160\n", said());
	send_text("START module_id=m func=missing\n");
	assert_string_equal("START_OK\n", said());
	struct agent_outcome nofunc = {.status = AGENT_JOB_NO_FUNC};

	agent_job_done(&agent, last_started_slot, last_job, &nofunc); /* 1.0.0 sent no module_id here */
	assert_string_equal("RESULT status=NO_FUNC module_id=m\n", said());
	struct agent_outcome trap = {.status = AGENT_JOB_EXCEPTION, .msg = "Exception: integer divide by zero",
				     .elapsed_us = 3};

	send_text("START module_id=m func=add args=\"1,0\"\n");
	said();
	agent_job_done(&agent, last_started_slot, last_job, &trap);
	assert_string_equal("RESULT status=EXCEPTION module_id=m func=add msg=\"Exception: integer divide by zero\""
			    " elapsed_us=3\n", said());
}

/* 1.0.0: a STOP's forced-stop timer outlived its job and killed the next one */
static void a_stop_deadline_never_outlives_its_job(void **state)
{
	(void)state;
	ok_load("m");
	send_text("START module_id=m func=add\nSTOP module_id=m\n");
	assert_string_equal("START_OK\nSTOP_OK status=PENDING\n", said());
	assert_int_equal(1, soft_stops);
	struct agent_outcome stopped = {.status = AGENT_JOB_STOPPED, .msg = "Exception: terminated by user", .elapsed_us = 40};

	agent_job_done(&agent, last_started_slot, last_job, &stopped);
	assert_string_equal("RESULT status=STOPPED module_id=m func=add msg=\"Exception: terminated by user\""
			    " elapsed_us=40\n", said());
	send_text("START module_id=m func=add\n");
	assert_string_equal("START_OK\n", said());
	clock_ms += 5000; /* well past the first STOP's grace */
	agent_on_tick(&agent);
	assert_int_equal(0, forced_stops);
	assert_string_equal("", said());

	send_text("STOP module_id=m\n");
	assert_string_equal("STOP_OK status=PENDING\n", said());
	clock_ms += 1199;
	agent_on_tick(&agent);
	assert_int_equal(0, forced_stops);
	clock_ms += 1;
	agent_on_tick(&agent);
	assert_int_equal(1, forced_stops);
	struct agent_outcome forced = {.status = AGENT_JOB_STOPPED, .elapsed_us = 1300};

	agent_job_done(&agent, last_started_slot, last_job, &forced);
	assert_string_equal("RESULT status=STOPPED forced=1 module_id=m func=add elapsed_us=1300\n", said());
	send_text("STOP module_id=m\nSTOP\n");
	assert_string_equal("STOP_OK status=IDLE\nSTOP_OK status=NO_JOB\n", said());
}

static void unknown_and_over_long_lines_are_answered(void **state)
{
	(void)state;
	char line[400];

	memset(line, 'A', sizeof(line));
	line[sizeof(line) - 2] = '\n';
	line[sizeof(line) - 1] = '\0';
	send_text("FLASH now\n");
	send_text(line);
	send_text("START module_id=m args=\"unterminated\n");
	assert_string_equal("ERROR code=UNKNOWN_COMMAND\nERROR code=LINE_TOO_LONG\n"
			    "RESULT status=BAD_PARAMS msg=\"malformed line\"\n", said());
}

static const char *const fft_funcs[] = {"fft_bench", "fft_checksum", "app_main", NULL};
static const char *const toggle_funcs[] = {"toggle_n", NULL};
static const struct agent_builtin builtins[] = {{"native.fft", fft_funcs}, {"native.toggle", toggle_funcs}};

/* The native C baselines run like modules under reserved ids, on the same board and clock. */
static void built_in_native_benchmarks(void **state)
{
	(void)state;
	struct agent_config with = config;

	with.builtins = builtins;
	with.nbuiltins = 2;
	agent_init(&agent, &ports, &with);
	agent_boot(&agent);
	assert_non_null(strstr(said(), " caps=timing,stopfix,exactkeys,idletimeout,load2,native\n"));
	send_text("START module_id=native.fft func=fft_bench args=\"n=100\"\n");
	assert_string_equal("START_OK\n", said());
	assert_int_equal(AGENT_MAX_SLOTS, last_started_slot);
	struct agent_outcome ok = {.status = AGENT_JOB_OK, .elapsed_us = 120000, .has_cycles = true, .cycles = 21600000};

	agent_job_done(&agent, last_started_slot, last_job, &ok);
	assert_string_equal("RESULT status=OK module_id=native.fft func=fft_bench elapsed_us=120000 cycles=21600000\n",
			    said());
	send_text("START module_id=native.toggle\nSTATUS\n");
	assert_string_equal("RESULT status=NO_ENTRYPOINT module_id=native.toggle msg=\"expected app_main\"\n"
			    "STATUS_OK modules=\"none\" low_stack=\"none\" wamr_total=102400 wamr_free=100000 wamr_used=2400"
			    " wamr_highmark=2400 caps=timing,stopfix,exactkeys,idletimeout,load2,native\n", said());
	assert_string_equal("LOAD_ERR code=BAD_PARAMS msg=\"reserved module_id (built-in native code)\"\n",
			    load("native.fft", "", wasm_crc()));
	ok_load("a");
	ok_load("b");
	assert_string_equal("LOAD_ERR code=BAD_VICTIM msg=\"NOT_FOUND\"\n",
			    load("c", " replace=1 replace_victim=native.toggle", wasm_crc()));
	send_text("START module_id=native.toggle func=toggle_n args=\"n=1000000\"\nSTOP module_id=native.toggle\n");
	assert_string_equal("START_OK\nSTOP_OK status=PENDING\n", said());
	assert_int_equal(1, soft_stops);
}

/* ---- LOAD v2 ------------------------------------------------------------------------------ */

#include "agent/sha256.h"

#define MOD_SIZE 3000

static uint8_t module_bytes[MOD_SIZE];
static char module_sha[2 * AGENT_SHA256_BYTES + 1];

/* A module whose bytes hold every value (0, \n, \r, the mark 0xA5), and runs of more than 254 without a zero. */
static void make_module(void)
{
	uint8_t d[AGENT_SHA256_BYTES];

	memcpy(module_bytes, WASM, sizeof(WASM));
	for (size_t i = sizeof(WASM); i < MOD_SIZE; i++) {
		module_bytes[i] = i >= 1000 && i < 1600 ? (uint8_t)(1 + i % 255) : (uint8_t)(i * 7 + (i >> 8));
	}
	agent_sha256(module_bytes, MOD_SIZE, d);
	agent_sha256_hex(d, module_sha);
}

/* The test's own frame encoder, written from docs/wire-protocol.md (not the core's decoder):
 * COBS over type, body and CRC, every byte XOR 0x0A. */
static size_t put_cobs(uint8_t *out, const uint8_t *in, size_t n)
{
	size_t code_at = 0;
	size_t o = 1;
	uint8_t code = 1;

	for (size_t i = 0; i < n; i++) {
		if (in[i] != 0) {
			out[o++] = in[i] ^ '\n';
			code++;
		}
		if (in[i] == 0 || code == 0xFF) {
			out[code_at] = code ^ '\n';
			code_at = o++;
			code = 1;
		}
	}
	out[code_at] = code ^ '\n';
	return o;
}

static size_t frame_of(uint8_t *out, uint8_t type, const uint8_t *body, size_t n)
{
	uint8_t plain[1 + 4 + 1024 + 4];
	size_t o = 0;

	plain[0] = type;
	memcpy(plain + 1, body, n);
	uint32_t crc = agent_crc32(0, plain, 1 + n);

	for (int i = 0; i < 4; i++) {
		plain[1 + n + i] = (uint8_t)(crc >> (8 * i));
	}
	out[o++] = 0xA5;
	o += put_cobs(out + o, plain, 1 + n + 4);
	out[o++] = '\n';
	return o;
}

/* Sends the data frame [off, off + n) of the module; `damage` flips a bit of its 5th byte. */
static void send_data(uint32_t off, uint32_t n, bool damage)
{
	uint8_t body[4 + 1024];
	uint8_t frame[2 * (4 + 1024 + 4) + 8];

	for (int i = 0; i < 4; i++) {
		body[i] = (uint8_t)(off >> (8 * i));
	}
	memcpy(body + 4, module_bytes + off, n);
	size_t len = frame_of(frame, 'D', body, 4 + n);

	if (damage) {
		frame[4] ^= 0x10;
	}
	agent_on_bytes(&agent, frame, len);
}

/* Sends the rest of the module in frames of `chunk`; returns the answers. */
static const char *send_rest(uint32_t from, uint32_t chunk)
{
	for (uint32_t off = from; off < MOD_SIZE; off += chunk) {
		send_data(off, MOD_SIZE - off < chunk ? MOD_SIZE - off : chunk, false);
	}
	return said();
}

static void send_signature(uint8_t alg, const uint8_t *sig)
{
	uint8_t body[1 + 64];
	uint8_t frame[2 * (1 + 64 + 4) + 8];

	body[0] = alg;
	memcpy(body + 1, sig, 64);
	agent_on_bytes(&agent, frame, frame_of(frame, 'S', body, sizeof(body)));
}

static void load_v2(const char *id, const char *sha, const char *extra)
{
	char line[300];

	snprintf(line, sizeof(line), "LOAD module_id=%s size=%d crc32=%08x sha256=%s chunk=1024%s\n", id, MOD_SIZE,
		 agent_crc32(0, module_bytes, MOD_SIZE), sha, extra);
	send_text(line);
}

static const char *ready_line(const char *id, uint32_t chunk, uint32_t offset)
{
	static char out[200];

	snprintf(out, sizeof(out), "LOAD_READY module_id=%s size=%d crc32=%08x chunk=%u window=4 offset=%u\n", id,
		 MOD_SIZE, agent_crc32(0, module_bytes, MOD_SIZE), chunk, offset);
	return out;
}

/* Frames out of order, one damaged, one repeated: every answer in order; the module loads. */
static void load2_frames_land_where_they_belong(void **state)
{
	(void)state;
	char expected[400];

	make_module();
	agent_boot(&agent);
	assert_non_null(strstr(said(), " caps=timing,stopfix,exactkeys,idletimeout,load2\n"));
	load_v2("m", module_sha, "");
	assert_string_equal(ready_line("m", 1024, 0), said());
	send_data(0, 1000, false);
	send_data(2000, 1000, false); /* past a hole: kept */
	send_data(1000, 1000, true);  /* damaged */
	assert_string_equal("LOAD_ACK module_id=m offset=1000 end=1000\nLOAD_ACK module_id=m offset=1000 end=3000\n"
			    "LOAD_NAK module_id=m offset=1000\n", said());
	send_text("STATUS\n"); /* a line that is no frame, mid-upload: neither run nor counted */
	send_data(0, 500, false); /* a repeat: acknowledged again, changes nothing */
	assert_string_equal("LOAD_ACK module_id=m offset=1000 end=500\n", said());
	send_data(1000, 1000, false);
	snprintf(expected, sizeof(expected), "LOAD_ACK module_id=m offset=3000 end=2000\nLOAD_OK sha256=%s\n", module_sha);
	assert_string_equal(expected, said());
	send_text("STATUS\n");
	assert_non_null(strstr(said(), "modules=\"m:LOADED:wasm=3000:"));
	assert_int_equal(1, loaded_modules);
}

/* Frames whose data holds no zero, of every length from 240 to 520 bytes: COBS blocks of 254
 * end at every place around their boundaries, and each frame still decodes intact. */
static void load2_frames_of_every_length_decode(void **state)
{
	(void)state;
	make_module();
	load_v2("m", module_sha, "");
	assert_string_equal(ready_line("m", 1024, 0), said());
	for (uint32_t n = 240; n <= 520; n++) {
		char expected[80];

		send_data(1000, n, false); /* bytes 1000..1600 of the module hold no zero */
		snprintf(expected, sizeof(expected), "LOAD_ACK module_id=m offset=0 end=%u\n", 1000 + n);
		assert_string_equal(expected, said());
	}
	assert_non_null(strstr(send_rest(0, 1000), "LOAD_OK sha256="));
}

/* A board reset in the middle of a frame: the port saw bytes before HELLO went out, and what
 * is left of the frame (the module's bytes, in COBS; it may hold '\r') runs as nothing. */
static void a_reset_mid_frame_runs_nothing_of_it(void **state)
{
	(void)state;
	uint8_t body[4 + 1000];
	uint8_t frame[2 * (4 + 1024 + 4) + 8];
	static const char looks_like_commands[] = "\x93x\rSTATUS\rRESET\r";

	make_module();
	memset(body, 0, 4);
	memcpy(body + 4, module_bytes, 1000);
	size_t len = frame_of(frame, 'D', body, sizeof(body));

	agent_boot(&agent);
	agent_discard_line(&agent);
	assert_non_null(strstr(said(), "HELLO "));
	send_text(looks_like_commands); /* a tail with lines that look like commands, cut at '\r' */
	agent_on_bytes(&agent, frame + 300, len - 300); /* the rest of the frame, up to its '\n' */
	agent_on_bytes(&agent, frame, len);             /* a whole frame after it: dropped as ever */
	assert_string_equal("", said());
	send_text("STATUS\n");
	assert_non_null(strstr(said(), "STATUS_OK "));
	/* without the port's word, the same bytes would have been read as lines */
	send_text(looks_like_commands);
	assert_non_null(strstr(said(), "STATUS_OK "));
}

/* The digest is checked before the module is loaded; malformed v2 keys are named. */
static void load2_checks_the_sha256_and_its_keys(void **state)
{
	(void)state;
	char expected[400];
	const char *wrong = "00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF";

	make_module();
	load_v2("m", wrong, "");
	said();
	const char *answers = send_rest(0, 1024);

	snprintf(expected, sizeof(expected), "LOAD_ACK module_id=m offset=1024 end=1024\n"
		 "LOAD_ACK module_id=m offset=2048 end=2048\nLOAD_ACK module_id=m offset=3000 end=3000\n"
		 "LOAD_ERR code=BAD_SHA256 msg=\"expected=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
		 " got=%s\"\n", module_sha);
	assert_string_equal(expected, answers);
	assert_int_equal(100000, pool_free);
	assert_int_equal(0, loaded_modules);
	load_v2("m", "xyz", "");
	send_text("LOAD module_id=m size=8 crc32=1 sha256=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
		  " chunk=32\n");
	assert_string_equal("LOAD_ERR code=BAD_PARAMS msg=\"sha256\"\nLOAD_ERR code=BAD_PARAMS msg=\"chunk\"\n", said());
	/* a frame outside an upload (the board rebooted mid-upload) is dropped: no answer, nothing run */
	send_data(0, 100, false);
	assert_string_equal("", said());
	/* the board lowers the chunk to what it takes; a frame larger than that is damaged */
	struct agent_config small = config;

	small.load2_chunk = 512;
	agent_init(&agent, &ports, &small);
	load_v2("n", module_sha, "");
	assert_string_equal(ready_line("n", 512, 0), said());
	send_data(0, 513, false);
	send_data(0, 512, false);
	assert_string_equal("LOAD_NAK module_id=n offset=0\nLOAD_ACK module_id=n offset=512 end=512\n", said());
	assert_non_null(strstr(send_rest(512, 512), "LOAD_OK sha256="));
}

/* An upload left idle keeps its bytes; a LOAD of the same module continues from them. */
static void load2_resumes_after_an_idle_timeout(void **state)
{
	(void)state;
	char expected[400];

	make_module();
	load_v2("f", module_sha, "");
	said();
	send_data(0, 1024, false);
	send_data(1024, 1024, false);
	assert_string_equal("LOAD_ACK module_id=f offset=1024 end=1024\nLOAD_ACK module_id=f offset=2048 end=2048\n",
			    said());
	clock_ms += 4999;
	send_text("STATUS\n"); /* no frame: not activity */
	agent_on_tick(&agent);
	assert_string_equal("", said());
	clock_ms += 1;
	agent_on_tick(&agent);
	assert_string_equal("LOAD_ERR code=TIMEOUT msg=\"idle at offset=2048\"\n", said());
	assert_int_equal(100000 - MOD_SIZE, pool_free); /* the kept bytes hold their buffer */
	send_text("STATUS\n");
	assert_non_null(strstr(said(), "modules=\"none\""));
	load_v2("f", module_sha, "");
	assert_string_equal(ready_line("f", 1024, 2048), said());
	send_data(2048, MOD_SIZE - 2048, false);
	snprintf(expected, sizeof(expected), "LOAD_ACK module_id=f offset=3000 end=3000\nLOAD_OK sha256=%s"
		 " resumed_at=2048\n", module_sha);
	assert_string_equal(expected, said());
	/* kept bytes of another module go when an upload starts */
	load_v2("g", module_sha, "");
	said();
	send_data(0, 1024, false);
	clock_ms += 5000;
	agent_on_tick(&agent);
	said();
	ok_load("h");
	assert_int_equal(100000 - MOD_SIZE - 8, pool_free); /* f and h loaded; g's bytes freed */
}

/* Over 16 holes at once: the frame that would need another is refused (the sender repeats it). */
static void load2_holds_are_bounded(void **state)
{
	(void)state;
	make_module();
	load_v2("m", module_sha, "");
	said();
	for (uint32_t i = 0; i < AGENT_LOAD2_HOLDS; i++) {
		send_data(100 + 128 * i, 64, false);
	}
	said();
	send_data(100 + 128 * AGENT_LOAD2_HOLDS, 64, false);
	assert_string_equal("LOAD_NAK module_id=m offset=0\n", said());
	send_data(164, 64, false); /* joins two ranges: room again */
	send_data(0, 100, false);
	assert_string_equal("LOAD_ACK module_id=m offset=0 end=228\nLOAD_ACK module_id=m offset=292 end=100\n", said());
	assert_non_null(strstr(send_rest(292, 1024), "LOAD_OK sha256="));
}

/* TEST DOUBLE of a signature check (the platform's PSA or OpenSSL in real builds): a signature
 * is good when it is the digest twice over, and of the provisioned algorithm (P-256). */
static bool verify_double(void *ctx, int alg, const uint8_t digest[AGENT_SHA256_BYTES], const uint8_t sig[AGENT_SIG_BYTES])
{
	(void)ctx;
	return alg == AGENT_SIG_P256 && memcmp(sig, digest, 32) == 0 && memcmp(sig + 32, digest, 32) == 0;
}

static void load2_signatures(void **state)
{
	(void)state;
	struct agent_ports signing = ports;
	struct agent_config strict = config;
	uint8_t sig[64];
	uint8_t d[AGENT_SHA256_BYTES];
	char expected[400];

	signing.verify_signature = verify_double;
	strict.require_signature = true;
	strict.key_id = "1a2b3c4d";
	agent_init(&agent, &signing, &strict);
	make_module();
	assert_string_equal("LOAD_ERR code=UNSIGNED msg=\"signature required (key 1a2b3c4d)\"\n",
			    load("m", "", wasm_crc()));
	load_v2("m", module_sha, "");
	assert_string_equal("LOAD_ERR code=UNSIGNED msg=\"signature required (key 1a2b3c4d)\"\n", said());

	agent_sha256(module_bytes, MOD_SIZE, d);
	memcpy(sig, d, 32);
	memcpy(sig + 32, d, 32);
	load_v2("m", module_sha, " sig=p256");
	said();
	assert_null(strstr(send_rest(0, 1024), "LOAD_OK")); /* the data is in; the signature is awaited */
	send_signature(AGENT_SIG_P256, sig);
	snprintf(expected, sizeof(expected), "LOAD_OK sha256=%s\n", module_sha);
	assert_string_equal(expected, said());

	sig[40] ^= 1;
	load_v2("m", module_sha, " sig=p256 replace=1");
	said();
	send_signature(AGENT_SIG_P256, sig);
	assert_non_null(strstr(send_rest(0, 1024), "LOAD_ERR code=BAD_SIGNATURE msg=\"p256 signature does not verify with key 1a2b3c4d\"\n"));
	sig[40] ^= 1;
	load_v2("m", module_sha, " sig=ed25519 replace=1");
	said();
	send_signature(AGENT_SIG_ED25519, sig);
	assert_non_null(strstr(send_rest(0, 1024), "LOAD_ERR code=BAD_SIGNATURE msg=\"ed25519 signature does not verify with key"
				       " 1a2b3c4d\"\n"));
	send_text("STATUS\n");
	assert_non_null(strstr(said(), "m:LOADED")); /* the first, signed module is untouched */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(hello_names_the_board_clock_and_fpu, setup, teardown),
		cmocka_unit_test_setup_teardown(load_then_status_byte_for_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(a_failed_load_leaves_no_ghost_slot, setup, teardown),
		cmocka_unit_test_setup_teardown(a_bad_payload_leaves_the_module_it_would_replace, setup, teardown),
		cmocka_unit_test_setup_teardown(the_replace_table, setup, teardown),
		cmocka_unit_test_setup_teardown(a_payload_that_stops_coming_times_out_after_the_last_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(start_refusals_and_results, setup, teardown),
		cmocka_unit_test_setup_teardown(a_stop_deadline_never_outlives_its_job, setup, teardown),
		cmocka_unit_test_setup_teardown(unknown_and_over_long_lines_are_answered, setup, teardown),
		cmocka_unit_test_setup_teardown(built_in_native_benchmarks, setup, teardown),
		cmocka_unit_test_setup_teardown(load2_frames_land_where_they_belong, setup, teardown),
		cmocka_unit_test_setup_teardown(a_reset_mid_frame_runs_nothing_of_it, setup, teardown),
		cmocka_unit_test_setup_teardown(load2_frames_of_every_length_decode, setup, teardown),
		cmocka_unit_test_setup_teardown(load2_checks_the_sha256_and_its_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(load2_resumes_after_an_idle_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(load2_holds_are_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(load2_signatures, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
