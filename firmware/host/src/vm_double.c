/* TEST DOUBLE of WAMR: see vm_double.h. */
#include "vm_double.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TYPES 64
#define MAX_FUNCS 256
#define MAX_PARAMS 16
#define MAX_GLOBALS 16
#define MAX_EXPORTS 64
#define STACK_CELLS 16384
#define MAX_DEPTH 256
#define MAX_LABELS 256

struct functype {
	uint8_t nparams;
	uint8_t params[MAX_PARAMS];
	uint8_t nresults;
};

struct func {
	uint32_t type;
	bool imported;
	int host; /* imported: 0 gpio_toggle, 1 uart_print, 2 led_toggle, -1 unlinked */
	char import_module[32];
	char import_name[48];
	uint32_t body;     /* offset of the first instruction */
	uint32_t body_end; /* offset of the final end */
	uint32_t nlocals;  /* besides the params */
};

struct export {
	char name[48];
	uint32_t func;
};

struct vmd_module {
	uint8_t *bytes;
	size_t size;
	struct functype types[MAX_TYPES];
	uint32_t ntypes;
	struct func funcs[MAX_FUNCS];
	uint32_t nfuncs;
	uint32_t nimports;
	struct export exports[MAX_EXPORTS];
	uint32_t nexports;
	uint64_t globals[MAX_GLOBALS];
	uint32_t nglobals;
	uint8_t *memory;
	uint32_t memory_size;
	int32_t *match; /* for block/loop/if at offset p: the offset of its end; for if: else in match_else */
	int32_t *match_else;
};

struct reader {
	const uint8_t *p;
	const uint8_t *end;
	bool bad;
};

static uint32_t u32(struct reader *r)
{
	uint32_t v = 0;

	for (int shift = 0; shift < 35; shift += 7) {
		if (r->p >= r->end) {
			r->bad = true;
			return 0;
		}
		uint8_t b = *r->p++;

		v |= (uint32_t)(b & 0x7f) << shift;
		if ((b & 0x80) == 0) {
			return v;
		}
	}
	r->bad = true;
	return 0;
}

static int64_t s64(struct reader *r, int bits)
{
	int64_t v = 0;
	int shift = 0;
	uint8_t b;

	do {
		if (r->p >= r->end || shift >= 70) {
			r->bad = true;
			return 0;
		}
		b = *r->p++;
		v |= (int64_t)((uint64_t)(b & 0x7f) << shift);
		shift += 7;
	} while (b & 0x80);
	if (shift < 64 && (b & 0x40)) {
		v |= (int64_t)(~0ULL << shift);
	}
	(void)bits;
	return v;
}

static uint8_t byte(struct reader *r)
{
	if (r->p >= r->end) {
		r->bad = true;
		return 0;
	}
	return *r->p++;
}

static void name(struct reader *r, char *out, size_t max)
{
	uint32_t n = u32(r);

	if (r->bad || (size_t)(r->end - r->p) < n) {
		r->bad = true;
		return;
	}
	size_t k = n < max - 1 ? n : max - 1;

	memcpy(out, r->p, k);
	out[k] = '\0';
	r->p += n;
}

static int fail(char *err, size_t len, int code, const char *what)
{
	snprintf(err, len, "%s", what);
	return code;
}

/* Skips an instruction's immediates; false for an opcode this double does not run. */
static bool skip_immediates(uint8_t op, struct reader *r)
{
	switch (op) {
	case 0x02: case 0x03: case 0x04: {
		uint8_t bt = byte(r);

		return bt == 0x40 || bt == 0x7f || bt == 0x7e;
	}
	case 0x0c: case 0x0d: case 0x10: case 0x20: case 0x21: case 0x22: case 0x23: case 0x24:
		u32(r);
		return true;
	case 0x0e: {
		uint32_t n = u32(r);

		for (uint32_t i = 0; i <= n && !r->bad; i++) {
			u32(r);
		}
		return true;
	}
	case 0x28: case 0x29: case 0x2c: case 0x2d: case 0x2e: case 0x2f: case 0x36: case 0x37: case 0x3a: case 0x3b:
		u32(r);
		u32(r);
		return true;
	case 0x3f:
		byte(r);
		return true;
	case 0x41:
		s64(r, 32);
		return true;
	case 0x42:
		s64(r, 64);
		return true;
	case 0x00: case 0x01: case 0x05: case 0x0b: case 0x0f: case 0x1a: case 0x1b:
		return true;
	default:
		/* i32 and i64 comparisons and arithmetic, wrap and extend */
		return (op >= 0x45 && op <= 0x5a) || (op >= 0x67 && op <= 0x8a) || op == 0xa7 || op == 0xac ||
		       op == 0xad;
	}
}

