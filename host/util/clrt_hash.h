/* A 64-bit FNV-1a hash: cache keys and scene fingerprints. */
#ifndef CLRT_HASH_H
#define CLRT_HASH_H

#include <stddef.h>
#include <stdint.h>

#define CLRT_HASH_START 0xcbf29ce484222325ULL

/* Continues `hash` (start from CLRT_HASH_START) over `size` bytes. */
uint64_t clrt_hash_bytes(uint64_t hash, const void *data, size_t size);

/* The same over a NUL-terminated string, terminator included (so that
 * "ab"+"c" and "a"+"bc" differ). */
uint64_t clrt_hash_string(uint64_t hash, const char *text);

#endif /* CLRT_HASH_H */
