/*
 * The byte stream from the gateway, cut into what the agent acts on: command lines (ended by
 * '\n' or '\r'; empty lines skipped), or after LOAD_READY exactly `size` raw bytes. Bounded:
 * a line longer than AGENT_LINE_MAX is reported as too long once its end arrives, never cut
 * and executed (firmware 1.0.0 executed the first 255 bytes). A payload ends when its bytes
 * are in, or when no byte came for the idle timeout (firmware 1.0.0 gave the whole payload
 * 5 s, so nothing over ~57 KB could load at 115200 baud).
 *
 * A line that begins with 0xA5 is a LOAD v2 frame (docs/wire-protocol.md): 0xA5, then its type,
 * body and CRC-32 in COBS with every byte XOR 0x0A, then '\n' (only '\n' ends it; it may hold
 * '\r'). It is decoded as it arrives into a buffer of its own (never the command line), its CRC
 * checked at its end, and handed over whole or as damaged; the agent drops it when no upload is
 * under way, so no frame ever runs as a command.
 */
#ifndef AGENT_FRAMER_H_
#define AGENT_FRAMER_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef AGENT_LINE_MAX
#define AGENT_LINE_MAX 255
#endif
/* The most data bytes a LOAD v2 frame may carry here (the chunk LOAD_READY offers at most). */
#ifndef AGENT_LOAD2_CHUNK_MAX
#define AGENT_LOAD2_CHUNK_MAX 1024
#endif
#define AGENT_FRAME_MARK 0xA5
/* A frame's unescaped body: offset, data and CRC ('D'), or alg, signature and CRC ('S'). */
#define AGENT_FRAME_BODY_MAX (4 + AGENT_LOAD2_CHUNK_MAX + 4)

enum agent_frame {
	AGENT_FRAME_NONE = 0,     /* every byte consumed, nothing complete yet */
	AGENT_FRAME_LINE,         /* agent_framer_line() holds a line */
	AGENT_FRAME_LINE_TOO_LONG,/* a line longer than AGENT_LINE_MAX ended; it was dropped */
	AGENT_FRAME_PAYLOAD,      /* the payload buffer is full */
	AGENT_FRAME_V2,           /* a LOAD v2 frame line ended: agent_framer_frame() says what it holds */
};

struct agent_framer {
	char line[AGENT_LINE_MAX + 1];
	size_t len;
	bool overflow;
	uint8_t *payload;
	size_t need;
	size_t got;
	uint32_t last_ms;
	/* the LOAD v2 frame being read */
	bool in_frame;
	uint8_t frame_code; /* the COBS block being read: its code, and its bytes still to come */
	uint8_t frame_left;
	bool frame_bad;   /* not COBS, or longer than any frame */
	size_t frame_len; /* the type byte, then the body */
	bool skip_line;   /* drop bytes up to and including the next '\n' */
	uint8_t frame[1 + AGENT_FRAME_BODY_MAX];
};

/* A LOAD v2 frame, checked: its type ('D', 'S') and body without the CRC; intact false when it
 * failed its CRC, its encoding or its length (the agent answers LOAD_NAK). */
struct agent_v2_frame {
	bool intact;
	uint8_t type;
	const uint8_t *body;
	size_t len;
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

/* The frame of the last AGENT_FRAME_V2; valid until the next feed. */
void agent_framer_frame(const struct agent_framer *f, struct agent_v2_frame *out);

/* The next `size` bytes are a payload, written to `buf`. */
void agent_framer_expect_payload(struct agent_framer *f, uint8_t *buf, size_t size, uint32_t now_ms);

bool agent_framer_in_payload(const struct agent_framer *f);

size_t agent_framer_payload_received(const struct agent_framer *f);

/* True while a payload is awaited and no byte has come for `idle_ms`. */
bool agent_framer_idle(const struct agent_framer *f, uint32_t now_ms, uint32_t idle_ms);

/* Drops the bytes up to and including the next '\n' (the rest of a line cut by a reset). */
void agent_framer_skip_line(struct agent_framer *f);

/* Back to lines (a payload abandoned). */
void agent_framer_cancel_payload(struct agent_framer *f);

#endif /* AGENT_FRAMER_H_ */
