/*
 * The agent: wire protocol v1 over the framer, a slot table with one state machine per slot,
 * and the replace/victim policy. It reaches the world only through struct agent_ports.
 *
 * Threading: every agent_* call must come from one thread, or under one lock (the platform's
 * RX thread calls agent_on_bytes/agent_on_tick; a worker that finished a job hands its outcome
 * to that thread, or takes the lock, to call agent_job_done).
 *
 * What firmware 1.0.0 got wrong and this does not:
 *  - a LOAD that fails leaves no ghost slot, and a module (or victim) being replaced is freed
 *    only once the new payload passed its CRC, load and instantiation, when memory allows
 *    both at once (otherwise the old one goes first, as in v1);
 *  - a STOP's forced-stop deadline belongs to that job: it can never stop the next one;
 *  - keys are matched exactly, numbers strictly, over-long lines are refused whole;
 *  - the payload timeout is an inactivity timeout;
 *  - NO_FUNC and NO_EXEC_ENV carry module_id; RESULT carries elapsed_us (and cycles when the
 *    platform counts them).
 *
 * And it speaks LOAD v2 (caps=load2; docs/wire-protocol.md): a LOAD with sha256= and chunk= is
 * answered LOAD_READY ... chunk= window= offset=, then takes frames (each answered LOAD_ACK or
 * LOAD_NAK), checks the module's SHA-256 and, with a verify port, its signature; an upload left
 * idle keeps its bytes (and its payload buffer) for a LOAD of the same module to resume.
 */
#ifndef AGENT_AGENT_H_
#define AGENT_AGENT_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agent/framer.h"
#include "agent/sha256.h"

#ifndef AGENT_MAX_SLOTS
#define AGENT_MAX_SLOTS 2
#endif
#define AGENT_ID_MAX 31
#define AGENT_FUNC_MAX 63
#define AGENT_MSG_MAX 127
#define AGENT_MAX_ARGS 4
#ifndef AGENT_MAX_BUILTINS
#define AGENT_MAX_BUILTINS 2
#endif
/* LOAD v2: ranges held past a hole at once (one more is answered LOAD_NAK, and sent again). */
#ifndef AGENT_LOAD2_HOLDS
#define AGENT_LOAD2_HOLDS 16
#endif
#define AGENT_SIG_ED25519 1
#define AGENT_SIG_P256 2
#define AGENT_SIG_BYTES 64

/* How a job ended, as the worker reports it. */
enum agent_outcome_status {
	AGENT_JOB_OK,
	AGENT_JOB_EXCEPTION, /* a trap: msg says which */
	AGENT_JOB_STOPPED,   /* cooperative stop (or forced, with forced set) */
	AGENT_JOB_NO_FUNC,   /* the export is not there */
	AGENT_JOB_NO_EXEC_ENV,
};

struct agent_outcome {
	enum agent_outcome_status status;
	bool forced;
	bool has_ret;
	uint32_t ret_i32;
	const char *msg;     /* may be NULL */
	uint64_t elapsed_us;
	bool has_cycles;
	uint64_t cycles;
	bool has_toggles;
	uint64_t toggles;
};

/* The pool, for STATUS and the START guards; available false prints wamr_heap=NA. */
struct agent_mem {
	bool available;
	uint32_t total;
	uint32_t free;
	uint32_t used;
	uint32_t highmark;
};

enum agent_vm_result {
	AGENT_VM_OK = 0,
	AGENT_VM_LOAD_FAIL,
	AGENT_VM_INSTANTIATE_FAIL,
	AGENT_VM_NO_MEM, /* load or instantiate failed for memory: worth retrying with the old module gone */
};

struct agent_ports {
	void *ctx;
	/* One whole line, '\n' included, written so that nothing interleaves with it. */
	void (*tx)(void *ctx, const char *line);
	uint32_t (*now_ms)(void *ctx);
	/* A buffer for a payload from the VM's pool; NULL when it does not fit. */
	uint8_t *(*payload_alloc)(void *ctx, size_t size);
	void (*payload_free)(void *ctx, uint8_t *buf);
	/*
	 * Loads and instantiates `payload` for slot `slot`; on success *module is the VM's handle
	 * and the VM owns the buffer (it may free it). On failure the buffer stays the caller's and
	 * `err` holds the VM's message.
	 */
	enum agent_vm_result (*vm_load)(void *ctx, int slot, uint8_t *payload, size_t size, void **module,
					char *err, size_t err_len);
	void (*vm_unload)(void *ctx, void *module);
	bool (*vm_has_export)(void *ctx, void *module, const char *func);
	/* Runs func(args) on the slot's worker as job number `job`; its outcome comes back through
	 * agent_job_done with that number. */
	void (*vm_start)(void *ctx, int slot, void *module, const char *func, const int32_t *args, size_t nargs,
			 uint32_t job);
	/*
	 * Asks the job to stop: cooperatively, or (force) at once; either ends in agent_job_done.
	 * vm_unload of a module whose job was forced must not free it before its worker let go.
	 */
	void (*vm_stop)(void *ctx, int slot, bool force);
	void (*vm_mem)(void *ctx, struct agent_mem *out);
	/* The stack the slot's worker has never used, in bytes (0 when unknown). */
	uint32_t (*worker_stack_free)(void *ctx, int slot);
	/*
	 * LOAD v2 signatures, optional (NULL: no key provisioned; signature frames are taken and not
	 * checked). True when `sig` (R||S) is a signature of algorithm `alg` (AGENT_SIG_*) over the
	 * module's SHA-256 `digest` by the provisioned key: Ed25519 signs the 32 bytes as its
	 * message, P-256 signs them with ECDSA over SHA-256 (PSA's psa_verify_message).
	 */
	bool (*verify_signature)(void *ctx, int alg, const uint8_t digest[AGENT_SHA256_BYTES],
				 const uint8_t sig[AGENT_SIG_BYTES]);
};

