/* The PSA port of the signature check (firmware/psa, the boards' code) on the host's Mbed TLS,
 * against a signature OpenSSL made: `openssl dgst -sha256 -sign` of the SHA-256 digest below,
 * DER turned into R||S. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "agent/sha256.h"
#include "verify_psa.h"

static const char key_hex[] =
	"04c7b9e83244e85d59c958b5a0c7c483d8b15532deb896d52cd0c91bad6bfccf"
	"5cead50027d4a98f3c318f45c5552176b08e3c1a36076b780bc16b9c9c8e421c2a";

static const uint8_t sig[AGENT_SIG_BYTES] = {
	0x6c, 0x39, 0x72, 0x0a, 0x41, 0x19, 0x76, 0x6b, 0xe2, 0x75, 0xd0, 0x54,
	0x27, 0xc6, 0xcb, 0xd5, 0x10, 0x77, 0x77, 0xe3, 0x7d, 0xfe, 0x71, 0x46,
	0x0c, 0x49, 0x28, 0x15, 0xec, 0x1d, 0x25, 0x9f, 0x74, 0x61, 0x23, 0xfd,
	0xe0, 0xe9, 0xf5, 0x31, 0x72, 0x44, 0x78, 0x06, 0x77, 0x40, 0x4d, 0xdf,
	0x19, 0x9a, 0xce, 0x47, 0x1d, 0x79, 0xa2, 0xff, 0x77, 0xb0, 0x16, 0xc5,
	0x46, 0x1b, 0x09, 0x54,
};

static void digest_of_message(uint8_t d[AGENT_SHA256_BYTES])
{
	static const char message[] = "wasmfleet test vector module";

	agent_sha256((const uint8_t *)message, strlen(message), d);
}

static void malformed_keys_are_refused_naming_why(void **state)
{
	(void)state;
	char id[9];
	char hex[sizeof(key_hex)];

	assert_string_equal("the key is not 130 hex digits (04, X and Y of a P-256 point)", agent_psa_key_init("04ab", id));
	memcpy(hex, key_hex, sizeof(hex));
	hex[7] = 'g';
	assert_string_equal("the key is not hex", agent_psa_key_init(hex, id));
	memcpy(hex, key_hex, sizeof(hex));
	hex[1] = '2';
	assert_string_equal("the key is not an uncompressed point (it begins 04)", agent_psa_key_init(hex, id));
	memcpy(hex, key_hex, sizeof(hex));
	hex[129] = hex[129] == '0' ? '1' : '0'; /* Y no longer on the curve */
	assert_string_equal("the key is no point on P-256", agent_psa_key_init(hex, id));
}

static void an_openssl_signature_verifies_and_nothing_else_does(void **state)
{
	(void)state;
	char id[9];
	uint8_t d[AGENT_SHA256_BYTES];
	uint8_t bad[AGENT_SIG_BYTES];

	assert_null(agent_psa_key_init(key_hex, id));
	assert_string_equal("65f87487", id); /* the name agent-host gives this key's PEM */
	digest_of_message(d);
	assert_true(agent_psa_verify(NULL, AGENT_SIG_P256, d, sig));
	assert_false(agent_psa_verify(NULL, AGENT_SIG_ED25519, d, sig)); /* no Ed25519 here */
	memcpy(bad, sig, sizeof(bad));
	bad[40] ^= 0x01;
	assert_false(agent_psa_verify(NULL, AGENT_SIG_P256, d, bad));
	d[0] ^= 0x80; /* another module */
	assert_false(agent_psa_verify(NULL, AGENT_SIG_P256, d, sig));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(malformed_keys_are_refused_naming_why),
		cmocka_unit_test(an_openssl_signature_verifies_and_nothing_else_does),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
