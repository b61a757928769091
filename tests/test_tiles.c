/* Tile partitions cover every pixel exactly once, for awkward sizes too. */
#include "test_support.h"

#include <stdlib.h>
#include <string.h>

#include "clrt_tiles.h"

/* Counts how often each pixel is covered; every count must be 1. */
static void assert_exact_cover(const clrt_tile_plan *plan, unsigned width, unsigned height) {
  unsigned char *covered = calloc((size_t)width * height, 1);
  assert_non_null(covered);
  for (size_t i = 0; i < plan->count; ++i) {
    const clrt_tile *tile = &plan->tiles[i];
    assert_true(tile->width > 0 && tile->height > 0);
    assert_true(tile->x + tile->width <= width && tile->y + tile->height <= height);
    assert_true(tile->width <= plan->max_width && tile->height <= plan->max_height);
    assert_true((size_t)tile->width * tile->height <= plan->max_pixels);
    for (unsigned y = tile->y; y < tile->y + tile->height; ++y)
      for (unsigned x = tile->x; x < tile->x + tile->width; ++x)
        ++covered[(size_t)y * width + x];
  }
  for (size_t i = 0; i < (size_t)width * height; ++i)
    if (covered[i] != 1)
      fail_msg("pixel %zu of %ux%u covered %d times", i, width, height, covered[i]);
  free(covered);
}

static void check_grid(unsigned width, unsigned height, unsigned tile_width, unsigned tile_height,
                       size_t expected_count) {
  clrt_tile_plan plan;
  clrt_error err;
  assert_int_equal(clrt_tiles_grid(width, height, tile_width, tile_height, &plan, &err), CLRT_OK);
  assert_int_equal(plan.count, expected_count);
  assert_exact_cover(&plan, width, height);
  clrt_tiles_free(&plan);
}

static void check_strips(unsigned width, unsigned height, unsigned strips) {
  clrt_tile_plan plan;
  clrt_error err;
  assert_int_equal(clrt_tiles_strips(width, height, strips, &plan, &err), CLRT_OK);
  assert_int_equal(plan.count, strips);
  assert_exact_cover(&plan, width, height);
  for (size_t i = 0; i < plan.count; ++i) /* balanced: heights differ by at most one row */
    assert_true(plan.max_height - plan.tiles[i].height <= 1);
  clrt_tiles_free(&plan);
}

static void test_grid_covers_awkward_sizes(void **state) {
  (void)state;
  check_grid(1, 1, 16, 16, 1);
  check_grid(1, 1, 1, 1, 1);
  check_grid(97, 89, 16, 16, 7 * 6);
  check_grid(600, 400, 256, 256, 3 * 2);
  check_grid(13, 7, 1000, 1000, 1); /* tile larger than the image */
  check_grid(101, 103, 7, 3, 15 * 35);
  check_grid(64, 64, 64, 64, 1);
}

static void test_strips_cover_awkward_sizes(void **state) {
  (void)state;
  check_strips(1, 1, 1);
  check_strips(600, 400, 7);
  check_strips(97, 89, 89); /* one row each */
  check_strips(31, 10, 6);  /* uneven: some strips one row taller */
  check_strips(5, 3, 2);
}

static void test_impossible_tilings_are_rejected(void **state) {
  (void)state;
  clrt_tile_plan plan;
  clrt_error err;
  assert_int_equal(clrt_tiles_strips(64, 10, 11, &plan, &err), CLRT_ERR_INPUT);
  assert_non_null(strstr(err.message, "--tiles 11: must be between 1 and the image height (10 rows)"));
  assert_int_equal(clrt_tiles_strips(64, 10, 0, &plan, &err), CLRT_ERR_INPUT);
  assert_int_equal(clrt_tiles_grid(64, 10, 0, 8, &plan, &err), CLRT_ERR_INPUT);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_grid_covers_awkward_sizes),
      cmocka_unit_test(test_strips_cover_awkward_sizes),
      cmocka_unit_test(test_impossible_tilings_are_rejected),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