/* Pairs every block/loop/if with its end (and else) in one pass over a body. */
static bool match_blocks(struct vmd_module *m, uint32_t start, uint32_t end, char *err, size_t len)
{
	int32_t stack[MAX_LABELS];
	int depth = 0;
	struct reader r = {m->bytes + start, m->bytes + end, false};

	while (r.p < r.end) {
		uint32_t at = (uint32_t)(r.p - m->bytes);
		uint8_t op = byte(&r);

		if (!skip_immediates(op, &r)) {
			snprintf(err, len, "WASM module load failed: opcode 0x%02x is not run by agent-host's VM test double"
				 " (build it with WAMR_ROOT for the real WAMR)", op);
			return false;
		}
		if (op == 0x02 || op == 0x03 || op == 0x04) {
			if (depth == MAX_LABELS) {
				return false;
			}
			stack[depth++] = (int32_t)at;
		} else if (op == 0x05) {
			if (depth == 0) {
				return false;
			}
			m->match_else[stack[depth - 1]] = (int32_t)at;
		} else if (op == 0x0b) {
			if (depth == 0) {
				return r.p == r.end; /* the body's own end */
			}
			m->match[stack[--depth]] = (int32_t)at;
		}
	}
	return !r.bad && depth == 0;
}

void vmd_free(struct vmd_module *m)
{
	if (m == NULL) {
		return;
	}
	free(m->bytes);
	free(m->memory);
	free(m->match);
	free(m->match_else);
	free(m);
}

enum vmd_load_result vmd_load(const uint8_t *bytes, size_t size, struct vmd_module **out, char *err, size_t len)
{
	if (size < 8 || memcmp(bytes, "\0asm", 4) != 0) {
		if (size >= 4 && memcmp(bytes, "\0aot", 4) == 0) {
			return fail(err, len, VMD_LOAD_FAIL, "AOT module load failed: agent-host's VM test double cannot run"
				    " AOT code (build agent-host with WAMR_ROOT for the real WAMR)");
		}
		return fail(err, len, VMD_LOAD_FAIL, "WASM module load failed: magic header not detected");
	}
	struct vmd_module *m = calloc(1, sizeof(*m));

	m->bytes = malloc(size);
	memcpy(m->bytes, bytes, size);
	m->size = size;
	m->match = calloc(size, sizeof(int32_t));
	m->match_else = calloc(size, sizeof(int32_t));
	for (size_t i = 0; i < size; i++) {
		m->match_else[i] = -1;
	}
	struct reader r = {m->bytes + 8, m->bytes + size, false};
	uint32_t mem_pages = 0;
	bool has_memory = false;
	uint32_t heap_base = 0;
	struct {
		uint32_t offset;
		uint32_t from;
		uint32_t len;
	} data[32];
	uint32_t ndata = 0;
	uint32_t fidx = 0;

