/* The scheduler and tilings, without a device: guided strip sizes, tiles
 * taken, returned and done, what is missing, and the plans tilings give. */
#include "test_support.h"

#include <stdlib.h>
#include <string.h>

#include "clrt_scheduler.h"

static void init_guided(clrt_scheduler *s, unsigned width, unsigned height, unsigned devices) {
  clrt_error err;
  assert_int_equal(clrt_scheduler_init(s, width, height, NULL, devices, &err), CLRT_OK);
}

/* Takes every tile, in order, marking each done; returns how many. */
static size_t drain(clrt_scheduler *s, clrt_tile *tiles, size_t capacity) {
  size_t count = 0;
  clrt_tile tile;
  while (clrt_scheduler_take(s, false, &tile)) {
    assert_true(count < capacity);
    tiles[count++] = tile;
    clrt_scheduler_done(s, &tile);
  }
  return count;
}

static void test_guided_strips_shrink_and_cover(void **state) {
  (void)state;
  clrt_scheduler s;
  init_guided(&s, 100, 2000, 2); /* 100-pixel rows: at least 164 rows a strip */
  clrt_tile tiles[64];
  size_t count = drain(&s, tiles, 64);
  unsigned next_row = 0;
  for (size_t i = 0; i < count; ++i) {
    assert_int_equal(tiles[i].x, 0);
    assert_int_equal(tiles[i].width, 100);
    assert_int_equal(tiles[i].y, next_row);
    next_row += tiles[i].height;
    if (i + 1 < count) /* never below the minimum, except the last */
      assert_true((size_t)tiles[i].height * 100 >= CLRT_GUIDED_MIN_TILE_PIXELS);
    if (i > 0)
      assert_true(tiles[i].height <= tiles[i - 1].height);
  }
  assert_int_equal(next_row, 2000);
  assert_int_equal(tiles[0].height, 500); /* ceil(2000 / (2 x 2 devices)) */
  size_t missing_count;
  clrt_tile *missing;
  clrt_error err;
  assert_int_equal(clrt_scheduler_missing(&s, &missing, &missing_count, &err), CLRT_OK);
  assert_int_equal(missing_count, 0);
  assert_int_equal(clrt_scheduler_tiles_done(&s), count);
  clrt_scheduler_destroy(&s);
}

static void test_guided_strips_stay_under_the_maximum(void **state) {
  (void)state;
  clrt_scheduler s;
  init_guided(&s, 16384, 16384, 1);
  assert_int_equal(clrt_scheduler_max_tile_pixels(&s), CLRT_GUIDED_MAX_TILE_PIXELS);
  clrt_tile tile;
  assert_true(clrt_scheduler_take(&s, false, &tile));
  assert_int_equal((size_t)tile.width * tile.height, CLRT_GUIDED_MAX_TILE_PIXELS);
  clrt_scheduler_destroy(&s);
}

static void test_returned_tile_is_taken_again_and_missing_listed(void **state) {
  (void)state;
  clrt_tile_plan plan;
  clrt_error err;
  assert_int_equal(clrt_tiles_grid(64, 64, 32, 32, &plan, &err), CLRT_OK);
  clrt_scheduler s;
  assert_int_equal(clrt_scheduler_init(&s, 64, 64, &plan, 2, &err), CLRT_OK);
  clrt_tile first, second;
  assert_true(clrt_scheduler_take(&s, false, &first));
  assert_true(first.x == 0 && first.y == 0); /* plan order */
  clrt_scheduler_return(&s, &first);
  assert_true(clrt_scheduler_take(&s, false, &second));
  assert_memory_equal(&first, &second, sizeof first);
  clrt_scheduler_done(&s, &second);
  clrt_scheduler_stop(&s);
  assert_true(clrt_scheduler_stopping(&s));
  assert_false(clrt_scheduler_take(&s, false, &second)); /* stopping: nothing more */
  clrt_tile *missing;
  size_t missing_count;
  assert_int_equal(clrt_scheduler_missing(&s, &missing, &missing_count, &err), CLRT_OK);
  assert_int_equal(missing_count, 3);
  free(missing);
  clrt_scheduler_destroy(&s);
  clrt_tiles_free(&plan);
}

static void test_guided_remainder_counts_as_one_missing_tile(void **state) {
  (void)state;
  clrt_scheduler s;
  init_guided(&s, 100, 1000, 1);
  clrt_tile tile;
  assert_true(clrt_scheduler_take(&s, false, &tile));
  clrt_scheduler_return(&s, &tile);
  clrt_scheduler_retire_device(&s);
  clrt_scheduler_stop(&s);
  clrt_tile *missing;
  size_t count;
  clrt_error err;
  assert_int_equal(clrt_scheduler_missing(&s, &missing, &count, &err), CLRT_OK);
  assert_int_equal(count, 2); /* the returned strip and the rows never cut */
  assert_int_equal(missing[0].height + missing[1].height, 1000);
  free(missing);
  clrt_scheduler_destroy(&s);
}

/* A process of a cluster renders from a fed scheduler: tiles in the order
 * fed, none taken once the feed closes, and waiting ones handed back. */
static void test_fed_scheduler(void **state) {
  (void)state;
  clrt_scheduler s;
  assert_int_equal(clrt_scheduler_init_fed(&s, 64, 64, 4096, 2), CLRT_OK);
  clrt_tile tile;
  assert_false(clrt_scheduler_take(&s, false, &tile)); /* nothing yet, and no waiting without wait */
  assert_false(clrt_scheduler_state_of(&s).finished);  /* the feed is open: more may come */
  clrt_tile fed[3] = {{0, 0, 64, 8}, {0, 8, 64, 8}, {0, 16, 64, 8}};
  assert_true(clrt_scheduler_feed(&s, fed, 3));
  assert_true(clrt_scheduler_take(&s, true, &tile));
  assert_int_equal(tile.y, 0); /* in the order fed */
  clrt_tile back[4];
  assert_int_equal(clrt_scheduler_take_pending(&s, back, 4), 2);
  assert_int_equal(back[0].y, 8);
  clrt_scheduler_done(&s, &tile);
  clrt_scheduler_close_feed(&s);
  assert_false(clrt_scheduler_take(&s, true, &tile)); /* closed and empty: no wait */
  clrt_scheduler_state st = clrt_scheduler_state_of(&s);
  assert_true(st.finished && !st.available && st.pending == 0 && st.in_flight == 0);
  clrt_scheduler_retire_device(&s);
  assert_int_equal(clrt_scheduler_state_of(&s).active_devices, 1);
  clrt_scheduler_destroy(&s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_guided_strips_shrink_and_cover),
      cmocka_unit_test(test_guided_strips_stay_under_the_maximum),
      cmocka_unit_test(test_returned_tile_is_taken_again_and_missing_listed),
      cmocka_unit_test(test_guided_remainder_counts_as_one_missing_tile),
      cmocka_unit_test(test_fed_scheduler),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
