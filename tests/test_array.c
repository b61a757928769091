/* Growable arrays (host/util/array.c). */
#include "test_support.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clrt_array.h"

static void test_room_doubles_from_sixteen_and_keeps_the_items(void **state) {
  (void)state;
  size_t capacity = 0;
  uint32_t *items = NULL;
  for (uint32_t i = 0; i < 1000; ++i) {
    uint32_t *grown = clrt_array_reserve(items, &capacity, i + 1, sizeof *items);
    assert_non_null(grown);
    items = grown;
    items[i] = i * 7u;
    assert_true(capacity >= i + 1);
    assert_true(capacity == 16 || (capacity & (capacity - 1)) == 0); /* 16, 32, 64, ... */
  }
  assert_int_equal(capacity, 1024);
  for (uint32_t i = 0; i < 1000; ++i)
    assert_int_equal(items[i], i * 7u);
  free(items);
}

static void test_enough_room_changes_nothing(void **state) {
  (void)state;
  size_t capacity = 0;
  char *items = clrt_array_reserve(NULL, &capacity, 5, 1);
  assert_non_null(items);
  assert_int_equal(capacity, 16);
  assert_ptr_equal(clrt_array_reserve(items, &capacity, 16, 1), items);
  assert_int_equal(capacity, 16);
  free(items);
}

/* A size whose bytes do not fit a size_t is refused, the array kept. */
static void test_overflowing_sizes_are_refused(void **state) {
  (void)state;
  size_t capacity = 0;
  uint64_t *items = clrt_array_reserve(NULL, &capacity, 4, sizeof *items);
  assert_non_null(items);
  items[3] = 42;
  size_t before = capacity;
  assert_null(clrt_array_reserve(items, &capacity, SIZE_MAX / 4, sizeof *items));
  assert_int_equal(capacity, before);
  assert_int_equal(items[3], 42);
  free(items);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_room_doubles_from_sixteen_and_keeps_the_items),
      cmocka_unit_test(test_enough_room_changes_nothing),
      cmocka_unit_test(test_overflowing_sizes_are_refused),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
