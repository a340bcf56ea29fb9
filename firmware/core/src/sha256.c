#include "agent/sha256.h"

#include <string.h>

static const uint32_t k[64] = {
	0x428a2f98U, 0x71374491U, 0xb5c0fbcfU, 0xe9b5dba5U, 0x3956c25bU, 0x59f111f1U, 0x923f82a4U, 0xab1c5ed5U,
	0xd807aa98U, 0x12835b01U, 0x243185beU, 0x550c7dc3U, 0x72be5d74U, 0x80deb1feU, 0x9bdc06a7U, 0xc19bf174U,
	0xe49b69c1U, 0xefbe4786U, 0x0fc19dc6U, 0x240ca1ccU, 0x2de92c6fU, 0x4a7484aaU, 0x5cb0a9dcU, 0x76f988daU,
	0x983e5152U, 0xa831c66dU, 0xb00327c8U, 0xbf597fc7U, 0xc6e00bf3U, 0xd5a79147U, 0x06ca6351U, 0x14292967U,
	0x27b70a85U, 0x2e1b2138U, 0x4d2c6dfcU, 0x53380d13U, 0x650a7354U, 0x766a0abbU, 0x81c2c92eU, 0x92722c85U,
	0xa2bfe8a1U, 0xa81a664bU, 0xc24b8b70U, 0xc76c51a3U, 0xd192e819U, 0xd6990624U, 0xf40e3585U, 0x106aa070U,
	0x19a4c116U, 0x1e376c08U, 0x2748774cU, 0x34b0bcb5U, 0x391c0cb3U, 0x4ed8aa4aU, 0x5b9cca4fU, 0x682e6ff3U,
	0x748f82eeU, 0x78a5636fU, 0x84c87814U, 0x8cc70208U, 0x90befffaU, 0xa4506cebU, 0xbef9a3f7U, 0xc67178f2U,
};

static uint32_t ror(uint32_t x, unsigned n)
{
	return (x >> n) | (x << (32U - n));
}

static void compress(struct agent_sha256 *s, const uint8_t *p)
{
	uint32_t w[64];
	uint32_t v[8];

	for (int i = 0; i < 16; i++) {
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 |
		       (uint32_t)p[4 * i + 3];
	}
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);

		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	memcpy(v, s->h, sizeof(v));
	for (int i = 0; i < 64; i++) {
		uint32_t e = v[4];
		uint32_t a = v[0];
		uint32_t t1 = v[7] + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & v[5]) ^ (~e & v[6])) + k[i] + w[i];
		uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & v[1]) ^ (a & v[2]) ^ (v[1] & v[2]));

		memmove(v + 1, v, 7 * sizeof(v[0]));
		v[4] += t1;
		v[0] = t1 + t2;
	}
	for (int i = 0; i < 8; i++) {
		s->h[i] += v[i];
	}
}

void agent_sha256_init(struct agent_sha256 *s)
{
	static const uint32_t h0[8] = {0x6a09e667U, 0xbb67ae85U, 0x3c6ef372U, 0xa54ff53aU,
				       0x510e527fU, 0x9b05688cU, 0x1f83d9abU, 0x5be0cd19U};

	memcpy(s->h, h0, sizeof(h0));
	s->bytes = 0;
	s->fill = 0;
}

void agent_sha256_update(struct agent_sha256 *s, const uint8_t *data, size_t len)
{
	s->bytes += len;
	while (len > 0) {
		size_t take = 64 - s->fill;

		if (take > len) {
			take = len;
		}
		memcpy(s->block + s->fill, data, take);
		s->fill += take;
		data += take;
		len -= take;
		if (s->fill == 64) {
			compress(s, s->block);
			s->fill = 0;
		}
	}
}

void agent_sha256_final(struct agent_sha256 *s, uint8_t out[AGENT_SHA256_BYTES])
{
	uint64_t bits = s->bytes * 8U;
	uint8_t pad = 0x80;

	agent_sha256_update(s, &pad, 1);
	pad = 0;
	while (s->fill != 56) {
		agent_sha256_update(s, &pad, 1);
	}
	uint8_t len[8];

	for (int i = 0; i < 8; i++) {
		len[i] = (uint8_t)(bits >> (56 - 8 * i));
	}
	agent_sha256_update(s, len, 8);
	for (int i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(s->h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(s->h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(s->h[i] >> 8);
		out[4 * i + 3] = (uint8_t)s->h[i];
	}
}

void agent_sha256(const uint8_t *data, size_t len, uint8_t out[AGENT_SHA256_BYTES])
{
	struct agent_sha256 s;

	agent_sha256_init(&s);
	agent_sha256_update(&s, data, len);
	agent_sha256_final(&s, out);
}

void agent_sha256_hex(const uint8_t digest[AGENT_SHA256_BYTES], char out[2 * AGENT_SHA256_BYTES + 1])
{
	static const char hex[] = "0123456789abcdef";

	for (int i = 0; i < AGENT_SHA256_BYTES; i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 0xF];
	}
	out[2 * AGENT_SHA256_BYTES] = '\0';
}