	while (r.p < r.end && !r.bad) {
		uint8_t id = byte(&r);
		uint32_t sec_len = u32(&r);
		const uint8_t *sec_end = r.p + sec_len;

		if (r.bad || sec_end > r.end) {
			r.bad = true; /* a section longer than what is left: a cut module */
			break;
		}
		struct reader s = {r.p, sec_end, false};

		switch (id) {
		case 1: { /* types */
			uint32_t n = u32(&s);

			for (uint32_t i = 0; i < n && !s.bad; i++) {
				if (byte(&s) != 0x60 || i >= MAX_TYPES) {
					s.bad = true;
					break;
				}
				struct functype *t = &m->types[m->ntypes++];
				uint32_t np = u32(&s);

				for (uint32_t k = 0; k < np; k++) {
					uint8_t vt = byte(&s);

					if (k < MAX_PARAMS) {
						t->params[k] = vt;
					}
					if (vt != 0x7f && vt != 0x7e) {
						s.bad = true;
					}
				}
				t->nparams = (uint8_t)(np < MAX_PARAMS ? np : MAX_PARAMS);
				uint32_t nr = u32(&s);

				for (uint32_t k = 0; k < nr; k++) {
					byte(&s);
				}
				t->nresults = (uint8_t)nr;
				if (nr > 1 || np > MAX_PARAMS) {
					s.bad = true;
				}
			}
			break;
		}
		case 2: { /* imports: functions only */
			uint32_t n = u32(&s);

			for (uint32_t i = 0; i < n && !s.bad; i++) {
				struct func *f = &m->funcs[m->nfuncs];

				name(&s, f->import_module, sizeof(f->import_module));
				name(&s, f->import_name, sizeof(f->import_name));
				if (byte(&s) != 0x00 || m->nfuncs >= MAX_FUNCS) {
					s.bad = true;
					break;
				}
				f->type = u32(&s);
				f->imported = true;
				f->host = -1;
				if (strcmp(f->import_module, "env") == 0) {
					if (strcmp(f->import_name, "gpio_toggle") == 0) {
						f->host = 0;
					} else if (strcmp(f->import_name, "uart_print") == 0) {
						f->host = 1;
					} else if (strcmp(f->import_name, "led_toggle") == 0) {
						f->host = 2;
					}
				}
				m->nfuncs++;
				m->nimports++;
			}
			break;
		}
		case 3: { /* function declarations */
			uint32_t n = u32(&s);

			for (uint32_t i = 0; i < n && !s.bad; i++) {
				if (m->nfuncs >= MAX_FUNCS) {
					s.bad = true;
					break;
				}
				m->funcs[m->nfuncs++].type = u32(&s);
			}
			break;
		}
		case 5: { /* memory */
			if (u32(&s) > 0) {
				uint8_t flags = byte(&s);

				mem_pages = u32(&s);
				if (flags & 1) {
					u32(&s);
				}
				has_memory = true;
			}
			break;
		}
		case 6: { /* globals: i32/i64 with a constant initializer */
			uint32_t n = u32(&s);

			for (uint32_t i = 0; i < n && !s.bad; i++) {
				byte(&s); /* type */
				byte(&s); /* mutability */
				uint8_t op = byte(&s);
				int64_t v = op == 0x41 || op == 0x42 ? s64(&s, 64) : 0;

				if ((op != 0x41 && op != 0x42) || byte(&s) != 0x0b || m->nglobals >= MAX_GLOBALS) {
					s.bad = true;
					break;
				}
				m->globals[m->nglobals++] = op == 0x41 ? (uint64_t)(uint32_t)v : (uint64_t)v;
			}
			break;
		}
		case 7: { /* exports */
			uint32_t n = u32(&s);

			for (uint32_t i = 0; i < n && !s.bad; i++) {
				char nm[48];

				name(&s, nm, sizeof(nm));
				uint8_t kind = byte(&s);
				uint32_t index = u32(&s);

				if (kind == 0 && m->nexports < MAX_EXPORTS) {
					strcpy(m->exports[m->nexports].name, nm);
					m->exports[m->nexports++].func = index;
				} else if (kind == 3 && strcmp(nm, "__heap_base") == 0 && index < m->nglobals) {
					heap_base = (uint32_t)m->globals[index];
				}
			}
			break;
		}
		case 10: { /* code */
			uint32_t n = u32(&s);

			for (uint32_t i = 0; i < n && !s.bad; i++) {
				uint32_t body_len = u32(&s);
				const uint8_t *body_end = s.p + body_len;
				struct func *f = &m->funcs[m->nimports + fidx++];

				if (body_end > s.end || m->nimports + fidx > m->nfuncs) {
					s.bad = true;
					break;
				}
				uint32_t groups = u32(&s);

				for (uint32_t g = 0; g < groups; g++) {
					f->nlocals += u32(&s);
					uint8_t vt = byte(&s);

					if (vt != 0x7f && vt != 0x7e) {
						s.bad = true;
					}
				}
				f->body = (uint32_t)(s.p - m->bytes);
				f->body_end = (uint32_t)(body_end - m->bytes);
				if (!s.bad && !match_blocks(m, f->body, f->body_end, err, len)) {
					if (err[0] == '\0') {
						snprintf(err, len, "WASM module load failed: malformed function body");
					}
					vmd_free(m);
					return VMD_LOAD_FAIL;
				}
				s.p = body_end;
			}
			break;
		}
		case 11: { /* data: active segments at constant offsets */
			uint32_t n = u32(&s);

			for (uint32_t i = 0; i < n && !s.bad && ndata < 32; i++) {
				if (u32(&s) != 0 || byte(&s) != 0x41) {
					s.bad = true;
					break;
				}
				data[ndata].offset = (uint32_t)s64(&s, 32);
				if (byte(&s) != 0x0b) {
					s.bad = true;
					break;
				}
				data[ndata].len = u32(&s);
				data[ndata].from = (uint32_t)(s.p - m->bytes);
				s.p += data[ndata].len;
				ndata++;
			}
			break;
		}
		case 0: case 4: case 8: case 9: case 12:
			break; /* custom, table, start, element, data count: not needed by the test modules */
		default:
			s.bad = true;
		}
		if (s.bad) {
			r.bad = true;
			break;
		}
		r.p = sec_end;
	}
	if (r.bad) {
		vmd_free(m);
		return fail(err, len, VMD_LOAD_FAIL, "WASM module load failed: unexpected end or unsupported section");
	}
	if (has_memory) {
		m->memory_size = mem_pages * 65536U;
		if (heap_base > 0 && heap_base < m->memory_size) {
			m->memory_size = heap_base; /* as WAMR shrinks the linear memory to what the module uses */
		}
		m->memory = calloc(1, m->memory_size == 0 ? 1 : m->memory_size);
		for (uint32_t i = 0; i < ndata; i++) {
			if ((uint64_t)data[i].offset + data[i].len > m->memory_size) {
				vmd_free(m);
				return fail(err, len, VMD_INSTANTIATE_FAIL, "data segment does not fit");
			}
			memcpy(m->memory + data[i].offset, m->bytes + data[i].from, data[i].len);
		}
	}
	*out = m;
	return VMD_LOADED;
}

