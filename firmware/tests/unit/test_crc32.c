#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "agent/crc32.h"

static void check_value(void **state)
{
	(void)state;
	/* the CRC-32 check value every implementation must give */
	assert_int_equal(0xCBF43926U, agent_crc32(0, (const uint8_t *)"123456789", 9));
	assert_int_equal(0U, agent_crc32(0, NULL, 0));
}

static void incremental_equals_whole(void **state)
{
	(void)state;
	const uint8_t wasm[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
	uint32_t whole = agent_crc32(0, wasm, sizeof(wasm));
	uint32_t parts = agent_crc32(agent_crc32(0, wasm, 3), wasm + 3, sizeof(wasm) - 3);

	assert_int_equal(whole, parts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(check_value),
		cmocka_unit_test(incremental_equals_whole),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
