/* Camera paths: keys hit exactly at their frames and joined smoothly
 * between, orbits at their radius and height, and the paths' mistakes. */
#include "test_support.h"

#include <math.h>
#include <string.h>

#include "clrt_vec.h"

#define HEAD                                                                                                           \
  "{\"image\": {\"width\": 8, \"height\": 8}, \"camera\": {\"look_from\": [0, 1, 10], \"look_at\": [0, 0, 0], "
#define TAIL "}}"

static const char KEYS[] = HEAD "\"vfov\": 40, \"path\": {\"keys\": ["
                                "{\"frame\": 0, \"look_from\": [0, 1, 10], \"look_at\": [0, 0, 0]},"
                                "{\"frame\": 10, \"look_from\": [10, 1, 0], \"look_at\": [0, 0.5, 0], \"vfov\": 30},"
                                "{\"frame\": 20, \"look_from\": [0, 1, -10], \"look_at\": [0, 0, 0], \"vfov\": 60},"
                                "{\"frame\": 25, \"look_from\": [-10, 1, 0], \"look_at\": [0, 0, 0]}]}" TAIL;

static const clrt_sequence SEQUENCE = {0, 29, 1};

static void test_keys_are_hit_exactly(void **state) {
  (void)state;
  clrt_scene scene;
  test_parse_ok(KEYS, &scene);
  assert_int_equal(scene.camera_path.kind, CLRT_CAMERA_PATH_KEYS);
  for (size_t k = 0; k < scene.camera_path.key_count; ++k) {
    const clrt_camera_key *key = &scene.camera_path.keys[k];
    clrt_camera_settings camera;
    clrt_camera_path_at(&scene.camera_path, &scene.camera, key->frame, &SEQUENCE, &camera);
    assert_memory_equal(camera.look_from, key->look_from, sizeof camera.look_from);
    assert_memory_equal(camera.look_at, key->look_at, sizeof camera.look_at);
    assert_true(camera.vfov_degrees == key->vfov_degrees);
    assert_memory_equal(camera.vup, scene.camera.vup, sizeof camera.vup);
    /* The focus follows the camera (none was given). */
    assert_true(fabs(camera.focus_distance - clrt_dvec3_length(clrt_dvec3_sub(clrt_dvec3_load(key->look_from),
                                                                              clrt_dvec3_load(key->look_at)))) < 1e-12);
  }
  assert_true(scene.camera_path.keys[0].vfov_degrees == 40.0); /* the still camera's */
  clrt_scene_free(&scene);
}

/* Between keys the camera moves without jumps, and before the first key
 * and after the last it waits there. */
static void test_between_keys_is_smooth(void **state) {
  (void)state;
  clrt_scene scene;
  test_parse_ok(KEYS, &scene);
  clrt_camera_settings before, after, previous;
  clrt_camera_path_at(&scene.camera_path, &scene.camera, -5, &SEQUENCE, &before);
  clrt_camera_path_at(&scene.camera_path, &scene.camera, 29, &SEQUENCE, &after);
  assert_memory_equal(before.look_from, scene.camera_path.keys[0].look_from, sizeof before.look_from);
  assert_memory_equal(after.look_from, scene.camera_path.keys[3].look_from, sizeof after.look_from);
  clrt_camera_path_at(&scene.camera_path, &scene.camera, 0, &SEQUENCE, &previous);
  for (long f = 1; f <= 25; ++f) {
    clrt_camera_settings camera;
    clrt_camera_path_at(&scene.camera_path, &scene.camera, f, &SEQUENCE, &camera);
    double step =
        clrt_dvec3_length(clrt_dvec3_sub(clrt_dvec3_load(camera.look_from), clrt_dvec3_load(previous.look_from)));
    assert_true(step > 0.2 && step < 4.0); /* keys 10 to 14 apart, 5 to 10 frames apart */
    assert_true(camera.vfov_degrees > 20.0 && camera.vfov_degrees < 70.0);
    previous = camera;
  }
  /* Halfway between two keys at the same height, the path is near it. */
  clrt_camera_settings middle;
  clrt_camera_path_at(&scene.camera_path, &scene.camera, 5, &SEQUENCE, &middle);
  assert_true(fabs(middle.look_from[1] - 1.0) < 1e-9);
  /* bowed outwards, round the centre: beyond the chord's midpoint (7.07 from it) */
  assert_true(hypot(middle.look_from[0], middle.look_from[2]) > 7.5);
  clrt_scene_free(&scene);
}

