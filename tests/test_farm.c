/* The farm (host/render/farm.c): one picture on several devices, the same
 * bytes as on one device, tiles of a failing or hung device taken over,
 * missing tiles reported.
 * Runs with POCL_DEVICES="pthread basic" (set by ctest): a fast and a slow
 * CPU device. Faults come from CLRT_INJECT_FAULT (clrt_faults.h). */
#include "test_support.h"

#include <stdlib.h>
#include <string.h>

#include "clrt_faults.h"

typedef struct two_devices {
  clrt_device devices[2];
  size_t count;
} two_devices;

static void require_two_devices(two_devices *out) {
  test_require_pocl("the farm's tests need two devices of different speeds, which POCL_DEVICES gives");
  clrt_device_list list;
  clrt_error err;
  assert_int_equal(clrt_devices_discover(&list, &err), CLRT_OK);
  if (list.count < 2)
    fail_msg("needs two devices: run with POCL_DEVICES=\"pthread basic\" (found %zu)", list.count);
  out->devices[0] = list.devices[0];
  out->devices[1] = list.devices[1];
  out->count = 2;
  clrt_devices_free(&list);
}

/* The scene rendered on both devices (guided) against one device alone. */
typedef struct comparison {
  clrt_scene scene;
  picture alone, together;
  clrt_farm_result result;
  size_t missing_pixels;
} comparison;

/* Renders on both devices with `faults` injected, tiles handed out from
 * `plan` (NULL: guided strips), against 0:1 alone. */
static void compare_with_faults_on(comparison *c, const char *faults, double timeout_ms, const clrt_tile_plan *plan) {
  two_devices d;
  require_two_devices(&d);
  test_load_scene("scenes/default.json", 320, 180, &c->scene);
  unsetenv(CLRT_FAULT_ENVIRONMENT);
  /* Both programs into the cache first: otherwise which device gets tiles
   * would depend on how long the slow one takes to build. */
  picture warm = test_render_device(&d.devices[0], &c->scene, 0, 64, 64, CLRT_FILM_LINEAR);
  test_picture_free(&warm);
  c->alone = test_render_device(&d.devices[1], &c->scene, 0, 64, 64, CLRT_FILM_LINEAR);
  if (faults)
    setenv(CLRT_FAULT_ENVIRONMENT, faults, 1);
  c->together =
      test_render_on(d.devices, 2, &c->scene, plan, CLRT_FILM_LINEAR, timeout_ms, &c->result, &c->missing_pixels);
  unsetenv(CLRT_FAULT_ENVIRONMENT);
}

static void compare_with_faults(comparison *c, const char *faults, double timeout_ms) {
  compare_with_faults_on(c, faults, timeout_ms, NULL);
}

static void assert_identical(const comparison *c) {
  assert_int_equal(c->missing_pixels, 0);
  test_assert_not_flat(&c->alone);
  assert_memory_equal(c->alone.linear, c->together.linear, (size_t)320 * 180 * 3 * sizeof(float));
}

static void comparison_free(comparison *c) {
  test_picture_free(&c->alone);
  test_picture_free(&c->together);
  clrt_farm_result_free(&c->result);
  clrt_scene_free(&c->scene);
}

static void test_both_devices_give_the_one_device_picture(void **state) {
  (void)state;
  comparison c;
  compare_with_faults(&c, NULL, 60e3);
  assert_identical(&c);
  size_t pixels = c.result.devices[0].pixels + c.result.devices[1].pixels;
  assert_int_equal(pixels, 320 * 180);
  /* Which device takes which strip is timing: the fast one may take all
   * four before the slow one has its session ready. That both devices'
   * tiles make one picture is certain in test_hung_tile_is_taken_over. */
  assert_int_equal(c.result.devices[0].failures + c.result.devices[1].failures, 0);
  comparison_free(&c);
}

static void test_failed_tile_goes_back_to_the_queue(void **state) {
  (void)state;
  comparison c;
  /* Each device fails its first tile, if it takes one: which of them takes
   * tiles is timing (under the sanitizers the fast 0:1 may open its
   * session after the slow 0:0 has taken every strip), but one of them
   * does, and the failed tile must come back into the picture. */
  compare_with_faults(&c, "0:0/1;0:1/1", 60e3);
  assert_identical(&c);
  unsigned failures = c.result.devices[0].failures + c.result.devices[1].failures;
  assert_true(failures >= 1 && c.result.devices[0].failures <= 1 && c.result.devices[1].failures <= 1);
  assert_false(c.result.devices[0].retired || c.result.devices[1].retired);
  comparison_free(&c);
}

static void test_repeatedly_failing_device_is_retired(void **state) {
  (void)state;
  comparison c;
  compare_with_faults(&c, "0:0/all", 60e3);
  assert_identical(&c);
  assert_int_equal(c.result.devices[0].tiles, 0);
  assert_int_equal(c.result.devices[1].pixels, 320 * 180);
  /* The fast device may take every tile before the slow one asks for a
   * second (the frame is four strips): then it failed once and was not
   * retired. Retiring after every failure is certain in
   * test_no_working_device_leaves_tiles_missing. */
  const clrt_device_figures *failing = &c.result.devices[0];
  assert_true(failing->failures <= CLRT_MAX_DEVICE_FAILURES);
  assert_true(failing->retired == (failing->failures == CLRT_MAX_DEVICE_FAILURES));
  if (failing->failures)
    assert_non_null(strstr(failing->last_error.message, "injected"));
  comparison_free(&c);
}

