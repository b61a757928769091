/* Scene parser: every valid construct, and invalid inputs with their messages. */
#include "test_support.h"

#include <math.h>
#include <string.h>
#include <sys/stat.h>

#include "clrt_integrators.h"
#include "clrt_scene.h"

/* A minimal valid scene with `extra` spliced into the top-level object. */
#define SCENE(extra)                                                                                                   \
  "{\"image\": {\"width\": 64, \"height\": 48},"                                                                       \
  " \"camera\": {\"look_from\": [0, 0, 1], \"look_at\": [0, 0, -1], \"vfov\": 60}" extra "}"

#define RED_MATERIAL ", \"materials\": {\"red\": {\"color\": [1, 0.2, 0.2]}}"

static void test_full_scene_reads_every_key(void **state) {
  (void)state;
  clrt_scene scene;
  test_parse_ok("{\"image\": {\"width\": 600, \"height\": 400, \"samples\": 9, \"max_depth\": 3, \"gamma\": 1.8},"
                " \"camera\": {\"look_from\": [0, 0.5, 1.5], \"look_at\": [0, 0, -1], \"vup\": [0, 0, 1],"
                "              \"vfov\": 45},"
                " \"background\": [0.7, 0.8, 1.0], \"shadows\": false,"
                " \"materials\": {\"red\": {\"color\": [1, 0.2, 0.2], \"ambient\": 0.05, \"diffuse\": 0.8,"
                "                            \"specular\": 0.5, \"shininess\": 64, \"reflectivity\": 0.25},"
                "               \"plain\": {\"color\": [0.5, 0.5, 0.5]}},"
                " \"spheres\": [{\"center\": [0, 0, -1], \"radius\": 0.5, \"material\": \"plain\"},"
                "             {\"center\": [1, 2, 3], \"radius\": 2, \"material\": \"red\"}],"
                " \"lights\": [{\"position\": [-2, 2, 1], \"color\": [1, 0.5, 0.25], \"intensity\": 0.8},"
                "            {\"position\": [2, 1, 0]}]}",
                &scene);
  assert_int_equal(scene.image.width, 600);
  assert_int_equal(scene.image.height, 400);
  assert_int_equal(scene.sampling.samples, 9);
  assert_int_equal(scene.sampling.max_depth, 3);
  assert_true(scene.image.tone.gamma == 1.8);
  assert_true(scene.camera.vup[2] == 1.0 && scene.camera.vfov_degrees == 45.0);
  assert_true(scene.background[1] == 0.8);
  assert_false(scene.shadows);
  assert_int_equal(scene.material_count, 2);
  assert_string_equal(scene.materials[0].name, "red");
  assert_true(scene.materials[0].shininess == 64.0 && scene.materials[0].reflectivity == 0.25);
  assert_int_equal(scene.sphere_count, 2);
  assert_int_equal(scene.spheres[0].material, 1); /* "plain" */
  assert_int_equal(scene.spheres[1].material, 0); /* "red" */
  assert_true(scene.spheres[1].center[1] == 2.0f && scene.spheres[1].radius == 2.0f);
  assert_int_equal(scene.light_count, 2);
  assert_true(scene.lights[0].color[2] == 0.25 && scene.lights[0].intensity == 0.8);
  clrt_scene_free(&scene);
}

