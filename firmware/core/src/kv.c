#include "agent/kv.h"

#include <string.h>

static bool is_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

enum agent_kv_status agent_kv_parse(char *line, struct agent_kv *out)
{
	char *p = line;

	out->keyword = NULL;
	out->count = 0;
	while (*p == ' ') {
		p++;
	}
	if (*p == '\0') {
		return AGENT_KV_EMPTY;
	}
	out->keyword = p;
	while (*p != '\0' && *p != ' ') {
		p++;
	}
	while (*p != '\0') {
		*p++ = '\0'; /* ends the previous word */
		while (*p == ' ') {
			p++;
		}
		if (*p == '\0') {
			break;
		}
		char *key = p;

		while (is_key_char(*p)) {
			p++;
		}
		if (p == key || *p != '=') {
			return AGENT_KV_BAD_TOKEN;
		}
		*p++ = '\0';
		char *value = p;

		if (*p == '"') {
			value = ++p;
			while (*p != '\0' && *p != '"') {
				p++;
			}
			if (*p != '"') {
				return AGENT_KV_BAD_QUOTE;
			}
			*p++ = '\0';
			if (*p != '\0' && *p != ' ') {
				return AGENT_KV_BAD_TOKEN;
			}
		} else {
			while (*p != '\0' && *p != ' ') {
				if (*p == '"') {
					return AGENT_KV_BAD_QUOTE;
				}
				p++;
			}
		}
		if (agent_kv_get(out, key) != NULL) {
			return AGENT_KV_DUPLICATE;
		}
		if (out->count == AGENT_KV_MAX) {
			return AGENT_KV_TOO_MANY;
		}
		out->pairs[out->count].key = key;
		out->pairs[out->count].value = value;
		out->count++;
		if (*p == '\0') {
			break;
		}
	}
	return AGENT_KV_OK;
}

const char *agent_kv_get(const struct agent_kv *kv, const char *key)
{
	for (size_t i = 0; i < kv->count; i++) {
		if (strcmp(kv->pairs[i].key, key) == 0) {
			return kv->pairs[i].value;
		}
	}
	return NULL;
}

bool agent_parse_u32(const char *text, uint32_t *out)
{
	uint32_t v = 0;

	if (text == NULL || *text == '\0') {
		return false;
	}
	for (const char *p = text; *p != '\0'; p++) {
		if (*p < '0' || *p > '9') {
			return false;
		}
		uint32_t digit = (uint32_t)(*p - '0');

		if (v > (UINT32_MAX - digit) / 10U) {
			return false;
		}
		v = v * 10U + digit;
	}
	*out = v;
	return true;
}

bool agent_kv_u32(const struct agent_kv *kv, const char *key, uint32_t *out)
{
	return agent_parse_u32(agent_kv_get(kv, key), out);
}

int agent_hex_digit(char c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (c >= 'a' && c <= 'f') {
		return c - 'a' + 10;
	}
	if (c >= 'A' && c <= 'F') {
		return c - 'A' + 10;
	}
	return -1;
}

bool agent_hex_bytes(const char *text, uint8_t *out, size_t n)
{
	if (text == NULL || strlen(text) != 2 * n) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		int hi = agent_hex_digit(text[2 * i]);
		int lo = agent_hex_digit(text[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			return false;
		}
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

bool agent_kv_hex32(const struct agent_kv *kv, const char *key, uint32_t *out)
{
	const char *text = agent_kv_get(kv, key);
	uint32_t v = 0;
	size_t n = 0;

	if (text == NULL || *text == '\0') {
		return false;
	}
	for (const char *p = text; *p != '\0'; p++, n++) {
		int d = agent_hex_digit(*p);

		if (d < 0 || n == 8) {
			return false;
		}
		v = (v << 4) | (uint32_t)d;
	}
	*out = v;
	return true;
}
