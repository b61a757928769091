/* The path integrator (kernels/integrators/path.c) against the exact
 * cases of its model, through the host reference (the very code the
 * device runs), and its random numbers (kernels/sampling.c). */
#include "test_support.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clrt_tracer.h"

/* The image's mean of channel c, and its standard error (pixels are
 * independent estimates of the same value). */
static void channel_mean(const picture *p, int c, double *mean, double *standard_error) {
  size_t n = (size_t)p->width * p->height;
  double sum = 0.0, squares = 0.0;
  for (size_t i = 0; i < n; ++i) {
    double v = p->linear[3 * i + c];
    sum += v;
    squares += v * v;
  }
  *mean = sum / (double)n;
  double variance = squares / (double)n - *mean * *mean;
  *standard_error = sqrt(variance > 0.0 ? variance / (double)n : 0.0);
}

/* A camera inside a glowing Lambert sphere of colour a and emission e, no
 * lights: every pixel is e (1 - a^(D+1)) / (1 - a), D = max_depth. */
static void test_furnace_inside_a_glowing_room(void **state) {
  (void)state;
  clrt_scene scene;
  test_parse_ok(
      "{\"image\": {\"width\": 24, \"height\": 16, \"samples\": 64, \"max_depth\": 4, \"integrator\": \"path\"},"
      " \"camera\": {\"look_from\": [0, 0, 0], \"look_at\": [0, 0, -1], \"vfov\": 90},"
      " \"materials\": {\"room\": {\"color\": [0.5, 0.7, 0.9], \"ambient\": 0, \"diffuse\": 1, \"specular\": 0,"
      "   \"emission\": [1, 1, 1]}},"
      " \"spheres\": [{\"center\": [0.3, -0.2, 0.1], \"radius\": 3, \"material\": \"room\"}]}",
      &scene);
  picture p = test_render_reference(&scene);
  const double albedo[3] = {0.5, 0.7, 0.9};
  for (int c = 0; c < 3; ++c) {
    double expected = (1.0 - pow(albedo[c], 5.0)) / (1.0 - albedo[c]), mean, error;
    channel_mean(&p, c, &mean, &error);
    assert_true(fabs(mean - expected) <= 4.0 * error + 1e-4 * expected);
    assert_true(error < 0.01 * expected); /* a real test: the estimate is tight */
  }
  test_picture_free(&p);
  clrt_scene_free(&scene);
}

/* A Lambert ball of colour a under a uniform sky b, no lights: every path
 * from it escapes at once, so each pixel on it is exactly a * b. */
static void test_furnace_under_a_uniform_sky(void **state) {
  (void)state;
  clrt_scene scene;
  test_parse_ok(
      "{\"image\": {\"width\": 16, \"height\": 16, \"samples\": 4, \"max_depth\": 3, \"integrator\": \"path\"},"
      " \"camera\": {\"look_from\": [0, 0, 1.5], \"look_at\": [0, 0, 0], \"vfov\": 30},"
      " \"background\": [0.2, 0.5, 0.8],"
      " \"materials\": {\"ball\": {\"color\": [0.9, 0.6, 0.3], \"ambient\": 0, \"diffuse\": 1, \"specular\": 0}},"
      " \"spheres\": [{\"center\": [0, 0, 0], \"radius\": 1, \"material\": \"ball\"}]}",
      &scene);
  picture p = test_render_reference(&scene);
  const float expected[3] = {0.9f * 0.2f, 0.6f * 0.5f, 0.3f * 0.8f};
  for (size_t i = 0; i < (size_t)16 * 16; ++i) /* the ball fills the view */
    for (int c = 0; c < 3; ++c)
      assert_float_equal(p.linear[3 * i + c], expected[c], 2e-6f);
  test_picture_free(&p);
  clrt_scene_free(&scene);
}

/* Glass of ior 1 and transparency 1 in front of the sky-lit ball: inside
 * its silhouette (away from the rim, where Schlick's F is not 0 even at
 * ior 1) the ball shows through as if the glass were not there. (Deep
 * enough that the paths through the glass and back are not cut at
 * max_depth: each crossing is two vertices.) */