static void test_defaults_fill_omitted_keys(void **state) {
  (void)state;
  clrt_scene scene;
  test_parse_ok(SCENE(RED_MATERIAL ", \"spheres\": [{\"center\": [0, 0, -1], \"radius\": 1, \"material\": \"red\"}],"
                                   " \"lights\": [{\"position\": [1, 1, 1]}]"),
                &scene);
  assert_int_equal(scene.sampling.samples, 1);
  assert_int_equal(scene.sampling.max_depth, 4);
  assert_true(scene.image.tone.gamma == 2.2 && scene.image.tone.transfer == CLRT_TRANSFER_GAMMA);
  assert_true(scene.image.tone.exposure == 1.0);
  assert_int_equal(scene.sampling.shadow_samples, 16);
  assert_int_equal(scene.sampling.integrator, CLRT_DEFAULT_INTEGRATOR);
  assert_int_equal(scene.sampling.whitted.max_tree_rays, CLRT_DEFAULT_MAX_TREE_RAYS);
  assert_true(scene.camera.aperture == 0.0 && scene.camera.focus_distance == 2.0);
  assert_true(scene.shadows);
  assert_true(scene.background[0] == 0.0 && scene.background[1] == 0.0 && scene.background[2] == 0.0);
  assert_true(scene.camera.vup[0] == 0.0 && scene.camera.vup[1] == 1.0 && scene.camera.vup[2] == 0.0);
  const clrt_scene_material *m = &scene.materials[0];
  assert_true(m->ambient == 0.1 && m->diffuse == 0.9 && m->specular == 0.3 && m->shininess == 32.0 &&
              m->reflectivity == 0.0 && m->transparency == 0.0 && m->ior == 1.5);
  const clrt_scene_light *l = &scene.lights[0];
  assert_true(l->color[0] == 1.0 && l->color[1] == 1.0 && l->color[2] == 1.0 && l->intensity == 1.0 &&
              l->radius == 0.0);
  clrt_scene_free(&scene);
}

static void test_quality_keys(void **state) {
  (void)state;
  clrt_scene scene;
  test_parse_ok("{\"image\": {\"width\": 64, \"height\": 48, \"samples\": 16, \"shadow_samples\": 9,"
                "            \"gamma\": \"srgb\", \"exposure\": 1.5, \"integrator\": \"whitted\","
                "            \"max_tree_rays\": 77},"
                " \"camera\": {\"look_from\": [0, 0, 1], \"look_at\": [0, 0, -1], \"vfov\": 60,"
                "              \"aperture\": 0.1, \"focus_distance\": 3.5},"
                " \"materials\": {\"glass\": {\"color\": [1, 1, 1], \"reflectivity\": 0.1, \"transparency\": 0.9,"
                "                              \"ior\": 1.33}},"
                " \"lights\": [{\"position\": [0, 5, 0], \"radius\": 0.5}]}",
                &scene);
  assert_int_equal(scene.sampling.shadow_samples, 9);
  assert_int_equal(scene.sampling.integrator, CLRT_INTEGRATOR_whitted);
  assert_int_equal(scene.sampling.whitted.max_tree_rays, 77);
  assert_int_equal(scene.image.tone.transfer, CLRT_TRANSFER_SRGB);
  assert_true(scene.image.tone.exposure == 1.5);
  assert_true(scene.camera.aperture == 0.1 && scene.camera.focus_distance == 3.5);
  assert_true(scene.materials[0].transparency == 0.9 && scene.materials[0].ior == 1.33);
  assert_true(scene.lights[0].radius == 0.5);
  clrt_scene_free(&scene);
}

static void test_empty_scene_has_no_objects(void **state) {
  (void)state;
  clrt_scene scene;
  test_parse_ok(SCENE(""), &scene);
  assert_int_equal(scene.sphere_count, 0);
  assert_int_equal(scene.light_count, 0);
  assert_int_equal(scene.material_count, 0);
  clrt_scene_free(&scene);
}

static void test_integral_reals_count_as_integers(void **state) {
  (void)state;
  clrt_scene scene;
  test_parse_ok("{\"image\": {\"width\": 64.0, \"height\": 4.8e1},"
                " \"camera\": {\"look_from\": [0, 0, 1], \"look_at\": [0, 0, -1], \"vfov\": 60}}",
                &scene);
  assert_int_equal(scene.image.width, 64);
  assert_int_equal(scene.image.height, 48);
  clrt_scene_free(&scene);
}

static void test_scene_file_on_disk(void **state) {
  (void)state;
  clrt_scene scene;
  clrt_error err = {{0}};
  assert_int_equal(clrt_scene_load(CLRT_SOURCE_DIR "/scenes/pymonik.json", &scene, &err), CLRT_OK);
  assert_int_equal(scene.sphere_count, 4);
  assert_int_equal(scene.light_count, 2);
  assert_true(scene.spheres[3].radius == 100.0f);
  clrt_scene_free(&scene);
}

