/* One frame (host/frame/frame.c): its tiles prepared from a tiling, then
 * rendered on open sessions or on devices (sessions opened side by side),
 * tiles no device rendered listed, a stop honoured; the same bytes
 * whatever the tiling, rendering after rendering. */
#include "test_support.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "clrt_faults.h"
#include "clrt_frame.h"
#include "clrt_stop.h"

enum { WIDTH = 120, HEIGHT = 68 };

static void test_prepare_cuts_the_tiles(void **state) {
  (void)state;
  clrt_frame frame;
  clrt_error err;
  clrt_tiling strips = {.strips = 7}, grid = {.tile_width = 50, .tile_height = 30}, guided = {.guided = true};
  assert_int_equal(clrt_frame_prepare(&frame, &strips, WIDTH, HEIGHT, 3, false, &err), CLRT_OK);
  assert_false(frame.guided || frame.across_cluster);
  assert_int_equal(frame.plan.count, 7);
  assert_int_equal(frame.devices, 3);
  assert_int_equal(frame.max_tile_pixels, WIDTH * 10); /* 68 rows in 7 strips: 10 at most */
  clrt_frame_free(&frame);
  assert_int_equal(clrt_frame_prepare(&frame, &grid, WIDTH, HEIGHT, 1, false, &err), CLRT_OK);
  assert_int_equal(frame.plan.count, 3 * 3);
  assert_int_equal(frame.max_tile_pixels, 50 * 30);
  clrt_frame_free(&frame);
  assert_int_equal(clrt_frame_prepare(&frame, &guided, WIDTH, HEIGHT, 2, false, &err), CLRT_OK);
  assert_true(frame.guided);
  assert_int_equal(frame.plan.count, 0);
  assert_int_equal(frame.max_tile_pixels, clrt_scheduler_guided_max_pixels(WIDTH, HEIGHT));
  clrt_frame_free(&frame);
}

typedef struct fixture {
  clrt_device device;
  clrt_flat_scene flat;
  clrt_fault_rules faults;
  clrt_session_options options;
  clrt_progress progress;
} fixture;

static void set_up(fixture *f, const char *faults) {
  memset(f, 0, sizeof *f);
  test_require_device(&f->device);
  test_flatten_file("scenes/default.json", WIDTH, HEIGHT, &f->flat);
  clrt_error err;
  assert_int_equal(clrt_faults_parse(faults, &f->faults, &err), CLRT_OK);
  f->options = (clrt_session_options){
      .max_tile_pixels = WIDTH * HEIGHT, .tile_timeout_ms = 60e3, .faults = &f->faults, .build_log = stderr};
  clrt_progress_init(&f->progress, stderr, false, WIDTH * HEIGHT);
}

static void tear_down(fixture *f) {
  clrt_progress_destroy(&f->progress);
  clrt_faults_free(&f->faults);
  clrt_flat_scene_free(&f->flat);
}

/* Renders the frame of `tiling` on `devices` into a fresh film: its
 * bytes (free them) and the outcome (free it). */
static uint8_t *render(fixture *f, const clrt_tiling *tiling, const clrt_frame_devices *devices,
                       clrt_frame_outcome *outcome, clrt_status *status) {
  clrt_frame frame;
  clrt_film film;
  clrt_error err;
  assert_int_equal(clrt_frame_prepare(&frame, tiling, WIDTH, HEIGHT, (unsigned)devices->count, false, &err), CLRT_OK);
  assert_int_equal(clrt_film_init(&film, WIDTH, HEIGHT, CLRT_FILM_LEVELS, f->flat.tone_levels, &err), CLRT_OK);
  *status = clrt_frame_render(&frame, devices, &film, CLRT_TILE_LEVELS, &f->progress, outcome, &err);
  uint8_t *bytes = malloc((size_t)WIDTH * HEIGHT * 3);
  assert_non_null(bytes);
  memcpy(bytes, film.rgb, (size_t)WIDTH * HEIGHT * 3);
  clrt_film_free(&film);
  clrt_frame_free(&frame);
  return bytes;
}

/* On an open session, one tile, strips and a grid give the same bytes and
 * the same rays; the outcome counts the tiles and lists none missing. */
