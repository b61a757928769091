/* Sphere sets: attributes mapped to colour and radius (PLY properties and
 * a random field's x, y, z), the range's three sources, frame patterns,
 * checking a sequence, and the mistakes' one-line errors. */
#include "test_support.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clrt_colormap.h"

#define SCENE_HEAD                                                                                                     \
  "{\"image\": {\"width\": 48, \"height\": 32},"                                                                       \
  " \"camera\": {\"look_from\": [0, 0, 6], \"look_at\": [0, 0, 0], \"vfov\": 50},"                                     \
  " \"materials\": {\"atom\": {\"color\": [0.5, 0.5, 0.5]}},"                                                          \
  " \"lights\": [{\"position\": [3, 4, 5]}], \"spheres\": "

/* Three atoms with a temperature on the rows 0, 128 and 255 of a [0, 255]
 * range, and masses. */
static const char HOT_PLY[] = "ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\n"
                              "property float z\nproperty float temperature\nproperty uchar mass\nend_header\n"
                              "-1 0 0 0 10\n0 0 0 128 20\n1 0 0 255 40\n";

static char folder[700];

static void write_file(const char *name, const char *text) {
  char path[800];
  snprintf(path, sizeof path, "%s/%s", folder, name);
  FILE *file = fopen(path, "w");
  assert_non_null(file);
  fputs(text, file);
  assert_int_equal(fclose(file), 0);
}

/* The scene, beside the files, with `spheres_json` as its spheres. */
static const char *write_scene(const char *spheres_json) {
  static char path[800];
  char text[4096];
  snprintf(text, sizeof text, "%s%s}", SCENE_HEAD, spheres_json);
  write_file("scene.json", text);
  snprintf(path, sizeof path, "%s/scene.json", folder);
  return path;
}

static void load(const char *spheres_json, clrt_scene *scene) {
  clrt_error err;
  if (clrt_scene_load(write_scene(spheres_json), scene, &err))
    fail_msg("%s", err.message);
}

static void load_fails(const char *spheres_json, const char *message) {
  clrt_scene scene;
  clrt_error err;
  assert_int_equal(clrt_scene_load(write_scene(spheres_json), &scene, &err), CLRT_ERR_INPUT);
  if (!strstr(err.message, message))
    fail_msg("expected \"%s\" in: %s", message, err.message);
  assert_null(strchr(err.message, '\n'));
}

static int setup(void **state) {
  (void)state;
  snprintf(folder, sizeof folder, "%s", test_temp_dir());
  write_file("hot.ply", HOT_PLY);
  return 0;
}

static float linear_of(double srgb) {
  return (float)(srgb <= 0.04045 ? srgb / 12.92 : pow((srgb + 0.055) / 1.055, 2.4));
}

/* The sphere's colour is matplotlib's row, made linear. */
static void assert_row(const clrt_scene_sphere *sphere, const double srgb[3]) {
  assert_true(sphere->has_color);
  for (int c = 0; c < 3; ++c)
    if (sphere->color[c] != linear_of(srgb[c]))
      fail_msg("channel %d: %.9g, not %.9g", c, sphere->color[c], linear_of(srgb[c]));
}

static const double VIRIDIS_0[3] = {0.267004, 0.004874, 0.329415};
static const double VIRIDIS_128[3] = {0.127568, 0.566949, 0.550556};
static const double VIRIDIS_255[3] = {0.993248, 0.906157, 0.143936};
static const double MAGMA_0[3] = {0.001462, 0.000466, 0.013866};

static void test_property_to_colour_and_radius(void **state) {
  (void)state;
  clrt_scene scene;
  load("[{\"file\": \"hot.ply\", \"material\": \"atom\", \"radius\": {\"property\": \"mass\", \"scale\": 0.01},"
       " \"color_map\": {\"property\": \"temperature\", \"map\": \"viridis\", \"range\": [0, 255]}}]",
       &scene);
  assert_int_equal(scene.sphere_count, 3);
  assert_row(&scene.spheres[0], VIRIDIS_0);
  assert_row(&scene.spheres[1], VIRIDIS_128);
  assert_row(&scene.spheres[2], VIRIDIS_255);
  assert_true(scene.spheres[0].radius == (float)(0.01 * 10) && scene.spheres[2].radius == (float)(0.01 * 40));
  clrt_scene_free(&scene);
}

/* Without a range, the frame's least and most are the map's ends; the
 * map defaults to viridis. */
