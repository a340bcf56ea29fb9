/* Reply lines, byte for byte as firmware 1.0.0 writes them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "agent/line.h"

static void load_ready_and_status_ok(void **state)
{
	(void)state;
	struct agent_line l;

	agent_line_start(&l, "LOAD_READY");
	agent_line_str(&l, "module_id", "m1");
	agent_line_u32(&l, "size", 5793);
	agent_line_hex32(&l, "crc32", 0x0b1eaa3U);
	assert_string_equal("LOAD_READY module_id=m1 size=5793 crc32=00b1eaa3\n", agent_line_end(&l));

	agent_line_start(&l, "STATUS_OK");
	agent_line_quoted(&l, "modules", "none");
	agent_line_quoted(&l, "low_stack", "none");
	agent_line_u32(&l, "wamr_total", 102400);
	agent_line_u64(&l, "cycles", 18446744073709551615ULL);
	assert_string_equal("STATUS_OK modules=\"none\" low_stack=\"none\" wamr_total=102400 cycles=18446744073709551615\n",
			    agent_line_end(&l));
	assert_false(l.truncated);
}

static void a_line_that_does_not_fit_is_marked_not_cut(void **state)
{
	(void)state;
	struct agent_line l;
	char big[AGENT_TX_LINE_MAX];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	agent_line_start(&l, "RESULT");
	agent_line_quoted(&l, "msg", big);
	assert_true(l.truncated); /* the caller answers with an error line instead */
	assert_true(l.len <= AGENT_TX_LINE_MAX);
	agent_line_u32(&l, "after", 1); /* nothing is appended after a truncation */
	assert_null(strstr(l.text, "after"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(load_ready_and_status_ok),
		cmocka_unit_test(a_line_that_does_not_fit_is_marked_not_cut),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
