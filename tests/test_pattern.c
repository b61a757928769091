/* Frame patterns: which names are patterns, and the names they make. */
#include "test_support.h"

#include <string.h>

#include "clrt_pattern.h"

static void test_kinds(void **state) {
  (void)state;
  assert_int_equal(clrt_pattern_kind_of("frame.ply"), CLRT_PATTERN_NONE);
  assert_int_equal(clrt_pattern_kind_of("100%%.ply"), CLRT_PATTERN_NONE);
  assert_int_equal(clrt_pattern_kind_of("f_%04d.ply"), CLRT_PATTERN_ONE);
  assert_int_equal(clrt_pattern_kind_of("%d"), CLRT_PATTERN_ONE);
  assert_int_equal(clrt_pattern_kind_of("f_%12d_%%.png"), CLRT_PATTERN_ONE);
  assert_int_equal(clrt_pattern_kind_of("f_%s.ply"), CLRT_PATTERN_INVALID);
  assert_int_equal(clrt_pattern_kind_of("f_%d_%d.ply"), CLRT_PATTERN_INVALID);
  assert_int_equal(clrt_pattern_kind_of("f_%-4d.ply"), CLRT_PATTERN_INVALID);
  assert_int_equal(clrt_pattern_kind_of("f_%999d.ply"), CLRT_PATTERN_INVALID);
  assert_int_equal(clrt_pattern_kind_of("trailing%"), CLRT_PATTERN_INVALID);
}

static void test_names(void **state) {
  (void)state;
  char name[32];
  assert_true(clrt_pattern_format("f_%04d.ply", 7, name, sizeof name));
  assert_string_equal(name, "f_0007.ply");
  assert_true(clrt_pattern_format("f_%04d.ply", 123456, name, sizeof name));
  assert_string_equal(name, "f_123456.ply");
  assert_true(clrt_pattern_format("%3d%%", -5, name, sizeof name));
  assert_string_equal(name, " -5%");
  assert_true(clrt_pattern_format("plain.png", 9, name, sizeof name));
  assert_string_equal(name, "plain.png");
  assert_false(clrt_pattern_format("a_rather_long_name_%08d.png", 1, name, 16));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_kinds),
      cmocka_unit_test(test_names),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
