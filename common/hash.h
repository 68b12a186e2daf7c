/* FNV-1a, 64 bits: for hash tables, change detection of our own inputs and
 * stable names derived from identities; never for security. */
#ifndef CHATARC_HASH_H
#define CHATARC_HASH_H

#include <stddef.h>
#include <stdint.h>

#define FNV1A_START 0xcbf29ce484222325ULL

static inline uint64_t fnv1a(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = (const unsigned char *)data; /* C++ too */
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

#endif
