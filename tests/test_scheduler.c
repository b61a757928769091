/* The scheduler and tilings, without a device: guided strip sizes, tiles
 * taken, returned and done, what is missing, and the plans tilings give. */
#include "test_support.h"

#include <stdlib.h>
#include <string.h>

#include "clrt_progress.h"
#include "clrt_scheduler.h"
#include "clrt_tiling.h"

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

static void test_big_tiles_are_cut_into_bands(void **state) {
  (void)state;
  clrt_tile_plan plan;
  clrt_error err;
  clrt_tiling stored = {.strips = 1, .from_sweep = true};
  assert_int_equal(clrt_tiling_plan(&stored, 16384, 16384, &plan, &err), CLRT_OK);
  assert_int_equal(plan.count, 256); /* 256 Mpixel in bands of at most 1 Mpixel */
  assert_true(plan.max_pixels <= CLRT_MAX_TILE_PIXELS);
  clrt_tiles_free(&plan);
  clrt_tiling one = {.strips = 1}; /* --tiles 1 of 8000x8000: 62 bands of 129 or 130 rows (131 fit) */
  assert_int_equal(clrt_tiling_plan(&one, 8000, 8000, &plan, &err), CLRT_OK);
  assert_int_equal(plan.count, 62);
  assert_int_equal(plan.max_height, 130);
  clrt_tiles_free(&plan);
  clrt_tiling grid = {.tile_width = 3000, .tile_height = 3000}; /* 9 Mpixel tiles, clipped at the edges */
  assert_int_equal(clrt_tiling_plan(&grid, 7000, 4000, &plan, &err), CLRT_OK);
  assert_true(plan.max_pixels <= CLRT_MAX_TILE_PIXELS && plan.max_pixels > CLRT_MAX_TILE_PIXELS * 9 / 10);
  clrt_tiles_free(&plan);
  clrt_tiling given = {.strips = 1};
  assert_int_equal(clrt_tiling_plan(&given, 600, 400, &plan, &err), CLRT_OK);
  assert_int_equal(plan.count, 1);
  clrt_tiles_free(&plan);
  clrt_tiling guided = {.guided = true};
  assert_int_equal(clrt_tiling_plan(&guided, 600, 400, &plan, &err), CLRT_OK);
  assert_int_equal(plan.count, 0);
}

static void test_tiling_names_parse_back(void **state) {
  (void)state;
  const char *names[] = {"strips:8", "64x32"};
  for (size_t i = 0; i < 2; ++i) {
    clrt_tiling tiling;
    char name[32];
    assert_true(clrt_tiling_parse(names[i], &tiling));
    clrt_tiling_name(&tiling, name, sizeof name);
    assert_string_equal(name, names[i]);
  }
  clrt_tiling tiling;
  assert_false(clrt_tiling_parse("strips:0", &tiling));
  assert_false(clrt_tiling_parse("64x", &tiling));
  assert_false(clrt_tiling_parse("guided", &tiling));
}

static void test_default_tiling(void **state) {
  (void)state;
  setenv("CLRT_CACHE_DIR", "off", 1); /* no stored choice */
  clrt_device devices[2];
  memset(devices, 0, sizeof devices);
  assert_true(clrt_tiling_default(devices, 2, NULL).guided);
  clrt_tiling one = clrt_tiling_default(devices, 1, NULL);
  assert_false(one.guided || one.from_sweep);
  assert_int_equal(one.tile_width, CLRT_DEFAULT_TILE_SIDE);
  unsetenv("CLRT_CACHE_DIR");
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

/* While one heavy tile runs, the ETA falls steadily with the time it has
 * run at its device's speed, instead of waiting for it and then jumping. */
static void test_progress_eta_is_steady_during_a_heavy_tile(void **state) {
  (void)state;
  clrt_progress p;
  clrt_progress_init(&p, stderr, false, 1000);
  clrt_progress_label(&p, 0, "0:0");
  clrt_progress_tile_started(&p, 0, 100);
  clrt_progress_tile_done(&p, 0, 100, 5000);
  clrt_progress_tile_started(&p, 0, 900);
  /* as if the first tile had taken 1 s (0.1 pixel/ms) and the second had
   * started at t0 */
  double t0 = p.devices[0].busy_since_ms;
  p.devices[0].busy_ms = 1000.0;
  clrt_progress_estimate early = clrt_progress_estimate_at(&p, t0 + 1000.0);
  clrt_progress_estimate later = clrt_progress_estimate_at(&p, t0 + 5000.0);
  assert_float_equal(early.fraction, 0.2, 1e-9);
  assert_float_equal(early.eta_s, 8.0, 1e-9);
  assert_float_equal(later.fraction, 0.6, 1e-9);
  assert_float_equal(later.eta_s, 4.0, 1e-9);
  assert_true(later.mrays_per_s > 0.0);
  clrt_progress_estimate overdue = clrt_progress_estimate_at(&p, t0 + 60000.0);
  assert_true(overdue.fraction < 1.0);    /* a tile in flight is never all done */
  clrt_progress_tile_dropped(&p, 0, 900); /* it failed: back to what is finished */
  assert_float_equal(clrt_progress_estimate_at(&p, t0 + 6000.0).fraction, 0.1, 1e-9);
  clrt_progress_device_gone(&p, 0);
  assert_true(clrt_progress_estimate_at(&p, t0 + 6000.0).eta_s < 0.0); /* no device left with a speed */
  clrt_progress_destroy(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_guided_strips_shrink_and_cover),
      cmocka_unit_test(test_guided_strips_stay_under_the_maximum),
      cmocka_unit_test(test_returned_tile_is_taken_again_and_missing_listed),
      cmocka_unit_test(test_guided_remainder_counts_as_one_missing_tile),
      cmocka_unit_test(test_big_tiles_are_cut_into_bands),
      cmocka_unit_test(test_tiling_names_parse_back),
      cmocka_unit_test(test_default_tiling),
      cmocka_unit_test(test_progress_eta_is_steady_during_a_heavy_tile),
      cmocka_unit_test(test_fed_scheduler),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