static void test_missing_file(void **state) {
  (void)state;
  clrt_scene scene;
  clrt_error err = {{0}};
  assert_int_equal(clrt_scene_load("/nonexistent/scene.json", &scene, &err), CLRT_ERR_INPUT);
  assert_non_null(strstr(err.message, "/nonexistent/scene.json: cannot open the scene file"));
}

/* Only regular files are scene files: a directory or a FIFO gets a clear
 * message (a FIFO with no writer must not hang clrt). */
static void test_scene_must_be_a_regular_file(void **state) {
  (void)state;
  clrt_scene scene;
  clrt_error err = {{0}};
  const char *folder = test_temp_dir();
  assert_int_equal(clrt_scene_load(folder, &scene, &err), CLRT_ERR_INPUT);
  assert_non_null(strstr(err.message, "the scene file must be a regular file, not a directory"));
  char fifo[1024];
  snprintf(fifo, sizeof fifo, "%s/scene.json", folder);
  assert_int_equal(mkfifo(fifo, 0600), 0);
  assert_int_equal(clrt_scene_load(fifo, &scene, &err), CLRT_ERR_INPUT);
  assert_non_null(strstr(err.message, "not a special file (FIFO, device or socket)"));
}

/* A NUL byte anywhere (jansson alone would stop at one after a number and
 * take the rest for the end of the file). */
static void test_nul_bytes_are_refused(void **state) {
  (void)state;
  const char *path = test_write_temp("", "nul.json");
  FILE *file = fopen(path, "wb");
  assert_non_null(file);
  static const char text[] = "{\"image\": {\"width\": 4, \"height\": 4}, \"camera\": {\"look_from\": [0, 0, 2],"
                             " \"look_at\": [0, 0, 0], \"vfov\": 60}}";
  static const char after_number[] = "4\0garbage";
  fwrite(text, 1, sizeof text - 1, file);
  fclose(file);
  clrt_scene scene;
  clrt_error err = {{0}};
  assert_int_equal(clrt_scene_load(path, &scene, &err), CLRT_OK);
  clrt_scene_free(&scene);
  file = fopen(path, "wb");
  fwrite(text, 1, 23, file); /* up to "width": */
  fwrite(after_number, 1, sizeof after_number - 1, file);
  fclose(file);
  assert_int_equal(clrt_scene_load(path, &scene, &err), CLRT_ERR_INPUT);
  assert_non_null(strstr(err.message, "nul.json:1:25: invalid JSON: a NUL byte"));
}

/* Names from the file may hold control characters: messages quote them
 * escaped, so they cannot forge lines or drive the terminal. */
static void test_messages_escape_control_characters(void **state) {
  (void)state;
  clrt_scene scene;
  clrt_error err = {{0}};
  const char *text = "{\"image\": {\"width\": 4, \"height\": 4}, \"camera\": {\"look_from\": [0, 0, 2],"
                     " \"look_at\": [0, 0, 0], \"vfov\": 60}, \"spheres\": [{\"center\": [0, 0, 0], \"radius\": 1,"
                     " \"material\": \"x\\nclrt: error: forged\\u001b[2J\\u009b31m\\u00e9\"}]}";
  assert_int_equal(clrt_scene_parse(text, "t.json", &scene, &err), CLRT_ERR_INPUT);
  assert_non_null(strstr(err.message, "unknown material \"x\\nclrt: error: forged\\x1b[2J\\u009b31m\xc3\xa9\""));
  for (const char *c = err.message; *c; ++c)
    assert_true((unsigned char)*c >= 0x20 && *c != 0x7f);
  char out[64];
  clrt_printable("\xff\xc2\x9b\xed\xa0\x80ok\t\r", out, sizeof out);
  assert_string_equal(out, "\\xff\\u009b\\xed\\xa0\\x80ok\\t\\r"); /* not UTF-8, C1, a surrogate */
  clrt_printable("\x1b\x1b\x1b", out, 9);
  assert_string_equal(out, "\\x1b\\x1b"); /* cut between escapes, not inside one */
}