static void test_glass_of_ior_one_is_invisible(void **state) {
  (void)state;
  const char *format =
      "{\"image\": {\"width\": 16, \"height\": 16, \"samples\": 16, \"max_depth\": 12, \"integrator\": \"path\"},"
      " \"camera\": {\"look_from\": [0, 0, 4], \"look_at\": [0, 0, 0], \"vfov\": 8},"
      " \"background\": [0.2, 0.5, 0.8],"
      " \"materials\": {\"ball\": {\"color\": [0.9, 0.6, 0.3], \"ambient\": 0, \"diffuse\": 1, \"specular\": 0},"
      "   \"glass\": {\"color\": [1, 1, 1], \"ambient\": 0, \"diffuse\": 0, \"specular\": 0, \"transparency\": 1,"
      "   \"ior\": 1}},"
      " \"spheres\": [{\"center\": [0, 0, -2], \"radius\": 1.5, \"material\": \"ball\"}%s]}";
  char with_glass[2048];
  snprintf(with_glass, sizeof with_glass, format, ", {\"center\": [0, 0, 2], \"radius\": 1, \"material\": \"glass\"}");
  clrt_scene scene;
  test_parse_ok(with_glass, &scene);
  picture p = test_render_reference(&scene);
  /* The view (vfov 8 at distance 2 from the glass) lies well inside it. */
  const float expected[3] = {0.9f * 0.2f, 0.6f * 0.5f, 0.3f * 0.8f};
  for (int c = 0; c < 3; ++c) {
    double mean, error;
    channel_mean(&p, c, &mean, &error);
    assert_true(fabs(mean - expected[c]) <= 4.0 * error + 1e-3 * expected[c]);
  }
  test_picture_free(&p);
  clrt_scene_free(&scene);
}

/* With max_depth 0, Lambert surfaces and point lights, the path picture is
 * the Whitted picture without ambient and specular terms. */
static void test_depth_zero_is_the_whitted_picture(void **state) {
  (void)state;
  const char *format =
      "{\"image\": {\"width\": 64, \"height\": 48, \"max_depth\": 0, \"integrator\": \"%s\"},"
      " \"camera\": {\"look_from\": [0, 1, 5], \"look_at\": [0, 0.5, 0], \"vfov\": 45},"
      " \"background\": [0.1, 0.1, 0.2],"
      " \"materials\": {\"a\": {\"color\": [0.8, 0.3, 0.2], \"ambient\": 0, \"diffuse\": 0.9, \"specular\": 0},"
      "   \"b\": {\"color\": [0.3, 0.7, 0.9], \"ambient\": 0, \"diffuse\": 1, \"specular\": 0}},"
      " \"spheres\": [{\"center\": [0, -100, 0], \"radius\": 100, \"material\": \"b\"},"
      "   {\"center\": [-0.6, 0.5, 0], \"radius\": 0.5, \"material\": \"a\"},"
      "   {\"center\": [0.7, 0.4, 0.3], \"radius\": 0.4, \"material\": \"b\", \"color\": [0.9, 0.9, 0.2]}],"
      " \"lights\": [{\"position\": [3, 5, 4], \"intensity\": 0.8}, {\"position\": [-4, 3, 2], \"intensity\": 0.4,"
      "   \"color\": [1, 0.8, 0.6]}]}";
  char text[2048];
  clrt_scene path, whitted;
  snprintf(text, sizeof text, format, "path");
  test_parse_ok(text, &path);
  snprintf(text, sizeof text, format, "whitted");
  test_parse_ok(text, &whitted);
  picture a = test_render_reference(&path), b = test_render_reference(&whitted);
  size_t channels = (size_t)64 * 48 * 3, differ = 0;
  for (size_t i = 0; i < channels; ++i) {
    assert_true(abs((int)a.rgb[i] - (int)b.rgb[i]) <= 1);
    differ += a.rgb[i] != b.rgb[i];
  }
  assert_true(differ < channels / 50);
  test_picture_free(&a);
  test_picture_free(&b);
  clrt_scene_free(&path);
  clrt_scene_free(&whitted);
}

