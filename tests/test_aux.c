/* The auxiliary passes (kernels/aux.c): known albedo, normal and depth on
 * simple scenes through the host reference, and the device's passes
 * equal to the host's. */
#include "test_support.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clrt_farm.h"
#include "clrt_tracer.h"

/* A sphere of radius 1 at the origin, 3 away from the camera, under a
 * blue-grey sky; its material is `material` (JSON). 9x9 pixels, so that
 * pixel (4, 4) looks at the sphere's nearest point. */
static void sphere_scene(const char *material, clrt_flat_scene *flat) {
  char json[1024];
  snprintf(json, sizeof json,
           "{\"image\": {\"width\": 9, \"height\": 9, \"samples\": 1},"
           " \"camera\": {\"look_from\": [0, 0, 3], \"look_at\": [0, 0, 0], \"vfov\": 60},"
           " \"background\": [0.2, 0.3, 1.7],"
           " \"materials\": {\"m\": %s},"
           " \"spheres\": [{\"center\": [0, 0, 0], \"radius\": 1, \"material\": \"m\"}],"
           " \"lights\": [{\"position\": [2, 2, 2]}]}",
           material);
  test_flatten_json(json, flat);
}

static clrt_pixel_aux aux_at(const clrt_flat_scene *flat, unsigned x, unsigned y) {
  clrt_flat_view view = clrt_flat_view_of(flat);
  clrt_tally tally;
  memset(&tally, 0, sizeof tally);
  return clrt_trace_pixel_aux(&view, x, y, flat->params.samples, &tally);
}

static void assert_close(float expected, float got) {
  if (!(fabsf(expected - got) <= 1e-4f))
    fail_msg("expected %g, got %g", (double)expected, (double)got);
}

/* A diffuse sphere: its albedo c diffuse + specular, its normal toward the
 * camera, its depth the distance to it; the sky around it: the
 * background (at most 1), no normal, no depth. */
static void test_a_diffuse_sphere_and_the_sky(void **state) {
  (void)state;
  clrt_flat_scene flat;
  sphere_scene("{\"color\": [0.8, 0.4, 0.2], \"diffuse\": 0.5, \"specular\": 0.1}", &flat);
  clrt_pixel_aux centre = aux_at(&flat, 4, 4);
  assert_close(0.5f, centre.albedo.x);
  assert_close(0.3f, centre.albedo.y);
  assert_close(0.2f, centre.albedo.z);
  assert_close(1.0f, centre.albedo.w); /* every sample hit */
  assert_close(0.0f, centre.normal_depth.x);
  assert_close(0.0f, centre.normal_depth.y);
  assert_close(1.0f, centre.normal_depth.z);
  assert_close(2.0f, centre.normal_depth.w);
  clrt_pixel_aux corner = aux_at(&flat, 0, 0);
  assert_close(0.2f, corner.albedo.x);
  assert_close(0.3f, corner.albedo.y);
  assert_close(1.0f, corner.albedo.z); /* 1.7, at most 1 */
  assert_close(0.0f, corner.albedo.w);
  assert_close(0.0f, corner.normal_depth.x + corner.normal_depth.y + corner.normal_depth.z);
  assert_true(corner.normal_depth.w >= CLRT_NO_HIT);
  clrt_flat_scene_free(&flat);
}

/* A mirror is seen through: the walk follows the reflection, which goes
 * back past the camera into the sky; the depth stays the mirror's. So is
 * glass: the refracted ray crosses the ball into the sky behind it. */
static void test_a_mirror_shows_what_it_reflects(void **state) {
  (void)state;
  clrt_flat_scene flat;
  sphere_scene("{\"color\": [1, 1, 1], \"reflectivity\": 0.9}", &flat);
  clrt_pixel_aux centre = aux_at(&flat, 4, 4);
  assert_close(0.2f, centre.albedo.x);
  assert_close(1.0f, centre.albedo.z);
  assert_close(0.0f, centre.normal_depth.z); /* no surface where the walk ended */
  assert_close(2.0f, centre.normal_depth.w);
  clrt_flat_scene_free(&flat);
  sphere_scene("{\"color\": [0.5, 0.5, 0.5], \"transparency\": 0.9, \"ior\": 1.5}", &flat);
  centre = aux_at(&flat, 4, 4);
  assert_close(0.3f, centre.albedo.y);
  assert_close(0.0f, centre.normal_depth.z);
  assert_close(2.0f, centre.normal_depth.w);
  /* A mirror share under one half is a surface of its own. */
  clrt_flat_scene_free(&flat);
  sphere_scene("{\"color\": [1, 1, 1], \"diffuse\": 1, \"specular\": 0, \"reflectivity\": 0.4}", &flat);
  centre = aux_at(&flat, 4, 4);
  assert_close(1.0f, centre.albedo.x);
  assert_close(1.0f, centre.normal_depth.z);
  clrt_flat_scene_free(&flat);
}

