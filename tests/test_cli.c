/* Command-line parsing: commands, options, overrides and usage errors. */
#include "test_support.h"

#include <string.h>

#include "clrt_cli.h"
#include "clrt_image.h"

#define ARGC(argv) ((int)(sizeof(argv) / sizeof((argv)[0])))

static void test_full_render_command(void **state) {
  (void)state;
  char *argv[] = {"clrt",     "render", "scene.json", "-o", "out.png",     "--width=320",
                  "--height", "200",    "--samples",  "16", "--max-depth", "0",
                  "--device", "1:0",    "--tiles",    "7",  "--quiet"};
  clrt_options o;
  clrt_error err;
  assert_int_equal(clrt_cli_parse(ARGC(argv), argv, &o, &err), CLRT_OK);
  assert_int_equal(o.command, CLRT_COMMAND_RENDER);
  assert_string_equal(o.scene_path, "scene.json");
  assert_string_equal(o.output_path, "out.png");
  assert_true(o.width.set && o.width.value == 320);
  assert_true(o.height.set && o.height.value == 200);
  assert_true(o.samples.set && o.samples.value == 16);
  assert_true(o.max_depth.set && o.max_depth.value == 0);
  assert_string_equal(o.device_spec, "1:0");
  assert_int_equal(o.strip_count, 7);
  assert_true(o.quiet);
}

static void test_tile_size_and_defaults(void **state) {
  (void)state;
  char *argv[] = {"clrt", "render", "--tile-size", "16x8", "-o", "x.png", "s.json"};
  clrt_options o;
  clrt_error err;
  assert_int_equal(clrt_cli_parse(ARGC(argv), argv, &o, &err), CLRT_OK);
  assert_int_equal(o.tile_width, 16);
  assert_int_equal(o.tile_height, 8);
  assert_false(o.width.set || o.samples.set || o.quiet);
  assert_null(o.device_spec);
  assert_int_equal(o.array_memory, CLRT_ARRAYS_AUTO);
  char *global[] = {"clrt", "render", "s.json", "-o", "x.png", "--arrays", "global"};
  assert_int_equal(clrt_cli_parse(ARGC(global), global, &o, &err), CLRT_OK);
  assert_int_equal(o.array_memory, CLRT_ARRAYS_GLOBAL);
  char *constant[] = {"clrt", "bench", "--arrays=constant"};
  assert_int_equal(clrt_cli_parse(ARGC(constant), constant, &o, &err), CLRT_OK);
  assert_int_equal(o.bench.array_memory, CLRT_ARRAYS_CONSTANT);
  clrt_cli_free(&o);
}

static void test_other_commands(void **state) {
  (void)state;
  clrt_options o;
  clrt_error err;
  char *devices[] = {"clrt", "devices"};
  assert_int_equal(clrt_cli_parse(2, devices, &o, &err), CLRT_OK);
  assert_int_equal(o.command, CLRT_COMMAND_DEVICES);
  char *help[] = {"clrt", "--help"};
  assert_int_equal(clrt_cli_parse(2, help, &o, &err), CLRT_OK);
  assert_int_equal(o.command, CLRT_COMMAND_HELP);
  char *version[] = {"clrt", "--version"};
  assert_int_equal(clrt_cli_parse(2, version, &o, &err), CLRT_OK);
  assert_int_equal(o.command, CLRT_COMMAND_VERSION);
}

static void expect_usage_error(int argc, char **argv, const char *fragment) {
  clrt_options o;
  clrt_error err = {{0}};
  assert_int_equal(clrt_cli_parse(argc, argv, &o, &err), CLRT_ERR_INPUT);
  if (!strstr(err.message, fragment))
    fail_msg("message \"%s\" lacks \"%s\"", err.message, fragment);
}

