#include "agent/agent.h"

#include <string.h>

#include "agent/crc32.h"
#include "agent/kv.h"
#include "agent/line.h"

/* ---- helpers ------------------------------------------------------------------------------ */

static void send(struct agent *a, struct agent_line *l)
{
	a->ports->tx(a->ports->ctx, agent_line_end(l));
}

static uint32_t now(struct agent *a)
{
	return a->ports->now_ms(a->ports->ctx);
}

static void copy_id(char *dst, const char *src, size_t max)
{
	size_t n = strlen(src);

	if (n > max) {
		n = max;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Appends `src` to the string in dst[cap], cutting what does not fit. */
static void append(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(dst);

	while (*src != '\0' && n + 1 < cap) {
		dst[n++] = *src++;
	}
	dst[n] = '\0';
}

static bool is_builtin(int i)
{
	return i >= AGENT_MAX_SLOTS;
}

static int find(struct agent *a, const char *id)
{
	for (int i = 0; i < AGENT_MAX_SLOTS + AGENT_MAX_BUILTINS; i++) {
		if (a->slots[i].state != AGENT_SLOT_EMPTY && strcmp(a->slots[i].id, id) == 0) {
			return i;
		}
	}
	return -1;
}

static int free_slot(struct agent *a)
{
	for (int i = 0; i < AGENT_MAX_SLOTS; i++) {
		if (a->slots[i].state == AGENT_SLOT_EMPTY && !(a->load.active && a->load.target == i)) {
			return i;
		}
	}
	return -1;
}

/* A module id as v1 takes it: 1..31 bytes of [A-Za-z0-9_.-] (1.0.0 cut longer ones silently). */
static bool valid_id(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n > AGENT_ID_MAX) {
		return false;
	}
	for (const char *p = id; *p != '\0'; p++) {
		char c = *p;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
		      c == '-' || c == '.')) {
			return false;
		}
	}
	return true;
}

static void load_err(struct agent *a, const char *code, const char *msg)
{
	struct agent_line l;

	agent_line_start(&l, "LOAD_ERR");
	agent_line_str(&l, "code", code);
	if (msg != NULL) {
		agent_line_quoted(&l, "msg", msg);
	}
	send(a, &l);
}

static void result_line(struct agent *a, const char *status, bool forced, const char *id, const char *func,
			const struct agent_outcome *o, const char *msg)
{
	struct agent_line l;

	agent_line_start(&l, "RESULT");
	agent_line_str(&l, "status", status);
	if (forced) {
		agent_line_u32(&l, "forced", 1);
	}
	if (id != NULL) {
		agent_line_str(&l, "module_id", id);
	}
	if (func != NULL) {
		agent_line_str(&l, "func", func);
	}
	if (o != NULL && o->has_ret) {
		agent_line_u32(&l, "ret_i32", o->ret_i32);
	}
	if (msg != NULL) {
		agent_line_quoted(&l, "msg", msg);
	}
	if (o != NULL) {
		agent_line_u64(&l, "elapsed_us", o->elapsed_us);
		if (o->has_cycles) {
			agent_line_u64(&l, "cycles", o->cycles);
		}
		if (o->has_toggles && o->toggles > 0) {
			agent_line_u64(&l, "toggles", o->toggles);
		}
	}
	if (l.truncated) { /* a trap message too long for the line: said without it */
		result_line(a, status, forced, id, func, o, NULL);
		return;
	}
	send(a, &l);
}

/* Empties a slot: its module unloaded, any job already ended or forced by the caller. */
static void clear_slot(struct agent *a, int i)
{
	struct agent_slot *s = &a->slots[i];

	if (s->module != NULL) {
		a->ports->vm_unload(a->ports->ctx, s->module);
	}
	memset(s, 0, sizeof(*s));
}

/*
 * A replace=1 LOAD over a running module aborts its job first, as v1 does: the job is forced
 * and its RESULT said now; the module itself stays until the new one is in.
 */