static void test_range_of_the_frame(void **state) {
  (void)state;
  clrt_scene scene;
  load("[{\"file\": \"hot.ply\", \"material\": \"atom\", \"radius\": 0.3, \"color_map\": {\"property\": \"mass\"}}]",
       &scene);
  assert_row(&scene.spheres[0], VIRIDIS_0);
  assert_row(&scene.spheres[2], VIRIDIS_255);
  clrt_scene_free(&scene);
}

/* A random field's properties are x, y, z: the lowest sphere gets the
 * map's first row. */
static void test_random_field_by_height(void **state) {
  (void)state;
  clrt_scene scene;
  load("[{\"random\": {\"count\": 50, \"min\": [-1, -1, -1], \"max\": [1, 1, 1], \"radius\": [0.1, 0.1]},"
       " \"material\": \"atom\", \"color_map\": {\"property\": \"y\", \"map\": \"magma\"}}]",
       &scene);
  size_t lowest = 0;
  for (size_t i = 1; i < scene.sphere_count; ++i)
    lowest = scene.spheres[i].center[1] < scene.spheres[lowest].center[1] ? i : lowest;
  assert_row(&scene.spheres[lowest], MAGMA_0);
  clrt_scene_free(&scene);
  /* Radii from x: the same centres as the field drawn with radii. */
  clrt_scene drawn, mapped;
  load("[{\"random\": {\"count\": 5, \"min\": [1, 0, 0], \"max\": [2, 1, 1], \"radius\": [0.1, 0.3]},"
       " \"material\": \"atom\"}]",
       &drawn);
  load("[{\"random\": {\"count\": 5, \"min\": [1, 0, 0], \"max\": [2, 1, 1]}, \"material\": \"atom\","
       " \"radius\": {\"property\": \"x\", \"scale\": 0.5}}]",
       &mapped);
  for (size_t i = 0; i < 5; ++i) {
    assert_memory_equal(drawn.spheres[i].center, mapped.spheres[i].center, sizeof drawn.spheres[i].center);
    assert_true(mapped.spheres[i].radius == (float)(0.5 * (double)mapped.spheres[i].center[0]) ||
                fabsf(mapped.spheres[i].radius - 0.5f * mapped.spheres[i].center[0]) < 1e-6f);
  }
  clrt_scene_free(&drawn);
  clrt_scene_free(&mapped);
}

static void test_mistakes_are_one_line_errors(void **state) {
  (void)state;
  load_fails(
      "[{\"file\": \"hot.ply\", \"material\": \"atom\", \"radius\": 1, \"color_map\": {\"property\": \"heat\"}}]",
      "spheres[0].color_map: ");
  load_fails(
      "[{\"file\": \"hot.ply\", \"material\": \"atom\", \"radius\": 1, \"color_map\": {\"property\": \"heat\"}}]",
      "has no vertex property \"heat\" (it has x, y, z, temperature, mass)");
  load_fails("[{\"file\": \"hot.ply\", \"material\": \"atom\", \"radius\": 1,"
             " \"color_map\": {\"property\": \"mass\", \"range\": [3, 3]}}]",
             "spheres[0].color_map.range: is empty: lower must be below upper");
  load_fails("[{\"file\": \"hot.ply\", \"material\": \"atom\", \"radius\": 1,"
             " \"color_map\": {\"property\": \"mass\", \"map\": \"jet\"}}]",
             "spheres[0].color_map.map: no built-in map is called \"jet\" (there are viridis, magma");
  load_fails("[{\"file\": \"hot.ply\", \"material\": \"atom\", \"radius\": 1,"
             " \"color_map\": {\"property\": \"mass\", \"map\": \"maps/mine.txt\"}}]",
             "maps/mine.txt: cannot");
  load_fails("[{\"file\": \"hot.ply\", \"material\": \"atom\", \"radius\": 1,"
             " \"color_map\": {\"property\": \"mass\", \"range\": \"all\"}}]",
             "spheres[0].color_map.range: must be [lower, upper], \"sequence\"");
  load_fails("[{\"file\": \"hot.ply\", \"material\": \"atom\", \"radius\": {\"property\": \"temperature\"}}]",
             "spheres[0].radius: sphere 0 of this set: its radius, temperature 0 times scale 1, must be > 0");
  load_fails("[{\"random\": {\"count\": 5, \"min\": [0, 0, 0], \"max\": [1, 1, 1], \"radius\": [0.1, 0.2]},"
             " \"material\": \"atom\", \"color_map\": {\"property\": \"mass\"}}]",
             "spheres[0].color_map: a random field has no property \"mass\" (it has x, y, z)");
  load_fails("[{\"file\": \"hot_%s.ply\", \"material\": \"atom\", \"radius\": 1}]",
             "spheres[0].file: holds a '%' that is not a frame pattern");
  load_fails("[{\"file\": \"hot_%03d.ply\", \"material\": \"atom\", \"radius\": 1}]",
             "spheres[0].file: is a frame pattern: render the frames with --frames FIRST..LAST");
}

