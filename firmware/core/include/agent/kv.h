/*
 * The v1 line tokenizer: a keyword, then key=value pairs separated by spaces; a value that
 * starts with '"' runs to the next '"' and may hold spaces, commas and '='. Keys are matched
 * exactly (firmware 1.0.0 searched substrings, so args="module_id=x" or xmodule_id= fooled
 * it). Numbers are strict: decimal digits only, no sign, no overflow.
 *
 * Parsing is in place: the line's spaces, '=' and quotes are overwritten with NULs, and the
 * result points into the line.
 */
#ifndef AGENT_KV_H_
#define AGENT_KV_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AGENT_KV_MAX 12

struct agent_kv_pair {
	const char *key;
	const char *value;
};

struct agent_kv {
	const char *keyword;
	size_t count;
	struct agent_kv_pair pairs[AGENT_KV_MAX];
};

enum agent_kv_status {
	AGENT_KV_OK = 0,
	AGENT_KV_EMPTY,      /* nothing but spaces */
	AGENT_KV_BAD_TOKEN,  /* a word after the keyword that is not key=value */
	AGENT_KV_BAD_QUOTE,  /* a quoted value without its closing quote */
	AGENT_KV_DUPLICATE,  /* the same key twice */
	AGENT_KV_TOO_MANY,   /* more than AGENT_KV_MAX pairs */
};

enum agent_kv_status agent_kv_parse(char *line, struct agent_kv *out);

/* The value of exactly `key`, or NULL. */
const char *agent_kv_get(const struct agent_kv *kv, const char *key);

/* A whole decimal number 0..UINT32_MAX with no sign, no spaces and no leading '+'. */
bool agent_kv_u32(const struct agent_kv *kv, const char *key, uint32_t *out);

/* One to eight hexadecimal digits (either case). */
bool agent_kv_hex32(const struct agent_kv *kv, const char *key, uint32_t *out);

/* The value of a hexadecimal digit (either case), or -1. */
int agent_hex_digit(char c);

/* Exactly 2 * n hexadecimal digits (either case) as n bytes; false for anything else. */
bool agent_hex_bytes(const char *text, uint8_t *out, size_t n);

/* Parses `text` as agent_kv_u32 does. */
bool agent_parse_u32(const char *text, uint32_t *out);

#endif /* AGENT_KV_H_ */