/*
 * A benchmark built into the firmware as native C and started like a module under a reserved
 * id ("native.fft", "native.toggle"): a campaign's "Native C" row on the same board and clock.
 * It is never listed by STATUS, never loaded over, never a victim. Its jobs go to vm_start with
 * slot AGENT_MAX_SLOTS + its index and a NULL module.
 */
struct agent_builtin {
	const char *id;
	const char *const *funcs; /* its exports, NULL-terminated */
};

struct agent_config {
	const char *device_id;
	const char *rtos;
	const char *runtime;
	const char *fw_version;
	const char *board;        /* appended to HELLO when not NULL */
	const char *clock_mhz;    /* appended to HELLO when not NULL */
	const char *fpu;          /* appended to HELLO when not NULL */
	uint32_t payload_idle_ms; /* no payload byte for this long: LOAD_ERR TIMEOUT */
	uint32_t stop_grace_ms;   /* after STOP, a job still running is forced */
	uint32_t start_guard_no_env;   /* START refuses with less free pool (no exec env yet) */
	uint32_t start_guard_with_env;
	uint32_t low_stack_below;
	const struct agent_builtin *builtins; /* at most AGENT_MAX_BUILTINS; announced as caps "native" */
	size_t nbuiltins;
	/* LOAD v2: the most data per frame (0: AGENT_LOAD2_CHUNK_MAX), and frames in flight (0: 4);
	 * window x chunk bytes must fit what the link buffers while the agent is busy. */
	uint32_t load2_chunk;
	uint32_t load2_window;
	/* A LOAD without sig= is refused UNSIGNED (needs verify_signature). */
	bool require_signature;
	const char *key_id; /* the provisioned key's name in errors: 8 hex of its SHA-256 (NULL: "none") */
};

enum agent_slot_state {
	AGENT_SLOT_EMPTY,
	AGENT_SLOT_LOADED,
	AGENT_SLOT_RUNNING,
	AGENT_SLOT_STOPPING, /* STOP_OK PENDING sent; the RESULT is awaited */
};

struct agent_slot {
	enum agent_slot_state state;
	char id[AGENT_ID_MAX + 1];
	uint32_t wasm_size;
	void *module;
	bool exec_env;
	char func[AGENT_FUNC_MAX + 1];
	uint32_t job;           /* the job's number: a stop deadline, and an outcome, name the job they are for */
	uint32_t job_started_ms;
	bool stop_armed;
	uint32_t stop_job;
	uint32_t stop_deadline;
	bool forcing;
};

struct agent_pending_load {
	bool active;
	int target;  /* the slot the module goes into */
	bool replaces; /* target holds a module (same id, or the victim) freed once the new one is in */
	char id[AGENT_ID_MAX + 1];
	char victim[AGENT_ID_MAX + 1];
	bool victim_ignored;
	uint32_t size;
	uint32_t crc32;
	uint8_t *buf;
	/* LOAD v2 (v2 false: a v1 raw payload) */
	bool v2;
	uint8_t sha256[AGENT_SHA256_BYTES];
	uint32_t chunk;
	uint32_t offset;    /* every byte before it arrived */
	uint32_t resumed_at;
	uint32_t last_frame_ms;
	uint32_t holds[AGENT_LOAD2_HOLDS][2]; /* [start, end) arrived past the offset, in order */
	size_t nholds;
	bool sig_expected;
	bool has_sig;
	uint8_t sig_alg;
	uint8_t sig[AGENT_SIG_BYTES];
};

/* What a LOAD v2 upload left idle kept, its payload buffer included, until the next LOAD. */
struct agent_kept {
	bool valid;
	char id[AGENT_ID_MAX + 1];
	uint32_t size;
	uint8_t sha256[AGENT_SHA256_BYTES];
	uint32_t offset;
	uint8_t *buf;
};

struct agent {
	const struct agent_ports *ports;
	struct agent_config cfg;
	struct agent_framer framer;
	struct agent_slot slots[AGENT_MAX_SLOTS + AGENT_MAX_BUILTINS]; /* the module slots, then the built-ins */
	struct agent_pending_load load;
	struct agent_kept kept;
	uint32_t jobs;
};

void agent_init(struct agent *a, const struct agent_ports *ports, const struct agent_config *cfg);

/* Prints HELLO: the board (re)booted. */
void agent_boot(struct agent *a);

/*
 * The bytes to come up to the next '\n' are no command: the port calls this at boot when bytes
 * arrived before HELLO went out. Nobody answers a HELLO not yet sent: they are the rest of a
 * line, or of a LOAD v2 frame, that was on the wire when the board reset. ('\r' does not end
 * the skip: a frame may hold it.)
 */
void agent_discard_line(struct agent *a);

void agent_on_bytes(struct agent *a, const uint8_t *data, size_t len);

/* Timeouts: a payload that stopped coming, a STOP whose grace ran out. Call every few ms. */
void agent_on_tick(struct agent *a);

/* Job `job` of a slot ended; the outcome of a job the agent already answered for (aborted by a
 * replace) is dropped. */
void agent_job_done(struct agent *a, int slot, uint32_t job, const struct agent_outcome *outcome);

#endif /* AGENT_AGENT_H_ */
