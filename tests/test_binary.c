/* The clrt binary itself: exit codes, one-line messages, and files. */
#define _GNU_SOURCE /* wait4, memmem */
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
#include "clrt_exr.h"
#include "clrt_revision.h" /* generated at build time */

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

static void assert_same_floats(const float *a, const float *b, size_t count, const char *what) {
  for (size_t i = 0; i < count; ++i)
    if (memcmp(&a[i], &b[i], sizeof a[i]) != 0)
      fail_msg("%s: value %zu differs: %g and %g", what, i, (double)a[i], (double)b[i]);
}

/* Two pictures of the same pixels: a PNG's levels (its notes say how each
 * render went, and may differ), every channel of an EXR, an HDR's bytes. */
static void assert_same_picture(const char *a, const char *b) {
  const char *dot = strrchr(a, '.');
  if (strcmp(dot, ".png") == 0) {
    int wa, ha, wb, hb, n;
    stbi_us *pa = stbi_load_16(a, &wa, &ha, &n, 3), *pb = stbi_load_16(b, &wb, &hb, &n, 3);
    assert_non_null(pa);
    assert_non_null(pb);
    assert_int_equal(wa, wb);
    assert_int_equal(ha, hb);
    assert_memory_equal(pa, pb, (size_t)wa * (size_t)ha * 3 * sizeof *pa);
    stbi_image_free(pa);
    stbi_image_free(pb);
  } else if (strcmp(dot, ".exr") == 0) {
    static const char *const channels[] = {"R",        "G",        "B",        "albedo.R", "albedo.G",
                                           "albedo.B", "normal.X", "normal.Y", "normal.Z", "depth.Z"};
    for (size_t c = 0; c < sizeof channels / sizeof channels[0]; ++c) {
      unsigned wa, ha, wb, hb;
      float *va = NULL, *vb = NULL;
      clrt_error err;
      clrt_status found = clrt_exr_read_channel(a, channels[c], &wa, &ha, &va, &err);
      assert_int_equal(clrt_exr_read_channel(b, channels[c], &wb, &hb, &vb, &err), found);
      if (found == CLRT_OK) {
        assert_int_equal(wa * ha, wb * hb);
        assert_same_floats(va, vb, (size_t)wa * ha, channels[c]);
      }
      free(va);
      free(vb);
    }
  } else {
    size_t size_a, size_b;
    char *da = test_read_file(a, &size_a), *db = test_read_file(b, &size_b);
    assert_int_equal(size_a, size_b);
    assert_memory_equal(da, db, size_a);
    free(da);
    free(db);
  }
}

static void count_lines_and_find(const char *text, const char *fragment) {
  if (!strstr(text, fragment))
    fail_msg("\"%s\" lacks \"%s\"", text, fragment);
}

