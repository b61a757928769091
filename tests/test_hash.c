/* FNV-1a 64 (host/util/hash.c): cache keys and scene fingerprints. */
#include "test_support.h"

#include <string.h>

#include "clrt_hash.h"

/* The published FNV-1a 64 test vectors. */
static void test_known_vectors(void **state) {
  (void)state;
  assert_true(clrt_hash_bytes(CLRT_HASH_START, "", 0) == 0xcbf29ce484222325ULL);
  assert_true(clrt_hash_bytes(CLRT_HASH_START, "a", 1) == 0xaf63dc4c8601ec8cULL);
  assert_true(clrt_hash_bytes(CLRT_HASH_START, "foobar", 6) == 0x85944171f73967e8ULL);
}

/* Hashing in pieces equals hashing the whole. */
static void test_continues_over_pieces(void **state) {
  (void)state;
  const char *text = "the quick brown fox";
  uint64_t whole = clrt_hash_bytes(CLRT_HASH_START, text, strlen(text));
  uint64_t pieces = clrt_hash_bytes(clrt_hash_bytes(CLRT_HASH_START, text, 4), text + 4, strlen(text) - 4);
  assert_true(whole == pieces);
}

/* Strings hash with their terminator, so keys made of several strings do
 * not collide when the cut between them moves. */
static void test_strings_keep_their_boundaries(void **state) {
  (void)state;
  assert_true(clrt_hash_string(CLRT_HASH_START, "a") == clrt_hash_bytes(CLRT_HASH_START, "a", 2));
  uint64_t ab_c = clrt_hash_string(clrt_hash_string(CLRT_HASH_START, "ab"), "c");
  uint64_t a_bc = clrt_hash_string(clrt_hash_string(CLRT_HASH_START, "a"), "bc");
  assert_true(ab_c != a_bc);
}

/* FIPS 180-2's examples. */
static void test_sha256_of_known_texts(void **state) {
  (void)state;
  char out[CLRT_SHA256_TEXT];
  clrt_sha256_hex("abc", 3, out);
  assert_string_equal(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  clrt_sha256_hex("", 0, out);
  assert_string_equal(out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_known_vectors),
      cmocka_unit_test(test_sha256_of_known_texts),
      cmocka_unit_test(test_continues_over_pieces),
      cmocka_unit_test(test_strings_keep_their_boundaries),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
