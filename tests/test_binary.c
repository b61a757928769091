/* The clrt binary itself: exit codes, one-line messages, and files. */
#define _DEFAULT_SOURCE /* wait4 */
#include "test_support.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stb_image.h>

#include "clrt_clock.h"

typedef struct run_result {
  int exit_code;
  char *out; /* stdout */
  char *err; /* stderr */
} run_result;

/* Runs a shell command line and captures both streams. */
static run_result run_shell(const char *command_line) {
  char directory[512], command[4096], out_path[600], err_path[600];
  snprintf(directory, sizeof directory, "%s", test_temp_dir());
  snprintf(out_path, sizeof out_path, "%s/stdout", directory);
  snprintf(err_path, sizeof err_path, "%s/stderr", directory);
  snprintf(command, sizeof command, "%s >'%s' 2>'%s'", command_line, out_path, err_path);
  int status = system(command);
  assert_true(WIFEXITED(status));
  run_result result = {WEXITSTATUS(status), test_read_file(out_path, NULL), test_read_file(err_path, NULL)};
  return result;
}

/* Runs `ENVIRONMENT clrt ARGS`. */
static run_result run_clrt_with(const char *environment, const char *args) {
  char command[3072];
  snprintf(command, sizeof command, "%s '%s' %s", environment, CLRT_BINARY, args);
  return run_shell(command);
}

static run_result run_clrt(const char *args) { return run_clrt_with("", args); }

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

static const char VALID_SCENE[] = "{\"image\": {\"width\": 48, \"height\": 32},"
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

#define TWO_DEVICES "POCL_DEVICES='pthread pthread'"

static void test_all_devices_failing_writes_nothing(void **state) {
  (void)state;
  clrt_device device;
  test_require_device(&device);
  char args[1024];
  snprintf(args, sizeof args, "render '%s/scenes/pymonik.json' -o '%s' --device all --width 64 --height 48",
           CLRT_SOURCE_DIR, fresh_output());
  run_result r = run_clrt_with(TWO_DEVICES " CLRT_INJECT_FAULT='0:0/all;0:1/all'", args);
  assert_int_equal(r.exit_code, 1);
  count_lines_and_find(r.err, "clrt: warning: retiring 0:0");
  count_lines_and_find(r.err, "clrt: warning: retiring 0:1");
  count_lines_and_find(r.err, "clrt: error: no device could render");
  count_lines_and_find(r.err, "no file written (--keep-partial");
  assert_false(file_exists(output_path));
  run_free(&r);
  /* an existing picture of that name stays as it was, and no temporary file is left */
  FILE *old = fopen(output_path, "w");
  assert_non_null(old);
  fputs("the old picture", old);
  fclose(old);
  r = run_clrt_with(TWO_DEVICES " CLRT_INJECT_FAULT='0:0/all;0:1/all'", args);
  assert_int_equal(r.exit_code, 1);
  char *kept = test_read_file(output_path, NULL);
  assert_string_equal(kept, "the old picture");
  free(kept);
  char listing[800];
  snprintf(listing, sizeof listing, "ls -A \"$(dirname '%s')\"", output_path);
  run_result files = run_shell(listing);
  assert_string_equal(files.out, "out.png\n");
  run_free(&files);
  run_free(&r);
}

/* The peak memory (KiB) of `clrt ARGS`, from the kernel's count. */
static long peak_kib_of(const char *args) {
  char command[2048];
  snprintf(command, sizeof command, "exec '%s' %s >/dev/null 2>&1", CLRT_BINARY, args);
  pid_t child = fork();
  assert_true(child >= 0);
  if (child == 0) {
    execl("/bin/sh", "sh", "-c", command, (char *)NULL);
    _exit(127);
  }
  int status;
  struct rusage usage;
  assert_int_equal(wait4(child, &status, 0, &usage), child);
  assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  return usage.ru_maxrss;
}

/* One 16-Mpixel tile: the memory grows with the 8-bit picture (3 bytes a
 * pixel), not with the tile (which a device gets in bands of 1 Mpixel). */