static void test_orbit(void **state) {
  (void)state;
  clrt_scene scene;
  test_parse_ok(HEAD "\"vfov\": 40, \"path\": {\"orbit\": {\"turns\": 1}}" TAIL, &scene);
  clrt_sequence sequence = {0, 99, 1};
  clrt_camera_settings start, half;
  clrt_camera_path_at(&scene.camera_path, &scene.camera, 0, &sequence, &start);
  clrt_camera_path_at(&scene.camera_path, &scene.camera, 50, &sequence, &half);
  for (int a = 0; a < 3; ++a)
    assert_true(fabs(start.look_from[a] - scene.camera.look_from[a]) < 1e-12);
  assert_true(fabs(half.look_from[0]) < 1e-9 && fabs(half.look_from[1] - 1.0) < 1e-12 &&
              fabs(half.look_from[2] + 10.0) < 1e-9);
  assert_memory_equal(half.look_at, scene.camera.look_at, sizeof half.look_at);
  clrt_scene_free(&scene);
  test_parse_ok(HEAD "\"vfov\": 40, \"path\": {\"orbit\": {\"center\": [1, 0, 0], \"radius\": 3, \"height\": 2, "
                     "\"turns\": 2}}" TAIL,
                &scene);
  clrt_camera_settings quarter;
  clrt_camera_path_at(&scene.camera_path, &scene.camera, 25, &sequence, &quarter); /* half a turn */
  double across = hypot(quarter.look_from[0] - 1.0, quarter.look_from[2]);
  assert_true(fabs(across - 3.0) < 1e-12 && fabs(quarter.look_from[1] - 2.0) < 1e-12);
  assert_true(quarter.look_at[0] == 1.0);
  clrt_scene_free(&scene);
}

static void test_mistakes(void **state) {
  (void)state;
  test_parse_fails(HEAD "\"vfov\": 40, \"path\": {}" TAIL, "camera.path: must hold one of \"orbit\" and \"keys\"",
                   NULL);
  test_parse_fails(HEAD "\"vfov\": 40, \"path\": {\"keys\": [{\"frame\": 0, \"look_from\": [1, 0, 0], "
                        "\"look_at\": [0, 0, 0]}]}" TAIL,
                   "camera.path.keys: must be an array of at least two keys", NULL);
  test_parse_fails(HEAD "\"vfov\": 40, \"path\": {\"keys\": ["
                        "{\"frame\": 4, \"look_from\": [1, 0, 0], \"look_at\": [0, 0, 0]},"
                        "{\"frame\": 4, \"look_from\": [2, 0, 0], \"look_at\": [0, 0, 0]}]}" TAIL,
                   "camera.path.keys[1].frame: must come after the previous key's frame", NULL);
  test_parse_fails(HEAD "\"vfov\": 40, \"path\": {\"keys\": ["
                        "{\"frame\": 0, \"look_from\": [1, 0, 0], \"look_at\": [0, 0, 0]},"
                        "{\"frame\": 1.5, \"look_from\": [2, 0, 0], \"look_at\": [0, 0, 0]}]}" TAIL,
                   "camera.path.keys[1].frame: must be a whole frame number", NULL);
  test_parse_fails(HEAD "\"vfov\": 40, \"path\": {\"keys\": ["
                        "{\"frame\": 0, \"look_from\": [1, 0, 0], \"look_at\": [0, 0, 0]},"
                        "{\"frame\": 1, \"look_from\": [0, 3, 0], \"look_at\": [0, 0, 0]}]}" TAIL,
                   "camera.path.keys[1].vup: must not be zero or parallel", NULL);
  test_parse_fails("{\"image\": {\"width\": 8, \"height\": 8}, \"camera\": {\"look_from\": [0, 0, 5], "
                   "\"look_at\": [1, 0, 0], \"vup\": [0, 0, 1], \"vfov\": 40, \"path\": {\"orbit\": {\"center\": "
                   "[0, 0, 0], \"turns\": 1}}}}",
                   "camera.path.orbit.radius: must be given: the still camera's look_from is on the axis", NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_keys_are_hit_exactly),
      cmocka_unit_test(test_between_keys_is_smooth),
      cmocka_unit_test(test_orbit),
      cmocka_unit_test(test_mistakes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