static void test_usage_errors(void **state) {
  (void)state;
  char *none[] = {"clrt"};
  expect_usage_error(1, none, "missing a command");
  char *unknown[] = {"clrt", "draw"};
  expect_usage_error(2, unknown, "unknown command 'draw'");
  char *no_output[] = {"clrt", "render", "s.json"};
  expect_usage_error(3, no_output, "missing the output file");
  char *no_scene[] = {"clrt", "render", "-o", "x.png"};
  expect_usage_error(4, no_scene, "missing the scene file");
  char *zero_width[] = {"clrt", "render", "s.json", "-o", "x.png", "--width", "0"};
  expect_usage_error(7, zero_width, "--width: expected a whole number in 1..16384, got '0'");
  char *huge[] = {"clrt", "render", "s.json", "-o", "x.png", "--height", "99999"};
  expect_usage_error(7, huge, "--height: expected a whole number in 1..16384");
  char *junk[] = {"clrt", "render", "s.json", "-o", "x.png", "--samples", "4x"};
  expect_usage_error(7, junk, "--samples: expected a whole number in 1..4096, got '4x'");
  char *both[] = {"clrt", "render", "s.json", "-o", "x.png", "--tiles", "4", "--tile-size", "8x8"};
  expect_usage_error(9, both, "--tiles and --tile-size cannot be used together");
  char *bad_tile[] = {"clrt", "render", "s.json", "-o", "x.png", "--tile-size", "8by8"};
  expect_usage_error(7, bad_tile, "--tile-size: expected WxH");
  char *dangling[] = {"clrt", "render", "s.json", "-o"};
  expect_usage_error(4, dangling, "option '-o' needs a value");
  char *bogus[] = {"clrt", "render", "s.json", "-o", "x.png", "--fast"};
  expect_usage_error(6, bogus, "unknown option '--fast'");
  char *arrays[] = {"clrt", "render", "s.json", "-o", "x.png", "--arrays", "shared"};
  expect_usage_error(7, arrays, "--arrays shared: say auto, constant or global");
  char *two_scenes[] = {"clrt", "render", "a.json", "b.json", "-o", "x.png"};
  expect_usage_error(6, two_scenes, "unexpected argument 'b.json'");
  char *two_checkpoints[] = {"clrt", "render", "s.json", "-o", "x.png", "--checkpoint", "a", "--resume", "b"};
  expect_usage_error(9, two_checkpoints, "--resume: the checkpoint is already 'a'");
  char *checkpoint_is_output[] = {"clrt", "render", "s.json", "-o", "x.png", "--resume=x.png"};
  expect_usage_error(6, checkpoint_is_output, "x.png is both the output and the checkpoint");
}

/* Numbers are digits only: no sign, space, base prefix, exponent, and no
 * wrap-around of a huge or negative value. */
static void test_numbers_are_parsed_strictly(void **state) {
  (void)state;
  const char *bad_sizes[] = {"64x-4294967295", "64x4294967360", "-64x64", " 64x64", "+64x64", "64x 64",
                             "64x64 ",         "0x40x64",       "64x",    "x64",    "64X64",  "64x0"};
  for (size_t i = 0; i < sizeof bad_sizes / sizeof bad_sizes[0]; ++i) {
    char *argv[] = {"clrt", "render", "s.json", "-o", "x.png", "--tile-size", (char *)bad_sizes[i]};
    expect_usage_error(7, argv, "--tile-size: expected WxH");
  }
  const char *bad_counts[] = {" 64", "+64", "-0", "0x40", "64 ", "6.4", "1e2", "", "4294967297"};
  for (size_t i = 0; i < sizeof bad_counts / sizeof bad_counts[0]; ++i) {
    char *argv[] = {"clrt", "render", "s.json", "-o", "x.png", "--width", (char *)bad_counts[i]};
    expect_usage_error(7, argv, "--width: expected a whole number");
  }
  const char *bad_times[] = {"inf", "nan", "1e3", "-1", " 5", "+5", "5.", "0x10", ""};
  for (size_t i = 0; i < sizeof bad_times / sizeof bad_times[0]; ++i) {
    char *argv[] = {"clrt", "render", "s.json", "-o", "x.png", "--tile-timeout", (char *)bad_times[i]};
    expect_usage_error(7, argv, "--tile-timeout: expected seconds");
  }
  char *good[] = {"clrt", "render", "s.json", "-o", "x.png", "--tile-timeout", ".5", "--width", "0064"};
  clrt_options o;
  clrt_error err;
  assert_int_equal(clrt_cli_parse(ARGC(good), good, &o, &err), CLRT_OK);
  assert_true(o.tile_timeout_s == 0.5);
  assert_int_equal(o.width.value, 64);
  clrt_cli_free(&o);
}

/* The finishing options: the passes as bits, the flags, the formats
 * they need, and `clrt compare`'s two pictures. */