static void abort_job(struct agent *a, int i)
{
	struct agent_slot *s = &a->slots[i];

	if (s->state != AGENT_SLOT_RUNNING && s->state != AGENT_SLOT_STOPPING) {
		return;
	}
	a->ports->vm_stop(a->ports->ctx, i, true);
	struct agent_outcome o = {.status = AGENT_JOB_STOPPED, .forced = true,
				  .elapsed_us = (uint64_t)(uint32_t)(now(a) - s->job_started_ms) * 1000U};

	result_line(a, "STOPPED", true, s->id, s->func, &o, NULL);
	s->state = AGENT_SLOT_LOADED;
	s->job++; /* the worker's late outcome names the old number: dropped */
	s->stop_armed = false;
	s->forcing = false;
}

/* ---- LOAD --------------------------------------------------------------------------------- */

/* What a LOAD asks of v2: on when it carries sha256= and chunk=. */
struct v2_ask {
	bool on;
	bool sig;
	uint32_t chunk;
	uint8_t sha256[AGENT_SHA256_BYTES];
};

/* NULL, or the malformed key's name (answered BAD_PARAMS msg="<key>"). */
static const char *v2_ask(const struct agent *a, const struct agent_kv *kv, struct v2_ask *ask)
{
	const char *sha = agent_kv_get(kv, "sha256");
	const char *chunk = agent_kv_get(kv, "chunk");

	memset(ask, 0, sizeof(*ask));
	if (sha == NULL || chunk == NULL) {
		return NULL;
	}
	if (!agent_hex_bytes(sha, ask->sha256, AGENT_SHA256_BYTES)) {
		return "sha256";
	}
	if (!agent_kv_u32(kv, "chunk", &ask->chunk) || ask->chunk < 64 || ask->chunk > 4096) {
		return "chunk";
	}
	uint32_t most = a->cfg.load2_chunk > 0 && a->cfg.load2_chunk < AGENT_LOAD2_CHUNK_MAX ? a->cfg.load2_chunk
											      : AGENT_LOAD2_CHUNK_MAX;

	if (ask->chunk > most) {
		ask->chunk = most;
	}
	ask->sig = agent_kv_get(kv, "sig") != NULL;
	ask->on = true;
	return NULL;
}

static const char *key_name(const struct agent *a)
{
	return a->cfg.key_id != NULL && a->ports->verify_signature != NULL ? a->cfg.key_id : "none";
}

