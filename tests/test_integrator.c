/* The integrators' host side (host/integrator/): the table from the one
 * list, and Whitted's parameters, its bound on a sample's rays and its
 * warning. */
#include "test_support.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "clrt_integrator.h"
#include "clrt_tone_map.h"

static void test_every_listed_integrator_is_in_the_table(void **state) {
  (void)state;
  const clrt_integrator *whitted = clrt_integrator_of(CLRT_INTEGRATOR_whitted);
  assert_non_null(whitted);
  assert_string_equal(whitted->name, "whitted");
  assert_non_null(whitted->flatten);
  assert_non_null(whitted->warn_cut_short); /* its trees are cut short at max_tree_rays */
  const clrt_integrator *path = clrt_integrator_of(CLRT_INTEGRATOR_path);
  assert_non_null(path);
  assert_string_equal(path->name, "path");
  assert_null(path->warn_cut_short); /* a path is never cut short */
  for (unsigned id = 0; id < CLRT_INTEGRATOR_COUNT; ++id) {
    const clrt_integrator *integrator = clrt_integrator_of(id);
    assert_non_null(integrator);
    assert_non_null(integrator->most_rays_per_sample); /* every tile's time limit needs it */
  }
  assert_null(clrt_integrator_of(CLRT_INTEGRATOR_COUNT));
}

/* A scene of one sphere of `material` (JSON), two lights (the second of
 * radius `radius`), at `depth` bounces and `tree_rays` rays a tree. */
static void scene_with(const char *material, double radius, unsigned depth, unsigned tree_rays, bool shadows,
                       clrt_scene *scene) {
  char json[1024];
  snprintf(json, sizeof json,
           "{\"image\": {\"width\": 8, \"height\": 8, \"max_depth\": %u, \"max_tree_rays\": %u,"
           "            \"shadow_samples\": 9},"
           " \"camera\": {\"look_from\": [0, 0, 5], \"look_at\": [0, 0, 0], \"vfov\": 40},"
           " \"shadows\": %s, \"background\": [0.2, 0.3, 0.4],"
           " \"materials\": {\"m\": %s},"
           " \"spheres\": [{\"center\": [0, 0, 0], \"radius\": 1, \"material\": \"m\"}],"
           " \"lights\": [{\"position\": [5, 5, 5]}, {\"position\": [-5, 5, 5], \"radius\": %g}]}",
           depth, tree_rays, shadows ? "true" : "false", material, radius);
  test_parse_ok(json, scene);
}

static uint64_t most_rays(const char *material, double radius, unsigned depth, unsigned tree_rays, bool shadows) {
  clrt_scene scene;
  scene_with(material, radius, depth, tree_rays, shadows, &scene);
  const clrt_integrator *whitted = clrt_integrator_of(CLRT_INTEGRATOR_whitted);
  clrt_tone_levels levels;
  clrt_tone_levels_make(&scene.image.tone, &levels);
  clrt_trace_params params = {
      .max_depth = scene.sampling.max_depth, .shadows = scene.shadows, .shadow_samples = scene.sampling.shadow_samples};
  whitted->flatten(&scene, &levels, &params);
  uint64_t rays = whitted->most_rays_per_sample(&scene, &params);
  clrt_scene_free(&scene);
  return rays;
}

/* The tree: one ray without mirrors or glass, a chain with mirrors, a
 * binary tree with glass, never beyond max_tree_rays; times one plus the
 * shadow rays of a hit (one per point light, shadow_samples per sphere
 * light, none with shadows off). */
static void test_whitted_bounds_a_sample_by_its_tree(void **state) {
  (void)state;
  const char *plain = "{\"color\": [1, 1, 1]}", *mirror = "{\"color\": [1, 1, 1], \"reflectivity\": 0.5}";
  const char *glass = "{\"color\": [1, 1, 1], \"transparency\": 0.9}";
  assert_int_equal(most_rays(plain, 0.0, 4, 1024, true), 1 * 3);
  assert_int_equal(most_rays(plain, 0.5, 4, 1024, true), 1 * (1 + 1 + 9));
  assert_int_equal(most_rays(mirror, 0.0, 4, 1024, true), 5 * 3);
  assert_int_equal(most_rays(glass, 0.0, 4, 1024, true), 31 * 3);
  assert_int_equal(most_rays(glass, 0.0, 4, 20, true), 20 * 3);
  assert_int_equal(most_rays(glass, 0.0, 64, 1024, false), 1024);
}

/* Light branches may be left out while their weights stay under half the
 * smallest step between levels at the brightest radiance; with glass that
 * makes light brighter, nothing bounds it and nothing is left out. */
static void test_whitted_leaves_out_only_what_cannot_change_a_level(void **state) {
  (void)state;
  const clrt_integrator *whitted = clrt_integrator_of(CLRT_INTEGRATOR_whitted);
  clrt_scene scene;
  scene_with("{\"color\": [0.5, 0.5, 0.5], \"ambient\": 0.1, \"diffuse\": 0.9, \"specular\": 0.3}", 0.0, 4, 77, true,
             &scene);
  clrt_tone_levels levels;
  clrt_tone_levels_make(&scene.image.tone, &levels);
  clrt_trace_params params = {0};
  whitted->flatten(&scene, &levels, &params);
  assert_int_equal(params.integrator_params.whitted.max_tree_rays, 77);
  double smallest = levels.thresholds[1];
  for (unsigned k = 1; k + 1 < CLRT_TONE_LEVELS; ++k)
    smallest = fmin(smallest, (double)levels.thresholds[k + 1] - levels.thresholds[k]);
  double brightest = 0.1 * 0.5 + 2.0 * (0.9 * 0.5 + 0.3); /* ambient + two lights, head on */
  assert_float_equal(params.integrator_params.whitted.max_dropped_weight, 0.5 * smallest / brightest, 1e-9);
  clrt_scene_free(&scene);
  scene_with("{\"color\": [1, 1, 1], \"transparency\": 0.9}", 0.0, 4, 77, true, &scene);
  scene.materials[0].color[0] = 1.5; /* transparency x colour > 1 */
  whitted->flatten(&scene, &levels, &params);
  assert_true(params.integrator_params.whitted.max_dropped_weight == 0.0f);
  clrt_scene_free(&scene);
}

static void test_whitted_warning_says_what_to_raise(void **state) {
  (void)state;
  FILE *log = tmpfile();
  assert_non_null(log);
  clrt_trace_params params = {.integrator_params.whitted.max_tree_rays = 20};
  clrt_integrator_of(CLRT_INTEGRATOR_whitted)->warn_cut_short(log, &params, 400.0, 3);
  const char *text = test_read_log(log);
  assert_non_null(strstr(text, "clrt: warning: 3 of 400 samples (0.8%) were cut short"));
  assert_non_null(strstr(text, "image.max_tree_rays (20)"));
  assert_non_null(strstr(text, "raise image.max_tree_rays, or lower max_depth"));
  size_t lines = 0;
  for (const char *c = text; *c; ++c)
    lines += *c == '\n';
  assert_int_equal(lines, 1); /* one line */
  fclose(log);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_every_listed_integrator_is_in_the_table),
      cmocka_unit_test(test_whitted_bounds_a_sample_by_its_tree),
      cmocka_unit_test(test_whitted_leaves_out_only_what_cannot_change_a_level),
      cmocka_unit_test(test_whitted_warning_says_what_to_raise),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