bool vmd_has_export(const struct vmd_module *m, const char *nm)
{
	for (uint32_t i = 0; i < m->nexports; i++) {
		if (strcmp(m->exports[i].name, nm) == 0) {
			return true;
		}
	}
	return false;
}

size_t vmd_footprint(const struct vmd_module *m)
{
	return m->memory_size + m->nglobals * 8U;
}

/* ---- execution ---------------------------------------------------------------------------- */

struct exec {
	struct vmd_module *m;
	const struct vmd_host *host;
	uint64_t stack[STACK_CELLS];
	uint32_t sp;
	int depth;
	const char *trap;
	bool stopped;
};

struct label {
	uint32_t target; /* where a branch goes: a loop's start, or past the block's end */
	uint32_t height;
	uint8_t arity;
	bool loop;
};

#define TRAP(msg)                                                                                                  \
	do {                                                                                                       \
		x->trap = (msg);                                                                                   \
		return false;                                                                                      \
	} while (0)

static bool check_stop(struct exec *x)
{
	if (*x->host->stop != 0) {
		x->stopped = true;
		return true;
	}
	return false;
}

static bool call_func(struct exec *x, uint32_t index);

static bool mem_ok(struct exec *x, uint64_t addr, uint32_t n)
{
	return x->m->memory != NULL && addr + n <= x->m->memory_size;
}

