/* clrt bench: records, exact ray counts, the host baseline, image checks,
 * the program cache, the tile sweep and its stored choice, and the JSON,
 * CSV, chart and comparison written from them. */
#include "test_support.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "clrt_bench.h"
#include "clrt_cache.h"
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
  /* The SHA-256 of the scene file, as sha256sum would print it. */
  char *text = test_read_file(scenes[0], NULL), expected[CLRT_SHA256_TEXT];
  clrt_sha256_hex(text, strlen(text), expected);
  free(text);
  assert_string_equal(r->scene_sha256, expected);
  assert_int_equal(strnlen(r->scene_sha256, sizeof r->scene_sha256), 64);
  assert_int_equal(clrt_rays_total(&r->rays), 120 * 90); /* exactly one ray per pixel */
  assert_int_equal(r->rays.camera, 120 * 90);
  assert_true(r->scored);
  assert_string_equal(r->check, "ok");
  assert_true(r->frames >= 2);
  assert_true(r->mrays.min <= r->mrays.median && r->mrays.median <= r->mrays.max && r->mrays.min > 0);
  assert_true(r->speedup_vs_host > 0);
  assert_false(r->build_cached);
  assert_true(only_device_record(&second)->build_cached); /* the second run loads the binary */
  assert_true(first.baseline_count >= 1);
  assert_int_equal(first.baselines[0].threads, 1);
  assert_int_equal(clrt_rays_total(&first.baselines[0].rays), 120 * 90);
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
  assert_true(clrt_tiling_default(&device, 1, NULL).from_sweep);
  assert_non_null(strstr(results.picks[0].stored_in, "tile-choices.json"));
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
  assert_int_equal(json_integer_value(json_object_get(root, "schema_version")), 2);
  const char *kernel = json_string_value(json_object_get(json_object_get(root, "clrt"), "kernel_sha256"));
  assert_true(kernel && strlen(kernel) == 64);
  json_t *kinds = json_object_get(record, "rays_per_frame_by_kind");
  assert_int_equal(json_integer_value(json_object_get(kinds, "camera")), 120 * 90);
  assert_int_equal(json_integer_value(json_object_get(kinds, "shadow")), 0);
  assert_non_null(json_string_value(json_object_get(record, "driver_version")));
  json_decref(root);
  char *text = test_read_file(csv, NULL);
  assert_non_null(strstr(text, "scene,scene_sha256,width"));
  assert_non_null(strstr(text, "rays_per_frame,camera_rays_per_frame,bounce_rays_per_frame,shadow_rays_per_frame"));
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
  assert_non_null(strstr(text, "kernels: the same source"));
  free(text);
  assert_int_equal(clrt_bench_write_chart(&results, csv, &err), CLRT_ERR_INPUT); /* not .svg */
  clrt_bench_results_free(&results);
}

/* Results made up for the reports: two devices of a long name, both
 * together, one that failed, and the host on 1 and on 2 threads. */