static void test_invalid_json_names_line_and_column(void **state) {
  (void)state;
  test_parse_fails("{\n  \"image\": {\"width\": 64,}\n}", "test.json:2:", "invalid JSON", NULL);
  test_parse_fails("", "test.json:", "invalid JSON", NULL);
}

static void test_invalid_json_from_file_names_the_file(void **state) {
  (void)state;
  const char *path = test_write_temp("{\"image\": [1, 2", "broken.json");
  clrt_scene scene;
  clrt_error err = {{0}};
  assert_int_equal(clrt_scene_load(path, &scene, &err), CLRT_ERR_INPUT);
  assert_non_null(strstr(err.message, "broken.json:1:"));
  assert_non_null(strstr(err.message, "invalid JSON"));
}

static void test_invalid_inputs(void **state) {
  (void)state;
  test_parse_fails("[1, 2, 3]", "test.json: the scene must be a JSON object", NULL);
  test_parse_fails(SCENE(", \"lights\": [], \"lights\": []"), "invalid JSON", "duplicate", NULL);
  test_parse_fails(SCENE(", \"shadow\": true"), "test.json: shadow: unknown key", "shadows", NULL);
  test_parse_fails("{\"image\": {\"width\": 64, \"height\": 48, \"sample\": 2},"
                   " \"camera\": {\"look_from\": [0, 0, 1], \"look_at\": [0, 0, -1], \"vfov\": 60}}",
                   "image.sample: unknown key", NULL);
  test_parse_fails("{\"camera\": {\"look_from\": [0, 0, 1], \"look_at\": [0, 0, -1], \"vfov\": 60}}",
                   "test.json: image: missing", NULL);
  test_parse_fails("{\"image\": {\"width\": \"64\", \"height\": 48},"
                   " \"camera\": {\"look_from\": [0, 0, 1], \"look_at\": [0, 0, -1], \"vfov\": 60}}",
                   "image.width: must be a number", NULL);
  test_parse_fails("{\"image\": {\"width\": 0, \"height\": 48},"
                   " \"camera\": {\"look_from\": [0, 0, 1], \"look_at\": [0, 0, -1], \"vfov\": 60}}",
                   "image.width: must be a whole number in 1..16384 (got 0)", NULL);
  test_parse_fails("{\"image\": {\"width\": 64, \"height\": 16385},"
                   " \"camera\": {\"look_from\": [0, 0, 1], \"look_at\": [0, 0, -1], \"vfov\": 60}}",
                   "image.height: must be a whole number in 1..16384", NULL);
  test_parse_fails("{\"image\": {\"width\": 64.5, \"height\": 48},"
                   " \"camera\": {\"look_from\": [0, 0, 1], \"look_at\": [0, 0, -1], \"vfov\": 60}}",
                   "image.width: must be a whole number", NULL);
  test_parse_fails("{\"image\": {\"width\": 64, \"height\": 48, \"samples\": 4097},"
                   " \"camera\": {\"look_from\": [0, 0, 1], \"look_at\": [0, 0, -1], \"vfov\": 60}}",
                   "image.samples: must be a whole number in 1..4096 (got 4097)", NULL);
  test_parse_fails("{\"image\": {\"width\": 64, \"height\": 48, \"samples\": 0},"
                   " \"camera\": {\"look_from\": [0, 0, 1], \"look_at\": [0, 0, -1], \"vfov\": 60}}",
                   "image.samples: must be a whole number in 1..4096 (got 0)", NULL);
  test_parse_fails("{\"image\": {\"width\": 64, \"height\": 48, \"gamma\": 1e999},"
                   " \"camera\": {\"look_from\": [0, 0, 1], \"look_at\": [0, 0, -1], \"vfov\": 60}}",
                   "invalid JSON", NULL);
  test_parse_fails("{\"image\": {\"width\": 64, \"height\": 48},"
                   " \"camera\": {\"look_from\": [0, 0, 1], \"look_at\": [0, 0, -1], \"vfov\": 180}}",
                   "camera.vfov: must be in (0, 180) degrees (got 180)", NULL);
  test_parse_fails("{\"image\": {\"width\": 64, \"height\": 48},"
                   " \"camera\": {\"look_from\": [0, 0, 1], \"look_at\": [0, 0, -1], \"vfov\": 0}}",
                   "camera.vfov: must be in (0, 180) degrees (got 0)", NULL);
  test_parse_fails("{\"image\": {\"width\": 64, \"height\": 48},"
                   " \"camera\": {\"look_from\": [1, 2, 3], \"look_at\": [1, 2, 3], \"vfov\": 60}}",
                   "camera.look_at: must differ from camera.look_from", NULL);
  test_parse_fails("{\"image\": {\"width\": 64, \"height\": 48},"
                   " \"camera\": {\"look_from\": [0, 0, 1], \"look_at\": [0, 0, -1], \"vup\": [0, 0, 2],"
                   " \"vfov\": 60}}",
                   "camera.vup: must not be zero or parallel to the view direction", NULL);
  test_parse_fails("{\"image\": {\"width\": 64, \"height\": 48},"
                   " \"camera\": {\"look_from\": [0, 0], \"look_at\": [0, 0, -1], \"vfov\": 60}}",
                   "camera.look_from: must be an array of 3 numbers", NULL);
  test_parse_fails(SCENE(", \"background\": [0, null, 1]"), "background[1]: must be a number", NULL);
  test_parse_fails(SCENE(", \"shadows\": 1"), "shadows: must be true or false", NULL);
  test_parse_fails(SCENE(RED_MATERIAL ", \"spheres\": [{\"center\": [0, 0, -1], \"radius\": 1, \"material\": "
                                      "\"red\"}, {\"center\": [0, 0, -1], \"radius\": -1, \"material\": \"red\"}]"),
                   "test.json: spheres[1].radius: must be > 0 (got -1)", NULL);
  test_parse_fails(SCENE(RED_MATERIAL ", \"spheres\": [{\"center\": [0, 0, -1], \"radius\": 0, \"material\": "
                                      "\"red\"}]"),
                   "spheres[0].radius: must be > 0 (got 0)", NULL);
  test_parse_fails(SCENE(RED_MATERIAL ", \"spheres\": [{\"center\": [0, 0, -1], \"radius\": 1, \"material\": "
                                      "\"rde\"}]"),
                   "spheres[0].material: unknown material \"rde\"", NULL);
  test_parse_fails(SCENE(RED_MATERIAL ", \"spheres\": [{\"center\": [0, 0, -1], \"radius\": 1}]"),
                   "spheres[0].material: missing", NULL);
  test_parse_fails(SCENE(", \"spheres\": {}"), "spheres: must be an array", NULL);
  test_parse_fails(SCENE(", \"materials\": {\"red\": {\"color\": [1, 0.2, -0.2]}}"),
                   "materials.red.color[2]: must be >= 0 (got -0.2)", NULL);
  test_parse_fails(SCENE(", \"materials\": {\"red\": {\"color\": [1, 1, 1], \"reflectivity\": 1.5}}"),
                   "materials.red.reflectivity: must be in [0, 1] (got 1.5)", NULL);
  test_parse_fails(SCENE(", \"materials\": {\"red\": {\"color\": [1, 1, 1], \"shine\": 3}}"),
                   "materials.red.shine: unknown key (allowed here: color, ambient, diffuse, specular, shininess, "
                   "reflectivity, transparency, ior, emission)",
                   NULL);
  test_parse_fails(SCENE(", \"lights\": [{\"position\": [0, 1, 0], \"intensity\": -1}]"),
                   "lights[0].intensity: must be >= 0 (got -1)", NULL);
  test_parse_fails(SCENE(", \"lights\": [{\"color\": [1, 1, 1]}]"), "lights[0].position: missing", NULL);
}

