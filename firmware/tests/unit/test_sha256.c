#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "agent/sha256.h"

static const char *hex_of(const uint8_t *data, size_t len)
{
	static char out[2 * AGENT_SHA256_BYTES + 1];
	uint8_t d[AGENT_SHA256_BYTES];

	agent_sha256(data, len, d);
	agent_sha256_hex(d, out);
	return out;
}

/* FIPS 180-4's examples (NIST's "SHA256.pdf") */
static void fips_examples(void **state)
{
	(void)state;
	assert_string_equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", hex_of(NULL, 0));
	assert_string_equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
			    hex_of((const uint8_t *)"abc", 3));
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

	assert_string_equal("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
			    hex_of((const uint8_t *)two, strlen(two)));
}

/* a million 'a', fed in pieces that straddle the 64-byte blocks */
static void a_million_a_in_pieces(void **state)
{
	(void)state;
	uint8_t piece[997];
	struct agent_sha256 s;
	uint8_t d[AGENT_SHA256_BYTES];
	char hex[2 * AGENT_SHA256_BYTES + 1];
	size_t left = 1000000;

	memset(piece, 'a', sizeof(piece));
	agent_sha256_init(&s);
	while (left > 0) {
		size_t n = left < sizeof(piece) ? left : sizeof(piece);

		agent_sha256_update(&s, piece, n);
		left -= n;
	}
	agent_sha256_final(&s, d);
	agent_sha256_hex(d, hex);
	assert_string_equal("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", hex);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fips_examples),
		cmocka_unit_test(a_million_a_in_pieces),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
