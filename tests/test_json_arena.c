/* jansson's allocations in an arena while a scene is parsed
 * (host/util/json_arena.c). */
#include "test_support.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "clrt_json_arena.h"

/* A JSON document made in the arena is whole and usable, every block
 * aligned for any type; released values leave their blocks to the arena. */
static void test_values_live_in_the_arena_until_it_ends(void **state) {
  (void)state;
  clrt_json_arena arena;
  clrt_json_arena_begin(&arena);
  json_t *array = json_array();
  for (int i = 0; i < 10000; ++i) {
    json_t *item = json_pack("{s:i, s:s}", "index", i, "name", "sphere");
    assert_non_null(item);
    assert_true((uintptr_t)item % _Alignof(max_align_t) == 0);
    json_array_append_new(array, item);
  }
  assert_non_null(arena.chunks);
  assert_int_equal(json_array_size(array), 10000);
  assert_int_equal(json_integer_value(json_object_get(json_array_get(array, 9999), "index")), 9999);
  json_decref(array);
  clrt_json_arena_end(&arena);
  assert_null(arena.chunks);
}

/* Arenas nest: ending the inner one goes back to the outer one, and
 * outside every arena values come from malloc (and are freed one by one). */
static void test_arenas_nest_and_malloc_is_used_outside(void **state) {
  (void)state;
  clrt_json_arena outer, inner;
  clrt_json_arena_begin(&outer);
  json_t *first = json_string("outer");
  assert_non_null(outer.chunks);
  clrt_json_arena_begin(&inner);
  assert_null(inner.chunks);
  json_t *second = json_string("inner");
  assert_non_null(inner.chunks);
  json_decref(second);
  clrt_json_arena_end(&inner);
  const void *outer_chunk = outer.chunks;
  json_t *third = json_string("outer again");
  assert_ptr_equal(outer.chunks, outer_chunk); /* it came from the outer arena */
  assert_string_equal(json_string_value(first), "outer");
  json_decref(first);
  json_decref(third);
  clrt_json_arena_end(&outer);
  json_t *plain = json_string("no arena");
  assert_string_equal(json_string_value(plain), "no arena");
  json_decref(plain); /* freed by free(): ASan would catch a block from an arena */
}

/* A block bigger than a chunk gets a chunk of its own. */
static void test_a_large_block_gets_its_own_chunk(void **state) {
  (void)state;
  enum { LARGE = 6 << 20 };
  char *text = malloc(LARGE + 1);
  assert_non_null(text);
  memset(text, 'x', LARGE);
  text[LARGE] = '\0';
  clrt_json_arena arena;
  clrt_json_arena_begin(&arena);
  json_t *value = json_string(text);
  assert_non_null(value);
  assert_int_equal(json_string_length(value), LARGE);
  json_decref(value);
  clrt_json_arena_end(&arena);
  free(text);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_values_live_in_the_arena_until_it_ends),
      cmocka_unit_test(test_arenas_nest_and_malloc_is_used_outside),
      cmocka_unit_test(test_a_large_block_gets_its_own_chunk),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