/* Root mean square difference between two pictures' linear colour. */
static double rms_difference(const picture *a, const picture *b) {
  size_t n = (size_t)a->width * a->height * 3;
  double sum = 0.0;
  for (size_t i = 0; i < n; ++i)
    sum += ((double)a->linear[i] - b->linear[i]) * ((double)a->linear[i] - b->linear[i]);
  return sqrt(sum / (double)n);
}

/* The error against a 16x longer render falls at least like 1/sqrt(spp):
 * 4x the samples, at most about half the error. */
static void test_error_falls_like_one_over_root_samples(void **state) {
  (void)state;
  clrt_scene scene;
  test_load_scene("scenes/bench/room.json", 32, 24, &scene);
  unsigned counts[3] = {4, 16, 256};
  picture p[3];
  for (int i = 0; i < 3; ++i) {
    scene.sampling.samples = counts[i];
    p[i] = test_render_reference(&scene);
  }
  double error_4 = rms_difference(&p[0], &p[2]), error_16 = rms_difference(&p[1], &p[2]);
  assert_true(error_16 > 0.0);
  assert_true(error_4 / error_16 > 1.6); /* 2 for 1/sqrt(spp); the sampler may do better */
  for (int i = 0; i < 3; ++i)
    test_picture_free(&p[i]);
  clrt_scene_free(&scene);
}

/* The integrator counts every ray by kind, the same each time. */
static void test_rays_are_counted_by_kind(void **state) {
  (void)state;
  clrt_scene scene;
  test_load_scene("scenes/bench/room.json", 8, 6, &scene);
  scene.sampling.samples = 2;
  clrt_flat_scene flat;
  clrt_error err;
  assert_int_equal(clrt_flatten(&scene, &flat, &err), CLRT_OK);
  clrt_flat_view view = clrt_flat_view_of(&flat);
  clrt_work_item a = {0}, b = {0};
  for (clrt_uint y = 0; y < 6; ++y)
    for (clrt_uint x = 0; x < 8; ++x) {
      clrt_trace_pixel(&view, x, y, &a);
      clrt_trace_pixel(&view, x, y, &b);
    }
  assert_true(a.tally.camera_rays == 8 * 6 * 2);
  assert_true(a.tally.bounce_rays > 0 && a.tally.shadow_rays > 0); /* the lamp is sampled */
  assert_true(a.tally.bounce_rays == b.tally.bounce_rays && a.tally.shadow_rays == b.tally.shadow_rays);
  assert_true(clrt_tally_rays(&a.tally) <= 8u * 6u * 2u * flat.most_rays_per_sample);
  assert_int_equal(a.tally.cut_short_samples, 0);
  clrt_flat_scene_free(&flat);
  clrt_scene_free(&scene);
}

/* Passes of samples summed exactly add up to the sum of all of them. */
static void test_sums_of_passes_equal_one_sum(void **state) {
  (void)state;
  clrt_scene scene;
  test_load_scene("scenes/bench/room.json", 8, 6, &scene);
  clrt_flat_scene flat;
  clrt_error err;
  assert_int_equal(clrt_flatten(&scene, &flat, &err), CLRT_OK);
  clrt_flat_view view = clrt_flat_view_of(&flat);
  clrt_work_item item = {0};
  clrt_pixel_sum whole = clrt_trace_pixel_sum(&view, 3, 2, 0, 12, &item);
  clrt_pixel_sum passes = clrt_trace_pixel_sum(&view, 3, 2, 0, 5, &item);
  passes = clrt_pixel_sum_add(passes, clrt_trace_pixel_sum(&view, 3, 2, 5, 7, &item));
  assert_memory_equal(whole.channel, passes.channel, sizeof whole.channel);
  flat.params.samples = 12;
  clrt_vec3 mean = clrt_pixel_sum_mean(&whole, 12), traced = clrt_trace_pixel(&view, 3, 2, &item);
  assert_true(mean.x == traced.x && mean.y == traced.y && mean.z == traced.z);
  clrt_flat_scene_free(&flat);
  clrt_scene_free(&scene);
}

