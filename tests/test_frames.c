/* clrt bench's frames (host/bench/frames.c): warm-up, then timed frames
 * until the quota is met, their statistics, the last frame's picture; a
 * failing device's frames give no figures and say why. */
#include "test_support.h"

#include <stdlib.h>
#include <string.h>

#include "bench_frames.h"
#include "clrt_faults.h"

enum { WIDTH = 64, HEIGHT = 48 };

typedef struct fixture {
  clrt_device device;
  bench_scene scene;
  clrt_fault_rules faults;
  clrt_session *session;
  clrt_bench_options options;
  clrt_bench_results results;
  bench_context context;
} fixture;

static void set_up(fixture *f, const char *faults) {
  memset(f, 0, sizeof *f);
  test_require_device(&f->device);
  test_flatten_file("scenes/default.json", WIDTH, HEIGHT, &f->scene.flat);
  clrt_error err;
  snprintf(f->scene.name, sizeof f->scene.name, "default");
  assert_int_equal(clrt_faults_parse(faults, &f->faults, &err), CLRT_OK);
  clrt_session_options options = {
      .max_tile_pixels = WIDTH * HEIGHT, .tile_timeout_ms = 60e3, .faults = &f->faults, .build_log = stderr};
  f->session = test_open_session(&f->device, &f->scene.flat, &options);
  f->context = (bench_context){.options = &f->options, .results = &f->results, .log = stderr};
}

static void tear_down(fixture *f) {
  clrt_session_close(f->session);
  clrt_faults_free(&f->faults);
  clrt_flat_scene_free(&f->scene.flat);
}

/* The bytes and rays of one frame of the whole picture as one tile. */
static uint8_t *one_tile(fixture *f, uint64_t *rays) {
  clrt_tile whole = {0, 0, WIDTH, HEIGHT};
  clrt_error err;
  assert_int_equal(clrt_session_submit(f->session, &whole, &err), CLRT_OK);
  clrt_tile_outcome outcome;
  while (clrt_session_wait(f->session, 1e300, &outcome) == CLRT_TILE_RUNNING)
    continue;
  uint8_t *rgb = malloc((size_t)WIDTH * HEIGHT * 3);
  assert_non_null(rgb);
  memcpy(rgb, outcome.pixels, (size_t)WIDTH * HEIGHT * 3);
  *rays = clrt_rays_total(&outcome.rays);
  return rgb;
}

/* Runs, then at least the minimum time: the frames, their figures, and
 * the picture (the same bytes as one tile). */
static void test_frames_meet_the_quota_and_keep_the_picture(void **state) {
  (void)state;
  fixture f;
  set_up(&f, NULL);
  uint64_t rays;
  uint8_t *expected = one_tile(&f, &rays);
  clrt_tiling tiling = {.tile_width = 16, .tile_height = 16};
  clrt_bench_record record = {.samples_per_frame = (double)WIDTH * HEIGHT * f.scene.flat.params.samples};
  uint8_t *rgb = malloc((size_t)WIDTH * HEIGHT * 3);
  assert_non_null(rgb);
  assert_true(
      bench_run_frames(&f.context, &f.session, 1, &f.scene, &tiling, (frame_quota){1, 3, 0.0}, false, &record, rgb));
  assert_int_equal(record.frames, 3);
  assert_int_equal(record.tile_count, 4 * 3);
  assert_true(clrt_rays_total(&record.rays) == rays);
  assert_memory_equal(rgb, expected, (size_t)WIDTH * HEIGHT * 3);
  assert_true(record.mrays.min > 0 && record.mrays.min <= record.mrays.median &&
              record.mrays.median <= record.mrays.max);
  assert_true(record.frame_ms.min > 0 && record.kernel_ms.max <= record.frame_ms.max);
  double expected_mrays = (double)rays / record.frame_ms.median / 1e3;
  assert_float_equal(record.mrays.median, expected_mrays, expected_mrays * 1e-9); /* Mrays/s fall as frame times rise */
  clrt_bench_record timed = {0};
  assert_true(
      bench_run_frames(&f.context, &f.session, 1, &f.scene, &tiling, (frame_quota){0, 1, 0.3}, false, &timed, NULL));
  assert_true(timed.frames >= 2);
  assert_true(timed.frame_ms.median * timed.frames >= 300.0 * 0.5);
  free(rgb);
  free(expected);
  tear_down(&f);
}

/* A device that fails its tiles: no figures, and the record says why. */
static void test_a_failing_device_measures_nothing(void **state) {
  (void)state;
  clrt_device device;
  test_require_device(&device);
  fixture f;
  set_up(&f, test_fault_rule(&device, "all"));
  clrt_tiling tiling = {.strips = 2};
  clrt_bench_record record = {0};
  assert_false(
      bench_run_frames(&f.context, &f.session, 1, &f.scene, &tiling, (frame_quota){0, 2, 0.0}, false, &record, NULL));
  assert_int_equal(record.frames, 0);
  assert_non_null(strstr(record.check, "device failed: "));
  assert_non_null(strstr(record.check, "injected by CLRT_INJECT_FAULT"));
  tear_down(&f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_frames_meet_the_quota_and_keep_the_picture),
      cmocka_unit_test(test_a_failing_device_measures_nothing),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
