/*
 * The byte stream from the gateway, cut into what the agent acts on: command lines (ended by
 * '\n' or '\r'; empty lines skipped), or after LOAD_READY exactly `size` raw bytes. Bounded:
 * a line longer than AGENT_LINE_MAX is reported as too long once its end arrives, never cut
 * and executed (firmware 1.0.0 executed the first 255 bytes). A payload ends when its bytes
 * are in, or when no byte came for the idle timeout (firmware 1.0.0 gave the whole payload
 * 5 s, so nothing over ~57 KB could load at 115200 baud).
 */
#ifndef AGENT_FRAMER_H_
#define AGENT_FRAMER_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef AGENT_LINE_MAX
#define AGENT_LINE_MAX 255
#endif

enum agent_frame {
	AGENT_FRAME_NONE = 0,     /* every byte consumed, nothing complete yet */
	AGENT_FRAME_LINE,         /* agent_framer_line() holds a line */
	AGENT_FRAME_LINE_TOO_LONG,/* a line longer than AGENT_LINE_MAX ended; it was dropped */
	AGENT_FRAME_PAYLOAD,      /* the payload buffer is full */
};

struct agent_framer {
	char line[AGENT_LINE_MAX + 1];
	size_t len;
	bool overflow;
	uint8_t *payload;
	size_t need;
	size_t got;
	uint32_t last_ms;
};

void agent_framer_init(struct agent_framer *f);

/*
 * Consumes bytes up to and including the first that completes something; returns how many
 * were consumed and sets *event. Call again with the rest.
 */
size_t agent_framer_feed(struct agent_framer *f, const uint8_t *data, size_t len, uint32_t now_ms,
			 enum agent_frame *event);

/* The line of the last AGENT_FRAME_LINE, NUL-terminated; valid until the next feed. */
char *agent_framer_line(struct agent_framer *f);

/* The next `size` bytes are a payload, written to `buf`. */
void agent_framer_expect_payload(struct agent_framer *f, uint8_t *buf, size_t size, uint32_t now_ms);

bool agent_framer_in_payload(const struct agent_framer *f);

size_t agent_framer_payload_received(const struct agent_framer *f);

/* True while a payload is awaited and no byte has come for `idle_ms`. */
bool agent_framer_idle(const struct agent_framer *f, uint32_t now_ms, uint32_t idle_ms);

/* Back to lines (a payload abandoned). */
void agent_framer_cancel_payload(struct agent_framer *f);

#endif /* AGENT_FRAMER_H_ */
