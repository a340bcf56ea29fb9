/* The tokenizer, and the parser traps firmware 1.0.0 fell into (substring key search). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "agent/kv.h"

static struct agent_kv kv;
static char line[300];

static enum agent_kv_status parse(const char *text)
{
	strcpy(line, text);
	return agent_kv_parse(line, &kv);
}

static void a_load_line(void **state)
{
	(void)state;
	uint32_t size = 0;
	uint32_t crc = 0;

	assert_int_equal(AGENT_KV_OK, parse("LOAD module_id=m1 size=5793 crc32=61b1eaa3 replace=1"));
	assert_string_equal("LOAD", kv.keyword);
	assert_int_equal(4, kv.count);
	assert_string_equal("m1", agent_kv_get(&kv, "module_id"));
	assert_true(agent_kv_u32(&kv, "size", &size));
	assert_int_equal(5793, size);
	assert_true(agent_kv_hex32(&kv, "crc32", &crc));
	assert_int_equal(0x61b1eaa3U, crc);
	assert_null(agent_kv_get(&kv, "replace_victim"));
}

static void quoted_values_keep_spaces_commas_and_equals(void **state)
{
	(void)state;
	assert_int_equal(AGENT_KV_OK, parse("START module_id=m func=add args=\"a=10,b=15\""));
	assert_string_equal("a=10,b=15", agent_kv_get(&kv, "args"));
	assert_int_equal(AGENT_KV_OK, parse("RESULT status=EXCEPTION msg=\"out of bounds memory access\""));
	assert_string_equal("out of bounds memory access", agent_kv_get(&kv, "msg"));
	assert_int_equal(AGENT_KV_OK, parse("STATUS"));
	assert_string_equal("STATUS", kv.keyword);
	assert_int_equal(0, kv.count);
}

/* firmware 1.0.0 found "func=" inside args="func=3" and took 3 as the function */
static void a_key_inside_a_quoted_value_is_not_a_key(void **state)
{
	(void)state;
	assert_int_equal(AGENT_KV_OK, parse("START module_id=m args=\"func=3\""));
	assert_null(agent_kv_get(&kv, "func"));
	assert_int_equal(AGENT_KV_OK, parse("LOAD module_id=x args=\"size=9 module_id=y\" size=3 crc32=1"));
	assert_string_equal("x", agent_kv_get(&kv, "module_id"));
}

/* firmware 1.0.0 found "module_id=" inside "xmodule_id=" */
static void keys_match_exactly(void **state)
{
	(void)state;
	assert_int_equal(AGENT_KV_OK, parse("START xmodule_id=evil"));
	assert_null(agent_kv_get(&kv, "module_id"));
	assert_int_equal(AGENT_KV_OK, parse("STOP module_idx=1 module_id=real"));
	assert_string_equal("real", agent_kv_get(&kv, "module_id"));
}

static void numbers_are_strict(void **state)
{
	(void)state;
	uint32_t v = 7;

	assert_int_equal(AGENT_KV_OK, parse("LOAD size=-1 a=+5 b=12x c= d=4294967295 e=4294967296 f=007"));
	assert_false(agent_kv_u32(&kv, "size", &v));
	assert_false(agent_kv_u32(&kv, "a", &v));
	assert_false(agent_kv_u32(&kv, "b", &v));
	assert_false(agent_kv_u32(&kv, "c", &v));
	assert_false(agent_kv_u32(&kv, "missing", &v));
	assert_int_equal(7, v);
	assert_true(agent_kv_u32(&kv, "d", &v));
	assert_int_equal(4294967295U, v);
	assert_false(agent_kv_u32(&kv, "e", &v));
	assert_true(agent_kv_u32(&kv, "f", &v));
	assert_int_equal(7, v);
	assert_int_equal(AGENT_KV_OK, parse("LOAD crc32=123456789 x=zz y=ABCDEF01"));
	assert_false(agent_kv_hex32(&kv, "crc32", &v));
	assert_false(agent_kv_hex32(&kv, "x", &v));
	assert_true(agent_kv_hex32(&kv, "y", &v));
	assert_int_equal(0xABCDEF01U, v);
}

static void malformed_lines_are_named(void **state)
{
	(void)state;
	assert_int_equal(AGENT_KV_EMPTY, parse("   "));
	assert_int_equal(AGENT_KV_BAD_TOKEN, parse("LOAD module_id"));
	assert_int_equal(AGENT_KV_BAD_TOKEN, parse("LOAD =x"));
	assert_int_equal(AGENT_KV_BAD_QUOTE, parse("START args=\"a=1"));
	assert_int_equal(AGENT_KV_BAD_TOKEN, parse("START args=\"a=1\"b"));
	assert_int_equal(AGENT_KV_BAD_QUOTE, parse("START args=a\"b"));
	assert_int_equal(AGENT_KV_DUPLICATE, parse("LOAD module_id=a module_id=b"));
	assert_int_equal(AGENT_KV_TOO_MANY, parse("X a=1 b=1 c=1 d=1 e=1 f=1 g=1 h=1 i=1 j=1 k=1 l=1 m=1"));
	assert_int_equal(AGENT_KV_OK, parse("  STATUS   extra=1  "));
	assert_string_equal("1", agent_kv_get(&kv, "extra"));
}

static void hex_bytes_are_exactly_two_digits_each(void **state)
{
	(void)state;
	uint8_t b[3];
	static const uint8_t want[3] = {0x0a, 0xBc, 0xff};

	assert_true(agent_hex_bytes("0aBcFF", b, 3));
	assert_memory_equal(want, b, 3);
	assert_false(agent_hex_bytes("0aBcF", b, 3));   /* too short */
	assert_false(agent_hex_bytes("0aBcFF0", b, 3)); /* too long */
	assert_false(agent_hex_bytes("0aBcFg", b, 3));  /* not hex */
	assert_false(agent_hex_bytes(NULL, b, 3));
	assert_int_equal(-1, agent_hex_digit(' '));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_load_line),
		cmocka_unit_test(quoted_values_keep_spaces_commas_and_equals),
		cmocka_unit_test(a_key_inside_a_quoted_value_is_not_a_key),
		cmocka_unit_test(keys_match_exactly),
		cmocka_unit_test(numbers_are_strict),
		cmocka_unit_test(malformed_lines_are_named),
		cmocka_unit_test(hex_bytes_are_exactly_two_digits_each),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