static void on_load(struct agent *a, const struct agent_kv *kv)
{
	const char *id = agent_kv_get(kv, "module_id");
	uint32_t size;
	uint32_t crc;

	if (id == NULL || !agent_kv_u32(kv, "size", &size) || !agent_kv_hex32(kv, "crc32", &crc) || size == 0) {
		load_err(a, "BAD_PARAMS", id == NULL ? "missing module_id" : "size and crc32 required");
		return;
	}
	if (!valid_id(id)) {
		load_err(a, "BAD_PARAMS", "invalid module_id");
		return;
	}
	struct v2_ask ask;
	const char *bad = v2_ask(a, kv, &ask);

	if (bad != NULL) {
		load_err(a, "BAD_PARAMS", bad);
		return;
	}
	if (a->cfg.require_signature && !ask.sig) {
		char msg[AGENT_MSG_MAX + 1] = "signature required (key ";

		append(msg, sizeof(msg), key_name(a));
		append(msg, sizeof(msg), ")");
		load_err(a, "UNSIGNED", msg);
		return;
	}
	int reserved = find(a, id);

	if (reserved >= 0 && is_builtin(reserved)) {
		load_err(a, "BAD_PARAMS", "reserved module_id (built-in native code)");
		return;
	}
	const char *replace_text = agent_kv_get(kv, "replace");
	bool replace = replace_text != NULL && strcmp(replace_text, "1") == 0;
	const char *victim = agent_kv_get(kv, "replace_victim");
	struct agent_pending_load *p = &a->load;

	memset(p, 0, sizeof(*p));
	int existing = find(a, id);

	if (existing >= 0) {
		if (a->slots[existing].state != AGENT_SLOT_LOADED && !replace) {
			load_err(a, "BUSY", "module running");
			return;
		}
		p->target = existing;
		p->replaces = true;
		if (victim != NULL) {
			p->victim_ignored = true;
			copy_id(p->victim, victim, AGENT_ID_MAX);
		}
	} else {
		p->target = free_slot(a);
		if (p->target < 0) {
			if (!replace) {
				load_err(a, "NO_SLOT", "MAX_MODULES reached");
				return;
			}
			if (victim == NULL) {
				load_err(a, "FULL", "NEED_VICTIM");
				return;
			}
			p->target = find(a, victim);
			if (p->target < 0 || is_builtin(p->target)) {
				load_err(a, "BAD_VICTIM", "NOT_FOUND");
				return;
			}
			p->replaces = true;
		}
	}
	if (p->replaces) {
		abort_job(a, p->target);
	}
	struct agent_kept *k = &a->kept;

	if (k->valid && ask.on && strcmp(k->id, id) == 0 && k->size == size &&
	    memcmp(k->sha256, ask.sha256, AGENT_SHA256_BYTES) == 0) {
		p->buf = k->buf; /* a resume: the bytes before k->offset are there */
		p->offset = k->offset;
		p->resumed_at = k->offset;
		memset(k, 0, sizeof(*k));
	} else if (k->valid) {
		a->ports->payload_free(a->ports->ctx, k->buf); /* another upload: what was kept goes */
		memset(k, 0, sizeof(*k));
	}
	if (p->buf == NULL) {
		p->buf = a->ports->payload_alloc(a->ports->ctx, size);
	}
	if (p->buf == NULL && p->replaces) {
		/* not enough pool for both: the old module goes first, as in v1 */
		clear_slot(a, p->target);
		p->replaces = false;
		p->buf = a->ports->payload_alloc(a->ports->ctx, size);
	}
	if (p->buf == NULL) {
		struct agent_mem mem = {0};
		struct agent_line l;

		a->ports->vm_mem(a->ports->ctx, &mem);
		agent_line_start(&l, "LOAD_ERR");
		agent_line_str(&l, "code", "NO_MEM");
		char msg[64] = "payload free=";
		size_t n = strlen(msg);

		n += agent_u64_to_text(mem.free, msg + n);
		memcpy(msg + n, " need=", 7);
		n += 6;
		agent_u64_to_text(size, msg + n);
		agent_line_quoted(&l, "msg", msg);
		send(a, &l);
		return;
	}
	copy_id(p->id, id, AGENT_ID_MAX);
	p->size = size;
	p->crc32 = crc;
	p->active = true;
	struct agent_line l;

	agent_line_start(&l, "LOAD_READY");
	agent_line_str(&l, "module_id", id);
	agent_line_u32(&l, "size", size);
	agent_line_hex32(&l, "crc32", crc);
	if (!ask.on) {
		send(a, &l);
		agent_framer_expect_payload(&a->framer, p->buf, size, now(a));
		return;
	}
	p->v2 = true;
	memcpy(p->sha256, ask.sha256, AGENT_SHA256_BYTES);
	p->chunk = ask.chunk;
	p->sig_expected = ask.sig;
	p->last_frame_ms = now(a);
	agent_line_u32(&l, "chunk", p->chunk);
	agent_line_u32(&l, "window", a->cfg.load2_window > 0 ? a->cfg.load2_window : 4);
	agent_line_u32(&l, "offset", p->offset);
	send(a, &l);
}

static void end_load(struct agent *a)
{
	if (a->load.buf != NULL) {
		a->ports->payload_free(a->ports->ctx, a->load.buf);
	}
	memset(&a->load, 0, sizeof(a->load));
}