static bool run(struct exec *x, struct func *f, uint64_t *locals)
{
	struct vmd_module *m = x->m;
	struct label labels[MAX_LABELS];
	int nl = 0;
	uint32_t base = x->sp;
	struct reader r = {m->bytes + f->body, m->bytes + f->body_end, false};

	labels[nl++] = (struct label){f->body_end + 1, base, m->types[f->type].nresults, false};
#define POP() (x->stack[--x->sp])
#define PUSH(v)                                                                                                    \
	do {                                                                                                       \
		uint64_t pushed_ = (uint64_t)(v); /* evaluated (and any POP done) first */                         \
		if (x->sp >= STACK_CELLS) {                                                                        \
			TRAP("wasm operand stack overflow");                                                       \
		}                                                                                                  \
		x->stack[x->sp++] = pushed_;                                                                       \
	} while (0)
	while (true) {
		uint32_t at = (uint32_t)(r.p - m->bytes);

		if (at >= f->body_end) {
			return true;
		}
		uint8_t op = *r.p++;
		uint32_t depth_to = 0;

		switch (op) {
		case 0x00:
			TRAP("unreachable");
		case 0x01:
			break;
		case 0x02: case 0x03: case 0x04: {
			uint8_t bt = *r.p++;
			uint8_t arity = bt == 0x40 ? 0 : 1;
			uint32_t end = (uint32_t)m->match[at];

			if (nl == MAX_LABELS) {
				TRAP("wasm operand stack overflow");
			}
			if (op == 0x04) {
				uint32_t c = (uint32_t)POP();

				labels[nl++] = (struct label){end + 1, x->sp, arity, false};
				if (c == 0) {
					int32_t els = m->match_else[at];

					if (els >= 0) {
						r.p = m->bytes + els + 1;
					} else {
						r.p = m->bytes + end; /* at the end: pops the label */
					}
				}
			} else if (op == 0x03) {
				labels[nl++] = (struct label){(uint32_t)(r.p - m->bytes), x->sp, 0, true};
			} else {
				labels[nl++] = (struct label){end + 1, x->sp, arity, false};
			}
			break;
		}
		case 0x05: /* else reached from the then branch: leave the if */
			depth_to = 0;
			goto branch;
		case 0x0b:
			nl--;
			if (nl == 0) {
				return true;
			}
			break;
		case 0x0c:
			depth_to = u32(&r);
			goto branch;
		case 0x0d:
			depth_to = u32(&r);
			if ((uint32_t)POP() == 0) {
				break;
			}
			goto branch;
		case 0x0e: {
			uint32_t n = u32(&r);
			uint32_t sel = (uint32_t)POP();
			uint32_t chosen = 0;

			for (uint32_t i = 0; i <= n; i++) {
				uint32_t d = u32(&r);

				if (i == sel || i == n) {
					chosen = d;
					if (i == sel) {
						break;
					}
				}
			}
			depth_to = chosen;
			goto branch;
		}
		case 0x0f:
			depth_to = (uint32_t)(nl - 1);
			goto branch;
		case 0x10: {
			if (check_stop(x) || !call_func(x, u32(&r))) {
				return false;
			}
			break;
		}
		case 0x1a:
			x->sp--;
			break;
		case 0x1b: {
			uint32_t c = (uint32_t)POP();
			uint64_t b = POP();
			uint64_t a = POP();

			PUSH(c != 0 ? a : b);
			break;
		}
		case 0x20:
			PUSH(locals[u32(&r)]);
			break;
		case 0x21:
			locals[u32(&r)] = POP();
			break;
		case 0x22:
			locals[u32(&r)] = x->stack[x->sp - 1];
			break;
		case 0x23:
			PUSH(m->globals[u32(&r)]);
			break;
		case 0x24:
			m->globals[u32(&r)] = POP();
			break;
		case 0x28: case 0x29: case 0x2c: case 0x2d: case 0x2e: case 0x2f: {
			u32(&r);
			uint64_t addr = (uint64_t)(uint32_t)POP() + u32(&r);
			uint32_t n = op == 0x28 ? 4 : op == 0x29 ? 8 : op <= 0x2d ? 1 : 2;

			if (!mem_ok(x, addr, n)) {
				TRAP("out of bounds memory access");
			}
			uint64_t v = 0;

			memcpy(&v, m->memory + addr, n); /* little-endian host */
			if (op == 0x2c) {
				v = (uint64_t)(uint32_t)(int32_t)(int8_t)v;
			} else if (op == 0x2e) {
				v = (uint64_t)(uint32_t)(int32_t)(int16_t)v;
			}
			PUSH(v);
			break;
		}
		case 0x36: case 0x37: case 0x3a: case 0x3b: {
			u32(&r);
			uint32_t offset = u32(&r);
			uint64_t v = POP();
			uint64_t addr = (uint64_t)(uint32_t)POP() + offset;
			uint32_t n = op == 0x36 ? 4 : op == 0x37 ? 8 : op == 0x3a ? 1 : 2;

			if (!mem_ok(x, addr, n)) {
				TRAP("out of bounds memory access");
			}
			memcpy(m->memory + addr, &v, n);
			break;
		}
		case 0x3f:
			r.p++;
			PUSH(m->memory_size / 65536U);
			break;
		case 0x41:
			PUSH((uint32_t)(int32_t)s64(&r, 32));
			break;
		case 0x42:
			PUSH((uint64_t)s64(&r, 64));
			break;
		default: {
			if (op == 0x45) {
				PUSH((uint32_t)POP() == 0);
				break;
			}
			if (op == 0x50) {
				PUSH(POP() == 0);
				break;
			}
			if (op == 0xa7) {
				PUSH((uint32_t)POP());
				break;
			}
			if (op == 0xac) {
				PUSH((uint64_t)(int64_t)(int32_t)(uint32_t)POP());
				break;
			}
			if (op == 0xad) {
				PUSH((uint64_t)(uint32_t)POP());
				break;
			}
			if (op >= 0x46 && op <= 0x4f) { /* i32 comparisons */
				uint32_t b = (uint32_t)POP();
				uint32_t a = (uint32_t)POP();
				int32_t sa = (int32_t)a;
				int32_t sb = (int32_t)b;
				bool v = op == 0x46 ? a == b : op == 0x47 ? a != b : op == 0x48 ? sa < sb : op == 0x49 ? a < b
				       : op == 0x4a ? sa > sb : op == 0x4b ? a > b : op == 0x4c ? sa <= sb : op == 0x4d ? a <= b
				       : op == 0x4e ? sa >= sb : a >= b;

				PUSH(v);
				break;
			}
			if (op >= 0x51 && op <= 0x5a) { /* i64 comparisons */
				uint64_t b = POP();
				uint64_t a = POP();
				int64_t sa = (int64_t)a;
				int64_t sb = (int64_t)b;
				bool v = op == 0x51 ? a == b : op == 0x52 ? a != b : op == 0x53 ? sa < sb : op == 0x54 ? a < b
				       : op == 0x55 ? sa > sb : op == 0x56 ? a > b : op == 0x57 ? sa <= sb : op == 0x58 ? a <= b
				       : op == 0x59 ? sa >= sb : a >= b;

				PUSH(v);
				break;
			}
			if (op >= 0x67 && op <= 0x69) {
				uint32_t a = (uint32_t)POP();

				PUSH(op == 0x67 ? (a == 0 ? 32 : __builtin_clz(a)) : op == 0x68 ? (a == 0 ? 32 : __builtin_ctz(a))
											       : __builtin_popcount(a));
				break;
			}
			if (op >= 0x6a && op <= 0x78) { /* i32 binary */
				uint32_t b = (uint32_t)POP();
				uint32_t a = (uint32_t)POP();
				uint32_t v = 0;

				switch (op) {
				case 0x6a: v = a + b; break;
				case 0x6b: v = a - b; break;
				case 0x6c: v = a * b; break;
				case 0x6d:
					if (b == 0) {
						TRAP("integer divide by zero");
					}
					if (a == 0x80000000U && b == 0xffffffffU) {
						TRAP("integer overflow");
					}
					v = (uint32_t)((int32_t)a / (int32_t)b);
					break;
				case 0x6e:
					if (b == 0) {
						TRAP("integer divide by zero");
					}
					v = a / b;
					break;
				case 0x6f:
					if (b == 0) {
						TRAP("integer divide by zero");
					}
					v = (a == 0x80000000U && b == 0xffffffffU) ? 0 : (uint32_t)((int32_t)a % (int32_t)b);
					break;
				case 0x70:
					if (b == 0) {
						TRAP("integer divide by zero");
					}
					v = a % b;
					break;
				case 0x71: v = a & b; break;
				case 0x72: v = a | b; break;
				case 0x73: v = a ^ b; break;
				case 0x74: v = a << (b & 31); break;
				case 0x75: v = (uint32_t)((int32_t)a >> (b & 31)); break;
				case 0x76: v = a >> (b & 31); break;
				case 0x77: v = (a << (b & 31)) | (a >> ((32 - (b & 31)) & 31)); break;
				default: v = (a >> (b & 31)) | (a << ((32 - (b & 31)) & 31)); break;
				}
				PUSH(v);
				break;
			}
			if (op >= 0x79 && op <= 0x7b) {
				uint64_t a = POP();

				PUSH(op == 0x79 ? (a == 0 ? 64 : __builtin_clzll(a)) : op == 0x7a ? (a == 0 ? 64 : __builtin_ctzll(a))
											      : __builtin_popcountll(a));
				break;
			}
			if (op >= 0x7c && op <= 0x8a) { /* i64 binary */
				uint64_t b = POP();
				uint64_t a = POP();
				uint64_t v = 0;

				switch (op) {
				case 0x7c: v = a + b; break;
				case 0x7d: v = a - b; break;
				case 0x7e: v = a * b; break;
				case 0x7f:
					if (b == 0) {
						TRAP("integer divide by zero");
					}
					if (a == 0x8000000000000000ULL && b == ~0ULL) {
						TRAP("integer overflow");
					}
					v = (uint64_t)((int64_t)a / (int64_t)b);
					break;
				case 0x80:
					if (b == 0) {
						TRAP("integer divide by zero");
					}
					v = a / b;
					break;
				case 0x81:
					if (b == 0) {
						TRAP("integer divide by zero");
					}
					v = (a == 0x8000000000000000ULL && b == ~0ULL) ? 0 : (uint64_t)((int64_t)a % (int64_t)b);
					break;
				case 0x82:
					if (b == 0) {
						TRAP("integer divide by zero");
					}
					v = a % b;
					break;
				case 0x83: v = a & b; break;
				case 0x84: v = a | b; break;
				case 0x85: v = a ^ b; break;
				case 0x86: v = a << (b & 63); break;
				case 0x87: v = (uint64_t)((int64_t)a >> (b & 63)); break;
				case 0x88: v = a >> (b & 63); break;
				case 0x89: v = (a << (b & 63)) | (a >> ((64 - (b & 63)) & 63)); break;
				default: v = (a >> (b & 63)) | (a << ((64 - (b & 63)) & 63)); break;
				}
				PUSH(v);
				break;
			}
			TRAP("unsupported opcode");
		}
		}
		continue;
branch:
		if (check_stop(x)) {
			return false;
		}
		{
			struct label *l = &labels[nl - 1 - (int)depth_to];
			uint64_t keep = l->arity && !l->loop ? x->stack[x->sp - 1] : 0;

			x->sp = l->height;
			if (l->arity && !l->loop) {
				x->stack[x->sp++] = keep;
			}
			if (l->loop) {
				nl -= (int)depth_to;
			} else {
				nl -= (int)depth_to + 1;
			}
			if (nl == 0) {
				return true;
			}
			r.p = m->bytes + l->target;
		}
	}
#undef POP
#undef PUSH
}

