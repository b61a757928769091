/* The clrt binary itself: exit codes, one-line messages, and files. */
#include "test_support.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <stb_image.h>

typedef struct run_result {
  int exit_code;
  char *out; /* stdout */
  char *err; /* stderr */
} run_result;

/* Runs `clrt ARGS` through the shell and captures both streams. */
static run_result run_clrt(const char *args) {
  char directory[512], command[2048], out_path[600], err_path[600];
  snprintf(directory, sizeof directory, "%s", test_temp_dir());
  snprintf(out_path, sizeof out_path, "%s/stdout", directory);
  snprintf(err_path, sizeof err_path, "%s/stderr", directory);
  snprintf(command, sizeof command, "'%s' %s >'%s' 2>'%s'", CLRT_BINARY, args, out_path, err_path);
  int status = system(command);
  assert_true(WIFEXITED(status));
  run_result result = {WEXITSTATUS(status), test_read_file(out_path, NULL), test_read_file(err_path, NULL)};
  return result;
}

static void run_free(run_result *r) {
  free(r->out);
  free(r->err);
}

static int file_exists(const char *path) {
  struct stat info;
  return stat(path, &info) == 0;
}

static void count_lines_and_find(const char *text, const char *fragment) {
  if (!strstr(text, fragment))
    fail_msg("\"%s\" lacks \"%s\"", text, fragment);
}

/* A failed render: exit code, one error line with the fragment, no file. */
static void expect_failure(const char *args, const char *output, int exit_code, const char *fragment) {
  run_result r = run_clrt(args);
  assert_int_equal(r.exit_code, exit_code);
  count_lines_and_find(r.err, "clrt: error: ");
  count_lines_and_find(r.err, fragment);
  assert_non_null(strchr(r.err, '\n'));
  assert_null(strchr(strchr(r.err, '\n') + 1, '\n')); /* exactly one line */
  if (output)
    assert_false(file_exists(output));
  run_free(&r);
}

static char output_path[700];

static const char *fresh_output(void) {
  snprintf(output_path, sizeof output_path, "%s/out.png", test_temp_dir());
  return output_path;
}

static void test_missing_scene_file(void **state) {
  (void)state;
  char args[1024];
  const char *out = fresh_output();
  snprintf(args, sizeof args, "render /nonexistent/scene.json -o '%s'", out);
  expect_failure(args, out, 2, "/nonexistent/scene.json: cannot open the scene file");
}

static void test_bad_json(void **state) {
  (void)state;
  const char *scene = test_write_temp("{\n \"image\": {\"width\": 4 \"height\": 4}\n}\n", "bad.json");
  char args[1024];
  snprintf(args, sizeof args, "render '%s' -o '%s'", scene, fresh_output());
  expect_failure(args, output_path, 2, "bad.json:2:");
}

static const char VALID_SCENE[] =
    "{\"image\": {\"width\": 48, \"height\": 32},"
    " \"camera\": {\"look_from\": [0, 0, 2], \"look_at\": [0, 0, 0], \"vfov\": 60},"
    " \"background\": [0.2, 0.4, 0.8],"
    " \"materials\": {\"red\": {\"color\": [1, 0, 0]}},"
    " \"spheres\": [{\"center\": [0, 0, 0], \"radius\": 0.6, \"material\": \"red\"}],"
    " \"lights\": [{\"position\": [2, 2, 2]}]}";

static void test_unknown_key(void **state) {
  (void)state;
  const char *scene = test_write_temp("{\"image\": {\"width\": 4, \"height\": 4, \"colour\": 1},"
                                      " \"camera\": {\"look_from\": [0, 0, 2], \"look_at\": [0, 0, 0], \"vfov\": 60}}",
                                      "typo.json");
  char args[1024];
  snprintf(args, sizeof args, "render '%s' -o '%s'", scene, fresh_output());
  expect_failure(args, output_path, 2, "typo.json: image.colour: unknown key");
}

static void test_zero_width(void **state) {
  (void)state;
  const char *scene = test_write_temp(VALID_SCENE, "ok.json");
  char args[1024];
  snprintf(args, sizeof args, "render '%s' -o '%s' --width 0", scene, fresh_output());
  expect_failure(args, output_path, 2, "--width: expected a whole number in 1..16384, got '0'");
  const char *zero = test_write_temp("{\"image\": {\"width\": 0, \"height\": 4},"
                                     " \"camera\": {\"look_from\": [0, 0, 2], \"look_at\": [0, 0, 0], \"vfov\": 60}}",
                                     "zero.json");
  snprintf(args, sizeof args, "render '%s' -o '%s'", zero, fresh_output());
  expect_failure(args, output_path, 2, "zero.json: image.width: must be a whole number in 1..16384 (got 0)");
}