static void test_every_tiling_gives_the_same_frame(void **state) {
  (void)state;
  fixture f;
  set_up(&f, NULL);
  clrt_session *session = test_open_session(&f.device, &f.flat, &f.options);
  clrt_frame_devices devices = {&session, NULL, 1, NULL, NULL};
  const clrt_tiling tilings[] = {{.strips = 1}, {.strips = 7}, {.tile_width = 32, .tile_height = 16}, {.guided = true}};
  uint8_t *first = NULL;
  uint64_t first_rays = 0;
  for (size_t i = 0; i < sizeof tilings / sizeof tilings[0]; ++i) {
    clrt_frame_outcome outcome;
    clrt_status status;
    uint8_t *bytes = render(&f, &tilings[i], &devices, &outcome, &status);
    assert_int_equal(status, CLRT_OK);
    assert_int_equal(outcome.missing_count, 0);
    assert_int_equal(outcome.processes[0].tiles, outcome.tiles_done);
    assert_int_equal(outcome.processes[0].pixels, WIDTH * HEIGHT);
    if (tilings[i].strips)
      assert_int_equal(outcome.tiles_done, tilings[i].strips);
    if (!first) {
      first = bytes;
      first_rays = clrt_rays_total(&outcome.farm.rays);
    } else {
      assert_memory_equal(bytes, first, (size_t)WIDTH * HEIGHT * 3);
      assert_true(clrt_rays_total(&outcome.farm.rays) == first_rays);
      free(bytes);
    }
    clrt_frame_outcome_free(&outcome);
  }
  free(first);
  clrt_session_close(session);
  tear_down(&f);
}

/* On devices, the farm opens the sessions itself: the same picture. */
static void test_a_frame_on_devices_opens_their_sessions(void **state) {
  (void)state;
  fixture f;
  set_up(&f, NULL);
  clrt_session *session = test_open_session(&f.device, &f.flat, &f.options);
  clrt_frame_devices on_session = {&session, NULL, 1, NULL, NULL};
  clrt_frame_devices on_device = {NULL, &f.device, 1, &f.flat, &f.options};
  clrt_tiling tiling = {.tile_width = 64, .tile_height = 64};
  clrt_frame_outcome a, b;
  clrt_status status;
  uint8_t *expected = render(&f, &tiling, &on_session, &a, &status);
  uint8_t *bytes = render(&f, &tiling, &on_device, &b, &status);
  assert_int_equal(status, CLRT_OK);
  assert_memory_equal(bytes, expected, (size_t)WIDTH * HEIGHT * 3);
  assert_true(b.farm.devices[0].build_ms > 0.0);
  free(expected);
  free(bytes);
  clrt_frame_outcome_free(&a);
  clrt_frame_outcome_free(&b);
  clrt_session_close(session);
  tear_down(&f);
}

/* A device that fails every tile: the frame still ends (CLRT_OK), with
 * every tile listed as missing and the device's error kept. */
static void test_tiles_no_device_rendered_are_listed(void **state) {
  (void)state;
  clrt_device device;
  test_require_device(&device);
  fixture f;
  set_up(&f, test_fault_rule(&device, "all"));
  clrt_frame_devices devices = {NULL, &f.device, 1, &f.flat, &f.options};
  clrt_tiling tiling = {.strips = 4};
  clrt_frame_outcome outcome;
  clrt_status status;
  free(render(&f, &tiling, &devices, &outcome, &status));
  assert_int_equal(status, CLRT_OK);
  assert_int_equal(outcome.missing_count, 4);
  assert_int_equal(outcome.tiles_done, 0);
  assert_true(outcome.farm.devices[0].retired);
  assert_non_null(strstr(clrt_farm_cause(&outcome.farm)->message, "injected by CLRT_INJECT_FAULT"));
  clrt_frame_outcome_free(&outcome);
  tear_down(&f);
}

/* Stopped by Ctrl-C: the stop's status, saying how far it got. */
static void test_a_stopped_frame_says_so(void **state) {
  (void)state;
  fixture f;
  set_up(&f, NULL);
  f.flat.params.samples = 1024; /* seconds of work: the stop comes first */
  clrt_frame_devices devices = {NULL, &f.device, 1, &f.flat, &f.options};
  clrt_tiling tiling = {.strips = 68};
  clrt_stop_catch();
  raise(SIGINT);
  clrt_frame_outcome outcome;
  clrt_status status;
  free(render(&f, &tiling, &devices, &outcome, &status));
  assert_int_equal(status, CLRT_ERR_INTERRUPTED);
  assert_true(outcome.farm.interrupted);
  assert_true(outcome.tiles_done < 68);
  clrt_frame_outcome_free(&outcome);
  clrt_stop_catch();
  tear_down(&f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_prepare_cuts_the_tiles),
      cmocka_unit_test(test_every_tiling_gives_the_same_frame),
      cmocka_unit_test(test_a_frame_on_devices_opens_their_sessions),
      cmocka_unit_test(test_tiles_no_device_rendered_are_listed),
      cmocka_unit_test(test_a_stopped_frame_says_so),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
