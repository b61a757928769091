/* clrt bench: records, exact ray counts, the host baseline, image checks,
 * the program cache, the tile sweep and its stored choice, and the JSON,
 * CSV, chart and comparison written from them. */
#include "test_support.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "clrt_bench.h"
#include "clrt_faults.h"
#include "clrt_program.h"
#include "clrt_tiling.h"

/* The PymoniK scene, small, in a file: a quick bench scene whose ray count
 * is known (one camera ray per pixel). */
static const char *small_scene(void) {
  static char path[600];
  char *text = test_read_file(CLRT_SOURCE_DIR "/scenes/pymonik.json", NULL);
  assert_non_null(text);
  char *width = strstr(text, "\"width\": 600"), *height = strstr(text, "\"height\": 400");
  assert_true(width && height);
  memcpy(width, "\"width\": 120", 12);
  memcpy(height, "\"height\":  90", 13);
  snprintf(path, sizeof path, "%s", test_write_temp(text, "small.json"));
  free(text);
  return path;
}

static clrt_bench_options quick_options(const char **scenes) {
  clrt_bench_options options = {.scene_paths = scenes,
                                .scene_count = 1,
                                .runs = 2,
                                .warmup = 1,
                                .min_time_s = 0.0,
                                .max_enqueue_ms = CLRT_BENCH_DEFAULT_MAX_ENQUEUE_MS};
  return options;
}

static const clrt_bench_record *only_device_record(const clrt_bench_results *results) {
  const clrt_bench_record *found = NULL;
  for (size_t i = 0; i < results->record_count; ++i)
    if (!results->records[i].sweep)
      found = &results->records[i];
  assert_non_null(found);
  return found;
}

static void run_bench(const clrt_bench_options *options, clrt_bench_results *results) {
  clrt_error err;
  if (clrt_bench_run(options, stderr, results, &err) != CLRT_OK)
    fail_msg("%s", err.message);
}

static void test_records_count_rays_and_check_pictures(void **state) {
  (void)state;
  clrt_device device;
  test_require_device(&device);
  const char *scenes[] = {small_scene()};
  clrt_bench_options options = quick_options(scenes);
  setenv(CLRT_CACHE_DIR_ENVIRONMENT, test_temp_dir(), 1);
  clrt_bench_results first, second;
  run_bench(&options, &first);
  run_bench(&options, &second);
  const clrt_bench_record *r = only_device_record(&first);
  assert_string_equal(r->scene, "small");
  assert_int_equal(strnlen(r->scene_hash, sizeof r->scene_hash), sizeof r->scene_hash - 1);
  assert_int_equal(r->rays, 120 * 90); /* exactly one ray per pixel */
  assert_true(r->scored);
  assert_string_equal(r->check, "ok");
  assert_true(r->frames >= 2);
  assert_true(r->mrays.min <= r->mrays.median && r->mrays.median <= r->mrays.max && r->mrays.min > 0);
  assert_true(r->speedup_vs_host > 0);
  assert_false(r->build_cached);
  assert_true(only_device_record(&second)->build_cached); /* the second run loads the binary */
  assert_true(first.baseline_count >= 1);
  assert_int_equal(first.baselines[0].threads, 1);
  assert_int_equal(first.baselines[0].rays, 120 * 90);
  clrt_bench_results_free(&first);
  clrt_bench_results_free(&second);
  unsetenv(CLRT_CACHE_DIR_ENVIRONMENT);
}

static void test_wrong_picture_gets_no_score(void **state) {
  (void)state;
  clrt_device device;
  test_require_device(&device);
  const char *scenes[] = {small_scene()};
  clrt_bench_options options = quick_options(scenes);
  char rule[64];
  snprintf(rule, sizeof rule, "%u:%u/all/wrong", device.platform_index, device.device_index);
  setenv(CLRT_FAULT_ENVIRONMENT, rule, 1);
  clrt_bench_results results;
  run_bench(&options, &results);
  unsetenv(CLRT_FAULT_ENVIRONMENT);
  const clrt_bench_record *r = only_device_record(&results);
  assert_false(r->scored);
  assert_non_null(strstr(r->check, "differs from the host reference"));
  clrt_bench_results_free(&results);
}