static void test_finishing_options(void **state) {
  (void)state;
  char *argv[] = {"clrt", "render", "s.json", "-o", "out.exr", "--passes=albedo,depth", "--exr-float", "--denoise"};
  clrt_options o;
  clrt_error err;
  assert_int_equal(clrt_cli_parse(ARGC(argv), argv, &o, &err), CLRT_OK);
  assert_int_equal(o.passes, CLRT_PASS_ALBEDO | CLRT_PASS_DEPTH);
  assert_true(o.exr_float && o.denoise && !o.png_16);
  char *all[] = {"clrt", "render", "s.json", "-o", "out.exr", "--passes", "all"};
  assert_int_equal(clrt_cli_parse(ARGC(all), all, &o, &err), CLRT_OK);
  assert_int_equal(o.passes, CLRT_PASS_ALBEDO | CLRT_PASS_NORMAL | CLRT_PASS_DEPTH);
  char *sixteen[] = {"clrt", "render", "s.json", "-o", "out.png", "--png-16"};
  assert_int_equal(clrt_cli_parse(ARGC(sixteen), sixteen, &o, &err), CLRT_OK);
  assert_true(o.png_16);
  char *empty[] = {"clrt", "render", "s.json", "-o", "out.exr", "--passes", ","};
  assert_int_equal(clrt_cli_parse(ARGC(empty), empty, &o, &err), CLRT_ERR_INPUT);
  assert_non_null(strstr(err.message, "--passes: unknown pass ''"));
  char *hdr[] = {"clrt", "render", "s.json", "-o", "out.hdr", "--exr-float"};
  assert_int_equal(clrt_cli_parse(ARGC(hdr), hdr, &o, &err), CLRT_ERR_INPUT);
  assert_non_null(strstr(err.message, "--exr-float needs an OpenEXR output"));
  char *compare[] = {"clrt", "compare", "a.exr", "b.png"};
  assert_int_equal(clrt_cli_parse(ARGC(compare), compare, &o, &err), CLRT_OK);
  assert_int_equal(o.command, CLRT_COMMAND_COMPARE);
  assert_string_equal(o.compare_paths[0], "a.exr");
  assert_string_equal(o.compare_paths[1], "b.png");
  char *three[] = {"clrt", "compare", "a.exr", "b.png", "c.png"};
  assert_int_equal(clrt_cli_parse(ARGC(three), three, &o, &err), CLRT_ERR_INPUT);
}

static void test_bench_options(void **state) {
  (void)state;
  char *argv[] = {"clrt",
                  "bench",
                  "a.json",
                  "b.json",
                  "--device",
                  "all",
                  "--runs",
                  "7",
                  "--warmup",
                  "0",
                  "--min-time",
                  "0",
                  "--tile-sweep",
                  "--json",
                  "out.json",
                  "--csv",
                  "out.csv",
                  "--chart",
                  "out.svg",
                  "--max-enqueue-ms",
                  "50"};
  clrt_options o;
  clrt_error err;
  assert_int_equal(clrt_cli_parse(ARGC(argv), argv, &o, &err), CLRT_OK);
  assert_int_equal(o.command, CLRT_COMMAND_BENCH);
  assert_int_equal(o.bench.scene_count, 2);
  assert_string_equal(o.bench.scene_paths[1], "b.json");
  assert_string_equal(o.bench.device_spec, "all");
  assert_int_equal(o.bench.runs, 7);
  assert_int_equal(o.bench.warmup, 0);
  assert_true(o.bench.min_time_s == 0.0 && o.bench.max_enqueue_ms == 50.0);
  assert_true(o.bench.tile_sweep);
  assert_string_equal(o.bench.csv_path, "out.csv");
  clrt_cli_free(&o);
  char *defaults[] = {"clrt", "bench"};
  assert_int_equal(clrt_cli_parse(2, defaults, &o, &err), CLRT_OK);
  assert_int_equal(o.bench.scene_count, 0); /* the built-in suite */
  assert_int_equal(o.bench.runs, CLRT_BENCH_DEFAULT_RUNS);
  assert_true(o.bench.max_enqueue_ms == CLRT_BENCH_DEFAULT_MAX_ENQUEUE_MS);
  clrt_cli_free(&o);
  char *compare[] = {"clrt", "bench", "--compare", "a.json", "b.json"};
  assert_int_equal(clrt_cli_parse(5, compare, &o, &err), CLRT_OK);
  assert_string_equal(o.bench.compare_paths[1], "b.json");
  clrt_cli_free(&o);
  char *bad[] = {"clrt", "bench", "--max-enqueue-ms", "-3"};
  assert_int_equal(clrt_cli_parse(4, bad, &o, &err), CLRT_ERR_INPUT);
  assert_non_null(strstr(err.message, "--max-enqueue-ms: expected milliseconds"));
  clrt_cli_free(&o);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_full_render_command), cmocka_unit_test(test_tile_size_and_defaults),
      cmocka_unit_test(test_other_commands),      cmocka_unit_test(test_usage_errors),
      cmocka_unit_test(test_bench_options),       cmocka_unit_test(test_numbers_are_parsed_strictly),
      cmocka_unit_test(test_finishing_options),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