static void on_payload(struct agent *a)
{
	struct agent_pending_load *p = &a->load;
	uint32_t got = agent_crc32(0, p->buf, p->size);

	if (got != p->crc32) {
		char msg[40] = "expected=";
		struct agent_line hex;

		/* the hex digits, as LOAD_READY prints them */
		agent_line_start(&hex, "");
		agent_line_hex32(&hex, "", p->crc32);
		memcpy(msg + 9, hex.text + 2, 8);
		memcpy(msg + 17, " got=", 5);
		agent_line_start(&hex, "");
		agent_line_hex32(&hex, "", got);
		memcpy(msg + 22, hex.text + 2, 8);
		msg[30] = '\0';
		end_load(a); /* the module it would replace is untouched */
		load_err(a, "BAD_CRC", msg);
		return;
	}
	void *module = NULL;
	char err[AGENT_MSG_MAX + 1] = "";
	enum agent_vm_result r = a->ports->vm_load(a->ports->ctx, p->target, p->buf, p->size, &module, err, sizeof(err));

	if (r == AGENT_VM_NO_MEM && p->replaces) {
		abort_job(a, p->target);
		clear_slot(a, p->target);
		p->replaces = false;
		err[0] = '\0';
		r = a->ports->vm_load(a->ports->ctx, p->target, p->buf, p->size, &module, err, sizeof(err));
	}
	if (r != AGENT_VM_OK) {
		end_load(a);
		load_err(a, r == AGENT_VM_INSTANTIATE_FAIL ? "INSTANTIATE_FAIL" : "LOAD_FAIL", err);
		return;
	}
	p->buf = NULL; /* the VM owns it now */
	if (p->replaces) {
		abort_job(a, p->target);
		clear_slot(a, p->target);
	}
	struct agent_slot *s = &a->slots[p->target];

	s->state = AGENT_SLOT_LOADED;
	copy_id(s->id, p->id, AGENT_ID_MAX);
	s->wasm_size = p->size;
	s->module = module;
	struct agent_line l;

	agent_line_start(&l, "LOAD_OK");
	if (p->victim_ignored) {
		agent_line_str(&l, "warn", "VICTIM_IGNORED");
		agent_line_str(&l, "replace_victim", p->victim);
	}
	if (p->v2) { /* LOAD v2 names what it loaded: the digest it checked */
		char hex[2 * AGENT_SHA256_BYTES + 1];

		agent_sha256_hex(p->sha256, hex);
		agent_line_str(&l, "sha256", hex);
		if (p->resumed_at > 0) {
			agent_line_u32(&l, "resumed_at", p->resumed_at);
		}
	}
	end_load(a);
	send(a, &l);
}

/* ---- LOAD v2 frames ----------------------------------------------------------------------- */

static void v2_answer(struct agent *a, const char *keyword, uint32_t end, bool has_end)
{
	struct agent_line l;

	agent_line_start(&l, keyword);
	agent_line_str(&l, "module_id", a->load.id);
	agent_line_u32(&l, "offset", a->load.offset);
	if (has_end) {
		agent_line_u32(&l, "end", end);
	}
	send(a, &l);
}

/* Adds [start, end) to the ranges held past the offset (merging what touches), then moves the
 * offset over what joined it. False when there is no room for another range. */
static bool v2_hold(struct agent_pending_load *p, uint32_t start, uint32_t end)
{
	size_t i = 0;

	while (i < p->nholds && p->holds[i][1] < start) {
		i++;
	}
	size_t j = i;

	while (j < p->nholds && p->holds[j][0] <= end) { /* [i, j) touch the new range: merged into it */
		start = p->holds[j][0] < start ? p->holds[j][0] : start;
		end = p->holds[j][1] > end ? p->holds[j][1] : end;
		j++;
	}
	if (j == i && p->nholds == AGENT_LOAD2_HOLDS) {
		return false;
	}
	memmove(&p->holds[i + 1], &p->holds[j], (p->nholds - j) * sizeof(p->holds[0]));
	p->nholds = p->nholds + 1 - (j - i);
	p->holds[i][0] = start;
	p->holds[i][1] = end;
	while (p->nholds > 0 && p->holds[0][0] == p->offset) {
		p->offset = p->holds[0][1];
		p->nholds--;
		memmove(&p->holds[0], &p->holds[1], p->nholds * sizeof(p->holds[0]));
	}
	return true;
}

/* The whole module is in: its SHA-256, then its signature, then as v1 (CRC, load, LOAD_OK). */
static void v2_complete(struct agent *a)
{
	struct agent_pending_load *p = &a->load;
	uint8_t got[AGENT_SHA256_BYTES];

	agent_sha256(p->buf, p->size, got);
	if (memcmp(got, p->sha256, AGENT_SHA256_BYTES) != 0) {
		char msg[9 + 64 + 5 + 64 + 1] = "expected=";

		agent_sha256_hex(p->sha256, msg + 9);
		memcpy(msg + 73, " got=", 5);
		agent_sha256_hex(got, msg + 78);
		end_load(a);
		load_err(a, "BAD_SHA256", msg);
		return;
	}
	if (p->has_sig && a->ports->verify_signature != NULL &&
	    !a->ports->verify_signature(a->ports->ctx, p->sig_alg, got, p->sig)) {
		char msg[AGENT_MSG_MAX + 1] = "";

		append(msg, sizeof(msg), p->sig_alg == AGENT_SIG_ED25519 ? "ed25519" : "p256");
		append(msg, sizeof(msg), " signature does not verify with key ");
		append(msg, sizeof(msg), key_name(a));
		end_load(a);
		load_err(a, "BAD_SIGNATURE", msg);
		return;
	}
	on_payload(a);
}

