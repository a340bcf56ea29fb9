#include "agent/line.h"

#include <string.h>

static void append(struct agent_line *l, const char *s, size_t n)
{
	if (l->truncated || l->len + n > AGENT_TX_LINE_MAX) {
		l->truncated = true;
		return;
	}
	memcpy(l->text + l->len, s, n);
	l->len += n;
	l->text[l->len] = '\0';
}

static void append_str(struct agent_line *l, const char *s)
{
	append(l, s, strlen(s));
}

void agent_line_start(struct agent_line *l, const char *keyword)
{
	l->len = 0;
	l->truncated = false;
	l->text[0] = '\0';
	append_str(l, keyword);
}

static void key(struct agent_line *l, const char *k)
{
	append(l, " ", 1);
	append_str(l, k);
	append(l, "=", 1);
}

void agent_line_str(struct agent_line *l, const char *k, const char *value)
{
	key(l, k);
	append_str(l, value);
}

void agent_line_quoted(struct agent_line *l, const char *k, const char *value)
{
	key(l, k);
	append(l, "\"", 1);
	append_str(l, value);
	append(l, "\"", 1);
}

size_t agent_u64_to_text(uint64_t value, char *buf)
{
	char tmp[21];
	size_t n = 0;

	do {
		tmp[n++] = (char)('0' + (value % 10U));
		value /= 10U;
	} while (value != 0U);
	for (size_t i = 0; i < n; i++) {
		buf[i] = tmp[n - 1 - i];
	}
	buf[n] = '\0';
	return n;
}

void agent_line_u64(struct agent_line *l, const char *k, uint64_t value)
{
	char buf[21];

	key(l, k);
	append(l, buf, agent_u64_to_text(value, buf));
}

void agent_line_u32(struct agent_line *l, const char *k, uint32_t value)
{
	agent_line_u64(l, k, value);
}

void agent_line_hex32(struct agent_line *l, const char *k, uint32_t value)
{
	static const char digits[] = "0123456789abcdef";
	char buf[8];

	for (int i = 0; i < 8; i++) {
		buf[i] = digits[(value >> (28 - 4 * i)) & 0xFU];
	}
	key(l, k);
	append(l, buf, sizeof(buf));
}

const char *agent_line_end(struct agent_line *l)
{
	l->text[l->len] = '\n';
	l->text[l->len + 1] = '\0';
	return l->text;
}
