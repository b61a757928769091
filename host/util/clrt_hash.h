/* Hashes: 64-bit FNV-1a for cache keys; SHA-256 (nettle) for what results
 * files say they measured. */
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

/* Hex digits of a SHA-256 and the terminator. */
#define CLRT_SHA256_TEXT 65

/* The SHA-256 of `size` bytes, as 64 lowercase hex digits. */
void clrt_sha256_hex(const void *data, size_t size, char out[CLRT_SHA256_TEXT]);

#endif /* CLRT_HASH_H */