#define SCENE_CAMERA(extra)                                                                                            \
  "{\"image\": {\"width\": 64, \"height\": 48},"                                                                       \
  " \"camera\": {\"look_from\": [0, 0, 1], \"look_at\": [0, 0, -1], \"vfov\": 60" extra "}}"

static void test_sphere_colors_and_random_fields(void **state) {
  (void)state;
  clrt_scene scene, again;
  const char *json = SCENE(RED_MATERIAL ", \"spheres\": [{\"center\": [0, 0, -1], \"radius\": 1, \"material\": "
                                        "\"red\", \"color\": [0, 0.5, 1]},"
                                        " {\"random\": {\"count\": 1000, \"seed\": 7, \"min\": [-1, 0, -9],"
                                        " \"max\": [1, 2, -5], \"radius\": [0.05, 0.1], \"colors\": true},"
                                        " \"material\": \"red\"}]");
  test_parse_ok(json, &scene);
  assert_int_equal(scene.sphere_count, 1001);
  assert_true(scene.spheres[0].has_color && scene.spheres[0].color[2] == 1.0f);
  for (size_t i = 1; i < scene.sphere_count; ++i) {
    const clrt_scene_sphere *s = &scene.spheres[i];
    assert_true(s->center[0] >= -1 && s->center[0] <= 1 && s->center[2] >= -9 && s->center[2] <= -5);
    assert_true(s->radius >= 0.05f && s->radius <= 0.1f && s->has_color);
  }
  test_parse_ok(json, &again); /* the same seed, the same spheres */
  assert_memory_equal(scene.spheres, again.spheres, scene.sphere_count * sizeof *scene.spheres);
  clrt_scene_free(&scene);
  clrt_scene_free(&again);
  test_parse_fails(SCENE(RED_MATERIAL ", \"spheres\": [{\"center\": [0, 0, 0], \"radius\": 1, \"material\": "
                                      "\"red\", \"color\": [0, -1, 0]}]"),
                   "spheres[0].color[1]: must be >= 0 (got -1)", NULL);
  test_parse_fails(SCENE(RED_MATERIAL ", \"spheres\": [{\"center\": [0, 0, 0], \"radius\": 1, \"material\": "
                                      "\"red\", \"colour\": [0, 1, 0]}]"),
                   "spheres[0].colour: unknown key (allowed here: center, radius, material, color)", NULL);
  test_parse_fails(SCENE(RED_MATERIAL ", \"spheres\": [{\"random\": {\"count\": 5, \"min\": [0, 0, 0],"
                                      " \"max\": [1, 1, 1], \"radius\": [0.2, 0.1]}, \"material\": \"red\"}]"),
                   "spheres[0].random.radius: the smallest radius must come first", NULL);
  test_parse_fails(SCENE(RED_MATERIAL ", \"spheres\": [{\"random\": {\"count\": 0, \"min\": [0, 0, 0],"
                                      " \"max\": [1, 1, 1], \"radius\": [0.1, 0.2]}, \"material\": \"red\"}]"),
                   "spheres[0].random.count: must be a whole number in 1..1000000000 (got 0)", NULL);
  test_parse_fails(SCENE(RED_MATERIAL ", \"spheres\": [{\"file\": \"\", \"material\": \"red\"}]"),
                   "spheres[0].file: must be the path of a PLY file", NULL);
}

