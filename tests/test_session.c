/* A session (host/device/session.c): one device's state for a flat scene,
 * and its tiles' lives: submitted into slots, read back in order, their
 * rays counted; injected failures, hangs and wrong tiles; what fits. */
#include "test_support.h"

#include <stdlib.h>
#include <string.h>

#include "clrt_clock.h"
#include "clrt_faults.h"
#include "clrt_flat_scene.h"
#include "clrt_session.h"
#include "clrt_tone_map.h"

enum { WIDTH = 48, HEIGHT = 32 };

/* A device session on the default scene at WIDTH x HEIGHT. */
typedef struct fixture {
  clrt_device device;
  clrt_flat_scene flat;
  clrt_fault_rules faults;
  clrt_session *session;
} fixture;

static void open_fixture(fixture *f, bool linear, const char *faults, double timeout_ms) {
  memset(f, 0, sizeof *f);
  test_require_device(&f->device);
  test_flatten_file("scenes/default.json", WIDTH, HEIGHT, &f->flat);
  clrt_error err;
  if (clrt_faults_parse(faults, &f->faults, &err) != CLRT_OK)
    fail_msg("%s", err.message);
  clrt_session_options options = {.max_tile_pixels = WIDTH * HEIGHT,
                                  .tile_form = linear ? CLRT_TILE_LINEAR : CLRT_TILE_LEVELS,
                                  .tile_timeout_ms = timeout_ms,
                                  .faults = &f->faults,
                                  .build_log = stderr};
  f->session = test_open_session(&f->device, &f->flat, &options);
}

static void close_fixture(fixture *f) {
  clrt_session_close(f->session);
  clrt_faults_free(&f->faults);
  clrt_flat_scene_free(&f->flat);
}

static void submit_ok(clrt_session *session, clrt_tile tile) {
  clrt_error err;
  if (clrt_session_submit(session, &tile, &err) != CLRT_OK)
    fail_msg("%s", err.message);
}

/* Waits for the oldest tile, which must finish. */
static clrt_tile_outcome wait_done(clrt_session *session) {
  clrt_tile_outcome outcome;
  clrt_tile_state state;
  while ((state = clrt_session_wait(session, clrt_now_ms() + 1000.0, &outcome)) == CLRT_TILE_RUNNING)
    continue;
  if (state != CLRT_TILE_DONE)
    fail_msg("tile ended in state %d: %s", (int)state, outcome.error.message);
  return outcome;
}

/* Two slots: a third tile waits until one is read back. Tiles come back
 * oldest first, with their rays; the rays of the two halves are the
 * whole picture's, and their pixels the whole picture's bytes. */
static void test_tiles_in_two_slots_make_the_whole_picture(void **state) {
  (void)state;
  fixture f;
  open_fixture(&f, false, NULL, 60e3);
  assert_int_equal(clrt_session_max_tile_pixels(f.session), WIDTH * HEIGHT);
  assert_ptr_not_equal(clrt_session_device(f.session), NULL);
  clrt_tile whole = {0, 0, WIDTH, HEIGHT}, top = {0, 0, WIDTH, HEIGHT / 2}, bottom = {0, HEIGHT / 2, WIDTH, HEIGHT / 2};
  submit_ok(f.session, whole);
  clrt_tile_outcome outcome = wait_done(f.session);
  uint8_t expected[WIDTH * HEIGHT * 3];
  memcpy(expected, outcome.pixels, sizeof expected);
  uint64_t whole_rays = clrt_rays_total(&outcome.rays);
  assert_true(whole_rays >= (uint64_t)WIDTH * HEIGHT * f.flat.params.samples);
  submit_ok(f.session, top);
  submit_ok(f.session, bottom);
  assert_int_equal(clrt_session_in_flight(f.session), 2);
  assert_false(clrt_session_has_room(f.session));
  clrt_error err;
  assert_int_equal(clrt_session_submit(f.session, &whole, &err), CLRT_ERR_RUNTIME);
  clrt_tile_outcome first = wait_done(f.session);
  assert_int_equal(first.tile.y, 0);
  assert_memory_equal(first.pixels, expected, sizeof expected / 2);
  uint64_t rays = clrt_rays_total(&first.rays);
  clrt_tile_outcome second = wait_done(f.session);
  assert_int_equal(second.tile.y, HEIGHT / 2);
  assert_memory_equal(second.pixels, expected + sizeof expected / 2, sizeof expected / 2);
  assert_true(rays + clrt_rays_total(&second.rays) == whole_rays);
  assert_true(clrt_session_has_room(f.session));
  close_fixture(&f);
}

/* Linear tiles are 16 bytes a pixel; tone-mapped on the host with the
 * scene's levels, they are the bytes an 8-bit session makes. */
static void test_linear_tiles_tone_map_to_the_eight_bit_ones(void **state) {
  (void)state;
  assert_int_equal(clrt_session_pixel_bytes(CLRT_TILE_LINEAR), 16);
  assert_int_equal(clrt_session_pixel_bytes(CLRT_TILE_SUMS), 32);
  assert_int_equal(clrt_session_pixel_bytes(CLRT_TILE_LEVELS), 3);
  fixture levels, linear;
  open_fixture(&levels, false, NULL, 60e3);
  open_fixture(&linear, true, NULL, 60e3);
  clrt_tile tile = {5, 3, 31, 17};
  submit_ok(levels.session, tile);
  submit_ok(linear.session, tile);
  clrt_tile_outcome eight_bit = wait_done(levels.session), floats = wait_done(linear.session);
  uint8_t mapped[31 * 17 * 3];
  clrt_tone_map_pixels(floats.pixels, 31 * 17, levels.flat.tone_levels, mapped);
  assert_memory_equal(mapped, eight_bit.pixels, sizeof mapped);
  close_fixture(&levels);
  close_fixture(&linear);
}