/* Frames 1 to 3 of a trajectory; frame 2 is missing until written. */
static void write_trajectory(void) {
  static const char *const frames[] = {
      "ply\nformat ascii 1.0\nelement vertex 2\nproperty float x\nproperty float y\nproperty float z\n"
      "property float t\nend_header\n0 0 0 0\n1 0 0 10\n",
      "ply\nformat ascii 1.0\nelement vertex 2\nproperty float x\nproperty float y\nproperty float z\n"
      "property float t\nend_header\n0 1 0 0\n1 1 0 20\n",
      "ply\nformat ascii 1.0\nelement vertex 2\nproperty float x\nproperty float y\nproperty float z\n"
      "property float t\nend_header\n0 2 0 5\n1 2 0 15\n",
  };
  for (int f = 0; f < 3; ++f) {
    char name[32];
    snprintf(name, sizeof name, "traj_%03d.ply", f + 1);
    if (f != 1)
      write_file(name, frames[f]);
  }
  write_file("frame_2", frames[1]);
}

static const char TRAJECTORY[] = "[{\"file\": \"traj_%03d.ply\", \"material\": \"atom\", \"radius\": 0.2,"
                                 " \"color_map\": {\"property\": \"t\", \"map\": \"greys\", \"range\": \"sequence\"}}]";

static void test_frames_and_the_sequence_range(void **state) {
  (void)state;
  write_trajectory();
  const char *scene_path = write_scene(TRAJECTORY);
  clrt_sequence sequence = {1, 3, 1};
  clrt_sequence_facts facts;
  clrt_error err;
  assert_int_equal(clrt_scene_check_sequence(scene_path, &sequence, &facts, &err), CLRT_ERR_INPUT);
  assert_non_null(strstr(err.message, "traj_002.ply: cannot open the PLY file"));
  /* With frame 2 there, its values (0 to 20) widen the range of every frame. */
  char from[800], to[800];
  snprintf(from, sizeof from, "%s/frame_2", folder);
  snprintf(to, sizeof to, "%s/traj_002.ply", folder);
  assert_int_equal(rename(from, to), 0);
  if (clrt_scene_check_sequence(scene_path, &sequence, &facts, &err))
    fail_msg("%s", err.message);
  assert_true(facts.known[0] && facts.ranges[0][0] == 0.0 && facts.ranges[0][1] == 20.0);
  clrt_scene_frame frame = {3, sequence, &facts};
  clrt_scene scene;
  if (clrt_scene_load_frame(scene_path, &frame, &scene, &err))
    fail_msg("%s", err.message);
  assert_true(scene.has_frame_files && scene.spheres[0].center[1] == 2.0f);
  /* t = 5 of [0, 20]: a quarter of the way, between rows 63 and 64. */
  clrt_colormap greys;
  assert_true(clrt_colormap_builtin("greys", &greys));
  double expected[3];
  assert_true(clrt_colormap_linear(&greys, 5.0, 0.0, 20.0, expected));
  assert_true(scene.spheres[0].color[0] == (float)expected[0]);
  clrt_colormap_free(&greys);
  clrt_scene_free(&scene);
  clrt_sequence_facts_free(&facts);
  /* Past the last file: the check names the first one missing. */
  clrt_sequence longer = {1, 5, 2};
  assert_int_equal(clrt_scene_check_sequence(scene_path, &longer, &facts, &err), CLRT_ERR_INPUT);
  assert_non_null(strstr(err.message, "traj_005.ply"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_property_to_colour_and_radius), cmocka_unit_test(test_range_of_the_frame),
      cmocka_unit_test(test_random_field_by_height),        cmocka_unit_test(test_mistakes_are_one_line_errors),
      cmocka_unit_test(test_frames_and_the_sequence_range),
  };
  return cmocka_run_group_tests(tests, setup, NULL);
}