/* Numbers that reach the device are checked as the floats they become. */
static void test_numbers_are_checked_in_single_precision(void **state) {
  (void)state;
  test_parse_fails(SCENE(RED_MATERIAL ", \"spheres\": [{\"center\": [0, 0, -1], \"radius\": 1e39, \"material\": "
                                      "\"red\"}]"),
                   "spheres[0].radius: must be within single precision, at most 3.4e38 in size (got 1e+39)", NULL);
  test_parse_fails(SCENE(RED_MATERIAL ", \"spheres\": [{\"center\": [0, 0, -1], \"radius\": 1e-308,"
                                      " \"material\": \"red\"}]"),
                   "spheres[0].radius: must be > 0 in single precision, at least 1.4e-45 (got 1e-308)", NULL);
  test_parse_fails(SCENE_CAMERA(", \"aperture\": 1e308"),
                   "camera.aperture: must be within single precision, at most 3.4e38 in size (got 1e+308)", NULL);
  test_parse_fails(SCENE(RED_MATERIAL ", \"spheres\": [{\"center\": [0, -5e38, -1], \"radius\": 1,"
                                      " \"material\": \"red\"}]"),
                   "spheres[0].center[1]: must be within single precision", NULL);
  test_parse_fails(SCENE(", \"lights\": [{\"position\": [0, 1, 0], \"intensity\": 1e300}]"),
                   "lights[0].intensity: must be within single precision", NULL);
}

