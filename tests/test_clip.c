/* Clipping (host/flatten/clip.c, kernels/sphere.c): "clip" read into
 * groups, spheres dropped or cut as flattening finds them, a cut face hit
 * where it lies with its own normal, and the device's picture of cut
 * spheres equal to the host reference's. */
#include "test_support.h"

#include <math.h>
#include <string.h>

#include "clrt_tracer.h"

#define HEAD                                                                                                           \
  "{\"image\": {\"width\": 64, \"height\": 48}, \"camera\": {\"look_from\": [0, 0, 5], \"look_at\": [0, 0, 0], "       \
  "\"vfov\": 40}, \"materials\": {\"m\": {\"color\": [0.8, 0.3, 0.2]}}, \"lights\": [{\"position\": [2, 3, 6]}], "

static void test_groups_hold_the_scene_planes_and_the_sets(void **state) {
  (void)state;
  clrt_scene scene;
  test_parse_ok(HEAD "\"clip\": [{\"plane\": [0, 0, -2, 1]}], \"spheres\": ["
                     "{\"center\": [0, 0, 0], \"radius\": 1, \"material\": \"m\"},"
                     "{\"random\": {\"count\": 3, \"min\": [0, 0, 0], \"max\": [1, 1, 1], \"radius\": [0.1, 0.2]},"
                     " \"material\": \"m\", \"clip\": [{\"box\": {\"min\": [-1, -1, -1], \"max\": [1, 1, 1]}}]}]}",
                &scene);
  assert_int_equal(scene.clip_group_count, 2);
  assert_int_equal(scene.spheres[0].clip_group, 1);
  assert_int_equal(scene.spheres[3].clip_group, 2);
  const clrt_clip_group *set = &scene.clip_groups[1];
  assert_int_equal(set->count, 7); /* the scene's plane and the box's six */
  const clrt_clip_plane *plane = &scene.clip_planes[scene.clip_groups[0].first];
  assert_true(plane->normal[2] == -1.0 && plane->offset == 0.5); /* made unit length */
  clrt_scene_free(&scene);
}

static void test_mistakes(void **state) {
  (void)state;
  test_parse_fails(HEAD "\"clip\": [{\"plane\": [0, 0, 0, 1]}]}",
                   "clip[0].plane: needs a normal (nx, ny, nz) that is not zero", NULL);
  test_parse_fails(HEAD "\"clip\": [{\"plane\": [0, 1, 0]}]}", "clip[0].plane: must be [nx, ny, nz, d]", NULL);
  test_parse_fails(HEAD "\"clip\": [{\"box\": {\"min\": [0, 0, 0], \"max\": [1, 0, 1]}}]}",
                   "clip[0].box: is empty: min must be below max on every axis", NULL);
  test_parse_fails(HEAD "\"clip\": [{\"plane\": [0, 1, 0, 0], \"box\": {}}]}",
                   "clip[0]: must be {\"plane\": [nx, ny, nz, d]} or {\"box\"", NULL);
  test_parse_fails(HEAD "\"clip\": [{\"sphere\": 1}]}", "clip[0].sphere: unknown key (allowed here: plane, box)", NULL);
  test_parse_fails(HEAD "\"clip\": {\"plane\": [0, 1, 0, 0]}}", "clip: must be an array", NULL);
  test_parse_fails(HEAD "\"spheres\": [{\"center\": [0, 0, 0], \"radius\": 1, \"material\": \"m\", \"clip\": []}]}",
                   "spheres[0].clip: unknown key", NULL);
}

/* Three spheres against z <= 0.5 (normal (0, 0, -1), offset 0.5): one
 * wholly kept, one cut, one wholly beyond. */
static const char THREE[] = HEAD "\"clip\": [{\"plane\": [0, 0, -1, 0.5]}], \"spheres\": ["
                                 "{\"center\": [3, 0, -2], \"radius\": 1, \"material\": \"m\"},"
                                 "{\"center\": [0, 0, 0], \"radius\": 1, \"material\": \"m\"},"
                                 "{\"center\": [-3, 0, 3], \"radius\": 1, \"material\": \"m\"}]}";