static void test_tile_sweep_stores_the_best_tiling(void **state) {
  (void)state;
  clrt_device device;
  test_require_device(&device);
  const char *scenes[] = {small_scene()};
  clrt_bench_options options = quick_options(scenes);
  options.tile_sweep = true;
  setenv(CLRT_CACHE_DIR_ENVIRONMENT, test_temp_dir(), 1);
  clrt_bench_results results;
  run_bench(&options, &results);
  size_t sweep = 0;
  bool one_per_row = false;
  for (size_t i = 0; i < results.record_count; ++i) {
    sweep += results.records[i].sweep;
    one_per_row = one_per_row || !strcmp(results.records[i].tiling, "strips:90");
  }
  assert_true(sweep >= 8 + 5); /* strips 1..64 and 90, and five squares */
  assert_true(one_per_row);
  assert_int_equal(results.pick_count, 1);
  assert_true(clrt_tiling_default(&device, 1).from_sweep);
  assert_non_null(strstr(results.tile_choice_path, "tile-choices.json"));
  clrt_bench_results_free(&results);
  unsetenv(CLRT_CACHE_DIR_ENVIRONMENT);
}

static void test_reports_and_comparison(void **state) {
  (void)state;
  clrt_device device;
  test_require_device(&device);
  const char *scenes[] = {small_scene()};
  clrt_bench_options options = quick_options(scenes);
  clrt_bench_results results;
  run_bench(&options, &results);
  char dir[300], json[400], csv[400], chart[400], compared[400];
  snprintf(dir, sizeof dir, "%s", test_temp_dir());
  snprintf(json, sizeof json, "%s/a.json", dir);
  snprintf(csv, sizeof csv, "%s/a.csv", dir);
  snprintf(chart, sizeof chart, "%s/a.svg", dir);
  snprintf(compared, sizeof compared, "%s/compare.txt", dir);
  clrt_error err;
  assert_int_equal(clrt_bench_write_json(&results, json, &err), CLRT_OK);
  assert_int_equal(clrt_bench_write_csv(&results, csv, &err), CLRT_OK);
  assert_int_equal(clrt_bench_write_chart(&results, chart, &err), CLRT_OK);
  json_t *root = json_load_file(json, 0, NULL);
  assert_non_null(root);
  json_t *record = json_array_get(json_object_get(root, "records"), 0);
  assert_int_equal(json_integer_value(json_object_get(record, "rays_per_frame")), 120 * 90);
  assert_non_null(json_string_value(json_object_get(json_object_get(root, "machine"), "cpu")));
  assert_non_null(json_string_value(json_object_get(json_object_get(root, "clrt"), "revision")));
  assert_non_null(json_string_value(json_object_get(record, "driver_version")));
  json_decref(root);
  char *text = test_read_file(csv, NULL);
  assert_non_null(strstr(text, "scene,scene_hash,width"));
  assert_non_null(strstr(text, "\nsmall,"));
  free(text);
  text = test_read_file(chart, NULL);
  assert_non_null(strstr(text, "<svg"));
  assert_non_null(strstr(text, "<rect"));
  free(text);
  FILE *out = fopen(compared, "w");
  assert_int_equal(clrt_bench_compare(json, json, out, &err), CLRT_OK);
  fclose(out);
  text = test_read_file(compared, NULL);
  assert_non_null(strstr(text, "1.00x"));
  free(text);
  assert_int_equal(clrt_bench_write_chart(&results, csv, &err), CLRT_ERR_INPUT); /* not .svg */
  clrt_bench_results_free(&results);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_records_count_rays_and_check_pictures),
      cmocka_unit_test(test_wrong_picture_gets_no_score),
      cmocka_unit_test(test_tile_sweep_stores_the_best_tiling),
      cmocka_unit_test(test_reports_and_comparison),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