static void test_one_big_tile_keeps_memory_bounded(void **state) {
  (void)state;
#ifdef CLRT_TESTS_SANITIZED
  print_message("not measured under the sanitizers: their shadow memory counts too (the plain build measures)\n");
  skip();
#endif
  clrt_device device;
  test_require_device(&device);
  char args[1024];
  snprintf(args, sizeof args, "render '%s/scenes/pymonik.json' -o '%s' --width 64 --height 64 --tiles 1",
           CLRT_SOURCE_DIR, fresh_output());
  long base = peak_kib_of(args);
  snprintf(args, sizeof args, "render '%s/scenes/pymonik.json' -o '%s' --width 4000 --height 4000 --tiles 1",
           CLRT_SOURCE_DIR, fresh_output());
  long big = peak_kib_of(args);
  double bytes_per_pixel = (double)(big - base) * 1024.0 / (4000.0 * 4000.0);
  print_message("peak %ld KiB against %ld KiB for 64x64: %.2f bytes a pixel\n", big, base, bytes_per_pixel);
  assert_true(bytes_per_pixel < 5.0);
}

static void test_keep_partial_paints_missing_tiles_magenta(void **state) {
  (void)state;
  clrt_device device;
  test_require_device(&device);
  char args[1024];
  snprintf(args, sizeof args, "render '%s/scenes/pymonik.json' -o '%s' --tiles 4 --keep-partial", CLRT_SOURCE_DIR,
           fresh_output());
  /* the only device fails its 2nd and 3rd tiles and is retired */
  run_result r = run_clrt_with("CLRT_INJECT_FAULT='0:0/2,3'", args);
  assert_int_equal(r.exit_code, 1);
  count_lines_and_find(r.err, "with them magenta (--keep-partial)");
  int width, height, channels;
  uint8_t *png = stbi_load(output_path, &width, &height, &channels, 3);
  assert_non_null(png);
  const uint8_t *top = png, *bottom = png + ((size_t)399 * 600 + 300) * 3;
  assert_false(top[0] == 255 && top[1] == 0 && top[2] == 255); /* strip 1 was rendered */
  assert_true(bottom[0] == 255 && bottom[1] == 0 && bottom[2] == 255);
  stbi_image_free(png);
  run_free(&r);
}

static void test_several_devices_report_each(void **state) {
  (void)state;
  clrt_device device;
  test_require_device(&device);
  char args[1024];
  snprintf(args, sizeof args, "render '%s/scenes/default.json' -o '%s' --device 0:0,0:1 --width 320 --height 180",
           CLRT_SOURCE_DIR, fresh_output());
  run_result r = run_clrt_with(TWO_DEVICES, args);
  assert_int_equal(r.exit_code, 0);
  count_lines_and_find(r.err, "on 2 devices");
  count_lines_and_find(r.err, "clrt:   0:0 ");
  count_lines_and_find(r.err, "clrt:   0:1 ");
  count_lines_and_find(r.err, "of the devices' summed busy rates");
  count_lines_and_find(r.err, "tail");
  assert_null(strchr(r.err, '\r')); /* no progress bar when stderr is not a terminal */
  run_free(&r);
  snprintf(args, sizeof args, "render '%s/scenes/default.json' -o '%s' --device 0:0,0:0", CLRT_SOURCE_DIR,
           fresh_output());
  expect_failure(args, output_path, 2, "which is already listed");
}

static void test_progress_bar_on_a_terminal(void **state) {
  (void)state;
  clrt_device device;
  test_require_device(&device);
  char args[2048];
  /* script(1) gives clrt a pseudo-terminal; its output comes back on stdout */
  snprintf(args, sizeof args,
           "script -qec \"'%s' render '%s/scenes/showcase.json' -o '%s' --width 320 --height 180 --samples 4\" "
           "/dev/null",
           CLRT_BINARY, CLRT_SOURCE_DIR, fresh_output());
  run_result r = run_shell(args);
  count_lines_and_find(r.out, "\r");
  count_lines_and_find(r.out, "% ");
  count_lines_and_find(r.out, "ETA");
  count_lines_and_find(r.out, "Mrays/s");
  count_lines_and_find(r.out, "0:0=");
  assert_true(file_exists(output_path));
  run_free(&r);
}

