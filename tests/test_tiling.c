/* Tilings (host/render/tiling.c): names, plans within the largest tile,
 * the default tiling, and the choices the tile sweep stores, checked like
 * user input and safe from sweeps storing at once. */
#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clrt_cache.h"
#include "clrt_tiling.h"

static char cache_dir[1024];

static void fresh_cache(void) { snprintf(cache_dir, sizeof cache_dir, "%s", test_fresh_cache()); }

static void test_big_tiles_are_cut_into_bands(void **state) {
  (void)state;
  clrt_tile_plan plan;
  clrt_error err;
  clrt_tiling stored = {.strips = 1, .from_sweep = true};
  assert_int_equal(clrt_tiling_plan(&stored, 16384, 16384, &plan, &err), CLRT_OK);
  assert_int_equal(plan.count, 256); /* 256 Mpixel in bands of at most 1 Mpixel */
  assert_true(plan.max_pixels <= CLRT_MAX_TILE_PIXELS);
  clrt_tiles_free(&plan);
  clrt_tiling one = {.strips = 1}; /* --tiles 1 of 8000x8000: 62 bands of 129 or 130 rows (131 fit) */
  assert_int_equal(clrt_tiling_plan(&one, 8000, 8000, &plan, &err), CLRT_OK);
  assert_int_equal(plan.count, 62);
  assert_int_equal(plan.max_height, 130);
  clrt_tiles_free(&plan);
  clrt_tiling grid = {.tile_width = 3000, .tile_height = 3000}; /* 9 Mpixel tiles, clipped at the edges */
  assert_int_equal(clrt_tiling_plan(&grid, 7000, 4000, &plan, &err), CLRT_OK);
  assert_true(plan.max_pixels <= CLRT_MAX_TILE_PIXELS && plan.max_pixels > CLRT_MAX_TILE_PIXELS * 9 / 10);
  clrt_tiles_free(&plan);
  clrt_tiling given = {.strips = 1};
  assert_int_equal(clrt_tiling_plan(&given, 600, 400, &plan, &err), CLRT_OK);
  assert_int_equal(plan.count, 1);
  clrt_tiles_free(&plan);
  clrt_tiling guided = {.guided = true};
  assert_int_equal(clrt_tiling_plan(&guided, 600, 400, &plan, &err), CLRT_OK);
  assert_int_equal(plan.count, 0);
}

static void test_tiling_names_parse_back(void **state) {
  (void)state;
  const char *names[] = {"strips:8", "64x32"};
  for (size_t i = 0; i < 2; ++i) {
    clrt_tiling tiling;
    char name[32];
    assert_true(clrt_tiling_parse(names[i], &tiling));
    clrt_tiling_name(&tiling, name, sizeof name);
    assert_string_equal(name, names[i]);
  }
  clrt_tiling tiling;
  assert_false(clrt_tiling_parse("strips:0", &tiling));
  assert_false(clrt_tiling_parse("64x", &tiling));
  assert_false(clrt_tiling_parse("guided", &tiling));
}

static void test_default_tiling(void **state) {
  (void)state;
  setenv("CLRT_CACHE_DIR", "off", 1); /* no stored choice */
  clrt_device devices[2];
  memset(devices, 0, sizeof devices);
  assert_true(clrt_tiling_default(devices, 2, NULL).guided);
  clrt_tiling one = clrt_tiling_default(devices, 1, NULL);
  assert_false(one.guided || one.from_sweep);
  assert_int_equal(one.tile_width, CLRT_DEFAULT_TILE_SIDE);
  /* a GPU's tiles hold four waves of every compute unit, 512 to 1024 a side */
  devices[0].type = CL_DEVICE_TYPE_GPU;
  devices[0].compute_units = 132; /* an H100 or H200: 1.08 M work-items */
  assert_int_equal(clrt_tiling_default(devices, 1, NULL).tile_width, 1024);
  devices[0].compute_units = 20; /* a laptop's GPU: 164 K */
  one = clrt_tiling_default(devices, 1, NULL);
  assert_int_equal(one.tile_width, 512);
  assert_int_equal(one.tile_height, 512);
  devices[0].compute_units = 40; /* 328 K: 768 x 768 = 590 K */
  assert_int_equal(clrt_tiling_default(devices, 1, NULL).tile_width, 768);
  unsetenv("CLRT_CACHE_DIR");
}

static clrt_device fake_device(const char *name) {
  clrt_device device;
  memset(&device, 0, sizeof device);
  snprintf(device.name, sizeof device.name, "%s", name);
  snprintf(device.platform_name, sizeof device.platform_name, "Portable Computing Language");
  snprintf(device.driver_version, sizeof device.driver_version, "3.1");
  return device;
}

static void write_choices(const char *text) {
  char path[1200];
  snprintf(path, sizeof path, "%s/tile-choices.json", cache_dir);
  unlink(path);
  FILE *file = fopen(path, "wb");
  assert_non_null(file);
  assert_int_equal(fwrite(text, 1, strlen(text), file), strlen(text));
  assert_int_equal(fclose(file), 0);
}

/* The default tiling with the stored choices in `text`, and whether a
 * warning was given. */