/* An injected failure: the tile is not in flight, and the next one runs. */
static void test_a_failed_submit_leaves_the_session_usable(void **state) {
  (void)state;
  clrt_device device;
  test_require_device(&device);
  fixture f;
  open_fixture(&f, false, test_fault_rule(&device, "1"), 60e3);
  clrt_tile tile = {0, 0, 8, 8};
  clrt_error err;
  assert_int_equal(clrt_session_submit(f.session, &tile, &err), CLRT_ERR_RUNTIME);
  assert_non_null(strstr(err.message, "CL_OUT_OF_RESOURCES (injected by CLRT_INJECT_FAULT)"));
  assert_int_equal(clrt_session_in_flight(f.session), 0);
  submit_ok(f.session, tile);
  clrt_tile_outcome done = wait_done(f.session);
  assert_true(clrt_rays_total(&done.rays) > 0);
  close_fixture(&f);
}

/* A tile that never completes is HUNG once its limit has passed; the
 * session then gives its tiles up. */
static void test_a_hung_tile_passes_its_limit(void **state) {
  (void)state;
  clrt_device device;
  test_require_device(&device);
  fixture f;
  open_fixture(&f, false, test_fault_rule(&device, "2/hang"), 300.0);
  clrt_tile first = {0, 0, 4, 4}, second = {4, 0, 4, 4};
  submit_ok(f.session, first);
  submit_ok(f.session, second); /* hangs */
  wait_done(f.session);
  clrt_tile_outcome outcome;
  double start = clrt_now_ms();
  clrt_tile_state ended;
  while ((ended = clrt_session_wait(f.session, clrt_now_ms() + 100.0, &outcome)) == CLRT_TILE_RUNNING)
    assert_true(clrt_now_ms() - start < 30e3);
  assert_int_equal(ended, CLRT_TILE_HUNG);
  assert_true(clrt_now_ms() - start >= 250.0); /* not before --tile-timeout */
  assert_non_null(strstr(outcome.error.message, "tile (4,0 4x4) exceeded its"));
  clrt_tile given_up[CLRT_SESSION_SLOTS];
  assert_int_equal(clrt_session_abandon(f.session, given_up), 1);
  assert_int_equal(given_up[0].x, 4);
  assert_false(clrt_session_has_room(f.session));
  close_fixture(&f); /* abandoned: kept alive, only marked closed */
  clrt_session_close(NULL);
}

/* An injected wrong tile comes back black. */
static void test_a_wrong_tile_comes_back_black(void **state) {
  (void)state;
  clrt_device device;
  test_require_device(&device);
  fixture f;
  open_fixture(&f, false, test_fault_rule(&device, "1/wrong"), 60e3);
  clrt_tile tile = {0, 0, WIDTH, HEIGHT};
  submit_ok(f.session, tile);
  clrt_tile_outcome wrong = wait_done(f.session);
  const uint8_t *pixels = wrong.pixels;
  for (size_t i = 0; i < (size_t)WIDTH * HEIGHT * 3; ++i)
    assert_int_equal(pixels[i], 0);
  submit_ok(f.session, tile);
  clrt_tile_outcome right = wait_done(f.session);
  pixels = right.pixels;
  size_t lit = 0;
  for (size_t i = 0; i < (size_t)WIDTH * HEIGHT * 3; ++i)
    lit += pixels[i] != 0;
  assert_true(lit > 0);
  close_fixture(&f);
}

static void test_scene_too_big_for_the_device(void **state) {
  (void)state;
  clrt_device device = {.max_allocation = 256u << 20, .global_memory = 1024u << 20};
  snprintf(device.name, sizeof device.name, "tiny");
  clrt_flat_scene scene = {.spheres_count = 9000000, .sphere_shading_count = 9000000, .bvh_nodes_count = 100};
  clrt_error err;
  assert_int_equal(clrt_session_check_fits(&device, &scene, 1 << 20, &err), CLRT_ERR_RUNTIME);
  assert_non_null(strstr(err.message,
                         "0:0 (tiny): the scene's sphere_shading (9000000 of them) take 274.7 MiB, but the "
                         "device allocates at most 256.0 MiB at once"));
  /* every array under 256 MiB, but 702 MiB together */
  scene = (clrt_flat_scene){.spheres_count = 16000000, .sphere_shading_count = 7000000, .bvh_nodes_count = 2000000};
  device.global_memory = 512u << 20;
  assert_int_equal(clrt_session_check_fits(&device, &scene, 32u << 20, &err), CLRT_ERR_RUNTIME);
  assert_non_null(strstr(err.message, "more than the device's 512.0 MiB of global memory"));
  scene = (clrt_flat_scene){.spheres_count = 1000, .sphere_shading_count = 1000, .bvh_nodes_count = 300};
  assert_int_equal(clrt_session_check_fits(&device, &scene, 1 << 20, &err), CLRT_OK);
  assert_int_equal(clrt_session_check_fits(&device, &scene, 300u << 20, &err), CLRT_ERR_INPUT);
  assert_non_null(strstr(err.message, "use a smaller --tile-size"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_tiles_in_two_slots_make_the_whole_picture),
      cmocka_unit_test(test_linear_tiles_tone_map_to_the_eight_bit_ones),
      cmocka_unit_test(test_a_failed_submit_leaves_the_session_usable),
      cmocka_unit_test(test_a_hung_tile_passes_its_limit),
      cmocka_unit_test(test_a_wrong_tile_comes_back_black),
      cmocka_unit_test(test_scene_too_big_for_the_device),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