/*
 * A frame line: dropped when no v2 upload is under way (it begins no command); otherwise
 * written where it belongs and answered LOAD_ACK, or LOAD_NAK when damaged, in arrival order.
 */
static void on_frame(struct agent *a)
{
	struct agent_pending_load *p = &a->load;
	struct agent_v2_frame f;

	if (!p->active || !p->v2) {
		return;
	}
	p->last_frame_ms = now(a);
	agent_framer_frame(&a->framer, &f);
	if (f.intact && f.type == 'S' && f.len == 1 + AGENT_SIG_BYTES &&
	    (f.body[0] == AGENT_SIG_ED25519 || f.body[0] == AGENT_SIG_P256)) {
		if (p->sig_expected) {
			p->has_sig = true;
			p->sig_alg = f.body[0];
			memcpy(p->sig, f.body + 1, AGENT_SIG_BYTES);
		}
	} else if (f.intact && f.type == 'D' && f.len > 4 && f.len - 4 <= p->chunk) {
		uint32_t at = (uint32_t)f.body[0] | (uint32_t)f.body[1] << 8 | (uint32_t)f.body[2] << 16 |
			      (uint32_t)f.body[3] << 24;
		uint32_t n = (uint32_t)(f.len - 4);

		if (at > p->size || n > p->size - at) {
			v2_answer(a, "LOAD_NAK", 0, false); /* past the module's end: never meant so */
			return;
		}
		uint32_t end = at + n;
		uint32_t start = at > p->offset ? at : p->offset;

		if (end > start) {
			if (!v2_hold(p, start, end)) {
				v2_answer(a, "LOAD_NAK", 0, false); /* too many holes: dropped, sent again */
				return;
			}
			memcpy(p->buf + start, f.body + 4 + (start - at), end - start);
		}
		v2_answer(a, "LOAD_ACK", end, true);
	} else {
		v2_answer(a, "LOAD_NAK", 0, false);
		return;
	}
	if (p->offset == p->size && (!p->sig_expected || p->has_sig)) {
		v2_complete(a);
	}
}

/* ---- START, STOP, STATUS ------------------------------------------------------------------ */

static bool parse_args(const char *text, int32_t *args, size_t *n)
{
	*n = 0;
	if (text == NULL || *text == '\0') {
		return true;
	}
	const char *p = text;

	while (true) {
		if (*n == AGENT_MAX_ARGS) {
			return false;
		}
		const char *eq = NULL;
		const char *end = p;

		while (*end != '\0' && *end != ',') {
			if (*end == '=' && eq == NULL) {
				eq = end;
			}
			end++;
		}
		const char *num = eq != NULL ? eq + 1 : p; /* names are ignored, the order is kept */
		bool negative = *num == '-';
		uint64_t v = 0;

		if (negative) {
			num++;
		}
		if (num == end) {
			return false;
		}
		for (const char *d = num; d < end; d++) {
			if (*d < '0' || *d > '9') {
				return false;
			}
			v = v * 10U + (uint64_t)(*d - '0');
			if (v > 2147483648ULL) {
				return false;
			}
		}
		if (!negative && v > 2147483647ULL) {
			return false;
		}
		args[(*n)++] = negative ? (int32_t)(0 - v) : (int32_t)v;
		if (*end == '\0') {
			return true;
		}
		p = end + 1;
	}
}

static bool has_export(struct agent *a, int i, const char *func)
{
	if (!is_builtin(i)) {
		return a->ports->vm_has_export(a->ports->ctx, a->slots[i].module, func);
	}
	for (const char *const *f = a->cfg.builtins[i - AGENT_MAX_SLOTS].funcs; *f != NULL; f++) {
		if (strcmp(*f, func) == 0) {
			return true;
		}
	}
	return false;
}

