/*
 * zlib's CRC-32 (polynomial 0xEDB88320, reflected, init and final XOR 0xFFFFFFFF), the one the
 * gateway sends with LOAD. Incremental: pass 0 to start, the previous result to go on.
 */
#ifndef AGENT_CRC32_H_
#define AGENT_CRC32_H_

#include <stddef.h>
#include <stdint.h>

uint32_t agent_crc32(uint32_t crc, const uint8_t *data, size_t len);

#endif /* AGENT_CRC32_H_ */