static void test_flattening_drops_and_cuts(void **state) {
  (void)state;
  clrt_flat_scene flat;
  test_flatten_json(THREE, &flat);
  assert_int_equal(flat.spheres_count, 2);
  assert_int_equal(flat.params.sphere_count, 2);
  assert_int_equal(flat.clip_planes_count, 1);
  for (size_t i = 0; i < flat.spheres_count; ++i) {
    const clrt_sphere_shading *s = &flat.sphere_shading[i];
    assert_true(s->scene_index == 0 || s->scene_index == 1);
    assert_int_equal(s->clip_count, s->scene_index == 1 ? 1 : 0);
  }
  clrt_flat_scene_free(&flat);
}

/* Down the axis, the cut sphere is hit on its face at z = 0.5, whose
 * normal faces the camera; past its edge, on the sphere behind the cut. */
static void test_the_cut_face_is_a_surface(void **state) {
  (void)state;
  clrt_flat_scene flat;
  test_flatten_json(THREE, &flat);
  clrt_flat_view view = clrt_flat_view_of(&flat);
  clrt_ray ray = {clrt_vec3_make(0.0f, 0.0f, 5.0f), clrt_vec3_make(0.0f, 0.0f, -1.0f)};
  clrt_uint hit = 0;
  float t = clrt_nearest_hit(&view, ray, &hit);
  assert_true(fabsf(t - 4.5f) < 1e-5f);
  assert_int_equal(flat.sphere_shading[hit].scene_index, 1);
  /* From inside the solid the ray leaves by the sphere's back. */
  clrt_ray inside = {clrt_vec3_make(0.0f, 0.0f, 0.0f), clrt_vec3_make(0.0f, 0.0f, -1.0f)};
  assert_true(fabsf(clrt_nearest_hit(&view, inside, &hit) - 1.0f) < 1e-5f);
  /* Out of the solid through the cut face. */
  clrt_ray out = {clrt_vec3_make(0.0f, 0.0f, 0.0f), clrt_vec3_make(0.0f, 0.0f, 1.0f)};
  assert_true(fabsf(clrt_nearest_hit(&view, out, &hit) - 0.5f) < 1e-5f);
  /* Through the removed cap only (z > 0.5 the whole way): a miss. */
  clrt_ray cap = {clrt_vec3_make(-5.0f, 0.0f, 0.8f), clrt_vec3_make(1.0f, 0.0f, 0.0f)};
  float cap_t = clrt_nearest_hit(&view, cap, &hit);
  assert_true(cap_t == CLRT_NO_HIT || flat.sphere_shading[hit].scene_index != 1);
  /* The face's normal (the auxiliary passes') is the plane's, turned to
   * the side cut away: toward the camera. */
  clrt_tally tally;
  memset(&tally, 0, sizeof tally);
  clrt_pixel_aux centre = clrt_trace_pixel_aux(&view, 32, 24, 1, &tally);
  assert_true(centre.normal_depth.x == 0.0f && centre.normal_depth.y == 0.0f && centre.normal_depth.z == 1.0f);
  assert_true(fabsf(centre.normal_depth.w - 4.5f) < 0.01f);
  clrt_flat_scene_free(&flat);
}

/* The device's picture of cut spheres and a clipped set is the host
 * reference's. */
static void test_device_matches_the_reference(void **state) {
  (void)state;
  clrt_device device;
  test_require_device(&device);
  clrt_scene scene;
  test_parse_ok(HEAD
                "\"clip\": [{\"plane\": [-1, -0.2, -1, 0.3]}], \"spheres\": ["
                "{\"random\": {\"count\": 60, \"min\": [-1.5, -1, -1], \"max\": [1.5, 1, 1], \"radius\": [0.2, 0.5],"
                " \"colors\": true}, \"material\": \"m\", \"clip\": [{\"box\": {\"min\": [-1.2, -2, -2], "
                "\"max\": [1.2, 0.8, 2]}}]},"
                "{\"center\": [0, -101, 0], \"radius\": 100, \"material\": \"m\"}]}",
                &scene);
  picture reference = test_render_reference(&scene);
  picture on_device = test_render_device(&device, &scene, 0, 32, 16, CLRT_FILM_LEVELS);
  test_assert_not_flat(&on_device);
  test_assert_matches_reference(&on_device, &reference, &scene);
  test_picture_free(&reference);
  test_picture_free(&on_device);
  clrt_scene_free(&scene);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_groups_hold_the_scene_planes_and_the_sets),
      cmocka_unit_test(test_mistakes),
      cmocka_unit_test(test_flattening_drops_and_cuts),
      cmocka_unit_test(test_the_cut_face_is_a_surface),
      cmocka_unit_test(test_device_matches_the_reference),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
