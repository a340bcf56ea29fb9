/*
 * LOAD v2's signature check (docs/wire-protocol.md, "End, integrity and signatures") through
 * the PSA Crypto API: Zephyr's (Mbed TLS's PSA core) on the boards, the host's Mbed TLS in
 * tests/unit/test_verify_psa.c. ECDSA P-256 only: Zephyr's PSA has no Ed25519, so a board
 * provisioned this way refuses an Ed25519 signature (BAD_SIGNATURE) as it refuses a P-256 one
 * made by another key.
 */
#ifndef AGENT_VERIFY_PSA_H_
#define AGENT_VERIFY_PSA_H_

#include <stdbool.h>
#include <stdint.h>

#include "agent/agent.h"

/*
 * Provisions the public key, given as the hex of its uncompressed point: "04", X, Y (130 hex
 * digits; `bin/host keys show PUB.pem` prints it). Starts PSA and imports the key; writes its
 * name to key_id (8 hex digits of the SHA-256 of its SubjectPublicKeyInfo, as agent-host and
 * the gateway name keys). Returns NULL, or why the key was refused.
 */
const char *agent_psa_key_init(const char *hex, char key_id[9]);

/* struct agent_ports.verify_signature: the signature of the module's SHA-256 digest. */
bool agent_psa_verify(void *ctx, int alg, const uint8_t digest[AGENT_SHA256_BYTES],
		      const uint8_t sig[AGENT_SIG_BYTES]);

#endif /* AGENT_VERIFY_PSA_H_ */
