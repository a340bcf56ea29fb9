#include "agent/framer.h"

#include <string.h>

#include "agent/crc32.h"

/*
 * One byte of a frame line (not its end), decoded into f->frame: COBS, every byte XOR 0x0A. A
 * code byte (1..255) is followed by code - 1 data bytes; a code under 255 stands for a zero
 * after its block, which is written when the next block begins (the last block has none).
 */
static void frame_byte(struct agent_framer *f, uint8_t b)
{
	if (f->frame_bad) {
		return;
	}
	b ^= '\n';
	if (b == 0) {
		f->frame_bad = true; /* cannot be: 0x0A ends the line */
		return;
	}
	if (f->frame_left == 0) {
		bool zero = f->frame_code != 0xFF;

		f->frame_code = b;
		f->frame_left = (uint8_t)(b - 1);
		if (!zero) {
			return;
		}
		b = 0;
	} else {
		f->frame_left--;
	}
	if (f->frame_len == sizeof(f->frame)) {
		f->frame_bad = true;
		return;
	}
	f->frame[f->frame_len++] = b;
}

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

		if (f->skip_line) {
			f->skip_line = c != '\n';
			continue;
		}

		if (f->in_frame && c != '\n') { /* a frame may hold 0x0D; only 0x0A ends it */
			frame_byte(f, (uint8_t)c);
			continue;
		}
		if (f->len == 0 && !f->overflow && !f->in_frame && (uint8_t)c == AGENT_FRAME_MARK) {
			f->in_frame = true;
			f->frame_code = 0xFF; /* no zero before the first block */
			f->frame_left = 0;
			f->frame_bad = false;
			f->frame_len = 0;
			continue;
		}
		if (c == '\n' || c == '\r') {
			if (f->in_frame) {
				f->in_frame = false;
				*event = AGENT_FRAME_V2;
				return i;
			}
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

void agent_framer_frame(const struct agent_framer *f, struct agent_v2_frame *out)
{
	memset(out, 0, sizeof(*out));
	if (f->frame_bad || f->frame_left > 0 || f->frame_len < 1 + 4) {
		return;
	}
	size_t body = f->frame_len - 1 - 4;
	const uint8_t *sum = f->frame + 1 + body;
	uint32_t want = (uint32_t)sum[0] | (uint32_t)sum[1] << 8 | (uint32_t)sum[2] << 16 | (uint32_t)sum[3] << 24;

	if (agent_crc32(0, f->frame, 1 + body) != want) {
		return;
	}
	out->intact = true;
	out->type = f->frame[0];
	out->body = f->frame + 1;
	out->len = body;
}

void agent_framer_expect_payload(struct agent_framer *f, uint8_t *buf, size_t size, uint32_t now_ms)
{
	f->payload = buf;
	f->need = size;
	f->got = 0;
	f->last_ms = now_ms;
	f->len = 0;
	f->overflow = false;
	f->in_frame = false;
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

void agent_framer_skip_line(struct agent_framer *f)
{
	f->len = 0;
	f->overflow = false;
	f->in_frame = false;
	f->skip_line = true;
}

void agent_framer_cancel_payload(struct agent_framer *f)
{
	f->payload = NULL;
}
