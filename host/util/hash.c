/* FNV-1a, 64 bits. */
#include "clrt_hash.h"

#include <string.h>

#define CLRT_FNV_PRIME 0x100000001b3ULL

uint64_t clrt_hash_bytes(uint64_t hash, const void *data, size_t size) {
  const unsigned char *bytes = data;
  for (size_t i = 0; i < size; ++i) {
    hash ^= bytes[i];
    hash *= CLRT_FNV_PRIME;
  }
  return hash;
}

uint64_t clrt_hash_string(uint64_t hash, const char *text) { return clrt_hash_bytes(hash, text, strlen(text) + 1); }
