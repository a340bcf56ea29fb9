#include "verify_openssl.h"

#include <stdio.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "agent/agent.h"
#include "agent/sha256.h"

static EVP_PKEY *key;

bool host_key_load(const char *path, char key_id[9], char *err, size_t err_len)
{
	FILE *f = fopen(path, "r");

	if (f == NULL) {
		snprintf(err, err_len, "cannot read %s", path);
		return false;
	}
	key = PEM_read_PUBKEY(f, NULL, NULL, NULL);
	fclose(f);
	if (key == NULL || (EVP_PKEY_id(key) != EVP_PKEY_ED25519 && EVP_PKEY_id(key) != EVP_PKEY_EC)) {
		snprintf(err, err_len, "%s is no Ed25519 or P-256 public key in PEM", path);
		return false;
	}
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(key, &der);
	uint8_t d[AGENT_SHA256_BYTES];
	char hex[2 * AGENT_SHA256_BYTES + 1];

	agent_sha256(der, (size_t)n, d);
	OPENSSL_free(der);
	agent_sha256_hex(d, hex);
	memcpy(key_id, hex, 8);
	key_id[8] = '\0';
	return true;
}

/* R||S as the DER ECDSA-Sig-Value OpenSSL verifies; its length, or 0. */
static int p256_der(const uint8_t sig[64], unsigned char **der)
{
	ECDSA_SIG *s = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(sig, 32, NULL);
	BIGNUM *ss = BN_bin2bn(sig + 32, 32, NULL);

	if (s == NULL || r == NULL || ss == NULL || ECDSA_SIG_set0(s, r, ss) != 1) {
		BN_free(r);
		BN_free(ss);
		ECDSA_SIG_free(s);
		return 0;
	}
	int n = i2d_ECDSA_SIG(s, der);

	ECDSA_SIG_free(s);
	return n > 0 ? n : 0;
}

bool host_key_verify(void *ctx, int alg, const uint8_t digest[32], const uint8_t sig[64])
{
	(void)ctx;
	bool ed = EVP_PKEY_id(key) == EVP_PKEY_ED25519;

	if (alg != (ed ? AGENT_SIG_ED25519 : AGENT_SIG_P256)) {
		return false; /* signed with the other algorithm: not by this key */
	}
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	bool ok = false;

	if (ed) {
		ok = EVP_DigestVerifyInit(md, NULL, NULL, NULL, key) == 1 && EVP_DigestVerify(md, sig, 64, digest, 32) == 1;
	} else {
		unsigned char *der = NULL;
		int n = p256_der(sig, &der);

		ok = n > 0 && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
		     EVP_DigestVerify(md, der, (size_t)n, digest, 32) == 1;
		OPENSSL_free(der);
	}
	EVP_MD_CTX_free(md);
	return ok;
}
