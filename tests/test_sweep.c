/* clrt bench --tile-sweep (host/bench/sweep.c): the tilings it measures,
 * the room tiles need, and the tiling it picks and stores for clrt render
 * (the best mean over the swept scenes, within the GPU watchdog). */
#include "test_support.h"

#include <stdlib.h>
#include <string.h>

#include "bench_sweep.h"
#include "clrt_cache.h"
#include "clrt_scheduler.h"
#include "clrt_tiling.h"

static clrt_device fake_device(const char *name, cl_device_type type) {
  clrt_device device = {.type = type, .compute_units = 4};
  snprintf(device.name, sizeof device.name, "%s", name);
  snprintf(device.driver_version, sizeof device.driver_version, "test 1.0");
  return device;
}

/* A swept record of `tiling` on device 0:0 for `scene`. */
static void add_record(clrt_bench_results *r, const char *scene, const char *tiling, double mrays, double kernel_ms) {
  clrt_bench_record *record = bench_new_record(r);
  assert_non_null(record);
  snprintf(record->scene, sizeof record->scene, "%s", scene);
  snprintf(record->tiling, sizeof record->tiling, "%s", tiling);
  snprintf(record->device_label, sizeof record->device_label, "0:0");
  record->width = 1000;
  record->height = 1000;
  record->sweep = record->scored = true;
  record->mrays.median = mrays;
  record->frame_ms.median = record->kernel_ms.median = kernel_ms;
}

/* The best tiling over both scenes is the best mean of the rates relative
 * to each scene's best: strips:4 (1.0 and 0.9) beats 64x64 (0.7 and
 * 1.0); it is stored, and clrt render's default on that device after. */
static void test_the_best_mean_tiling_is_picked_and_stored(void **state) {
  (void)state;
  test_fresh_cache();
  clrt_bench_options options = {.max_enqueue_ms = 100.0};
  clrt_bench_results results;
  memset(&results, 0, sizeof results);
  clrt_device device = fake_device("sweep test CPU", CL_DEVICE_TYPE_CPU);
  bench_context b = {.options = &options, .results = &results, .log = stderr, .devices = &device, .device_count = 1};
  add_record(&results, "a", "strips:4", 100.0, 10.0);
  add_record(&results, "a", "64x64", 70.0, 10.0);
  add_record(&results, "b", "strips:4", 45.0, 10.0);
  add_record(&results, "b", "64x64", 50.0, 10.0);
  add_record(&results, "a", "strips:1", 300.0, 10.0); /* best on a, never measured on b: not a candidate */
  clrt_error err;
  assert_int_equal(bench_pick_tilings(&b, 2, &err), CLRT_OK);
  assert_int_equal(results.pick_count, 1);
  assert_string_equal(results.picks[0].tiling, "strips:4");
  assert_false(results.picks[0].capped);
  clrt_tiling chosen = clrt_tiling_default(&device, 1, stderr);
  assert_true(chosen.from_sweep);
  assert_int_equal(chosen.strips, 4);
  clrt_bench_results_free(&results);
  unsetenv(CLRT_CACHE_DIR_ENVIRONMENT);
}

/* On a GPU one enqueue must stay under --max-enqueue-ms: a tiling whose
 * largest tile takes longer is passed over, and the pick says so. */
static void test_a_gpu_pick_stays_under_the_watchdog(void **state) {
  (void)state;
  test_fresh_cache();
  clrt_bench_options options = {.max_enqueue_ms = 20.0};
  clrt_bench_results results;
  memset(&results, 0, sizeof results);
  clrt_device device = fake_device("sweep test GPU", CL_DEVICE_TYPE_GPU);
  bench_context b = {.options = &options, .results = &results, .log = stderr, .devices = &device, .device_count = 1};
  /* 1000x1000 in 100 ms: 10 px/us. strips:1 (10^6 px a tile) takes 100 ms
   * an enqueue; 64x64 tiles take 0.4 ms. */
  add_record(&results, "a", "strips:1", 100.0, 100.0);
  add_record(&results, "a", "64x64", 80.0, 100.0);
  clrt_error err;
  assert_int_equal(bench_pick_tilings(&b, 1, &err), CLRT_OK);
  assert_int_equal(results.pick_count, 1);
  assert_string_equal(results.picks[0].tiling, "64x64");
  assert_true(results.picks[0].capped);
  clrt_bench_results_free(&results);
  unsetenv(CLRT_CACHE_DIR_ENVIRONMENT);
}

/* The room tiles need: each device's default tiling, the whole picture
 * for the sweep's single strip, guided strips for several devices. */
static void test_tile_capacity_covers_every_measurement(void **state) {
  (void)state;
  test_fresh_cache(); /* no stored choices */
  clrt_bench_options options = {0};
  clrt_device devices[2] = {fake_device("one", CL_DEVICE_TYPE_CPU), fake_device("two", CL_DEVICE_TYPE_CPU)};
  bench_context b = {.options = &options, .log = stderr, .devices = devices, .device_count = 1};
  bench_scene s = {.flat.params = {.width = 1000, .height = 700}};
  assert_int_equal(bench_tile_capacity(&b, &s), 256 * 256);
  b.device_count = 2;
  size_t guided = clrt_scheduler_guided_max_pixels(1000, 700);
  assert_int_equal(bench_tile_capacity(&b, &s), guided > 256 * 256 ? guided : 256 * 256);
  options.tile_sweep = true;
  assert_int_equal(bench_tile_capacity(&b, &s), 1000 * 700);
  unsetenv(CLRT_CACHE_DIR_ENVIRONMENT);
}

/* On a device: strips from 1 to one per row, doubling, then the squares;
 * every record swept, and its picture the first tiling's. */
static void test_the_sweep_measures_strips_and_squares(void **state) {
  (void)state;
  clrt_device device;
  test_require_device(&device);
  clrt_bench_options options = {0};
  clrt_bench_results results;
  memset(&results, 0, sizeof results);
  bench_context b = {.options = &options, .results = &results, .log = stderr};
  bench_scene s;
  memset(&s, 0, sizeof s);
  test_flatten_file("scenes/default.json", 40, 12, &s.flat);
  clrt_error err;
  snprintf(s.name, sizeof s.name, "default");
  clrt_session_options session_options = {.max_tile_pixels = 40 * 12, .tile_timeout_ms = 60e3, .build_log = stderr};
  clrt_session *session = test_open_session(&device, &s.flat, &session_options);
  assert_int_equal(bench_sweep_device(&b, session, &s, &err), CLRT_OK);
  const char *expected[] = {"strips:1", "strips:2", "strips:4", "strips:8", "strips:12", "16x16",
                            "32x32",    "64x64",    "128x128",  "256x256",  "512x512",   "1024x1024"};
  assert_int_equal(results.record_count, sizeof expected / sizeof expected[0]);
  for (size_t i = 0; i < results.record_count; ++i) {
    assert_string_equal(results.records[i].tiling, expected[i]);
    assert_true(results.records[i].sweep);
    assert_int_equal(results.records[i].frames, 3);
    assert_true(results.records[i].scored);
  }
  clrt_session_close(session);
  clrt_flat_scene_free(&s.flat);
  free(s.first_rgb);
  clrt_bench_results_free(&results);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_the_best_mean_tiling_is_picked_and_stored),
      cmocka_unit_test(test_a_gpu_pick_stays_under_the_watchdog),
      cmocka_unit_test(test_tile_capacity_covers_every_measurement),
      cmocka_unit_test(test_the_sweep_measures_strips_and_squares),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
