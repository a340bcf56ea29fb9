/*
 * A reply line built in a fixed buffer, byte for byte as firmware 1.0.0 writes it: the
 * keyword, then " key=value" pairs in order; quoted values as key="...". A line that would
 * not fit is marked truncated (the caller replies with an error instead of a cut line).
 */
#ifndef AGENT_LINE_H_
#define AGENT_LINE_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef AGENT_TX_LINE_MAX
#define AGENT_TX_LINE_MAX 512
#endif

struct agent_line {
	char text[AGENT_TX_LINE_MAX + 2]; /* room for "\n" and NUL */
	size_t len;
	bool truncated;
};

void agent_line_start(struct agent_line *l, const char *keyword);
void agent_line_str(struct agent_line *l, const char *key, const char *value);
void agent_line_quoted(struct agent_line *l, const char *key, const char *value);
void agent_line_u32(struct agent_line *l, const char *key, uint32_t value);
void agent_line_u64(struct agent_line *l, const char *key, uint64_t value);
void agent_line_hex32(struct agent_line *l, const char *key, uint32_t value);

/* Appends '\n' and returns the NUL-terminated line. */
const char *agent_line_end(struct agent_line *l);

/* Writes `value` in decimal into buf (at least 21 bytes); returns the length. */
size_t agent_u64_to_text(uint64_t value, char *buf);

#endif /* AGENT_LINE_H_ */
