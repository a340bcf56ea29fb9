/*
 * SHA-256 (FIPS 180-4), for LOAD v2: the digest that names an upload and is checked before a
 * module is loaded, and that signatures are made over. Portable C, no tables but the round
 * constants; a Zephyr build could hand this to PSA, but the core stays testable on the host.
 */
#ifndef AGENT_SHA256_H_
#define AGENT_SHA256_H_

#include <stddef.h>
#include <stdint.h>

#define AGENT_SHA256_BYTES 32

struct agent_sha256 {
	uint32_t h[8];
	uint64_t bytes;
	uint8_t block[64];
	size_t fill;
};

void agent_sha256_init(struct agent_sha256 *s);
void agent_sha256_update(struct agent_sha256 *s, const uint8_t *data, size_t len);
void agent_sha256_final(struct agent_sha256 *s, uint8_t out[AGENT_SHA256_BYTES]);

/* The digest of `len` bytes at once. */
void agent_sha256(const uint8_t *data, size_t len, uint8_t out[AGENT_SHA256_BYTES]);

/* 64 lower-case hex digits and a NUL. */
void agent_sha256_hex(const uint8_t digest[AGENT_SHA256_BYTES], char out[2 * AGENT_SHA256_BYTES + 1]);

#endif /* AGENT_SHA256_H_ */
