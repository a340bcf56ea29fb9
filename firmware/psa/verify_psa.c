#include "verify_psa.h"

#include <string.h>

#include <psa/crypto.h>

#include "agent/kv.h"
#include "agent/sha256.h"

#define POINT_BYTES 65
#define SIG_ALG PSA_ALG_ECDSA(PSA_ALG_SHA_256)

/* DER SubjectPublicKeyInfo of a P-256 key up to its point: id-ecPublicKey, prime256v1, BIT STRING. */
static const uint8_t spki_head[] = {
	0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
	0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
};

static psa_key_id_t key;
static bool have_key;

const char *agent_psa_key_init(const char *hex, char key_id[9])
{
	uint8_t spki[sizeof(spki_head) + POINT_BYTES];
	uint8_t *point = spki + sizeof(spki_head);

	if (strlen(hex) != 2 * POINT_BYTES) {
		return "the key is not 130 hex digits (04, X and Y of a P-256 point)";
	}
	if (!agent_hex_bytes(hex, point, POINT_BYTES)) {
		return "the key is not hex";
	}
	if (point[0] != 0x04) {
		return "the key is not an uncompressed point (it begins 04)";
	}
	if (psa_crypto_init() != PSA_SUCCESS) {
		return "PSA crypto did not start";
	}
	psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;

	psa_set_key_type(&attr, PSA_KEY_TYPE_ECC_PUBLIC_KEY(PSA_ECC_FAMILY_SECP_R1));
	psa_set_key_bits(&attr, 256);
	psa_set_key_usage_flags(&attr, PSA_KEY_USAGE_VERIFY_MESSAGE);
	psa_set_key_algorithm(&attr, SIG_ALG);
	if (psa_import_key(&attr, point, POINT_BYTES, &key) != PSA_SUCCESS) {
		return "the key is no point on P-256";
	}
	have_key = true;

	uint8_t d[AGENT_SHA256_BYTES];
	char name[2 * AGENT_SHA256_BYTES + 1];

	memcpy(spki, spki_head, sizeof(spki_head));
	agent_sha256(spki, sizeof(spki), d);
	agent_sha256_hex(d, name);
	memcpy(key_id, name, 8);
	key_id[8] = '\0';
	return NULL;
}

bool agent_psa_verify(void *ctx, int alg, const uint8_t digest[AGENT_SHA256_BYTES],
		      const uint8_t sig[AGENT_SIG_BYTES])
{
	(void)ctx;
	if (!have_key || alg != AGENT_SIG_P256) {
		return false; /* no key, or Ed25519: not made by this key */
	}
	return psa_verify_message(key, SIG_ALG, digest, AGENT_SHA256_BYTES, sig, AGENT_SIG_BYTES) ==
	       PSA_SUCCESS;
}
