/* FNV-1a, 64 bits; SHA-256 through nettle. */
#include "clrt_hash.h"

#include <nettle/sha2.h>
#include <stdio.h>
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

void clrt_sha256_hex(const void *data, size_t size, char out[CLRT_SHA256_TEXT]) {
  struct sha256_ctx context;
  uint8_t digest[SHA256_DIGEST_SIZE];
  sha256_init(&context);
  sha256_update(&context, size, data);
  sha256_digest(&context, sizeof digest, digest);
  for (size_t i = 0; i < sizeof digest; ++i)
    snprintf(out + 2 * i, 3, "%02x", digest[i]);
}