static bool call_func(struct exec *x, uint32_t index)
{
	struct vmd_module *m = x->m;

	if (index >= m->nfuncs) {
		TRAP("undefined element");
	}
	struct func *f = &m->funcs[index];
	struct functype *t = &m->types[f->type];

	if (x->sp < t->nparams) {
		TRAP("wasm operand stack overflow");
	}
	if (f->imported) {
		uint64_t arg = t->nparams > 0 ? x->stack[x->sp - 1] : 0;

		x->sp -= t->nparams;
		switch (f->host) {
		case 0:
			x->host->gpio_toggle(x->host->ctx);
			break;
		case 1: {
			uint32_t p = (uint32_t)arg;
			char text[256];
			size_t n = 0;

			while (p + n < x->m->memory_size && x->m->memory[p + n] != 0 && n < sizeof(text) - 1) {
				text[n] = (char)x->m->memory[p + n];
				n++;
			}
			text[n] = '\0';
			x->host->uart_print(x->host->ctx, text);
			break;
		}
		case 2:
			x->host->led_toggle(x->host->ctx, (int32_t)(uint32_t)arg);
			break;
		default: {
			static char msg[128];

			snprintf(msg, sizeof(msg), "failed to call unlinked import function (%s, %s)", f->import_module,
				 f->import_name);
			TRAP(msg);
		}
		}
		if (t->nresults > 0) {
			x->stack[x->sp++] = 0;
		}
		return !check_stop(x);
	}
	if (++x->depth > MAX_DEPTH) {
		TRAP("wasm operand stack overflow");
	}
	uint32_t nlocals = t->nparams + f->nlocals;
	uint64_t *locals = calloc(nlocals == 0 ? 1 : nlocals, sizeof(uint64_t));

	for (int i = t->nparams - 1; i >= 0; i--) {
		locals[i] = x->stack[--x->sp];
	}
	uint32_t base = x->sp;
	bool ok = run(x, f, locals);

	free(locals);
	x->depth--;
	if (!ok) {
		return false;
	}
	if (t->nresults > 0) {
		uint64_t v = x->stack[x->sp - 1];

		x->sp = base;
		x->stack[x->sp++] = v;
	} else {
		x->sp = base;
	}
	return true;
}

