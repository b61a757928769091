/* The camera basis (host/scene/camera.c): the PymoniK example's, checked
 * for degenerate cameras. */
#include "test_support.h"

#include <math.h>

#include "clrt_scene.h"

#define CLOSE 1e-12

static double dot(clrt_dvec3 a, clrt_dvec3 b) { return a.x * b.x + a.y * b.y + a.z * b.z; }

static clrt_camera_settings camera_of(double fx, double fy, double fz, double ax, double ay, double az, double ux,
                                      double uy, double uz) {
  clrt_camera_settings camera = {{fx, fy, fz}, {ax, ay, az}, {ux, uy, uz}, 60.0, 0.0, 1.0, true};
  return camera;
}

static void assert_orthonormal(clrt_dvec3 u, clrt_dvec3 v, clrt_dvec3 w) {
  assert_true(fabs(clrt_dvec3_length(u) - 1.0) < CLOSE && fabs(clrt_dvec3_length(v) - 1.0) < CLOSE &&
              fabs(clrt_dvec3_length(w) - 1.0) < CLOSE);
  assert_true(fabs(dot(u, v)) < CLOSE && fabs(dot(v, w)) < CLOSE && fabs(dot(w, u)) < CLOSE);
  clrt_dvec3 right_handed = clrt_dvec3_cross(u, v); /* u x v = w */
  assert_true(clrt_dvec3_length(clrt_dvec3_sub(right_handed, w)) < CLOSE);
}

/* w points back from look_at to the eye, u to the right, v up. */
static void test_basis_of_a_camera_looking_down_minus_z(void **state) {
  (void)state;
  clrt_camera_settings camera = camera_of(0, 0, 5, 0, 0, 0, 0, 1, 0);
  clrt_dvec3 u, v, w;
  assert_int_equal(clrt_camera_basis(&camera, &u, &v, &w), CLRT_CAMERA_OK);
  assert_true(fabs(w.z - 1.0) < CLOSE && fabs(u.x - 1.0) < CLOSE && fabs(v.y - 1.0) < CLOSE);
}

/* Any view and any up vector not parallel to it: an orthonormal,
 * right-handed basis whose v leans toward vup and whose u is level. */
static void test_basis_is_orthonormal_for_tilted_cameras(void **state) {
  (void)state;
  const double cameras[][9] = {{1, 2, 3, -4, 0.5, 2, 0, 1, 0},
                               {0, 10, 0, 0, 0, 0.001, 0, 0, 1},
                               {-7, 3, 2, 1, 1, 1, 0.3, 2, -0.1},
                               {1e6, 1e6, 1e6, 0, 0, 0, 0, 5, 0}};
  for (size_t i = 0; i < sizeof cameras / sizeof cameras[0]; ++i) {
    const double *c = cameras[i];
    clrt_camera_settings camera = camera_of(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8]);
    clrt_dvec3 u, v, w, up = clrt_dvec3_load(camera.vup);
    assert_int_equal(clrt_camera_basis(&camera, &u, &v, &w), CLRT_CAMERA_OK);
    assert_orthonormal(u, v, w);
    assert_true(fabs(dot(u, up)) < CLOSE * clrt_dvec3_length(up));
    assert_true(dot(v, up) > 0.0);
  }
}

/* The length of vup does not matter, only its direction. */
static void test_up_vector_length_does_not_matter(void **state) {
  (void)state;
  clrt_camera_settings unit = camera_of(3, 1, 2, 0, 0, 0, 0, 1, 0), long_up = camera_of(3, 1, 2, 0, 0, 0, 0, 250, 0);
  clrt_dvec3 u1, v1, w1, u2, v2, w2;
  assert_int_equal(clrt_camera_basis(&unit, &u1, &v1, &w1), CLRT_CAMERA_OK);
  assert_int_equal(clrt_camera_basis(&long_up, &u2, &v2, &w2), CLRT_CAMERA_OK);
  assert_true(clrt_dvec3_length(clrt_dvec3_sub(u1, u2)) < CLOSE);
  assert_true(clrt_dvec3_length(clrt_dvec3_sub(v1, v2)) < CLOSE);
}

static void test_degenerate_cameras_are_named(void **state) {
  (void)state;
  clrt_dvec3 u, v, w;
  clrt_camera_settings same_point = camera_of(1, 2, 3, 1, 2, 3, 0, 1, 0);
  assert_int_equal(clrt_camera_basis(&same_point, &u, &v, &w), CLRT_CAMERA_NO_DIRECTION);
  clrt_camera_settings zero_up = camera_of(0, 0, 5, 0, 0, 0, 0, 0, 0);
  assert_int_equal(clrt_camera_basis(&zero_up, &u, &v, &w), CLRT_CAMERA_BAD_UP);
  clrt_camera_settings up_along_view = camera_of(0, 0, 5, 0, 0, 0, 0, 0, -3);
  assert_int_equal(clrt_camera_basis(&up_along_view, &u, &v, &w), CLRT_CAMERA_BAD_UP);
  clrt_camera_settings nan_eye = camera_of(NAN, 0, 5, 0, 0, 0, 0, 1, 0);
  assert_int_equal(clrt_camera_basis(&nan_eye, &u, &v, &w), CLRT_CAMERA_NO_DIRECTION);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_basis_of_a_camera_looking_down_minus_z),
      cmocka_unit_test(test_basis_is_orthonormal_for_tilted_cameras),
      cmocka_unit_test(test_up_vector_length_does_not_matter),
      cmocka_unit_test(test_degenerate_cameras_are_named),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