static void on_start(struct agent *a, const struct agent_kv *kv)
{
	const char *id = agent_kv_get(kv, "module_id");

	if (id == NULL) {
		result_line(a, "BAD_PARAMS", false, NULL, NULL, NULL, "missing module_id");
		return;
	}
	int i = find(a, id);

	if (i < 0) {
		result_line(a, "NO_MODULE", false, id, NULL, NULL, NULL);
		return;
	}
	struct agent_slot *s = &a->slots[i];

	if (s->state != AGENT_SLOT_LOADED) {
		result_line(a, "BUSY", false, id, NULL, NULL, NULL);
		return;
	}
	int32_t args[AGENT_MAX_ARGS];
	size_t nargs;

	if (!parse_args(agent_kv_get(kv, "args"), args, &nargs)) {
		result_line(a, "BAD_PARAMS", false, id, NULL, NULL,
			    "invalid args: at most 4 signed 32-bit integers, written a=1,b=2");
		return;
	}
	struct agent_mem mem = {0};

	a->ports->vm_mem(a->ports->ctx, &mem);
	uint32_t guard = s->exec_env ? a->cfg.start_guard_with_env : a->cfg.start_guard_no_env;

	if (!is_builtin(i) && mem.available && mem.free < guard) {
		char msg[64] = "free=";
		size_t n = 5;

		n += agent_u64_to_text(mem.free, msg + n);
		memcpy(msg + n, " need>=", 8);
		n += 7;
		n += agent_u64_to_text(guard, msg + n);
		memcpy(msg + n, s->exec_env ? " exec_env=yes" : " exec_env=no", s->exec_env ? 14 : 13);
		result_line(a, "NO_MEM", false, id, NULL, NULL, msg);
		return;
	}
	const char *func = agent_kv_get(kv, "func");

	if (func == NULL || *func == '\0') {
		if (!has_export(a, i, "app_main")) {
			result_line(a, "NO_ENTRYPOINT", false, id, NULL, NULL,
				    nargs > 0 ? "args require app_main" : "expected app_main");
			return;
		}
		func = "app_main";
	}
	struct agent_line l;

	agent_line_start(&l, "START_OK");
	send(a, &l);
	copy_id(s->func, func, AGENT_FUNC_MAX);
	s->state = AGENT_SLOT_RUNNING;
	s->exec_env = true;
	s->job = ++a->jobs;
	s->job_started_ms = now(a);
	s->stop_armed = false;
	s->forcing = false;
	a->ports->vm_start(a->ports->ctx, i, s->module, s->func, args, nargs, s->job);
}

static void on_stop(struct agent *a, const struct agent_kv *kv)
{
	const char *id = agent_kv_get(kv, "module_id");
	struct agent_line l;

	agent_line_start(&l, "STOP_OK");
	if (id == NULL) {
		agent_line_str(&l, "status", "NO_JOB");
		send(a, &l);
		return;
	}
	int i = find(a, id);

	if (i < 0 || a->slots[i].state == AGENT_SLOT_LOADED) {
		agent_line_str(&l, "status", "IDLE");
		send(a, &l);
		return;
	}
	struct agent_slot *s = &a->slots[i];

	agent_line_str(&l, "status", "PENDING");
	send(a, &l);
	if (s->state == AGENT_SLOT_RUNNING) {
		s->state = AGENT_SLOT_STOPPING;
		s->stop_armed = true;
		s->stop_job = s->job;
		s->stop_deadline = now(a) + a->cfg.stop_grace_ms;
		a->ports->vm_stop(a->ports->ctx, i, false);
	}
}

static const char *caps(const struct agent *a)
{
	return a->cfg.nbuiltins > 0 ? "timing,stopfix,exactkeys,idletimeout,load2,native"
				    : "timing,stopfix,exactkeys,idletimeout,load2";
}

