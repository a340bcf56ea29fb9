#include "agent/framer.h"

#include <string.h>

void agent_framer_init(struct agent_framer *f)
{
	memset(f, 0, sizeof(*f));
}

size_t agent_framer_feed(struct agent_framer *f, const uint8_t *data, size_t len, uint32_t now_ms,
			 enum agent_frame *event)
{
	size_t i = 0;

	*event = AGENT_FRAME_NONE;
	if (len > 0) {
		f->last_ms = now_ms;
	}
	if (f->payload != NULL) {
		size_t take = f->need - f->got;

		if (take > len) {
			take = len;
		}
		memcpy(f->payload + f->got, data, take);
		f->got += take;
		if (f->got == f->need) {
			f->payload = NULL;
			*event = AGENT_FRAME_PAYLOAD;
		}
		return take;
	}
	while (i < len) {
		char c = (char)data[i++];

		if (c == '\n' || c == '\r') {
			if (f->overflow) {
				f->overflow = false;
				f->len = 0;
				*event = AGENT_FRAME_LINE_TOO_LONG;
				return i;
			}
			if (f->len == 0) {
				continue; /* "\r\n", or an empty line */
			}
			f->line[f->len] = '\0';
			f->len = 0;
			*event = AGENT_FRAME_LINE;
			return i;
		}
		if (f->overflow) {
			continue;
		}
		if (f->len == AGENT_LINE_MAX) {
			f->overflow = true;
			continue;
		}
		f->line[f->len++] = c == '\0' ? '?' : c; /* a NUL cannot end a command early */
	}
	return i;
}

char *agent_framer_line(struct agent_framer *f)
{
	return f->line;
}

void agent_framer_expect_payload(struct agent_framer *f, uint8_t *buf, size_t size, uint32_t now_ms)
{
	f->payload = buf;
	f->need = size;
	f->got = 0;
	f->last_ms = now_ms;
	f->len = 0;
	f->overflow = false;
}

bool agent_framer_in_payload(const struct agent_framer *f)
{
	return f->payload != NULL;
}

size_t agent_framer_payload_received(const struct agent_framer *f)
{
	return f->got;
}

bool agent_framer_idle(const struct agent_framer *f, uint32_t now_ms, uint32_t idle_ms)
{
	return f->payload != NULL && (uint32_t)(now_ms - f->last_ms) >= idle_ms;
}

void agent_framer_cancel_payload(struct agent_framer *f)
{
	f->payload = NULL;
}
