/*
 * agent-host's provisioned signing key (LOAD v2 signatures), checked with OpenSSL: the POSIX
 * build's stand-in for what the Zephyr app does with PSA. Ed25519 verifies the module's
 * 32-byte SHA-256 as its message; P-256 verifies ECDSA over SHA-256 of those 32 bytes.
 */
#ifndef VERIFY_OPENSSL_H_
#define VERIFY_OPENSSL_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Reads a PEM public key (X.509 SubjectPublicKeyInfo, as `bin/host keys gen` writes it);
 * key_id gets 8 hex digits of the SHA-256 of its DER form. False with `err` set. */
bool host_key_load(const char *path, char key_id[9], char *err, size_t err_len);

/* The agent_ports.verify_signature of agent-host. */
bool host_key_verify(void *ctx, int alg, const uint8_t digest[32], const uint8_t sig[64]);

#endif /* VERIFY_OPENSSL_H_ */