static void on_status(struct agent *a)
{
	char modules[AGENT_MAX_SLOTS * 80 + 8] = "";
	char low[AGENT_MAX_SLOTS * (AGENT_ID_MAX + 2) + 8] = "";
	size_t m = 0;
	size_t lo = 0;

	for (int i = 0; i < AGENT_MAX_SLOTS; i++) {
		struct agent_slot *s = &a->slots[i];

		if (s->state == AGENT_SLOT_EMPTY) {
			continue;
		}
		uint32_t stack_free = a->ports->worker_stack_free(a->ports->ctx, i);

		if (m > 0) {
			modules[m++] = ',';
		}
		size_t n = strlen(s->id);

		memcpy(modules + m, s->id, n);
		m += n;
		const char *st = s->state == AGENT_SLOT_LOADED ? ":LOADED:wasm=" : ":RUNNING:wasm=";

		memcpy(modules + m, st, strlen(st));
		m += strlen(st);
		m += agent_u64_to_text(s->wasm_size, modules + m);
		memcpy(modules + m, ":stack_free=", 12);
		m += 12;
		m += agent_u64_to_text(stack_free, modules + m);
		modules[m] = '\0';
		if (s->exec_env && stack_free < a->cfg.low_stack_below) {
			if (lo > 0) {
				low[lo++] = ',';
			}
			memcpy(low + lo, s->id, n);
			lo += n;
			low[lo] = '\0';
		}
	}
	struct agent_mem mem = {0};
	struct agent_line l;

	a->ports->vm_mem(a->ports->ctx, &mem);
	agent_line_start(&l, "STATUS_OK");
	agent_line_quoted(&l, "modules", m == 0 ? "none" : modules);
	agent_line_quoted(&l, "low_stack", lo == 0 ? "none" : low);
	if (mem.available) {
		agent_line_u32(&l, "wamr_total", mem.total);
		agent_line_u32(&l, "wamr_free", mem.free);
		agent_line_u32(&l, "wamr_used", mem.used);
		agent_line_u32(&l, "wamr_highmark", mem.highmark);
	} else {
		agent_line_str(&l, "wamr_heap", "NA");
	}
	/* appended: a gateway that connects after the HELLO (a TCP bridge, a re-homed board) still learns them */
	agent_line_str(&l, "caps", caps(a));
	send(a, &l);
}

static void on_line(struct agent *a, char *text)
{
	struct agent_kv kv;
	enum agent_kv_status st = agent_kv_parse(text, &kv);

	if (st == AGENT_KV_EMPTY) {
		return;
	}
	const char *k = kv.keyword;

	if (st != AGENT_KV_OK) {
		if (strcmp(k, "LOAD") == 0) {
			load_err(a, "BAD_PARAMS", "malformed line");
		} else if (strcmp(k, "START") == 0) {
			result_line(a, "BAD_PARAMS", false, NULL, NULL, NULL, "malformed line");
		} else {
			struct agent_line l;

			agent_line_start(&l, "ERROR");
			agent_line_str(&l, "code", strcmp(k, "STOP") == 0 || strcmp(k, "STATUS") == 0 ? "BAD_PARAMS"
											  : "UNKNOWN_COMMAND");
			send(a, &l);
		}
		return;
	}
	if (strcmp(k, "LOAD") == 0) {
		on_load(a, &kv);
	} else if (strcmp(k, "START") == 0) {
		on_start(a, &kv);
	} else if (strcmp(k, "STOP") == 0) {
		on_stop(a, &kv);
	} else if (strcmp(k, "STATUS") == 0) {
		on_status(a);
	} else {
		struct agent_line l;

		agent_line_start(&l, "ERROR");
		agent_line_str(&l, "code", "UNKNOWN_COMMAND");
		send(a, &l);
	}
}

/* ---- the public entry points ------------------------------------------------------------- */

void agent_init(struct agent *a, const struct agent_ports *ports, const struct agent_config *cfg)
{
	memset(a, 0, sizeof(*a));
	a->ports = ports;
	a->cfg = *cfg;
	agent_framer_init(&a->framer);
#if AGENT_MAX_BUILTINS > 0
	for (size_t b = 0; b < cfg->nbuiltins && b < (size_t)AGENT_MAX_BUILTINS; b++) {
		struct agent_slot *s = &a->slots[AGENT_MAX_SLOTS + b];

		s->state = AGENT_SLOT_LOADED;
		copy_id(s->id, cfg->builtins[b].id, AGENT_ID_MAX);
		s->exec_env = true;
	}
#endif
}

void agent_boot(struct agent *a)
{
	struct agent_line l;

	agent_line_start(&l, "HELLO");
	agent_line_str(&l, "device_id", a->cfg.device_id);
	agent_line_str(&l, "rtos", a->cfg.rtos);
	agent_line_str(&l, "runtime", a->cfg.runtime);
	agent_line_str(&l, "fw_version", a->cfg.fw_version);
	if (a->cfg.board != NULL) {
		agent_line_str(&l, "board", a->cfg.board);
	}
	if (a->cfg.clock_mhz != NULL) {
		agent_line_str(&l, "clock_mhz", a->cfg.clock_mhz);
	}
	if (a->cfg.fpu != NULL) {
		agent_line_str(&l, "fpu", a->cfg.fpu);
	}
	agent_line_str(&l, "caps", caps(a));
	send(a, &l);
}

