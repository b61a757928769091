/* Strict reading of typed numbers (host/util/number.c). */
#include "test_support.h"

#include <limits.h>

#include "clrt_number.h"

static void test_whole_numbers_up_to_the_maximum(void **state) {
  (void)state;
  unsigned long long value = 0;
  assert_true(clrt_number_whole("0", 1, 10, &value) && value == 0);
  assert_true(clrt_number_whole("10", 2, 10, &value) && value == 10);
  assert_false(clrt_number_whole("11", 2, 10, &value));
  assert_true(clrt_number_whole("18446744073709551615", 20, ULLONG_MAX, &value) && value == ULLONG_MAX);
  assert_false(clrt_number_whole("18446744073709551616", 20, ULLONG_MAX, &value)); /* would wrap to 0 */
  assert_true(clrt_number_whole("12345", 3, 1000, &value) && value == 123);        /* only `length` characters */
  assert_false(clrt_number_whole("", 0, 10, &value));
}

/* A single digit above a small maximum must not slip through the
 * overflow test (max - digit would wrap). */
static void test_a_digit_above_a_small_maximum_is_refused(void **state) {
  (void)state;
  unsigned value = 77;
  assert_false(clrt_number_unsigned("5", 3, &value));
  assert_false(clrt_number_unsigned("9", 0, &value));
  assert_true(clrt_number_unsigned("3", 3, &value) && value == 3);
  assert_true(clrt_number_unsigned("0", 0, &value) && value == 0);
}

static void test_anything_but_digits_is_refused(void **state) {
  (void)state;
  const char *bad[] = {"", "-1", "+1", " 1", "1 ", "0x10", "1e3", "inf", "nan", "1.0", "１"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
    unsigned value = 77;
    if (clrt_number_unsigned(bad[i], UINT_MAX, &value))
      fail_msg("\"%s\" read as %u", bad[i], value);
    assert_int_equal(value, 77); /* untouched on failure */
  }
}

static void test_decimals_are_digits_and_one_point(void **state) {
  (void)state;
  double value = -1.0;
  assert_true(clrt_number_decimal("2", &value) && value == 2.0);
  assert_true(clrt_number_decimal("0.5", &value) && value == 0.5);
  assert_true(clrt_number_decimal(".25", &value) && value == 0.25);
  const char *bad[] = {"", ".", "2.", "1.2.3", "-0.5", "1e2", "0x1p3", "inf", "nan", " 1", "1,5"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; ++i)
    if (clrt_number_decimal(bad[i], &value))
      fail_msg("\"%s\" read as %g", bad[i], value);
}

static void test_sizes_are_two_whole_numbers_in_range(void **state) {
  (void)state;
  unsigned width = 0, height = 0;
  assert_true(clrt_number_size("64x32", 100, &width, &height) && width == 64 && height == 32);
  assert_true(clrt_number_size("100x1", 100, &width, &height) && width == 100 && height == 1);
  const char *bad[] = {"64", "x32", "64x", "0x32", "64x0", "101x1", "64X32", "64x32x2", " 64x32", "6 4x32"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; ++i)
    if (clrt_number_size(bad[i], 100, &width, &height))
      fail_msg("\"%s\" read as %ux%u", bad[i], width, height);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_whole_numbers_up_to_the_maximum),
      cmocka_unit_test(test_a_digit_above_a_small_maximum_is_refused),
      cmocka_unit_test(test_anything_but_digits_is_refused),
      cmocka_unit_test(test_decimals_are_digits_and_one_point),
      cmocka_unit_test(test_sizes_are_two_whole_numbers_in_range),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