static clrt_bench_results made_up_results(void) {
  clrt_bench_results results;
  memset(&results, 0, sizeof results);
  snprintf(results.machine.host, sizeof results.machine.host, "node1");
  snprintf(results.machine.cpu, sizeof results.machine.cpu, "Intel(R) Xeon(R) Processor");
  results.processes = 1;
  snprintf(results.machine.os, sizeof results.machine.os, "Debian GNU/Linux 12 (bookworm), Linux 6.1");
  results.machine.cores = 2;
  results.record_count = 4;
  results.records = calloc(4, sizeof *results.records);
  const char *labels[] = {"0:0", "0:1", "all", "1:0"};
  for (int i = 0; i < 4; ++i) {
    clrt_bench_record *r = &results.records[i];
    snprintf(r->scene, sizeof r->scene, "particles");
    r->width = 640, r->height = 360, r->samples = 1, r->spheres = 100001;
    snprintf(r->device, sizeof r->device, "pthread-skylake-avx512-Intel(R) Xeon(R) Processor with a long name");
    snprintf(r->device_label, sizeof r->device_label, "%s", labels[i]);
    snprintf(r->host, sizeof r->host, "node1");
    snprintf(r->device_type, sizeof r->device_type, "cpu");
    snprintf(r->platform, sizeof r->platform, "Portable Computing Language");
    snprintf(r->driver, sizeof r->driver, "3.1+debian");
    snprintf(r->tiling, sizeof r->tiling, i == 2 ? "guided" : "256x256");
    r->compute_units = 2, r->frames = 7, r->build_ms = 1344.0, r->rays = (clrt_ray_counts){230400, 0, 0};
    r->scored = i != 3;
    r->mrays = (clrt_stats){1234.5, 1300.25, 1411.75};
    r->msamples = (clrt_stats){1.0, 1234.56, 2.0};
    r->frame_ms = (clrt_stats){1.0, 75.1, 2.0};
    r->speedup_vs_host = 123.4, r->speedup_vs_cores = 61.7;
    r->scaling_efficiency = i == 2 ? 0.5 : 0.0;
    snprintf(r->check, sizeof r->check,
             i == 3 ? "device failed: 1:0 (a GPU): clEnqueueNDRangeKernel failed with "
                      "CL_OUT_OF_RESOURCES during the kernel, twice"
                    : "ok");
  }
  results.baseline_count = 2;
  results.baselines = calloc(2, sizeof *results.baselines);
  for (int i = 0; i < 2; ++i) {
    clrt_host_baseline *h = &results.baselines[i];
    snprintf(h->scene, sizeof h->scene, "particles");
    h->threads = i + 1, h->all_cores = i == 1, h->frames = 3, h->rays = (clrt_ray_counts){230400, 0, 0};
    h->mrays = (clrt_stats){2.2 * (i + 1), 2.3 * (i + 1), 2.4 * (i + 1)};
    h->msamples = (clrt_stats){0.8, 0.88 * (i + 1), 0.9};
    h->frame_ms = (clrt_stats){250.0, 260.4 / (i + 1), 270.0};
  }
  return results;
}

/* The column where the header word ends in a table's header line. */
static size_t header_end(const char *header, const char *word) {
  const char *at = strstr(header, word);
  assert_non_null(at);
  return (size_t)(at - header) + strlen(word);
}

/* The table fits 100 columns, names every device whole, and puts each
 * number under its header, host rows included. */
static void test_table_fits_a_terminal(void **state) {
  (void)state;
  clrt_bench_results results = made_up_results();
  FILE *out = tmpfile();
  clrt_bench_print_table(&results, out);
  rewind(out);
  char line[512], header[512] = "";
  size_t rows = 0;
  bool named = false, wrapped_check = false, rays_by_kind = false;
  while (fgets(line, sizeof line, out)) {
    line[strcspn(line, "\n")] = '\0';
    rays_by_kind =
        rays_by_kind || strstr(line, "a frame's rays: 0.23 M (camera 0.23 M, bounce 0.00 M, shadow 0.00 M)") != NULL;
    if (strlen(line) > 100)
      fail_msg("a line of %zu columns: %s", strlen(line), line);
    named = named || strstr(line, "pthread-skylake-avx512-Intel(R) Xeon(R) Processor with a") != NULL;
    wrapped_check = wrapped_check || strstr(line, "image: device failed: 1:0 (a GPU)") != NULL;
    if (!strncmp(line, "dev ", 4))
      snprintf(header, sizeof header, "%s", line);
    if (header[0] && (!strncmp(line, "host ", 5) || !strncmp(line, "0:0 ", 4) || !strncmp(line, "all ", 4))) {
      ++rows; /* a number ends exactly where its header does */
      const char *columns[] = {"Mrays/s", "Msamp/s", "frame ms", "vs 1 thr", "vs cores"};
      for (size_t c = 0; c < 5; ++c) {
        size_t end = header_end(header, columns[c]);
        if (line[end - 1] == ' ' || line[end] != ' ')
          fail_msg("'%s' is not under %s: %s", line, columns[c], header);
      }
    }
  }
  fclose(out);
  assert_int_equal(rows, 4); /* two host rows, 0:0 and all */
  assert_true(named && wrapped_check && rays_by_kind);
  free(results.records);
  free(results.baselines);
}