/* Sobol's matrices, recomputed from the primitive polynomials and
 * initial direction numbers by Joe and Kuo's recurrence. */
static void test_sobol_matrices_follow_their_polynomials(void **state) {
  (void)state;
  const unsigned degree[4] = {0, 1, 2, 3}, coefficients[4] = {0, 0, 1, 1};
  const uint32_t initial[4][3] = {{0}, {1}, {1, 3}, {1, 3, 1}};
  for (unsigned d = 0; d < 4; ++d) {
    uint32_t m[33];
    for (unsigned k = 1; k <= degree[d]; ++k)
      m[k] = initial[d][k - 1];
    for (unsigned k = degree[d] + 1; d > 0 && k <= 32; ++k) {
      uint32_t s = degree[d], x = m[k - s] ^ (m[k - s] << s);
      for (unsigned i = 1; i < s; ++i)
        if ((coefficients[d] >> (s - 1 - i)) & 1u)
          x ^= m[k - i] << i;
      m[k] = x;
    }
    for (unsigned k = 1; k <= 32; ++k) {
      uint32_t column = d == 0 ? 1u << (32 - k) : m[k] << (32 - k);
      assert_int_equal(clrt_sobol(1u << (k - 1), d), column);
    }
  }
}

/* The first 2^m points of a scrambled set fall one in each of 2^m equal
 * intervals in every dimension, and one in each elementary box of area
 * 2^-m in the first two together; other pixels and sets differ. */
static void test_sobol_points_are_stratified(void **state) {
  (void)state;
  enum { M = 6, N = 1 << M };
  for (clrt_uint set = 0; set < 3; ++set) {
    float points[N][4];
    for (clrt_uint i = 0; i < N; ++i) {
      clrt_vec4 p = clrt_sobol_point(clrt_pixel_seed(5, 9), i, set);
      float v[4] = {p.x, p.y, p.z, p.w};
      for (int d = 0; d < 4; ++d) {
        assert_true(v[d] >= 0.0f && v[d] < 1.0f);
        points[i][d] = v[d];
      }
    }
    for (int d = 0; d < 4; ++d) {
      int seen[N] = {0};
      for (int i = 0; i < N; ++i)
        assert_int_equal(seen[(int)(points[i][d] * N)]++, 0);
    }
    for (int split = 0; split <= M; ++split) { /* boxes of 2^split x 2^(M - split) */
      int seen[N] = {0};
      for (int i = 0; i < N; ++i) {
        int column = (int)(points[i][0] * (float)(1 << split)), row = (int)(points[i][1] * (float)(1 << (M - split)));
        assert_int_equal(seen[column * (1 << (M - split)) + row]++, 0);
      }
    }
  }
  clrt_vec4 a = clrt_sobol_point(clrt_pixel_seed(5, 9), 0, 0), b = clrt_sobol_point(clrt_pixel_seed(6, 9), 0, 0);
  clrt_vec4 c = clrt_sobol_point(clrt_pixel_seed(5, 9), 0, 1);
  assert_true(a.x != b.x && a.x != c.x);
}

/* Ambient occlusion: nothing changes for a lone sphere; where a sphere
 * hangs close over the ground, the ambient there darkens. */