static void test_unknown_device(void **state) {
  (void)state;
  clrt_device device;
  test_require_device(&device); /* without a platform the error is a different one */
  const char *scene = test_write_temp(VALID_SCENE, "ok.json");
  char args[1024];
  snprintf(args, sizeof args, "render '%s' -o '%s' --device no-such-device-xyz", scene, fresh_output());
  expect_failure(args, output_path, 2, "--device no-such-device-xyz: no such device");
  snprintf(args, sizeof args, "render '%s' -o '%s' --device 9:9", scene, fresh_output());
  expect_failure(args, output_path, 2, "--device 9:9: no such device");
}

static void test_bad_output_is_refused_before_rendering(void **state) {
  (void)state;
  const char *scene = test_write_temp(VALID_SCENE, "ok.json");
  char args[1024];
  snprintf(args, sizeof args, "render '%s' -o /nonexistent-dir/out.png", scene);
  expect_failure(args, NULL, 2, "directory '/nonexistent-dir' does not exist");
  snprintf(args, sizeof args, "render '%s' -o out.gif", scene);
  expect_failure(args, "out.gif", 2, "unknown image format");
}

static void test_render_writes_png_and_summary(void **state) {
  (void)state;
  clrt_device device;
  test_require_device(&device);
  const char *scene = test_write_temp(VALID_SCENE, "ok.json");
  char args[1024];
  snprintf(args, sizeof args, "render '%s' -o '%s' --tile-size 16x16", scene, fresh_output());
  run_result r = run_clrt(args);
  assert_int_equal(r.exit_code, 0);
  count_lines_and_find(r.err, "48x32");
  count_lines_and_find(r.err, "6 tile(s)");
  count_lines_and_find(r.err, "kernel");
  count_lines_and_find(r.err, "wall");
  assert_string_equal(r.out, "");
  int width, height, channels;
  uint8_t *png = stbi_load(output_path, &width, &height, &channels, 3);
  assert_non_null(png);
  assert_int_equal(width, 48);
  assert_int_equal(height, 32);
  /* corner: background (gamma 2.2 of 0.2, 0.4, 0.8); center: the red sphere */
  assert_int_equal(png[2], (uint8_t)(pow(0.8, 1 / 2.2) * 255.999));
  const uint8_t *center = png + (16 * 48 + 24) * 3;
  assert_true(center[0] > 150 && center[1] < 20 && center[2] < 20);
  stbi_image_free(png);
  run_free(&r);
  snprintf(args, sizeof args, "render '%s' -o '%s' --quiet", scene, fresh_output());
  r = run_clrt(args);
  assert_int_equal(r.exit_code, 0);
  assert_string_equal(r.err, "");
  run_free(&r);
}

static void test_help_version_devices(void **state) {
  (void)state;
  run_result r = run_clrt("--help");
  assert_int_equal(r.exit_code, 0);
  count_lines_and_find(r.out, "usage: clrt render SCENE.json -o OUT.png");
  run_free(&r);
  r = run_clrt("--version");
  assert_int_equal(r.exit_code, 0);
  count_lines_and_find(r.out, "clrt " CLRT_VERSION);
  run_free(&r);
  r = run_clrt("render --bogus");
  assert_int_equal(r.exit_code, 2);
  run_free(&r);
  clrt_device device;
  test_require_device(&device);
  r = run_clrt("devices");
  assert_int_equal(r.exit_code, 0);
  count_lines_and_find(r.out, "platform 0:");
  count_lines_and_find(r.out, device.name);
  count_lines_and_find(r.out, "OpenCL C");
  run_free(&r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_missing_scene_file),
      cmocka_unit_test(test_bad_json),
      cmocka_unit_test(test_unknown_key),
      cmocka_unit_test(test_zero_width),
      cmocka_unit_test(test_unknown_device),
      cmocka_unit_test(test_bad_output_is_refused_before_rendering),
      cmocka_unit_test(test_render_writes_png_and_summary),
      cmocka_unit_test(test_help_version_devices),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