static void test_interrupt_stops_cleanly(void **state) {
  (void)state;
  clrt_device device;
  test_require_device(&device);
  char directory[512], command[3072];
  snprintf(directory, sizeof directory, "%s", test_temp_dir());
  /* a long render, interrupted after a second: exit 130 well before it
   * would finish, and no file, temporary or final */
  snprintf(command, sizeof command,
           "'%s' render '%s/scenes/showcase.json' -o '%s/out.png' --samples 64 2>'%s/stderr' & pid=$!; sleep 1; "
           "kill -INT $pid; wait $pid; echo $? >'%s/rc'",
           CLRT_BINARY, CLRT_SOURCE_DIR, directory, directory, directory);
  double start = clrt_now_ms();
  assert_int_equal(system(command), 0);
  double elapsed_s = (clrt_now_ms() - start) / 1e3;
  char path[700];
  snprintf(path, sizeof path, "%s/rc", directory);
  char *rc = test_read_file(path, NULL);
  assert_string_equal(rc, "130\n");
  free(rc);
  snprintf(path, sizeof path, "%s/stderr", directory);
  char *err = test_read_file(path, NULL);
  count_lines_and_find(err, "clrt: error: interrupted after");
  free(err);
  snprintf(path, sizeof path, "%s/out.png", directory);
  assert_false(file_exists(path));
  assert_true(elapsed_s < 60.0); /* the full render takes minutes */
}

static void test_no_platform_says_how_to_install(void **state) {
  (void)state;
  char empty[600];
  snprintf(empty, sizeof empty, "OCL_ICD_VENDORS='%s'", test_temp_dir()); /* the loader finds no driver */
  const char *commands[] = {"devices", "bench"};
  for (size_t i = 0; i < 2; ++i) {
    run_result r = run_clrt_with(empty, commands[i]);
    assert_int_equal(r.exit_code, 1);
    count_lines_and_find(r.err, "no OpenCL platform found");
    count_lines_and_find(r.err, "ICD loader/driver matter");
    count_lines_and_find(r.err, "sudo apt-get install pocl-opencl-icd");
    run_free(&r);
  }
}

static void test_platform_without_devices_is_listed(void **state) {
  (void)state;
  clrt_device device;
  test_require_device(&device);
  run_result r = run_clrt_with("POCL_DEVICES=no-such-driver", "devices");
  assert_int_equal(r.exit_code, 0);
  count_lines_and_find(r.out, "platform 0:");
  count_lines_and_find(r.out, "(no devices");
  run_free(&r);
  char args[1024];
  snprintf(args, sizeof args, "render '%s/scenes/pymonik.json' -o '%s'", CLRT_SOURCE_DIR, fresh_output());
  r = run_clrt_with("POCL_DEVICES=no-such-driver", args);
  assert_int_equal(r.exit_code, 1);
  count_lines_and_find(r.err, "but no device");
  assert_false(file_exists(output_path));
  run_free(&r);
}

static void test_bench_prints_the_table(void **state) {
  (void)state;
  clrt_device device;
  test_require_device(&device);
  char args[2048], json[400];
  snprintf(json, sizeof json, "%.300s/b.json", test_temp_dir());
  snprintf(args, sizeof args, "bench '%s/scenes/features/antialiasing.json' --runs 1 --min-time 0.1 --json '%s'",
           CLRT_SOURCE_DIR, json);
  run_result r = run_clrt(args);
  assert_int_equal(r.exit_code, 0);
  count_lines_and_find(r.out, "Mrays/s med (min-max)");
  count_lines_and_find(r.out, "host C, 1 thread");
  count_lines_and_find(r.out, "antialiasing");
  count_lines_and_find(r.out, " ok");
  assert_true(file_exists(json));
  run_free(&r);
  snprintf(args, sizeof args, "bench --compare '%s' '%s'", json, json);
  r = run_clrt(args);
  assert_int_equal(r.exit_code, 0);
  count_lines_and_find(r.out, "1.00x");
  run_free(&r);
  expect_failure("bench --runs 0", NULL, 2, "--runs: expected a whole number");
  expect_failure("bench --chart out.png", NULL, 2, "charts are SVG");
  expect_failure("bench --compare only-one.json", NULL, 2, "--compare needs two files");
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
      cmocka_unit_test(test_all_devices_failing_writes_nothing),
      cmocka_unit_test(test_one_big_tile_keeps_memory_bounded),
      cmocka_unit_test(test_keep_partial_paints_missing_tiles_magenta),
      cmocka_unit_test(test_several_devices_report_each),
      cmocka_unit_test(test_progress_bar_on_a_terminal),
      cmocka_unit_test(test_interrupt_stops_cleanly),
      cmocka_unit_test(test_no_platform_says_how_to_install),
      cmocka_unit_test(test_platform_without_devices_is_listed),
      cmocka_unit_test(test_bench_prints_the_table),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
