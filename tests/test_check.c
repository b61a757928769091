/* clrt bench: is the picture right (host/bench/check.c)? Scored only when
 * within the one tolerance of the host reference and of the first
 * device's picture. */
#include "test_support.h"

#include <stdlib.h>
#include <string.h>

#include "bench_check.h"

enum { PIXELS = 100 * 100, CHANNELS = PIXELS * 3 };

static uint8_t *picture_of(uint8_t value) {
  uint8_t *rgb = malloc(CHANNELS);
  assert_non_null(rgb);
  memset(rgb, value, CHANNELS);
  return rgb;
}

static void check(bench_scene *s, const uint8_t *rgb, clrt_bench_record *record) {
  memset(record, 0, sizeof *record);
  bench_check_picture(s, rgb, record);
}

static void test_pictures_within_tolerance_are_scored(void **state) {
  (void)state;
  bench_scene s = {.flat.params = {.width = 100, .height = 100}};
  s.reference_rgb = picture_of(100);
  uint8_t *rgb = picture_of(100);
  clrt_bench_record record;
  check(&s, rgb, &record);
  assert_true(record.scored);
  assert_string_equal(record.check, "ok");
  rgb[7] = 101; /* one level off, in one channel: within tolerance */
  check(&s, rgb, &record);
  assert_true(record.scored);
  free(rgb);
  free(s.reference_rgb);
}

static void test_a_wrong_picture_says_what_it_differs_from(void **state) {
  (void)state;
  bench_scene s = {.flat.params = {.width = 100, .height = 100}};
  s.reference_rgb = picture_of(100);
  uint8_t *rgb = picture_of(100);
  rgb[5] = 140; /* far off */
  clrt_bench_record record;
  check(&s, rgb, &record);
  assert_false(record.scored);
  assert_non_null(strstr(record.check, "differs from the host reference"));
  rgb[5] = 100;
  s.first_rgb = picture_of(110); /* the first device disagrees everywhere */
  check(&s, rgb, &record);
  assert_false(record.scored);
  assert_non_null(strstr(record.check, "differs from the first device"));
  free(s.first_rgb);
  free(rgb);
  free(s.reference_rgb);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_pictures_within_tolerance_are_scored),
      cmocka_unit_test(test_a_wrong_picture_says_what_it_differs_from),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
