/* Tone mapping: the formula's levels, and the shared threshold search that
 * the kernel and the host run, which must give the formula's byte for
 * every float. */
#include "test_support.h"

#include <math.h>
#include <string.h>

#include "clrt_tone_levels.h"
#include "clrt_tone_map.h"

static uint8_t level_of(float v, const clrt_tone *tone) {
  clrt_tone_levels levels;
  clrt_tone_levels_make(tone, &levels);
  return (uint8_t)clrt_tone_level(v, &levels);
}

static void test_clamps_and_quantises(void **state) {
  (void)state;
  clrt_tone linear = {CLRT_TRANSFER_GAMMA, 1.0, 1.0};
  assert_int_equal(level_of(-1.0f, &linear), 0);
  assert_int_equal(level_of(0.5f, &linear), 127); /* v * 255.999, truncated */
  assert_int_equal(level_of(2.0f, &linear), 255);
  assert_int_equal(level_of(1.0f, &linear), 255);
  assert_int_equal(level_of(0.25f, &linear), 63);
  assert_int_equal(level_of(NAN, &linear), 0);
  assert_int_equal(level_of(INFINITY, &linear), 255);
}

static void test_applies_gamma(void **state) {
  (void)state;
  clrt_tone square_root = {CLRT_TRANSFER_GAMMA, 2.0, 1.0};
  assert_int_equal(level_of(0.25f, &square_root), 127); /* sqrt(0.25) = 0.5 */
  assert_int_equal(level_of(0.5f, &square_root), (uint8_t)(sqrt(0.5) * 255.999));
  assert_int_equal(level_of(1.0f, &square_root), 255);
}

static void test_srgb_and_exposure(void **state) {
  (void)state;
  clrt_tone srgb = {CLRT_TRANSFER_SRGB, 2.2, 1.0};
  assert_int_equal(level_of(0.002f, &srgb), (uint8_t)(12.92 * (double)0.002f * 255.999)); /* below the knee */
  assert_int_equal(level_of(0.5f, &srgb), (uint8_t)((1.055 * pow(0.5, 1 / 2.4) - 0.055) * 255.999));
  assert_int_equal(level_of(0.214f, &srgb), 127); /* sRGB 0.5 is linear 0.214 */
  clrt_tone doubled = {CLRT_TRANSFER_GAMMA, 1.0, 2.0};
  assert_int_equal(level_of(0.25f, &doubled), 127); /* 0.25 * 2 */
  assert_int_equal(level_of(0.5f, &doubled), 255);
  assert_int_equal(level_of(1.0f, &doubled), 255); /* clamped after exposure */
}

static float next_up(float v) { return nextafterf(v, INFINITY); }

/* The shared search against the formula on every float near a threshold
 * (where they could disagree) and on a sweep of [0, 2]. */
static void assert_levels_exact(const clrt_tone *tone) {
  clrt_tone_levels levels;
  clrt_tone_levels_make(tone, &levels);
  for (unsigned k = 1; k < CLRT_TONE_LEVELS; ++k) {
    float v = levels.thresholds[k];
    for (int step = 0; step < 8; ++step)
      v = nextafterf(v, 0.0f);
    for (int step = 0; step < 16; ++step, v = next_up(v))
      if (clrt_tone_level(v, &levels) != clrt_tone_map_exact(v, tone))
        fail_msg("level of %.9g: search %u, formula %u", v, clrt_tone_level(v, &levels), clrt_tone_map_exact(v, tone));
  }
  for (float v = 0.0f; v <= 2.0f; v += 1.0f / 65536.0f)
    assert_int_equal(clrt_tone_level(v, &levels), clrt_tone_map_exact(v, tone));
}

static void test_threshold_search_equals_the_formula(void **state) {
  (void)state;
  const clrt_tone tones[] = {{CLRT_TRANSFER_GAMMA, 1.0, 1.0},
                             {CLRT_TRANSFER_GAMMA, 2.2, 1.0},
                             {CLRT_TRANSFER_SRGB, 2.2, 1.0},
                             {CLRT_TRANSFER_GAMMA, 2.2, 0.37},
                             {CLRT_TRANSFER_SRGB, 2.2, 3.5}};
  for (size_t i = 0; i < sizeof tones / sizeof tones[0]; ++i)
    assert_levels_exact(&tones[i]);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_clamps_and_quantises),
      cmocka_unit_test(test_applies_gamma),
      cmocka_unit_test(test_srgb_and_exposure),
      cmocka_unit_test(test_threshold_search_equals_the_formula),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