enum vmd_status vmd_call(struct vmd_module *m, const char *func, const int32_t *args, size_t nargs,
			 const struct vmd_host *host, uint32_t *ret, bool *has_ret, char *msg, size_t msg_len)
{
	*has_ret = false;
	msg[0] = '\0';
	uint32_t index = UINT32_MAX;

	for (uint32_t i = 0; i < m->nexports; i++) {
		if (strcmp(m->exports[i].name, func) == 0) {
			index = m->exports[i].func;
		}
	}
	if (index == UINT32_MAX || index >= m->nfuncs) {
		return VMD_NO_FUNC;
	}
	struct functype *t = &m->types[m->funcs[index].type];

	if (nargs < t->nparams) {
		snprintf(msg, msg_len, "Exception: invalid argument count %zu, must be no smaller than %u", nargs,
			 (unsigned)t->nparams);
		return VMD_TRAP;
	}
	struct exec *x = calloc(1, sizeof(*x));

	x->m = m;
	x->host = host;
	for (uint32_t i = 0; i < t->nparams; i++) {
		x->stack[x->sp++] = t->params[i] == 0x7e ? (uint64_t)(int64_t)args[i] : (uint64_t)(uint32_t)args[i];
	}
	bool ok = call_func(x, index);
	enum vmd_status st = VMD_OK;

	if (ok) {
		if (t->nresults > 0) {
			*ret = (uint32_t)x->stack[x->sp - 1];
			*has_ret = true;
		}
	} else if (x->stopped) {
		snprintf(msg, msg_len, "Exception: terminated by user");
		st = VMD_STOPPED;
	} else {
		snprintf(msg, msg_len, "Exception: %s", x->trap == NULL ? "unknown" : x->trap);
		st = VMD_TRAP;
	}
	free(x);
	return st;
}
