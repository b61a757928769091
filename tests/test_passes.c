/* Progressive rendering's bookkeeping (host/frame/passes.c): the regions,
 * the tiles of a pass, the noise estimate. The passes themselves, on a
 * device, are in test_binary.c (progressive equals one go). */
#include "test_support.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clrt_passes.h"

/* Every pixel of the open regions is in exactly one tile, and no other
 * pixel is; no tile is over max_pixels. */
static void assert_plan_covers_open_regions(const clrt_regions *regions, const clrt_tile_plan *plan,
                                            size_t max_pixels) {
  unsigned char *covered = calloc((size_t)regions->width * regions->height, 1);
  assert_non_null(covered);
  for (size_t t = 0; t < plan->count; ++t) {
    const clrt_tile *tile = &plan->tiles[t];
    assert_true((size_t)tile->width * tile->height <= max_pixels);
    for (unsigned y = tile->y; y < tile->y + tile->height; ++y)
      for (unsigned x = tile->x; x < tile->x + tile->width; ++x)
        assert_int_equal(covered[(size_t)y * regions->width + x]++, 0);
  }
  for (unsigned y = 0; y < regions->height; ++y)
    for (unsigned x = 0; x < regions->width; ++x) {
      size_t region = (size_t)(y / CLRT_REGION_SIDE) * regions->columns + x / CLRT_REGION_SIDE;
      assert_int_equal(covered[(size_t)y * regions->width + x], regions->open[region] ? 1 : 0);
    }
  free(covered);
}

static void test_a_pass_covers_the_open_regions(void **state) {
  (void)state;
  clrt_regions regions;
  clrt_error err;
  assert_int_equal(clrt_regions_init(&regions, 100, 70, &err), CLRT_OK); /* ragged edges: 7 x 5 regions */
  assert_int_equal(regions.columns, 7);
  assert_int_equal(regions.rows, 5);
  clrt_tile_plan plan;
  /* All open: one tile, as large as allowed. */
  assert_int_equal(clrt_regions_plan(&regions, 100 * 70, &plan, &err), CLRT_OK);
  assert_int_equal(plan.count, 1);
  assert_plan_covers_open_regions(&regions, &plan, 100 * 70);
  clrt_tiles_free(&plan);
  /* A cap cuts rows of regions, and runs within them. */
  assert_int_equal(clrt_regions_plan(&regions, 48 * 16, &plan, &err), CLRT_OK);
  assert_plan_covers_open_regions(&regions, &plan, 48 * 16);
  clrt_tiles_free(&plan);
  /* Some closed: runs of open ones, merged downwards where they line up. */
  for (size_t i = 0; i < 35; ++i)
    regions.open[i] = (i * 7) % 3 != 0;
  assert_int_equal(clrt_regions_plan(&regions, 100 * 70, &plan, &err), CLRT_OK);
  assert_plan_covers_open_regions(&regions, &plan, 100 * 70);
  clrt_tiles_free(&plan);
  for (size_t i = 0; i < 35; ++i)
    regions.open[i] = false;
  assert_int_equal(clrt_regions_plan(&regions, 100 * 70, &plan, &err), CLRT_OK);
  assert_int_equal(plan.count, 0);
  clrt_tiles_free(&plan);
  clrt_regions_free(&regions);
}

/* Grey pixels whose n samples are half v0 and half v1, summed as the
 * kernel sums them. */
static clrt_pixel_sum grey_sum(double v0, double v1, unsigned n) {
  clrt_pixel_sum sum;
  memset(&sum, 0, sizeof sum);
  for (int c = 0; c < 3; ++c)
    sum.channel[c] = (clrt_ulong)((v0 + v1) / 2.0 * n * CLRT_SUM_SCALE);
  sum.luminance_squares = (float)((v0 * v0 + v1 * v1) / 2.0 * n);
  return sum;
}

static void test_noise_is_the_relative_standard_error(void **state) {
  (void)state;
  clrt_film film;
  clrt_error err;
  clrt_tone_levels levels;
  memset(&levels, 0, sizeof levels);
  assert_int_equal(clrt_film_init(&film, 32, 16, CLRT_FILM_LINEAR, &levels, &err), CLRT_OK);
  assert_int_equal(clrt_film_keep_sums(&film, &err), CLRT_OK);
  const unsigned n = 16;
  for (size_t i = 0; i < 32 * 16; ++i)
    film.sums[i] = i % 32 < 16 ? grey_sum(0.25, 0.75, n) : grey_sum(0.5, 0.5, n);
  clrt_tile noisy = {0, 0, 16, 16}, smooth = {16, 0, 16, 16};
  /* Samples' variance 0.0625 (unbiased: x 16/15), the mean's over 16
   * samples, over the mean 0.5. */
  double expected = sqrt(0.0625 * 16.0 / 15.0 / 16.0) / 0.5;
  assert_float_equal(clrt_region_noise(&film, &noisy, n), expected, 1e-4);
  assert_float_equal(clrt_region_noise(&film, &smooth, n), 0.0, 1e-6);
  /* After a pass the smooth region closes, the noisy one stays open. */
  clrt_regions regions;
  assert_int_equal(clrt_regions_init(&regions, 32, 16, &err), CLRT_OK);
  assert_int_equal(clrt_regions_after_pass(&regions, &film, n, 0.1), 1);
  assert_true(regions.open[0] && !regions.open[1]);
  assert_int_equal(regions.samples[0], n);
  assert_float_equal(regions.noise[0], expected, 1e-4);
  /* Developed, a pixel is its sum's mean. */
  clrt_film_develop(&film, &smooth, n);
  assert_float_equal(film.linear[3 * 16], 0.5f, 1e-6f);
  clrt_regions_free(&regions);
  clrt_film_free(&film);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_a_pass_covers_the_open_regions),
      cmocka_unit_test(test_noise_is_the_relative_standard_error),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