/* A failed render: exit code, one error line with the fragment, no file. */
static void expect_failure(const char *args, const char *output, int exit_code, const char *fragment) {
  run_result r = run_clrt(args);
  if (r.exit_code != exit_code)
    fail_msg("clrt %s: exit %d, not %d; it said: %s", args, r.exit_code, exit_code, r.err);
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

/* An ASCII PLY file that declares a billion vertices in a few bytes: an
 * input error (exit 2) before anything is reserved, whatever the
 * machine's memory (under a 1 GB limit, reserving their 36 GB first
 * would be exit 1). */
static void test_a_huge_ply_count_is_refused_before_reserving(void **state) {
  (void)state;
  char scene[700], ply[700];
  snprintf(scene, sizeof scene, "%s/huge.json", test_temp_dir());
  snprintf(ply, sizeof ply, "%.*s/huge.ply", (int)(strlen(scene) - strlen("/huge.json")), scene);
  const char *texts[] = {"ply\nformat ascii 1.0\nelement vertex 999999999\nproperty float x\nproperty float y\n"
                         "property float z\nend_header\n0 0 0\n",
                         "{\"image\": {\"width\": 8, \"height\": 8},"
                         " \"camera\": {\"look_from\": [0, 0, 2], \"look_at\": [0, 0, 0], \"vfov\": 60},"
                         " \"materials\": {\"m\": {\"color\": [1, 1, 1]}},"
                         " \"spheres\": [{\"file\": \"huge.ply\", \"material\": \"m\", \"radius\": 0.1}]}"};
  const char *paths[] = {ply, scene};
  for (size_t i = 0; i < 2; ++i) {
    FILE *file = fopen(paths[i], "w");
    assert_non_null(file);
    fputs(texts[i], file);
    assert_int_equal(fclose(file), 0);
  }
  char args[1024];
  snprintf(args, sizeof args, "render '%s' -o '%s'", scene, fresh_output());
#ifdef CLRT_TESTS_SANITIZED
  run_result r = run_clrt(args); /* no ulimit -v: the sanitizers' shadow memory needs the address space */
#else
  run_result r = run_clrt_with("ulimit -v 1000000;", args);
#endif
  assert_int_equal(r.exit_code, 2);
  count_lines_and_find(r.err, "huge.ply: the header declares 999999999 vertex elements, more than the 6 bytes of "
                              "data after it can hold");
  assert_false(file_exists(output_path));
  run_free(&r);
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

/* --arrays constant for arrays that do not fit: refused before anything
 * renders, naming the device and the way out. */
static void test_arrays_that_do_not_fit_constant_memory(void **state) {
  (void)state;
  clrt_device device;
  test_require_device(&device);
  if (device.constant_memory >= 6455904u + 4096u) { /* the particles' arrays fit (rusticl has 128 MiB) */
    print_message("skipping on %s: its constant memory holds these arrays (test_program refuses bigger ones)\n",
                  device.name);
    skip();
  }
  char args[1024];
  snprintf(args, sizeof args,
           "render '%s/scenes/bench/particles.json' -o '%s' --arrays constant --width 32 --height 18", CLRT_SOURCE_DIR,
           fresh_output());
  expect_failure(args, output_path, 2, "use --arrays global or auto");
}

/* clrt bench's result files are checked before anything is measured,
 * not after the whole suite: one error line, nothing else. */
static void test_bench_refuses_result_files_it_cannot_write(void **state) {
  (void)state;
  expect_failure("bench --json /nonexistent/x.json", NULL, 2,
                 "--json /nonexistent/x.json: directory '/nonexistent' does not exist; create it first");
  char args[1024];
  snprintf(args, sizeof args, "bench --csv '%s'", test_temp_dir());
  expect_failure(args, NULL, 2, "is there; name a file");
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

/* An output name taken by a directory is refused before rendering, not
 * after the whole picture. */
static void test_output_that_is_a_directory_is_refused_at_once(void **state) {
  (void)state;
  const char *scene = test_write_temp(VALID_SCENE, "ok.json");
  char folder[700], args[2048];
  snprintf(folder, sizeof folder, "%s/out.png", test_temp_dir());
  assert_int_equal(mkdir(folder, 0700), 0);
  snprintf(args, sizeof args, "render '%s' -o '%s' --width 4000 --height 4000 --samples 64", scene, folder);
  double start = clrt_now_ms();
  expect_failure(args, NULL, 2, "out.png: a directory is there; name a file");
  assert_true(clrt_now_ms() - start < 5000.0); /* the render would take minutes */
}

/* Hostile scene and output names: exactly one error line, with no control
 * character in it; a FIFO for a scene neither hangs nor is read. */
static void test_hostile_names_cannot_forge_lines(void **state) {
  (void)state;
  const char *scene = test_write_temp(
      "{\"image\": {\"width\": 4, \"height\": 4}, \"camera\": {\"look_from\": [0, 0, 2], \"look_at\": [0, 0, 0],"
      " \"vfov\": 60}, \"spheres\": [{\"center\": [0, 0, 0], \"radius\": 1,"
      " \"material\": \"x\\nclrt: error: forged\\u001b]0;owned\\u0007\\u001b[2J\"}]}",
      "hostile.json");
  char args[2048];
  snprintf(args, sizeof args, "render '%s' -o '%s'", scene, fresh_output());
  expect_failure(args, output_path, 2, "unknown material \"x\\nclrt: error: forged\\x1b]0;owned\\x07\\x1b[2J\"");
  run_result r = run_clrt(args);
  for (const char *c = r.err; *c; ++c)
    if ((unsigned char)*c < 0x20 && *c != '\n')
      fail_msg("a control character 0x%02x reached the terminal: %s", *c, r.err);
  run_free(&r);
  char fifo[700];
  snprintf(fifo, sizeof fifo, "%s/scene.json", test_temp_dir());
  assert_int_equal(mkfifo(fifo, 0600), 0);
  snprintf(args, sizeof args, "render '%s' -o '%s'", fifo, fresh_output());
  expect_failure(args, output_path, 2, "scene.json: the scene file must be a regular file");
  snprintf(args, sizeof args, "bench '%s'", fifo);
  expect_failure(args, NULL, 2, "scene.json: the scene file must be a regular file");
  expect_failure("bench /nonexistent/missing.json", NULL, 2,
                 "/nonexistent/missing.json: cannot open the scene file: No such file or directory");
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
  /* without a terminal there is no bar: a first line says what is ahead */
  count_lines_and_find(r.err, "clrt: rendering ");
  count_lines_and_find(r.err, ": 48x32 at 1 sample(s)/px (0.0 M samples), 1 sphere(s), on 0:");
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
  count_lines_and_find(r.out, ".png, .jpg, .bmp, .tga, or .exr and .hdr"); /* every format -o writes */
  count_lines_and_find(r.out, "'clrt bench --tile-sweep' stored for it");  /* the default tiling, whole */
  count_lines_and_find(r.out, "described in 'man clrt'");                  /* where the format is */
  for (const char *line = r.out; *line; line = strchr(line, '\n') + 1)
    assert_true(strcspn(line, "\n") <= 100);
  run_free(&r);
  r = run_clrt("--version");
  assert_int_equal(r.exit_code, 0);
  count_lines_and_find(r.out, "clrt " CLRT_VERSION " (" CLRT_GIT_REVISION ")\n"); /* the revision, as bench's */
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
#define TWO_DEVICES_WHY "needs two devices, which POCL_DEVICES gives"

static void test_all_devices_failing_writes_nothing(void **state) {
  (void)state;
  test_require_pocl(TWO_DEVICES_WHY);
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

/* Two devices of one model failing one after the other: the error quotes
 * the one that failed last (the last one retired), by P:D. */
static void test_error_names_the_device_that_failed(void **state) {
  (void)state;
  test_require_pocl(TWO_DEVICES_WHY);
  const char *faults[] = {"0:0/all;0:1/all/hang", "0:0/all/hang;0:1/all"};
  for (size_t i = 0; i < 2; ++i) {
    char args[1024], environment[256], expected[128];
    snprintf(args, sizeof args,
             "render '%s/scenes/pymonik.json' -o '%s' --device all --width 64 --height 48 --tile-timeout 1",
             CLRT_SOURCE_DIR, fresh_output());
    snprintf(environment, sizeof environment, TWO_DEVICES " CLRT_INJECT_FAULT='%s'", faults[i]);
    run_result r = run_clrt_with(environment, args);
    assert_int_equal(r.exit_code, 1);
    const char *last_retired = NULL;
    for (const char *at = r.err; (at = strstr(at, "retiring ")); at += 9)
      last_retired = at + 9;
    assert_non_null(last_retired);
    snprintf(expected, sizeof expected, "(last error: %.3s (", last_retired);
    count_lines_and_find(r.err, expected);
    count_lines_and_find(r.err, "exceeded its 1.0 s time limit");
    run_free(&r);
  }
}

/* A ray tree that doubles at every bounce renders, and benchmarks, in
 * bounded time: the samples cut short are counted in a warning. */
static void test_runaway_ray_trees_finish(void **state) {
  (void)state;
  clrt_device device;
  test_require_device(&device);
  char args[1024];
  snprintf(args, sizeof args, "render '%s/tests/data/runaway.json' -o '%s' --width 32 --height 32", CLRT_SOURCE_DIR,
           fresh_output());
  double start = clrt_now_ms();
  run_result r = run_clrt(args);
  assert_int_equal(r.exit_code, 0);
  count_lines_and_find(r.err, "clrt: warning: 1024 of 1024 samples (100.0%) were cut short");
  count_lines_and_find(r.err, "image.max_tree_rays (1024)");
  assert_true(file_exists(output_path));
  run_free(&r);
  snprintf(args, sizeof args, "bench '%s/tests/data/runaway.json' --runs 1 --warmup 0 --min-time 0", CLRT_SOURCE_DIR);
  r = run_clrt(args);
  assert_int_equal(r.exit_code, 0);
  count_lines_and_find(r.out, "runaway");
  run_free(&r);
  assert_true(clrt_now_ms() - start < 120e3);
}

/* A heavy tile is not a hung device: glass at 16 samples a pixel takes far
 * longer than a 10 ms --tile-timeout, but no longer than its work allows. */
static void test_heavy_tiles_are_not_taken_for_hangs(void **state) {
  (void)state;
  clrt_device device;
  test_require_device(&device);
  char args[1024];
  snprintf(args, sizeof args, "render '%s/scenes/features/glass.json' -o '%s' --samples 16 --tile-timeout 0.01",
           CLRT_SOURCE_DIR, fresh_output());
  run_result r = run_clrt(args);
  assert_int_equal(r.exit_code, 0);
  assert_null(strstr(r.err, "warning"));
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
  /* A CPU driver's device memory is the process's: POCL's tile buffer
   * counts within the 5 bytes; rusticl keeps a copy of it besides (3 bytes
   * a pixel: 8.0 measured). */
  bool pocl = test_is_pocl(&device);
  double limit = pocl ? 5.0 : 8.5;
  print_message("peak %ld KiB against %ld KiB for 64x64: %.2f bytes a pixel (at most %.1f on %s)\n", big, base,
                bytes_per_pixel, limit, device.platform_name);
  assert_true(bytes_per_pixel < limit);
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
  test_require_pocl(TWO_DEVICES_WHY);
  char args[1024];
  snprintf(args, sizeof args, "render '%s/scenes/default.json' -o '%s' --device 0:0,0:1 --width 320 --height 180",
           CLRT_SOURCE_DIR, fresh_output());
  run_result r = run_clrt_with(TWO_DEVICES, args);
  assert_int_equal(r.exit_code, 0);
  count_lines_and_find(r.err, "on 2 devices");
  count_lines_and_find(r.err, "clrt:   0:0 ");
  count_lines_and_find(r.err, "clrt:   0:1 ");
  count_lines_and_find(r.err, "the devices' rates while busy add up to");
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

/* Runs `clrt ARGS` (where "DIR" stands for a fresh folder) and sends it
 * `signal_name` after `delay`: it must stop with 128 + the signal's number
 * well before it would finish, with one error line naming the stage, and
 * leave no file, temporary or final. */
static void interrupt_clrt(const char *args, const char *signal_name, const char *delay, const char *stage,
                           const char *exit_code) {
  char directory[512], command[4096], expanded[2048] = "";
  snprintf(directory, sizeof directory, "%s", test_temp_dir());
  for (const char *a = args; *a;)
    if (strncmp(a, "DIR", 3) == 0) {
      strcat(expanded, directory);
      a += 3;
    } else {
      strncat(expanded, a++, 1);
    }
  snprintf(command, sizeof command,
           "cd '%s' && '%s' %s 2>'%s/stderr' >/dev/null & pid=$!; sleep %s; kill -%s $pid; wait $pid; "
           "echo $? >'%s/rc'",
           CLRT_SOURCE_DIR, CLRT_BINARY, expanded, directory, delay, signal_name, directory);
  double start = clrt_now_ms();
  assert_int_equal(system(command), 0);
  double elapsed_s = (clrt_now_ms() - start) / 1e3;
  char path[700];
  snprintf(path, sizeof path, "%s/rc", directory);
  char *rc = test_read_file(path, NULL);
  if (strcmp(rc, exit_code) != 0)
    fail_msg("%s after %s s: exit code %s, not %s", signal_name, delay, rc, exit_code);
  free(rc);
  snprintf(path, sizeof path, "%s/stderr", directory);
  char *err = test_read_file(path, NULL);
  count_lines_and_find(err, "clrt: error: interrupted (");
  count_lines_and_find(err, stage);
  count_lines_and_find(err, "no file written");
  free(err);
  snprintf(command, sizeof command, "ls '%s' | grep -v -x -e stderr -e rc", directory);
  assert_int_not_equal(system(command), 0); /* nothing else there */
  assert_true(elapsed_s < 60.0);            /* the full run takes minutes */
}

static void test_interrupt_stops_cleanly(void **state) {
  (void)state;
  clrt_device device;
  test_require_device(&device);
  /* the showcase at its 64 samples renders for minutes on a CPU */
  const char *showcase = "render scenes/showcase.json -o DIR/out.png";
  interrupt_clrt(showcase, "INT", "1", "(Ctrl-C) while rendering, after", "130\n");
  interrupt_clrt(showcase, "TERM", "1", "(SIGTERM) while rendering", "143\n");
  interrupt_clrt(showcase, "HUP", "1", "(SIGHUP) while rendering", "129\n");
  /* a million spheres take a while to read and build a BVH over */
  interrupt_clrt("render scenes/particles.json -o DIR/out.png", "TERM", "0.2", "(SIGTERM) while", "143\n");
  interrupt_clrt("bench scenes/showcase.json --json DIR/b.json --csv DIR/b.csv", "INT", "2",
                 "(Ctrl-C) while benchmarking", "130\n");
}

/* Runs a shell script in a fresh folder (DIR in it) from the source
 * folder, with CLRT the binary; its exit status. */
static int run_script(const char *script, char *directory, size_t size) {
  snprintf(directory, size, "%s", test_temp_dir());
  char command[4096];
  snprintf(command, sizeof command, "cd '%s' && DIR='%s' CLRT='%s' sh -c '%s'", CLRT_SOURCE_DIR, directory, CLRT_BINARY,
           script);
  int status = system(command);
  assert_true(WIFEXITED(status));
  return WEXITSTATUS(status);
}

/* Runs a script of numbered steps (each failing one exits with its
 * number): on a failure, shows the folder and the files `shown` (a glob
 * in it), then fails naming `what` and the step. */
static void run_steps(const char *what, const char *script, const char *shown) {
  char directory[700];
  int status = run_script(script, directory, sizeof directory);
  if (status == 0)
    return;
  char command[1600];
  snprintf(command, sizeof command, "ls -la '%s'; cat '%s'/%s", directory, directory, shown);
  assert_int_equal(system(command), 0);
  fail_msg("%s: step %d failed", what, status);
}

/* SIGKILL (or the OOM killer) mid-render: not even a temporary file is
 * left, for the picture is written to a file without a name until it is
 * complete. */
static void test_a_killed_render_leaves_nothing(void **state) {
  (void)state;
  clrt_device device;
  test_require_device(&device);
  char directory[700];
  assert_int_equal(run_script("$CLRT render scenes/showcase.json -o $DIR/out.png --width 640 --height 360 -q & "
                              "pid=$!; sleep 2; kill -KILL $pid; wait $pid 2>/dev/null; test $? -eq 137",
                              directory, sizeof directory),
                   0);
  char command[800];
  snprintf(command, sizeof command, "test -z \"$(ls -A '%s')\"", directory);
  if (system(command) != 0) {
    snprintf(command, sizeof command, "ls -la '%s'", directory);
    assert_int_equal(system(command), 0);
    fail_msg("a killed render left files behind");
  }
}

/* Shell: starts a render of `options` with a checkpoint in $DIR/ck in the
 * background and kills it (SIGKILL) once the checkpoint holds work (more
 * than its 64-byte header) and no sooner: exits 4 when it had finished. */
#define KILL_ONCE_CHECKPOINTED(options)                                                                                \
  "$CLRT render " options " -o $DIR/out.png --checkpoint $DIR/ck -q & pid=$!; n=0; "                                   \
  "while [ $(wc -c 2>/dev/null <$DIR/ck || echo 0) -le 64 ] && [ $n -lt 1200 ]; do sleep 0.05; n=$((n+1)); done; "     \
  "kill -KILL $pid; wait $pid; test $? -eq 137 || exit 4; "

/* A render killed by SIGKILL, then resumed from its checkpoint with
 * another tiling: the very bytes of an uninterrupted render, and the
 * checkpoint gone once the picture is written. `options` make a render of
 * seconds, whose first work is kept well before its end. */
static void check_resume_after_kill(const char *options) {
  char script[2048];
  snprintf(script, sizeof script,
           "$CLRT render %s -o $DIR/whole.png -q || exit 3; " KILL_ONCE_CHECKPOINTED(
               "%s") "test -e $DIR/out.png && exit 6; "
                     "$CLRT render %s -o $DIR/out.png --resume $DIR/ck 2>$DIR/err || exit 7; "
                     "$CLRT compare $DIR/whole.png $DIR/out.png | grep -q \"PSNR inf dB\" || exit 8; test -e $DIR/ck "
                     "&& exit 9; "
                     "grep -q -e \"resuming $DIR/ck: [0-9.]*%% of the picture was\" -e \"resumed from the checkpoint\" "
                     "$DIR/err || exit 10; exit 0",
           options, options, options);
  run_steps(options, script, "err");
}

static void test_a_killed_render_resumes_to_the_same_bytes(void **state) {
  (void)state;
  clrt_device device;
  test_require_device(&device);
  /* tiles kept as they finish; resumed with other tiles than the first run's */
  check_resume_after_kill("scenes/showcase.json --width 320 --height 180 --samples 64 --tile-size 32x32");
  /* passes kept as they finish */
  check_resume_after_kill("scenes/room.json --width 160 --height 120 --noise 0.02 --samples 256");
}

static void test_checkpoint_mistakes_are_refused(void **state) {
  (void)state;
  clrt_device device;
  test_require_device(&device);
  /* a checkpoint of another scene or option set, a file that is no
   * checkpoint, a missing one, and an existing one that --checkpoint
   * would overwrite: each exits 2 naming the fix, with nothing written */
  const char *script = KILL_ONCE_CHECKPOINTED(
      "scenes/showcase.json --width 320 --height 180 --samples 64") "$CLRT render scenes/default.json -o $DIR/a.png "
                                                                    "--width 320 --height 180 --resume $DIR/ck "
                                                                    "2>$DIR/e1; "
                                                                    "test $? -eq 2 || exit 4; grep -q \"it belongs to "
                                                                    "another render\" $DIR/e1 || exit 5; "
                                                                    "$CLRT render scenes/showcase.json -o $DIR/a.png "
                                                                    "--width 320 --height 180 --resume $DIR/ck "
                                                                    "2>$DIR/e2; "
                                                                    "test $? -eq 2 || exit 6; grep -q \"it belongs to "
                                                                    "another render\" $DIR/e2 || exit 7; "
                                                                    "$CLRT render scenes/showcase.json -o $DIR/a.hdr "
                                                                    "--width 320 --height 180 --samples 64 --resume "
                                                                    "$DIR/ck "
                                                                    "2>$DIR/e3; test $? -eq 2 || exit 8; "
                                                                    "grep -q \"give the size and output format it was "
                                                                    "started with\" $DIR/e3 || exit 9; "
                                                                    "$CLRT render scenes/default.json -o $DIR/a.png "
                                                                    "--width 64 --height 36 --checkpoint $DIR/ck "
                                                                    "2>$DIR/e4; "
                                                                    "test $? -eq 2 || exit 10; grep -q \"resume "
                                                                    "$DIR/ck. finishes that render\" $DIR/e4 || exit "
                                                                    "11; "
                                                                    "$CLRT render scenes/default.json -o $DIR/a.png "
                                                                    "--resume scenes/default.json 2>$DIR/e5; "
                                                                    "test $? -eq 2 || exit 12; grep -q \"not a clrt "
                                                                    "checkpoint\" $DIR/e5 || exit 13; "
                                                                    "$CLRT render scenes/default.json -o $DIR/a.png "
                                                                    "--resume $DIR/none 2>$DIR/e6; "
                                                                    "test $? -eq 2 || exit 14; grep -q \"a render "
                                                                    "keeps one with --checkpoint FILE\" $DIR/e6 || "
                                                                    "exit 15; "
                                                                    "test -e $DIR/a.png -o -e $DIR/a.hdr && exit 16; "
                                                                    "test $(cat $DIR/e? | wc -l) -eq 6 || exit 17; "
                                                                    "exit 0";
  run_steps("checkpoint mistakes", script, "e?");
}

/* A library that aborts mid-render (the OpenCL driver out of memory; here
 * SIGABRT sent once the driver, and its LLVM's own handler, are loaded):
 * one line that says so, exit 1, no file. */
static void test_an_aborting_library_is_explained(void **state) {
  (void)state;
  clrt_device device;
  test_require_device(&device);
  run_steps("an abort",
            "$CLRT render scenes/showcase.json -o $DIR/out.png --width 640 --height 360 2>$DIR/err & "
            "pid=$!; n=0; while ! grep -q rendering $DIR/err && [ $n -lt 600 ]; do sleep 0.05; "
            "n=$((n+1)); done; sleep 1; kill -ABRT $pid; wait $pid; test $? -eq 1 || exit 3; "
            "grep -q \"^clrt: error: a library clrt runs (most likely the OpenCL driver) aborted\" "
            "$DIR/err || exit 4; test \"$(ls $DIR)\" = err || exit 5",
            "err");
}

/* The output's name taken while the picture renders (here by a folder):
 * the rename fails, and the complete temporary is removed, not left. */
static void test_a_failed_rename_leaves_nothing_and_says_so(void **state) {
  (void)state;
  clrt_device device;
  test_require_device(&device);
  char directory[700];
  int status = run_script("$CLRT render scenes/showcase.json -o $DIR/out.png --width 160 --height 90 --samples 64 "
                          "-q 2>$DIR/err & pid=$!; sleep 0.5; mkdir $DIR/out.png || exit 3; touch $DIR/out.png/kept; "
                          "wait $pid; echo $? >$DIR/rc",
                          directory, sizeof directory);
  if (status == 3)
    fail_msg("the render finished before its output's name could be taken: make it longer");
  char path[800];
  snprintf(path, sizeof path, "%s/rc", directory);
  char *rc = test_read_file(path, NULL);
  assert_string_equal(rc, "1\n");
  free(rc);
  snprintf(path, sizeof path, "%s/err", directory);
  char *err = test_read_file(path, NULL);
  count_lines_and_find(err, "out.png: cannot move the finished file into place: Is a directory; no file written");
  free(err);
  char command[800];
  snprintf(command, sizeof command, "test \"$(ls -A '%s')\" = \"$(printf 'err\\nout.png\\nrc')\"", directory);
  assert_int_equal(system(command), 0);
}

/* Renders started together on a cold cache compile the program once: the
 * others wait for it and load the binary it stored. */
static void test_renders_started_together_compile_once(void **state) {
  (void)state;
  clrt_device device;
  test_require_device(&device);
  char directory[700];
  assert_int_equal(run_script("export CLRT_CACHE_DIR=$DIR/cache; for i in 1 2 3; do $CLRT render scenes/default.json "
                              "-o $DIR/$i.png --width 32 --height 18 2>$DIR/$i.err & done; wait; "
                              "test $(cat $DIR/*.err | grep -c \"build [0-9]* ms (cached)\") -eq 2",
                              directory, sizeof directory),
                   0);
}

static void test_no_platform_says_how_to_install(void **state) {
  (void)state;
  char empty[700], folder[600];
  snprintf(folder, sizeof folder, "%s", test_temp_dir());
  snprintf(empty, sizeof empty, "OCL_ICD_VENDORS='%s'", folder); /* the loader finds no driver */
  char render[1024], named[700];
  snprintf(render, sizeof render, "render '%s/scenes/pymonik.json' -o '%s'", CLRT_SOURCE_DIR, fresh_output());
  const char *commands[] = {"devices", "bench", render};
  for (size_t i = 0; i < 3; ++i) {
    run_result r = run_clrt_with(empty, commands[i]);
    assert_int_equal(r.exit_code, 1);
    count_lines_and_find(r.err, "no OpenCL platform found");
    count_lines_and_find(r.err, "ICD loader/driver matter");
    /* the variable that sent the loader elsewhere is named */
    snprintf(named, sizeof named, "no driver is registered in OCL_ICD_VENDORS=%s, where the ICD loader looks", folder);
    count_lines_and_find(r.err, named);
    count_lines_and_find(r.err, geteuid() == 0 ? "(apt-get install pocl-opencl-icd)"
                                               : "(sudo apt-get install pocl-opencl-icd)");
    run_free(&r);
  }
  assert_false(file_exists(output_path));
}

/* Drivers registered that do not load: the error says why, not that none
 * is installed. A memory limit (ulimit -v) is named with the way out. */
static void test_drivers_that_do_not_load_are_explained(void **state) {
  (void)state;
  char folder[600], environment[800];
  snprintf(folder, sizeof folder, "%s", test_temp_dir());
  snprintf(environment, sizeof environment, "%s/broken.icd", folder);
  FILE *icd = fopen(environment, "w");
  assert_non_null(icd);
  fputs("/nonexistent/libOpenCL-broken.so\n", icd);
  fclose(icd);
  snprintf(environment, sizeof environment, "OCL_ICD_VENDORS='%s'", folder);
  run_result r = run_clrt_with(environment, "devices");
  assert_int_equal(r.exit_code, 1);
  count_lines_and_find(r.err, "drivers are registered in");
  count_lines_and_find(r.err, "but none loaded: a driver's library is missing or broken");
  run_free(&r);
  /* POCL shows no device when its cache folder cannot be made (other
   * implementations do without a cache) */
  clrt_device device;
  test_require_device(&device);
  if (test_is_pocl(&device)) {
    char args[1024];
    snprintf(environment, sizeof environment, "XDG_CACHE_HOME='%s/broken.icd' CLRT_CACHE_DIR=off", folder);
    snprintf(args, sizeof args, "render '%s/scenes/default.json' -o '%s'", CLRT_SOURCE_DIR, fresh_output());
    r = run_clrt_with(environment, args);
    assert_int_equal(r.exit_code, 1);
    count_lines_and_find(r.err, "is not a folder, and POCL keeps its kernel cache there");
    run_free(&r);
  }
#ifdef CLRT_TESTS_SANITIZED
  print_message("no ulimit -v under the sanitizers: their shadow memory needs the address space\n");
#else
  r = run_clrt_with("ulimit -v 120000;", "devices");
  assert_int_equal(r.exit_code, 1);
  count_lines_and_find(r.err, "address space is limited to 117 MB (ulimit -v)");
  run_free(&r);
  /* under a limit that leaves too little for the driver (POCL aborted
   * inside its own start, exit 134): memory is named, at once, no file */
  char args[1024];
  snprintf(args, sizeof args, "render '%s/scenes/particles.json' -o '%s'", CLRT_SOURCE_DIR, fresh_output());
  r = run_clrt_with("ulimit -v 460000;", args);
  assert_int_equal(r.exit_code, 1);
  count_lines_and_find(r.err, "not enough memory to load an OpenCL driver: this process's address space is limited "
                              "to 449 MB (ulimit -v)");
  assert_false(file_exists(output_path));
  run_free(&r);
#endif
}

static void test_platform_without_devices_is_listed(void **state) {
  (void)state;
  test_require_pocl("a platform without devices is made by POCL_DEVICES naming no driver");
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

/* The average samples a pixel that a progressive render's summary
 * reports. */
static double reported_samples(const char *summary) {
  const char *at = strstr(summary, "pass(es), ");
  assert_non_null(at);
  return atof(at + strlen("pass(es), "));
}

/* A progressive render of the room at 64x48 to OUTPUT with OPTIONS, then
 * one pass of as many samples as it reports: the very same bytes. */
static void check_passes_equal_one_go(const char *extension, const char *options) {
  char args[2048], progressive[800], once[800];
  const char *scene = CLRT_SOURCE_DIR "/scenes/bench/room.json";
  snprintf(progressive, sizeof progressive, "%s/progressive.%s", test_temp_dir(), extension);
  snprintf(args, sizeof args, "render '%s' -o '%s' --width 64 --height 48 %s", scene, progressive, options);
  run_result r = run_clrt(args);
  assert_int_equal(r.exit_code, 0);
  unsigned samples = (unsigned)reported_samples(r.err);
  count_lines_and_find(r.err, "sample(s)/px on average");
  run_free(&r);
  snprintf(once, sizeof once, "%s/once.%s", test_temp_dir(), extension);
  snprintf(args, sizeof args, "render '%s' -o '%s' --width 64 --height 48 --samples %u -q", scene, once, samples);
  r = run_clrt(args);
  assert_int_equal(r.exit_code, 0);
  run_free(&r);
  assert_same_picture(progressive, once);
}

/* Progressive passes give the very bytes one pass of as many samples
 * gives, PNG and HDR alike; with a noise target, regions stop apart. */
static void test_progressive_passes_equal_one_go(void **state) {
  (void)state;
  check_passes_equal_one_go("png", "--time 1 --samples 40");
  check_passes_equal_one_go("hdr", "--time 1 --samples 12");
  char args[2048];
  snprintf(args, sizeof args,
           "render '%s/scenes/bench/room.json' -o '%s' --width 64 --height 48 --noise 0.3 --samples 64",
           CLRT_SOURCE_DIR, fresh_output());
  run_result r = run_clrt(args);
  assert_int_equal(r.exit_code, 0);
  const char *range = strstr(r.err, "on average (");
  assert_non_null(range);
  unsigned least = 0, most = 0;
  assert_int_equal(sscanf(range, "on average (%u to %u)", &least, &most), 2);
  assert_true(least >= 4 && least < most && most <= 64); /* the lamp settles first, the caustic last */
  assert_true(file_exists(output_path));
  run_free(&r);
}

/* On llvmpipe, whose loops end after 65,535 iterations in all, a
 * path-traced render of many samples a pixel says it may come out too
 * dark; on other devices nothing is said. */
static void test_llvmpipe_loop_limit_is_said(void **state) {
  (void)state;
  clrt_device device;
  test_require_device(&device);
  char args[2048];
  snprintf(args, sizeof args, "render '%s/scenes/bench/room.json' -o '%s' --width 16 --height 12 --samples 40 -q",
           CLRT_SOURCE_DIR, fresh_output());
  run_result r = run_clrt(args);
  assert_int_equal(r.exit_code, 0);
  bool said = strstr(r.err, "Mesa's loop limit") != NULL;
  assert_int_equal(said, strstr(device.name, "llvmpipe") != NULL);
  run_free(&r);
}

/* Progressive rendering's mistakes are one-line usage errors. */
static void test_progressive_mistakes_are_refused(void **state) {
  (void)state;
  char args[2048];
  snprintf(args, sizeof args, "render '%s/scenes/default.json' -o '%s' --time 2", CLRT_SOURCE_DIR, fresh_output());
  expect_failure(args, output_path, 2, "--time needs the path integrator");
  snprintf(args, sizeof args, "render '%s/scenes/bench/room.json' -o '%s' --noise 0.1 --tiles 4", CLRT_SOURCE_DIR,
           fresh_output());
  expect_failure(args, output_path, 2, "--noise cannot be used with --tiles or --tile-size");
  snprintf(args, sizeof args, "render '%s/scenes/bench/room.json' -o '%s' --noise 0", CLRT_SOURCE_DIR, fresh_output());
  expect_failure(args, output_path, 2, "--noise: expected a relative standard error");
  snprintf(args, sizeof args, "render '%s/scenes/bench/room.json' -o '%s' --time -1", CLRT_SOURCE_DIR, fresh_output());
  expect_failure(args, output_path, 2, "--time: expected seconds");
}

/* The same render written twice with other tilings: the same pixels. */
static void assert_same_bytes_whatever_the_tiling(const char *scene, const char *extension, const char *options) {
  char args[2048], first[700], second[700];
  const char *tilings[2] = {"--tile-size 16x16", "--tiles 3"};
  for (int i = 0; i < 2; ++i) {
    snprintf(i ? second : first, sizeof first, "%s/tiling-%d.%s", test_temp_dir(), i, extension);
    snprintf(args, sizeof args, "render '%s/%s' -q -o '%s' %s %s", CLRT_SOURCE_DIR, scene, i ? second : first,
             tilings[i], options);
    run_result r = run_clrt(args);
    if (r.exit_code != 0)
      fail_msg("clrt %s: exit %d: %s", args, r.exit_code, r.err);
    run_free(&r);
  }
  assert_same_picture(first, second);
}

/* A denoised picture and the passes are the same bytes whatever the
 * tiles (the denoiser runs after them, over bands of its own). */
static void test_denoised_pictures_and_passes_ignore_the_tiling(void **state) {
  (void)state;
  assert_same_bytes_whatever_the_tiling("scenes/bench/room.json", "png",
                                        "--width 80 --height 60 --samples 4 --denoise");
  assert_same_bytes_whatever_the_tiling("scenes/showcase.json", "exr",
                                        "--width 64 --height 36 --samples 2 --passes all --exr-float");
}

/* The EXR holds the colour and the passes asked for, with the notes; the
 * PNG (16 bits here) holds the notes too; OpenEXR's own exrheader reads
 * the file. */
static void test_exr_and_png_say_how_they_were_made(void **state) {
  (void)state;
  char exr[700], png[700], args[2048];
  snprintf(exr, sizeof exr, "%s/made.exr", test_temp_dir());
  snprintf(png, sizeof png, "%s/made.png", test_temp_dir());
  snprintf(args, sizeof args,
           "render '%s/scenes/bench/room.json' -q -o '%s' --width 40 --height 30 --samples 4 "
           "--passes albedo,depth --denoise",
           CLRT_SOURCE_DIR, exr);
  run_result r = run_clrt(args);
  assert_int_equal(r.exit_code, 0);
  run_free(&r);
  char value[256];
  assert_true(clrt_exr_read_attribute(exr, "clrt.integrator", value, sizeof value));
  assert_string_equal(value, "path");
  assert_true(clrt_exr_read_attribute(exr, "clrt.denoised", value, sizeof value));
  assert_string_equal(value, "yes");
  assert_true(clrt_exr_read_attribute(exr, "clrt.samples", value, sizeof value));
  assert_string_equal(value, "4 per pixel");
  assert_true(clrt_exr_read_attribute(exr, "clrt.scene-sha256", value, sizeof value));
  assert_int_equal(strlen(value), 64);
  assert_true(clrt_exr_read_attribute(exr, "Software", value, sizeof value));
  assert_non_null(strstr(value, CLRT_GIT_REVISION));
  unsigned w, h;
  float *depth = NULL;
  clrt_error err;
  assert_int_equal(clrt_exr_read_channel(exr, "depth.Z", &w, &h, &depth, &err), CLRT_OK);
  assert_true(depth[w * h / 2 + w / 2] > 0.0f && isfinite(depth[w * h / 2 + w / 2])); /* the room is closed */
  free(depth);
  assert_int_equal(clrt_exr_read_channel(exr, "normal.X", &w, &h, &depth, &err), CLRT_ERR_INPUT); /* not asked */
  char command[2048];
  snprintf(command, sizeof command, "command -v exrheader >/dev/null || exit 77; exrheader '%s'", exr);
  r = run_shell(command);
  if (r.exit_code == 77 && test_running_in_ci())
    fail_msg("CI needs OpenEXR's exrheader (package openexr)");
  if (r.exit_code != 77) {
    assert_int_equal(r.exit_code, 0);
    count_lines_and_find(r.out, "albedo.R, 16-bit floating-point");
    count_lines_and_find(r.out, "depth.Z, 32-bit floating-point");
    count_lines_and_find(r.out, "compression (type compression): zip");
  }
  run_free(&r);
  snprintf(args, sizeof args, "render '%s/scenes/default.json' -q -o '%s' --width 40 --height 30 --png-16",
           CLRT_SOURCE_DIR, png);
  r = run_clrt(args);
  assert_int_equal(r.exit_code, 0);
  run_free(&r);
  assert_true(stbi_is_16_bit(png));
  size_t size = 0;
  char *file = test_read_file(png, &size);
  static const char integrator[] = "tEXtclrt.integrator\0whitted", denoised[] = "tEXtclrt.denoised\0no";
  assert_non_null(memmem(file, size, integrator, sizeof integrator - 1));
  assert_non_null(memmem(file, size, denoised, sizeof denoised - 1));
  free(file);
}

/* What cannot be is a one-line usage error, before anything renders. */
static void test_finishing_mistakes_are_refused(void **state) {
  (void)state;
  char args[2048], exr[700];
  const char *room = "scenes/bench/room.json";
  snprintf(args, sizeof args, "render '%s/%s' -o '%s' --passes albedo", CLRT_SOURCE_DIR, room, fresh_output());
  expect_failure(args, output_path, 2, "--passes needs an OpenEXR output (-o FILE.exr)");
  snprintf(exr, sizeof exr, "%s/out.exr", test_temp_dir());
  snprintf(args, sizeof args, "render '%s/%s' -o '%s' --passes albedo,shadow", CLRT_SOURCE_DIR, room, exr);
  expect_failure(args, exr, 2, "--passes: unknown pass 'shadow'");
  snprintf(args, sizeof args, "render '%s/%s' -o '%s' --exr-float", CLRT_SOURCE_DIR, room, fresh_output());
  expect_failure(args, output_path, 2, "--exr-float needs an OpenEXR output");
  snprintf(args, sizeof args, "render '%s/%s' -o '%s.jpg' --png-16", CLRT_SOURCE_DIR, room, fresh_output());
  expect_failure(args, NULL, 2, "--png-16 is for .png output");
  snprintf(args, sizeof args, "render '%s/scenes/default.json' -o '%s' --denoise", CLRT_SOURCE_DIR, fresh_output());
  expect_failure(args, output_path, 2, "--denoise: this Whitted picture has no noise to remove");
}

/* clrt compare: the same pixels are inf dB; a denoised picture is nearer
 * its reference than the noisy one; pictures of two sizes are refused. */
static void test_compare_measures_pictures(void **state) {
  (void)state;
  char args[2048], paths[3][512];
  const char *names[3] = {"reference.png", "noisy.png", "denoised.png"};
  const char *options[3] = {"--samples 256", "--samples 4", "--samples 4 --denoise"};
  for (int i = 0; i < 3; ++i) {
    snprintf(paths[i], sizeof paths[i], "%s/%s", test_temp_dir(), names[i]);
    snprintf(args, sizeof args, "render '%s/scenes/bench/room.json' -q -o '%s' --width 48 --height 36 %s",
             CLRT_SOURCE_DIR, paths[i], options[i]);
    run_result r = run_clrt(args);
    assert_int_equal(r.exit_code, 0);
    run_free(&r);
  }
  double psnr[3] = {0}, ssim[3] = {0};
  for (int i = 0; i < 3; ++i) {
    snprintf(args, sizeof args, "compare '%.500s' '%.500s'", paths[0], paths[i]);
    run_result r = run_clrt(args);
    assert_int_equal(r.exit_code, 0);
    if (i == 0)
      count_lines_and_find(r.out, "PSNR inf dB, SSIM 1.0000");
    else
      assert_int_equal(sscanf(strstr(r.out, "PSNR"), "PSNR %lf dB, SSIM %lf", &psnr[i], &ssim[i]), 2);
    run_free(&r);
  }
  assert_true(psnr[2] > psnr[1] && ssim[2] > ssim[1]);
  snprintf(args, sizeof args, "compare '%s' '%s/tests/data/pymonik_python_600x400.png'", paths[0], CLRT_SOURCE_DIR);
  expect_failure(args, NULL, 2, "compare pictures of one size");
}

/* A disk that fills up while the EXR is written: one line, exit 1, and
 * no file (here a file size limit, with SIGXFSZ ignored as a full disk
 * would not send it). */
static void test_a_failed_exr_write_leaves_nothing(void **state) {
  (void)state;
  char exr[700], command[3072];
  snprintf(exr, sizeof exr, "%s/full.exr", test_temp_dir());
  snprintf(command, sizeof command,
           "ulimit -f 16; trap '' XFSZ; '%s' render '%s/scenes/bench/room.json' -q -o '%s' --width 160 --height 120 "
           "--samples 1 --passes all --exr-float",
           CLRT_BINARY, CLRT_SOURCE_DIR, exr);
  run_result r = run_shell(command);
  assert_int_equal(r.exit_code, 1);
  count_lines_and_find(r.err, "full.exr: writing the OpenEXR file failed");
  assert_null(strchr(strchr(r.err, '\n') + 1, '\n'));
  assert_false(file_exists(exr));
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
  count_lines_and_find(r.out, "Mrays/s (min-max)");
  count_lines_and_find(r.out, "host  1 thread");
  count_lines_and_find(r.out, "vs 1 thr vs cores");
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
      cmocka_unit_test(test_a_huge_ply_count_is_refused_before_reserving),
      cmocka_unit_test(test_unknown_device),
      cmocka_unit_test(test_arrays_that_do_not_fit_constant_memory),
      cmocka_unit_test(test_bench_refuses_result_files_it_cannot_write),
      cmocka_unit_test(test_bad_output_is_refused_before_rendering),
      cmocka_unit_test(test_output_that_is_a_directory_is_refused_at_once),
      cmocka_unit_test(test_hostile_names_cannot_forge_lines),
      cmocka_unit_test(test_render_writes_png_and_summary),
      cmocka_unit_test(test_help_version_devices),
      cmocka_unit_test(test_all_devices_failing_writes_nothing),
      cmocka_unit_test(test_error_names_the_device_that_failed),
      cmocka_unit_test(test_runaway_ray_trees_finish),
      cmocka_unit_test(test_heavy_tiles_are_not_taken_for_hangs),
      cmocka_unit_test(test_one_big_tile_keeps_memory_bounded),
      cmocka_unit_test(test_keep_partial_paints_missing_tiles_magenta),
      cmocka_unit_test(test_several_devices_report_each),
      cmocka_unit_test(test_progress_bar_on_a_terminal),
      cmocka_unit_test(test_interrupt_stops_cleanly),
      cmocka_unit_test(test_a_killed_render_leaves_nothing),
      cmocka_unit_test(test_a_killed_render_resumes_to_the_same_bytes),
      cmocka_unit_test(test_checkpoint_mistakes_are_refused),
      cmocka_unit_test(test_an_aborting_library_is_explained),
      cmocka_unit_test(test_a_failed_rename_leaves_nothing_and_says_so),
      cmocka_unit_test(test_renders_started_together_compile_once),
      cmocka_unit_test(test_no_platform_says_how_to_install),
      cmocka_unit_test(test_drivers_that_do_not_load_are_explained),
      cmocka_unit_test(test_platform_without_devices_is_listed),
      cmocka_unit_test(test_progressive_passes_equal_one_go),
      cmocka_unit_test(test_progressive_mistakes_are_refused),
      cmocka_unit_test(test_llvmpipe_loop_limit_is_said),
      cmocka_unit_test(test_denoised_pictures_and_passes_ignore_the_tiling),
      cmocka_unit_test(test_exr_and_png_say_how_they_were_made),
      cmocka_unit_test(test_finishing_mistakes_are_refused),
      cmocka_unit_test(test_compare_measures_pictures),
      cmocka_unit_test(test_a_failed_exr_write_leaves_nothing),
      cmocka_unit_test(test_bench_prints_the_table),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