void agent_discard_line(struct agent *a)
{
	agent_framer_skip_line(&a->framer);
}

void agent_on_bytes(struct agent *a, const uint8_t *data, size_t len)
{
	while (len > 0) {
		enum agent_frame e;
		size_t used = agent_framer_feed(&a->framer, data, len, now(a), &e);

		data += used;
		len -= used;
		if ((e == AGENT_FRAME_LINE || e == AGENT_FRAME_LINE_TOO_LONG) && a->load.active && a->load.v2) {
			continue; /* not a frame (a STATUS sent meanwhile): neither run nor upload activity */
		}
		if (e == AGENT_FRAME_V2) {
			on_frame(a);
		} else if (e == AGENT_FRAME_LINE) {
			on_line(a, agent_framer_line(&a->framer));
		} else if (e == AGENT_FRAME_LINE_TOO_LONG) {
			struct agent_line l;

			agent_line_start(&l, "ERROR");
			agent_line_str(&l, "code", "LINE_TOO_LONG");
			send(a, &l);
		} else if (e == AGENT_FRAME_PAYLOAD) {
			on_payload(a);
		}
	}
}

void agent_on_tick(struct agent *a)
{
	uint32_t t = now(a);

	struct agent_pending_load *p = &a->load;

	if (p->active && p->v2 && (uint32_t)(t - p->last_frame_ms) >= a->cfg.payload_idle_ms) {
		/* no frame for the idle time: the bytes before the offset are kept for a resume */
		char msg[40] = "idle at offset=";
		uint32_t offset = p->offset;

		agent_u64_to_text(offset, msg + strlen(msg));
		if (offset > 0) {
			struct agent_kept *k = &a->kept;

			k->valid = true;
			copy_id(k->id, p->id, AGENT_ID_MAX);
			k->size = p->size;
			memcpy(k->sha256, p->sha256, AGENT_SHA256_BYTES);
			k->offset = offset;
			k->buf = p->buf;
			p->buf = NULL;
		}
		end_load(a);
		load_err(a, "TIMEOUT", msg);
	}
	if (a->load.active && agent_framer_idle(&a->framer, t, a->cfg.payload_idle_ms)) {
		agent_framer_cancel_payload(&a->framer);
		end_load(a);
		load_err(a, "TIMEOUT", "binary payload not received");
	}
	for (int i = 0; i < AGENT_MAX_SLOTS + AGENT_MAX_BUILTINS; i++) {
		struct agent_slot *s = &a->slots[i];

		if (s->stop_armed && s->stop_job == s->job && s->state == AGENT_SLOT_STOPPING && !s->forcing &&
		    (int32_t)(t - s->stop_deadline) >= 0) {
			s->forcing = true;
			s->stop_armed = false;
			a->ports->vm_stop(a->ports->ctx, i, true);
		}
	}
}

void agent_job_done(struct agent *a, int slot, uint32_t job, const struct agent_outcome *o)
{
	if (slot < 0 || slot >= AGENT_MAX_SLOTS + AGENT_MAX_BUILTINS) {
		return;
	}
	struct agent_slot *s = &a->slots[slot];

	if (s->job != job || (s->state != AGENT_SLOT_RUNNING && s->state != AGENT_SLOT_STOPPING)) {
		return; /* aborted by a replace, or the slot emptied: already answered */
	}
	static const char *const names[] = {"OK", "EXCEPTION", "STOPPED", "NO_FUNC", "NO_EXEC_ENV"};
	bool forced = o->status == AGENT_JOB_STOPPED && (o->forced || s->forcing);
	bool timed = o->status == AGENT_JOB_OK || o->status == AGENT_JOB_EXCEPTION || o->status == AGENT_JOB_STOPPED;

	if (o->status == AGENT_JOB_NO_EXEC_ENV) {
		s->exec_env = false;
	}
	s->state = AGENT_SLOT_LOADED;
	s->stop_armed = false; /* a deadline never outlives its job */
	s->forcing = false;
	result_line(a, names[o->status], forced, s->id, timed ? s->func : NULL, timed ? o : NULL,
		    forced ? NULL : o->msg);
}
