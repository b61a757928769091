/* clrt bench: is the picture right (host/bench/check.c)? Scored only when
 * within the one tolerance of the host reference and of the first
 * device's picture; under --fast-math, within the tolerance for it
 * (host/output/compare.c). */
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
  bench_check_picture(s, rgb, false, record);
}

static void check_fast_math(bench_scene *s, const uint8_t *rgb, clrt_bench_record *record) {
  memset(record, 0, sizeof *record);
  bench_check_picture(s, rgb, true, record);
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

/* --fast-math, Whitted: a few channels far off (grazing rays that see
 * another sphere) are allowed, up to 0.1% of them. */
static void test_fast_math_allows_rare_outliers(void **state) {
  (void)state;
  bench_scene s = {.flat.params = {.width = 100, .height = 100, .integrator = CLRT_INTEGRATOR_whitted}};
  s.reference_rgb = picture_of(100);
  uint8_t *rgb = picture_of(100);
  for (int i = 0; i < 30; ++i) /* 0.1% of 30,000 channels */
    rgb[i * 997] = 200;
  clrt_bench_record record;
  check(&s, rgb, &record);
  assert_false(record.scored); /* exact math: none may be more than 4 off */
  check_fast_math(&s, rgb, &record);
  assert_true(record.scored);
  rgb[5] = 200; /* one more */
  check_fast_math(&s, rgb, &record);
  assert_false(record.scored);
  free(rgb);
  free(s.reference_rgb);
}

/* --fast-math, path tracing: pixels may differ by noise, but every 16x16
 * block's mean stays within a level. */
static void test_fast_math_path_compares_block_means(void **state) {
  (void)state;
  bench_scene s = {.flat.params = {.width = 100, .height = 100, .integrator = CLRT_INTEGRATOR_path}};
  s.reference_rgb = picture_of(100);
  uint8_t *rgb = picture_of(100);
  for (int i = 0; i < CHANNELS; ++i) /* noise: every other channel 20 up, the next 20 down */
    rgb[i] = (uint8_t)(i % 2 ? 80 : 120);
  clrt_bench_record record;
  check_fast_math(&s, rgb, &record);
  assert_true(record.scored);
  for (int i = 0; i < 16 * 3; ++i) /* the top-left block's first row is 100 levels brighter: +6.25 on average */
    rgb[i] = 220;
  check_fast_math(&s, rgb, &record);
  assert_false(record.scored);
  assert_non_null(strstr(record.check, "block's mean"));
  free(rgb);
  free(s.reference_rgb);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_pictures_within_tolerance_are_scored),
      cmocka_unit_test(test_a_wrong_picture_says_what_it_differs_from),
      cmocka_unit_test(test_fast_math_allows_rare_outliers),
      cmocka_unit_test(test_fast_math_path_compares_block_means),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