static void test_hung_tile_is_taken_over(void **state) {
  (void)state;
  comparison c;
  /* Sixty tiles, so that the fast 0:1 surely asks for a second: with a
   * few guided strips the slow 0:0 can take all the rest while 0:1 runs
   * its first, and 0:1 never hangs (the test failed so once in seven runs
   * of the suite). */
  clrt_tile_plan plan;
  clrt_error err;
  assert_int_equal(clrt_tiles_grid(320, 180, 32, 32, &plan, &err), CLRT_OK);
  compare_with_faults_on(&c, "0:1/2/hang", 500.0, &plan); /* its second tile never completes */
  clrt_tiles_free(&plan);
  assert_identical(&c);
  assert_true(c.result.devices[1].retired);
  /* 0:1 finished its first tile; 0:0 rendered the one 0:1 hung on */
  assert_true(c.result.devices[0].tiles > 0 && c.result.devices[1].tiles > 0);
  /* the limit: --tile-timeout and what the tile's work could take at the
   * device's speed, a little more here */
  const char *limit = strstr(c.result.devices[1].last_error.message, "exceeded its ");
  assert_non_null(limit);
  double seconds = atof(limit + strlen("exceeded its "));
  assert_true(seconds >= 0.5 && seconds < 5.0);
  comparison_free(&c);
}

static void test_no_working_device_leaves_tiles_missing(void **state) {
  (void)state;
  comparison c;
  compare_with_faults(&c, "0:0/all;0:1/all", 60e3);
  assert_int_equal(c.result.devices[0].tiles + c.result.devices[1].tiles, 0);
  assert_true(c.result.devices[0].retired && c.result.devices[1].retired);
  assert_int_equal(c.missing_pixels, 320 * 180);
  comparison_free(&c);
}

/* A path-traced picture is the same on one device or two: a sample's
 * numbers depend on its pixel and index, not on who traces it. */
static void test_path_tracing_on_both_devices(void **state) {
  (void)state;
  two_devices d;
  require_two_devices(&d);
  clrt_scene scene;
  test_load_scene("scenes/bench/room.json", 96, 72, &scene);
  scene.sampling.samples = 2;
  picture alone = test_render_device(&d.devices[0], &scene, 1, 0, 0, CLRT_FILM_LINEAR);
  clrt_farm_result result;
  size_t missing_pixels;
  picture together = test_render_on(d.devices, 2, &scene, NULL, CLRT_FILM_LINEAR, 60e3, &result, &missing_pixels);
  assert_int_equal(missing_pixels, 0);
  assert_memory_equal(alone.linear, together.linear, (size_t)96 * 72 * 3 * sizeof(float));
  assert_int_equal(result.rays.camera, 96 * 72 * 2);
  assert_true(result.rays.bounce > 0 && result.rays.shadow > 0);
  clrt_farm_result_free(&result);
  test_picture_free(&alone);
  test_picture_free(&together);
  clrt_scene_free(&scene);
}

static void test_fixed_tiles_on_both_devices(void **state) {
  (void)state;
  two_devices d;
  require_two_devices(&d);
  clrt_scene scene;
  test_load_scene("scenes/pymonik.json", 0, 0, &scene);
  picture alone = test_render_device(&d.devices[0], &scene, 1, 0, 0, CLRT_FILM_LINEAR);
  clrt_tile_plan plan;
  clrt_error err;
  assert_int_equal(clrt_tiles_grid(600, 400, 32, 32, &plan, &err), CLRT_OK);
  clrt_farm_result result;
  size_t missing_pixels;
  picture together = test_render_on(d.devices, 2, &scene, &plan, CLRT_FILM_LINEAR, 60e3, &result, &missing_pixels);
  assert_memory_equal(alone.linear, together.linear, (size_t)600 * 400 * 3 * sizeof(float));
  assert_int_equal(result.devices[0].tiles + result.devices[1].tiles, plan.count);
  assert_int_equal(clrt_rays_total(&result.rays), 600 * 400); /* PymoniK: one camera ray per pixel, nothing else */
  assert_int_equal(result.rays.camera, 600 * 400);
  clrt_farm_result_free(&result);
  clrt_tiles_free(&plan);
  test_picture_free(&alone);
  test_picture_free(&together);
  clrt_scene_free(&scene);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_both_devices_give_the_one_device_picture),
      cmocka_unit_test(test_failed_tile_goes_back_to_the_queue),
      cmocka_unit_test(test_repeatedly_failing_device_is_retired),
      cmocka_unit_test(test_hung_tile_is_taken_over),
      cmocka_unit_test(test_no_working_device_leaves_tiles_missing),
      cmocka_unit_test(test_fixed_tiles_on_both_devices),
      cmocka_unit_test(test_path_tracing_on_both_devices),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