#define IMAGE_WITH(extra)                                                                                              \
  "{\"image\": {\"width\": 64, \"height\": 48" extra "},"                                                              \
  " \"camera\": {\"look_from\": [0, 0, 1], \"look_at\": [0, 0, -1], \"vfov\": 60}}"
#define CAMERA_WITH(extra)                                                                                             \
  "{\"image\": {\"width\": 64, \"height\": 48},"                                                                       \
  " \"camera\": {\"look_from\": [0, 0, 1], \"look_at\": [0, 0, -1], \"vfov\": 60" extra "}}"

static void test_invalid_quality_inputs(void **state) {
  (void)state;
  test_parse_fails(SCENE(", \"lights\": [{\"position\": [0, 1, 0], \"radius\": -0.5}]"),
                   "lights[0].radius: must be >= 0 (got -0.5)", NULL);
  test_parse_fails(SCENE(", \"materials\": {\"glass\": {\"color\": [1, 1, 1], \"transparency\": 0.9, \"ior\": 0.8}}"),
                   "materials.glass.ior: must be >= 1 for a transparent material (got 0.8)", NULL);
  test_parse_fails(SCENE(", \"materials\": {\"glass\": {\"color\": [1, 1, 1], \"reflectivity\": 0.6,"
                         " \"transparency\": 0.5}}"),
                   "materials.glass: reflectivity + transparency must be <= 1 (got 0.6 + 0.5)", NULL);
  test_parse_fails(SCENE(", \"materials\": {\"glass\": {\"color\": [1, 1, 1], \"transparency\": 1.2}}"),
                   "materials.glass.transparency: must be in [0, 1] (got 1.2)", NULL);
  test_parse_fails(IMAGE_WITH(", \"shadow_samples\": 0"), "image.shadow_samples: must be a whole number in 1..1024",
                   NULL);
  test_parse_fails(IMAGE_WITH(", \"shadow_samples\": 2000"), "image.shadow_samples: must be a whole number in 1..1024",
                   NULL);
  test_parse_fails(IMAGE_WITH(", \"gamma\": \"linear\""), "image.gamma: must be a number > 0 or \"srgb\"", NULL);
  test_parse_fails(IMAGE_WITH(", \"exposure\": 0"), "image.exposure: must be > 0 (got 0)", NULL);
  test_parse_fails(IMAGE_WITH(", \"integrator\": \"radiosity\""),
                   "image.integrator: must be the name of an integrator: \"whitted\"", NULL);
  test_parse_fails(IMAGE_WITH(", \"integrator\": 1"), "image.integrator: must be the name of an integrator", NULL);
  test_parse_fails(CAMERA_WITH(", \"aperture\": -0.1"), "camera.aperture: must be >= 0 (got -0.1)", NULL);
  test_parse_fails(CAMERA_WITH(", \"focus_distance\": 0"), "camera.focus_distance: must be > 0 (got 0)", NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_full_scene_reads_every_key),
      cmocka_unit_test(test_defaults_fill_omitted_keys),
      cmocka_unit_test(test_quality_keys),
      cmocka_unit_test(test_empty_scene_has_no_objects),
      cmocka_unit_test(test_integral_reals_count_as_integers),
      cmocka_unit_test(test_scene_file_on_disk),
      cmocka_unit_test(test_missing_file),
      cmocka_unit_test(test_scene_must_be_a_regular_file),
      cmocka_unit_test(test_nul_bytes_are_refused),
      cmocka_unit_test(test_messages_escape_control_characters),
      cmocka_unit_test(test_invalid_json_names_line_and_column),
      cmocka_unit_test(test_invalid_json_from_file_names_the_file),
      cmocka_unit_test(test_invalid_inputs),
      cmocka_unit_test(test_invalid_quality_inputs),
      cmocka_unit_test(test_sphere_colors_and_random_fields),
      cmocka_unit_test(test_numbers_are_checked_in_single_precision),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
