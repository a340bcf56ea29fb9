/* The framer fed byte by byte, as a UART delivers: line ends, over-long lines, LOAD v2 frames, payloads, idle timeout. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "agent/framer.h"

static struct agent_framer f;

static int setup(void **state)
{
	(void)state;
	agent_framer_init(&f);
	return 0;
}

/* Feeds `text` one byte at a time; returns the events in order as letters (L line, T too long, P payload). */
static const char *feed_bytes(const char *text, size_t len, uint32_t now, char lines[][AGENT_LINE_MAX + 1])
{
	static char events[64];
	size_t n = 0;
	size_t line = 0;

	for (size_t i = 0; i < len; i++) {
		enum agent_frame e;
		size_t used = agent_framer_feed(&f, (const uint8_t *)text + i, 1, now, &e);

		assert_int_equal(1, used);
		if (e == AGENT_FRAME_LINE) {
			events[n++] = 'L';
			strcpy(lines[line++], agent_framer_line(&f));
		} else if (e == AGENT_FRAME_LINE_TOO_LONG) {
			events[n++] = 'T';
		} else if (e == AGENT_FRAME_PAYLOAD) {
			events[n++] = 'P';
		}
	}
	events[n] = '\0';
	return events;
}

static void lines_end_at_lf_or_cr_and_empty_lines_are_skipped(void **state)
{
	(void)state;
	char lines[4][AGENT_LINE_MAX + 1];
	const char *in = "STATUS\r\nSTART module_id=a\r\n\n\rSTOP module_id=a\n";

	assert_string_equal("LLL", feed_bytes(in, strlen(in), 0, lines));
	assert_string_equal("STATUS", lines[0]);
	assert_string_equal("START module_id=a", lines[1]);
	assert_string_equal("STOP module_id=a", lines[2]);
}

static void a_line_of_exactly_the_limit_passes_one_more_byte_does_not(void **state)
{
	(void)state;
	char lines[2][AGENT_LINE_MAX + 1];
	char in[2 * AGENT_LINE_MAX + 16];

	memset(in, 'A', AGENT_LINE_MAX);
	in[AGENT_LINE_MAX] = '\n';
	memset(in + AGENT_LINE_MAX + 1, 'B', AGENT_LINE_MAX + 1);
	in[2 * AGENT_LINE_MAX + 2] = '\n';
	memcpy(in + 2 * AGENT_LINE_MAX + 3, "STATUS\n", 7);
	assert_string_equal("LTL", feed_bytes(in, 2 * AGENT_LINE_MAX + 10, 0, lines));
	assert_int_equal(AGENT_LINE_MAX, strlen(lines[0]));
	assert_string_equal("STATUS", lines[1]); /* the over-long line was dropped whole, never cut and executed */
}

static void a_payload_takes_exactly_its_bytes_even_newlines(void **state)
{
	(void)state;
	char lines[2][AGENT_LINE_MAX + 1];
	uint8_t buf[6];
	enum agent_frame e;
	const uint8_t chunk[] = {0x00, 'a', '\n', 's', '\r', 'm', 'S', 'T', 'A', 'T', 'U', 'S', '\n'};

	agent_framer_expect_payload(&f, buf, sizeof(buf), 100);
	assert_true(agent_framer_in_payload(&f));
	size_t used = agent_framer_feed(&f, chunk, 4, 110, &e);

	assert_int_equal(4, used);
	assert_int_equal(AGENT_FRAME_NONE, e);
	used = agent_framer_feed(&f, chunk + 4, sizeof(chunk) - 4, 120, &e);
	assert_int_equal(2, used); /* stops where the payload ends */
	assert_int_equal(AGENT_FRAME_PAYLOAD, e);
	assert_memory_equal(chunk, buf, 6);
	assert_false(agent_framer_in_payload(&f));
	assert_string_equal("L", feed_bytes((const char *)chunk + 6, sizeof(chunk) - 6, 130, lines));
	assert_string_equal("STATUS", lines[0]);
}

static void the_payload_timeout_counts_from_the_last_byte(void **state)
{
	(void)state;
	uint8_t buf[100];
	uint8_t byte = 7;
	enum agent_frame e;

	agent_framer_expect_payload(&f, buf, sizeof(buf), 1000);
	assert_false(agent_framer_idle(&f, 5999, 5000));
	assert_true(agent_framer_idle(&f, 6000, 5000));
	agent_framer_feed(&f, &byte, 1, 5500, &e); /* a byte resets the clock: an inactivity timeout */
	assert_false(agent_framer_idle(&f, 10499, 5000));
	assert_true(agent_framer_idle(&f, 10500, 5000));
	assert_int_equal(1, agent_framer_payload_received(&f));
	/* the millisecond clock wraps */
	agent_framer_expect_payload(&f, buf, sizeof(buf), UINT32_MAX - 10);
	assert_false(agent_framer_idle(&f, 100, 5000));
	agent_framer_cancel_payload(&f);
	assert_false(agent_framer_idle(&f, 100000, 5000));
}

/* A LOAD v2 frame (docs/wire-protocol.md) holding 0x0D: only its 0x0A ends it. 'D', offset 0,
 * data 07 00 'x', CRC-32, in COBS XOR 0x0A; the data's 0x07 goes as 0x0D. */
static void a_frame_ends_at_lf_only_and_comes_out_decoded(void **state)
{
	(void)state;
	static const uint8_t frame[] = {0xA5, 0x08, 0x4E, 0x0B, 0x0B, 0x0B, 0x08, 0x0D, 0x0C, 0x72, 0xFF, 0xF6, 0x6E, 0x99, 0x0A};
	static const uint8_t body[] = {0, 0, 0, 0, 0x07, 0x00, 'x'};
	struct agent_v2_frame v2;
	enum agent_frame e = AGENT_FRAME_NONE;
	char lines[1][AGENT_LINE_MAX + 1];

	for (size_t i = 0; i < sizeof(frame); i++) {
		assert_int_equal(AGENT_FRAME_NONE, e);
		agent_framer_feed(&f, frame + i, 1, 0, &e);
	}
	assert_int_equal(AGENT_FRAME_V2, e);
	agent_framer_frame(&f, &v2);
	assert_true(v2.intact);
	assert_int_equal('D', v2.type);
	assert_int_equal(sizeof(body), v2.len);
	assert_memory_equal(body, v2.body, sizeof(body));
	/* the same frame with a block cut short is damaged; a command line after it is read as one */
	uint8_t cut[sizeof(frame)];

	memcpy(cut, frame, sizeof(frame));
	cut[1] = 0x20 ^ 0x0A;
	for (size_t i = 0; i < sizeof(cut); i++) {
		agent_framer_feed(&f, cut + i, 1, 0, &e);
	}
	assert_int_equal(AGENT_FRAME_V2, e);
	agent_framer_frame(&f, &v2);
	assert_false(v2.intact);
	assert_string_equal("L", feed_bytes("STATUS\r", 7, 0, lines));
	assert_string_equal("STATUS", lines[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(lines_end_at_lf_or_cr_and_empty_lines_are_skipped, setup),
		cmocka_unit_test_setup(a_line_of_exactly_the_limit_passes_one_more_byte_does_not, setup),
		cmocka_unit_test_setup(a_payload_takes_exactly_its_bytes_even_newlines, setup),
		cmocka_unit_test_setup(the_payload_timeout_counts_from_the_last_byte, setup),
		cmocka_unit_test_setup(a_frame_ends_at_lf_only_and_comes_out_decoded, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