static void test_ambient_occlusion_darkens_only_what_is_covered(void **state) {
  (void)state;
  const char *format = "{\"image\": {\"width\": 48, \"height\": 36%s},"
                       " \"camera\": {\"look_from\": [0, 3, 3], \"look_at\": [0, 0, 0], \"vfov\": 50},"
                       " \"materials\": {\"m\": {\"color\": [0.8, 0.8, 0.8], \"ambient\": 0.5, \"diffuse\": 0.4}},"
                       " \"spheres\": [{\"center\": [0, -100, 0], \"radius\": 100, \"material\": \"m\"}%s],"
                       " \"lights\": [{\"position\": [2, 5, 2]}]}";
  const char *occlusion = ", \"ambient_occlusion\": {\"samples\": 16, \"distance\": 1}";
  const char *ball = ", {\"center\": [0, 0.6, 0], \"radius\": 0.5, \"material\": \"m\"}";
  char text[2048];
  clrt_scene scene;
  picture pictures[4];
  for (int i = 0; i < 4; ++i) {
    snprintf(text, sizeof text, format, i & 1 ? occlusion : "", i & 2 ? ball : "");
    test_parse_ok(text, &scene);
    pictures[i] = test_render_reference(&scene);
    clrt_scene_free(&scene);
  }
  size_t pixels = (size_t)48 * 36;
  /* The ground alone is open everywhere: the same picture. */
  assert_memory_equal(pictures[0].linear, pictures[1].linear, pixels * 3 * sizeof(float));
  /* Near the ball the ground darkens; nothing brightens. */
  size_t darkened = 0;
  for (size_t i = 0; i < pixels * 3; ++i) {
    assert_true(pictures[3].linear[i] <= pictures[2].linear[i] + 1e-6f);
    darkened += pictures[3].linear[i] < 0.9f * pictures[2].linear[i];
  }
  assert_true(darkened > 30);
  for (int i = 0; i < 4; ++i)
    test_picture_free(&pictures[i]);
}

/* The new keys are validated with one-line errors. */
static void test_new_keys_are_checked(void **state) {
  (void)state;
  test_parse_fails("{\"image\": {\"width\": 8, \"height\": 8, \"integrator\": \"paths\"},"
                   " \"camera\": {\"look_from\": [0, 0, 1], \"look_at\": [0, 0, 0], \"vfov\": 40}}",
                   "image.integrator: must be the name of an integrator: \"whitted\", \"path\"", NULL);
  test_parse_fails("{\"image\": {\"width\": 8, \"height\": 8},"
                   " \"camera\": {\"look_from\": [0, 0, 1], \"look_at\": [0, 0, 0], \"vfov\": 40},"
                   " \"materials\": {\"lamp\": {\"color\": [1, 1, 1], \"emission\": [1, -2, 1]}}}",
                   "materials.lamp.emission[1]", ">= 0", NULL);
  test_parse_fails(
      "{\"image\": {\"width\": 8, \"height\": 8, \"ambient_occlusion\": {\"samples\": 0, \"distance\": 1}},"
      " \"camera\": {\"look_from\": [0, 0, 1], \"look_at\": [0, 0, 0], \"vfov\": 40}}",
      "image.ambient_occlusion.samples", NULL);
  test_parse_fails("{\"image\": {\"width\": 8, \"height\": 8, \"ambient_occlusion\": {\"samples\": 4}},"
                   " \"camera\": {\"look_from\": [0, 0, 1], \"look_at\": [0, 0, 0], \"vfov\": 40}}",
                   "image.ambient_occlusion.distance", NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_furnace_inside_a_glowing_room),
      cmocka_unit_test(test_furnace_under_a_uniform_sky),
      cmocka_unit_test(test_glass_of_ior_one_is_invisible),
      cmocka_unit_test(test_depth_zero_is_the_whitted_picture),
      cmocka_unit_test(test_error_falls_like_one_over_root_samples),
      cmocka_unit_test(test_rays_are_counted_by_kind),
      cmocka_unit_test(test_sums_of_passes_equal_one_sum),
      cmocka_unit_test(test_sobol_matrices_follow_their_polynomials),
      cmocka_unit_test(test_sobol_points_are_stratified),
      cmocka_unit_test(test_ambient_occlusion_darkens_only_what_is_covered),
      cmocka_unit_test(test_new_keys_are_checked),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
