/* Shared helpers for the cmocka tests. */
#define _XOPEN_SOURCE 700 /* nftw */
#include "test_support.h"

#include "clrt_cache.h"
#include "clrt_faults.h"
#include "clrt_film.h"
#include "clrt_flat_scene.h"
#include "clrt_image_compare.h"
#include "clrt_reference.h"
#include "clrt_scheduler.h"
#include "clrt_tone_map.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char temp_dir_path[256];
static char written_path[512];

/* Every temporary directory a test made, removed when the program exits. */
enum { MAX_TEMP_DIRS = 256 };
static char *temp_dirs[MAX_TEMP_DIRS];
static size_t temp_dir_count;

static int remove_entry(const char *path, const struct stat *info, int flag, struct FTW *walk) {
  (void)info;
  (void)flag;
  (void)walk;
  return remove(path);
}

static void remove_temp_dirs(void) {
  for (size_t i = 0; i < temp_dir_count; ++i) {
    nftw(temp_dirs[i], remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(temp_dirs[i]);
  }
  temp_dir_count = 0;
}

const char *test_temp_dir(void) {
  strcpy(temp_dir_path, "/tmp/clrt-test-XXXXXX");
  assert_non_null(mkdtemp(temp_dir_path));
  if (temp_dir_count == 0)
    atexit(remove_temp_dirs);
  assert_true(temp_dir_count < MAX_TEMP_DIRS);
  temp_dirs[temp_dir_count] = strdup(temp_dir_path);
  assert_non_null(temp_dirs[temp_dir_count++]);
  return temp_dir_path;
}

const char *test_write_temp(const char *text, const char *name) {
  assert_true(strlen(name) < sizeof written_path - sizeof temp_dir_path - 1);
  strcpy(written_path, test_temp_dir());
  strcat(written_path, "/");
  strcat(written_path, name);
  FILE *file = fopen(written_path, "wb");
  assert_non_null(file);
  assert_int_equal(fwrite(text, 1, strlen(text), file), strlen(text));
  assert_int_equal(fclose(file), 0);
  return written_path;
}

const char *test_read_log(FILE *log) {
  static char text[8192];
  rewind(log);
  size_t length = fread(text, 1, sizeof text - 1, log);
  text[length] = '\0';
  return text;
}

const char *test_fresh_cache(void) {
  static char folder[1024];
  snprintf(folder, sizeof folder, "%s/cache", test_temp_dir());
  setenv(CLRT_CACHE_DIR_ENVIRONMENT, folder, 1);
  char checked[1024];
  assert_true(clrt_cache_dir(checked, sizeof checked, NULL)); /* made on first use */
  return folder;
}

char *test_read_file(const char *path, size_t *size) {
  FILE *file = fopen(path, "rb");
  if (!file)
    return NULL;
  fseek(file, 0, SEEK_END);
  long length = ftell(file);
  fseek(file, 0, SEEK_SET);
  char *data = malloc((size_t)length + 1);
  assert_non_null(data);
  assert_int_equal(fread(data, 1, (size_t)length, file), (size_t)length);
  data[length] = '\0';
  fclose(file);
  if (size)
    *size = (size_t)length;
  return data;
}

void test_parse_ok(const char *json, clrt_scene *scene) {
  clrt_error err = {{0}};
  clrt_status status = clrt_scene_parse(json, "test.json", scene, &err);
  if (status != CLRT_OK)
    fail_msg("expected a valid scene, got: %s", err.message);
}

void test_parse_fails(const char *json, ...) {
  clrt_scene scene;
  clrt_error err = {{0}};
  assert_int_equal(clrt_scene_parse(json, "test.json", &scene, &err), CLRT_ERR_INPUT);
  va_list fragments;
  va_start(fragments, json);
  for (const char *fragment = va_arg(fragments, const char *); fragment; fragment = va_arg(fragments, const char *))
    if (!strstr(err.message, fragment))
      fail_msg("message \"%s\" lacks \"%s\"", err.message, fragment);
  va_end(fragments);
}

int test_running_in_ci(void) {
  const char *ci = getenv("CI");
  return ci && (strcmp(ci, "true") == 0 || strcmp(ci, "1") == 0);
}

void test_require_device(clrt_device *device) {
  clrt_device_list list;
  clrt_error err = {{0}};
  if (clrt_devices_discover(&list, &err) != CLRT_OK) {
    if (test_running_in_ci())
      fail_msg("CI needs an OpenCL device (install pocl-opencl-icd): %s", err.message);
    printf("skipping: %s\n", err.message);
    skip();
  }
  clrt_status status = clrt_devices_select(&list, getenv("CLRT_TEST_DEVICE"), device, &err);
  clrt_devices_free(&list);
  if (status != CLRT_OK)
    fail_msg("%s", err.message);
}

bool test_is_pocl(const clrt_device *device) {
  return strstr(device->platform_name, "Portable Computing Language") != NULL;
}

void test_require_pocl(const char *why) {
  clrt_device device;
  test_require_device(&device);
  if (!test_is_pocl(&device)) {
    printf("skipping on %s: %s\n", device.platform_name, why);
    skip();
  }
}

void test_assert_images_close(const uint8_t *a, const uint8_t *b, size_t channel_count) {
  clrt_image_difference difference = clrt_image_compare(a, b, channel_count);
  if (!clrt_image_within_tolerance(&difference)) {
    char detail[160];
    clrt_image_difference_describe(&difference, detail, sizeof detail);
    fail_msg("images differ: %s", detail);
  }
}

bool test_fast_math(void) {
  const char *value = getenv("CLRT_TEST_FAST_MATH");
  return value && strcmp(value, "1") == 0;
}

void test_assert_matches_reference(const picture *on_device, const picture *reference, const clrt_scene *scene) {
  assert_int_equal(on_device->width, reference->width);
  assert_int_equal(on_device->height, reference->height);
  if (!test_fast_math()) {
    test_assert_images_close(on_device->rgb, reference->rgb, (size_t)on_device->width * on_device->height * 3);
    return;
  }
  char why[200];
  bool noisy = CLRT_INTEGRATOR_SUMS_EXACTLY(scene->sampling.integrator);
  if (!clrt_images_agree_fast_math(on_device->rgb, reference->rgb, on_device->width, on_device->height, noisy, why,
                                   sizeof why))
    fail_msg("--fast-math picture differs: %s", why);
  print_message("--fast-math: %s\n", why);
}

void test_load_scene(const char *path, unsigned width, unsigned height, clrt_scene *scene) {
  char full[512];
  snprintf(full, sizeof full, "%s/%s", CLRT_SOURCE_DIR, path);
  clrt_error err;
  if (clrt_scene_load(full, scene, &err) != CLRT_OK)
    fail_msg("%s", err.message);
  if (width) {
    scene->image.width = width;
    scene->image.height = height;
  }
}

static void flatten_ok(const clrt_scene *scene, clrt_flat_scene *flat) {
  clrt_error err;
  if (clrt_flatten(scene, flat, &err) != CLRT_OK)
    fail_msg("%s", err.message);
}

static void film_ok(const clrt_flat_scene *flat, clrt_film_kind kind, clrt_film *film) {
  clrt_error err;
  if (clrt_film_init(film, flat->params.width, flat->params.height, kind, flat->tone_levels, &err) != CLRT_OK)
    fail_msg("%s", err.message);
}

void test_flatten_json(const char *json, clrt_flat_scene *flat) {
  clrt_scene scene;
  test_parse_ok(json, &scene);
  flatten_ok(&scene, flat);
  clrt_scene_free(&scene);
}

void test_flatten_file(const char *path, unsigned width, unsigned height, clrt_flat_scene *flat) {
  clrt_scene scene;
  test_load_scene(path, width, height, &scene);
  flatten_ok(&scene, flat);
  clrt_scene_free(&scene);
}

clrt_session *test_open_session(const clrt_device *device, const clrt_flat_scene *flat,
                                const clrt_session_options *options) {
  clrt_error err;
  clrt_session *session = clrt_session_open(device, flat, options, &err);
  if (!session)
    fail_msg("%s", err.message);
  return session;
}

const char *test_fault_rule(const clrt_device *device, const char *when) {
  static char rule[64];
  snprintf(rule, sizeof rule, "%u:%u/%s", device->platform_index, device->device_index, when);
  return rule;
}

uint8_t *test_pattern(unsigned width, unsigned height, unsigned seed) {
  uint8_t *rgb = malloc((size_t)width * height * 3 + 1);
  assert_non_null(rgb);
  uint32_t state = seed * 2654435761u + 1;
  for (size_t i = 0; i < (size_t)width * height * 3; ++i) {
    state = state * 1664525u + 1013904223u;
    size_t x = (i / 3) % width, y = (i / 3) / width;
    rgb[i] = (uint8_t)((x * 3 + y * 5 + (i % 3) * 70) % 256 ^ ((state >> 24) & (i % 7 == 0 ? 0xff : 0x03)));
  }
  return rgb;
}

/* The film's levels (tone-mapped on the host from a linear film). */
static picture picture_of(const clrt_film *film) {
  picture p = {film->width, film->height, NULL, NULL};
  size_t channels = (size_t)p.width * p.height * 3;
  p.rgb = malloc(channels);
  assert_non_null(p.rgb);
  if (film->kind == CLRT_FILM_LEVELS) {
    memcpy(p.rgb, film->rgb, channels);
    return p;
  }
  p.linear = malloc(channels * sizeof *p.linear);
  assert_non_null(p.linear);
  memcpy(p.linear, film->linear, channels * sizeof *p.linear);
  clrt_tone_map_channels(p.linear, channels, &film->levels, p.rgb);
  return p;
}

void test_picture_free(picture *p) {
  free(p->linear);
  free(p->rgb);
}

picture test_render_reference(const clrt_scene *scene) {
  clrt_flat_scene flat;
  clrt_film film;
  flatten_ok(scene, &flat);
  film_ok(&flat, CLRT_FILM_LINEAR, &film);
  clrt_tally tally;
  assert_true(clrt_reference_render(&flat, &film, 1, NULL, &tally));
  picture p = picture_of(&film);
  clrt_film_free(&film);
  clrt_flat_scene_free(&flat);
  return p;
}

/* Renders on the device with the given tiling (strips, or tile_w x tile_h). */
picture test_render_device(const clrt_device *device, const clrt_scene *scene, unsigned strips, unsigned tile_w,
                           unsigned tile_h, clrt_film_kind kind) {
  clrt_tile_plan plan;
  clrt_error err;
  unsigned width = scene->image.width, height = scene->image.height;
  clrt_status status = strips ? clrt_tiles_strips(width, height, strips, &plan, &err)
                              : clrt_tiles_grid(width, height, tile_w, tile_h, &plan, &err);
  assert_int_equal(status, CLRT_OK);
  clrt_farm_result result;
  size_t missing_pixels;
  picture p =
      test_render_on(device, 1, scene, &plan, kind, CLRT_DEFAULT_TILE_TIMEOUT_S * 1e3, &result, &missing_pixels);
  assert_int_equal(missing_pixels, 0);
  clrt_farm_result_free(&result);
  clrt_tiles_free(&plan);
  return p;
}

picture test_render_on(const clrt_device *devices, size_t count, const clrt_scene *scene, const clrt_tile_plan *plan,
                       clrt_film_kind kind, double timeout_ms, clrt_farm_result *result, size_t *missing_pixels) {
  clrt_flat_scene flat;
  clrt_film film;
  clrt_scheduler scheduler;
  clrt_fault_rules faults;
  clrt_progress progress;
  clrt_error err;
  flatten_ok(scene, &flat);
  film_ok(&flat, kind, &film);
  assert_int_equal(clrt_faults_from_environment(&faults, &err), CLRT_OK);
  assert_int_equal(clrt_scheduler_init(&scheduler, film.width, film.height, plan, (unsigned)count, &err), CLRT_OK);
  clrt_progress_init(&progress, stderr, false, (size_t)film.width * film.height);
  clrt_session_options options = {.max_tile_pixels = clrt_scheduler_max_tile_pixels(&scheduler),
                                  .tile_form = kind == CLRT_FILM_LINEAR ? CLRT_TILE_LINEAR : CLRT_TILE_LEVELS,
                                  .tile_timeout_ms = timeout_ms,
                                  .fast_math = test_fast_math(),
                                  .faults = &faults,
                                  .build_log = stderr};
  clrt_tile_route route = {&scheduler, &film, &progress, NULL, NULL};
  if (clrt_farm_render(devices, count, &flat, &options, &route, result, &err) != CLRT_OK)
    fail_msg("%s", err.message);
  clrt_tile *tiles;
  size_t missing;
  assert_int_equal(clrt_scheduler_missing(&scheduler, &tiles, &missing, &err), CLRT_OK);
  *missing_pixels = 0;
  for (size_t i = 0; i < missing; ++i)
    *missing_pixels += (size_t)tiles[i].width * tiles[i].height;
  free(tiles);
  picture p = picture_of(&film);
  clrt_progress_destroy(&progress);
  clrt_scheduler_destroy(&scheduler);
  clrt_faults_free(&faults);
  clrt_film_free(&film);
  clrt_flat_scene_free(&flat);
  return p;
}

void test_assert_not_flat(const picture *p) {
  size_t channels = (size_t)p->width * p->height * 3;
  uint8_t low = 255, high = 0;
  for (size_t i = 0; i < channels; ++i) {
    low = p->rgb[i] < low ? p->rgb[i] : low;
    high = p->rgb[i] > high ? p->rgb[i] : high;
  }
  assert_true(high - low > 100);
}