/* Samples that see the sphere and the sky both: the albedo and normal
 * are their means, the depth the mean over the samples that hit, and w
 * the share that hit. */
static void test_an_edge_pixel_averages_its_samples(void **state) {
  (void)state;
  clrt_flat_scene flat;
  test_flatten_json("{\"image\": {\"width\": 9, \"height\": 9, \"samples\": 64, \"integrator\": \"path\"},"
                    " \"camera\": {\"look_from\": [0, 0, 3], \"look_at\": [0, 0, 0], \"vfov\": 60},"
                    " \"background\": [0, 0, 0],"
                    " \"materials\": {\"m\": {\"color\": [1, 1, 1], \"diffuse\": 1, \"specular\": 0}},"
                    " \"spheres\": [{\"center\": [0, 0, 0], \"radius\": 1, \"material\": \"m\"}]}",
                    &flat);
  int edges = 0;
  for (unsigned x = 0; x < 9; ++x) {
    clrt_pixel_aux aux = aux_at(&flat, x, 4);
    if (aux.albedo.w <= 0.0f || aux.albedo.w >= 1.0f)
      continue;
    ++edges;
    assert_close(aux.albedo.w, aux.albedo.x); /* white where hit, black sky elsewhere */
    assert_true(aux.normal_depth.w > 2.0f && aux.normal_depth.w < 3.0f);
    /* unit normals where hit, none elsewhere: the mean is shorter */
    float length = sqrtf(aux.normal_depth.x * aux.normal_depth.x + aux.normal_depth.z * aux.normal_depth.z);
    assert_true(length < aux.albedo.w + 1e-4f);
  }
  assert_int_equal(edges, 2); /* the rim, left and right */
  clrt_flat_scene_free(&flat);
}

/* The device's passes, tile by tile, against the host's. */
static void test_the_device_equals_the_host(void **state) {
  (void)state;
  clrt_device device;
  test_require_device(&device);
  clrt_flat_scene flat;
  test_flatten_file("scenes/bench/room.json", 40, 30, &flat);
  clrt_film film;
  clrt_error err;
  assert_int_equal(clrt_film_init(&film, 40, 30, CLRT_FILM_AUX, flat.tone_levels, &err), CLRT_OK);
  clrt_tile_plan plan;
  assert_int_equal(clrt_tiles_grid(40, 30, 16, 8, &plan, &err), CLRT_OK);
  clrt_scheduler scheduler;
  assert_int_equal(clrt_scheduler_init(&scheduler, 40, 30, &plan, 1, &err), CLRT_OK);
  clrt_progress progress;
  clrt_progress_init(&progress, stderr, false, 40 * 30);
  clrt_session_options options = {.max_tile_pixels = clrt_scheduler_max_tile_pixels(&scheduler),
                                  .tile_form = CLRT_TILE_AUX,
                                  .sample_count = 4,
                                  .tile_timeout_ms = CLRT_DEFAULT_TILE_TIMEOUT_S * 1e3,
                                  .build_log = stderr};
  clrt_tile_route route = {&scheduler, &film, &progress, NULL, NULL};
  clrt_farm_result result;
  if (clrt_farm_render(&device, 1, &flat, &options, &route, &result, &err) != CLRT_OK)
    fail_msg("%s", err.message);
  assert_true(clrt_film_complete(&film));
  clrt_flat_view view = clrt_flat_view_of(&flat);
  size_t hits = 0;
  for (unsigned y = 0; y < 30; ++y)
    for (unsigned x = 0; x < 40; ++x) {
      clrt_tally tally;
      memset(&tally, 0, sizeof tally);
      clrt_pixel_aux host = clrt_trace_pixel_aux(&view, x, y, 4, &tally);
      const clrt_pixel_aux *got = &film.aux[y * 40 + x];
      const float *a = &host.albedo.x, *b = &got->albedo.x;
      for (int c = 0; c < 8; ++c) {
        float expected = c == 7 && a[c] >= CLRT_NO_HIT ? INFINITY : a[c];
        if (!(fabsf(expected - b[c]) <= 1e-4f * (1.0f + fabsf(expected))) && expected != b[c])
          fail_msg("pixel (%u, %u), value %d: host %g, device %g", x, y, c, (double)expected, (double)b[c]);
      }
      hits += host.albedo.w > 0.0f;
    }
  assert_true(hits > 1000); /* the room's walls are everywhere */
  clrt_farm_result_free(&result);
  clrt_progress_destroy(&progress);
  clrt_scheduler_destroy(&scheduler);
  clrt_tiles_free(&plan);
  clrt_film_free(&film);
  clrt_flat_scene_free(&flat);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_a_diffuse_sphere_and_the_sky),
      cmocka_unit_test(test_a_mirror_shows_what_it_reflects),
      cmocka_unit_test(test_an_edge_pixel_averages_its_samples),
      cmocka_unit_test(test_the_device_equals_the_host),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