/* Under mpirun, the legend says which machine each device is in, and
 * what R/P:D and "all" mean. */
static void test_table_under_mpirun(void **state) {
  (void)state;
  clrt_bench_results results = made_up_results();
  results.processes = 2;
  snprintf(results.records[3].device_label, sizeof results.records[3].device_label, "1/0:0");
  snprintf(results.records[3].host, sizeof results.records[3].host, "node2");
  FILE *out = tmpfile();
  clrt_bench_print_table(&results, out);
  rewind(out);
  char text[16384];
  size_t length = fread(text, 1, sizeof text - 1, out);
  text[length] = '\0';
  fclose(out);
  assert_non_null(strstr(text, "  1/0:0 pthread-skylake"));
  assert_non_null(strstr(text, "; on node2\n"));
  assert_non_null(strstr(text, "Under mpirun, 2 processes: R/P:D is process R's device P:D."));
  assert_non_null(strstr(text, "The host rows are process 0's machine (node1)."));
  free(results.records);
  free(results.baselines);
}

/* The CSV has the host rows, and no made-up 0 where a figure has no
 * meaning (scaling for one device); the chart's labels clear the whiskers. */
static void test_csv_and_chart_details(void **state) {
  (void)state;
  clrt_bench_results results = made_up_results();
  char dir[300], csv[400], chart[400];
  snprintf(dir, sizeof dir, "%s", test_temp_dir());
  snprintf(csv, sizeof csv, "%s/a.csv", dir);
  snprintf(chart, sizeof chart, "%s/a.svg", dir);
  clrt_error err;
  assert_int_equal(clrt_bench_write_csv(&results, csv, &err), CLRT_OK);
  char *text = test_read_file(csv, NULL);
  assert_non_null(strstr(text, ",host,\"host C, 1 thread\",node1,cpu,1,"));
  assert_non_null(strstr(text, ",host,\"host C, 2 threads (all cores)\",node1,cpu,2,"));
  assert_non_null(strstr(text, ",0:0,pthread-skylake-avx512-Intel(R) Xeon(R) Processor with a long name,node1,cpu,"));
  assert_non_null(strstr(text, ",123.400,61.700,,1,ok\n"));      /* one device: no scaling figure */
  assert_non_null(strstr(text, ",123.400,61.700,0.500,1,ok\n")); /* all devices together */
  free(text);
  assert_int_equal(clrt_bench_write_chart(&results, chart, &err), CLRT_OK);
  text = test_read_file(chart, NULL);
  size_t whiskers = 0;
  for (const char *at = text; (at = strstr(at, "stroke='#333'/>\n<text ")); ++at) {
    const char *line = at;
    while (line > text && line[-1] != '\n')
      --line;
    int x1, y1, x2, top, label_x, label_y;
    assert_int_equal(sscanf(line, "<line x1='%d' y1='%d' x2='%d' y2='%d'", &x1, &y1, &x2, &top), 4);
    assert_int_equal(sscanf(strchr(at, '<'), "<text x='%d' y='%d'", &label_x, &label_y), 2);
    assert_true(label_y < top); /* the label sits above the whisker's top */
    ++whiskers;
  }
  assert_true(whiskers >= 3);
  assert_non_null(strstr(text, ">host C, 2 threads (all cores)</text>"));
  assert_null(strstr(text, "all cores (OpenMP)"));
  free(text);
  free(results.records);
  free(results.baselines);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_records_count_rays_and_check_pictures),
      cmocka_unit_test(test_wrong_picture_gets_no_score),
      cmocka_unit_test(test_tile_sweep_stores_the_best_tiling),
      cmocka_unit_test(test_reports_and_comparison),
      cmocka_unit_test(test_table_fits_a_terminal),
      cmocka_unit_test(test_table_under_mpirun),
      cmocka_unit_test(test_csv_and_chart_details),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