static clrt_tiling default_with(const char *text, bool *warned) {
  fresh_cache(); /* a new process, as far as the once-only warning goes */
  write_choices(text);
  clrt_device device = fake_device("dev");
  FILE *log = tmpfile();
  clrt_tiling tiling = clrt_tiling_default(&device, 1, log);
  *warned = strstr(test_read_log(log), "clrt: warning:") != NULL;
  fclose(log);
  return tiling;
}

static const char KEY_PREFIX[] = "{\"Portable Computing Language | dev | driver 3.1\": {\"tiling\": \"";

static void expect_stored_ignored(const char *tiling_text) {
  char text[512];
  snprintf(text, sizeof text, "%s%s\"}}", KEY_PREFIX, tiling_text);
  bool warned;
  clrt_tiling tiling = default_with(text, &warned);
  if (tiling.from_sweep)
    fail_msg("the stored tiling '%s' was used", tiling_text);
  assert_int_equal(tiling.tile_width, CLRT_DEFAULT_TILE_SIDE);
}

static void test_stored_choices_are_checked(void **state) {
  (void)state;
  /* the sweep stores strips and squares of its sides only: 17x9999 or 64x32 came from elsewhere */
  const char *bad[] = {"1x1",          "8x64",   "-1x-1",  "64x-4294967295", "0x0",   "strips:0",
                       "strips:99999", " 64x64", "64x64 ", "17x9999",        "64x32", "2048x2048"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; ++i)
    expect_stored_ignored(bad[i]);
  bool warned;
  char text[512];
  snprintf(text, sizeof text, "%s64x64\"}}", KEY_PREFIX);
  clrt_tiling good = default_with(text, &warned);
  assert_true(good.from_sweep && good.tile_width == 64 && good.tile_height == 64);
  assert_false(warned);
  snprintf(text, sizeof text, "%s1024x1024\"}}", KEY_PREFIX);
  assert_true(default_with(text, &warned).from_sweep);
  default_with("[1, 2", &warned); /* not JSON */
  assert_true(warned);
  default_with("{\"other device\": {\"tiling\": \"1x1\"}}", &warned);
  assert_false(warned); /* another device's entry is not this one's business */
  /* a FIFO there must not hang */
  fresh_cache();
  char path[1200];
  snprintf(path, sizeof path, "%s/tile-choices.json", cache_dir);
  assert_int_equal(mkfifo(path, 0600), 0);
  clrt_device device = fake_device("dev");
  assert_false(clrt_tiling_default(&device, 1, NULL).from_sweep);
  unsetenv(CLRT_CACHE_DIR_ENVIRONMENT);
}

/* A choice stored on a taller image still plans on a short one. */
static void test_stored_strips_fit_a_shorter_image(void **state) {
  (void)state;
  clrt_tiling tiling = {.strips = 512, .from_sweep = true};
  clrt_tile_plan plan;
  clrt_error err;
  assert_int_equal(clrt_tiling_plan(&tiling, 64, 90, &plan, &err), CLRT_OK);
  assert_int_equal(plan.count, 90);
  clrt_tiles_free(&plan);
  tiling.from_sweep = false; /* the user's --tiles 512 is still checked */
  assert_int_equal(clrt_tiling_plan(&tiling, 64, 90, &plan, &err), CLRT_ERR_INPUT);
}

/* Sweeps storing at the same time lose none of each other's choices. */
static void test_concurrent_stores_keep_every_choice(void **state) {
  (void)state;
  fresh_cache();
  enum { WRITERS = 4, EACH = 15 };
  pid_t children[WRITERS];
  for (int w = 0; w < WRITERS; ++w) {
    children[w] = fork();
    assert_true(children[w] >= 0);
    if (children[w] == 0) {
      for (int i = 0; i < EACH; ++i) {
        char name[32], path[1200];
        snprintf(name, sizeof name, "dev-%d-%d", w, i);
        clrt_device device = fake_device(name);
        clrt_error err;
        if (clrt_tiling_store(&device, "strips:8", NULL, path, sizeof path, &err) != CLRT_OK)
          _exit(1);
      }
      _exit(0);
    }
  }
  for (int w = 0; w < WRITERS; ++w) {
    int status;
    assert_int_equal(waitpid(children[w], &status, 0), children[w]);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  for (int w = 0; w < WRITERS; ++w)
    for (int i = 0; i < EACH; ++i) {
      char name[32];
      snprintf(name, sizeof name, "dev-%d-%d", w, i);
      clrt_device device = fake_device(name);
      if (!clrt_tiling_default(&device, 1, NULL).from_sweep)
        fail_msg("the choice of %s was lost", name);
    }
  unsetenv(CLRT_CACHE_DIR_ENVIRONMENT);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_big_tiles_are_cut_into_bands),
      cmocka_unit_test(test_tiling_names_parse_back),
      cmocka_unit_test(test_default_tiling),
      cmocka_unit_test(test_stored_choices_are_checked),
      cmocka_unit_test(test_stored_strips_fit_a_shorter_image),
      cmocka_unit_test(test_concurrent_stores_keep_every_choice),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
