/* Shared helpers for the cmocka tests. */
#define _XOPEN_SOURCE 700 /* nftw */
#include "test_support.h"

#include "clrt_flatten.h"
#include "clrt_image.h"
#include "clrt_reference.h"
#include "clrt_render.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The foundation's tolerance between a device image and the reference. */
#define TOLERANCE_SMALL_DIFF 1
#define TOLERANCE_MAX_DIFF 4
#define TOLERANCE_LARGE_FRACTION 0.001

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

static int running_in_ci(void) {
  const char *ci = getenv("CI");
  return ci && (strcmp(ci, "true") == 0 || strcmp(ci, "1") == 0);
}

void test_require_device(clrt_device *device) {
  clrt_device_list list;
  clrt_error err = {{0}};
  if (clrt_devices_discover(&list, &err) != CLRT_OK) {
    if (running_in_ci())
      fail_msg("CI needs an OpenCL device (install pocl-opencl-icd): %s", err.message);
    printf("skipping: %s\n", err.message);
    skip();
  }
  clrt_status status = clrt_devices_select(&list, getenv("CLRT_TEST_DEVICE"), device, &err);
  clrt_devices_free(&list);
  if (status != CLRT_OK)
    fail_msg("%s", err.message);
}

void test_assert_images_close(const uint8_t *a, const uint8_t *b, size_t channel_count) {
  size_t large = 0;
  int worst = 0;
  for (size_t i = 0; i < channel_count; ++i) {
    int diff = abs((int)a[i] - (int)b[i]);
    if (diff > TOLERANCE_SMALL_DIFF)
      ++large;
    if (diff > worst)
      worst = diff;
  }
  if (worst > TOLERANCE_MAX_DIFF || (double)large > TOLERANCE_LARGE_FRACTION * (double)channel_count)
    fail_msg("images differ: %zu of %zu channels by more than %d level, worst %d", large, channel_count,
             TOLERANCE_SMALL_DIFF, worst);
}

void test_load_scene(const char *name, unsigned width, unsigned height, clrt_scene *scene) {
  char path[512];
  snprintf(path, sizeof path, "%s/scenes/%s", CLRT_SOURCE_DIR, name);
  clrt_error err;
  if (clrt_scene_load(path, scene, &err) != CLRT_OK)
    fail_msg("%s", err.message);
  if (width) {
    scene->image.width = width;
    scene->image.height = height;
  }
}

static picture picture_new(const clrt_scene *scene) {
  picture p = {scene->image.width, scene->image.height, NULL, NULL};
  size_t pixels = (size_t)p.width * p.height;
  p.framebuffer = calloc(pixels, sizeof *p.framebuffer);
  p.rgb = calloc(pixels, 3);
  assert_true(p.framebuffer && p.rgb);
  return p;
}

void test_picture_free(picture *p) {
  free(p->framebuffer);
  free(p->rgb);
}

picture test_render_reference(const clrt_scene *scene) {
  picture p = picture_new(scene);
  clrt_render_params params = clrt_flatten_params(scene);
  clrt_reference_render(scene, &params, p.framebuffer);
  clrt_tonemap(p.framebuffer, (size_t)p.width * p.height, &scene->image.tone, p.rgb);
  return p;
}

/* Renders on the device with the given tiling (strips, or tile_w x tile_h). */
picture test_render_device(const clrt_device *device, const clrt_scene *scene, unsigned strips, unsigned tile_w,
                           unsigned tile_h) {
  picture p = picture_new(scene);
  clrt_tile_plan plan;
  clrt_error err;
  clrt_status status = strips ? clrt_tiles_strips(p.width, p.height, strips, &plan, &err)
                              : clrt_tiles_grid(p.width, p.height, tile_w, tile_h, &plan, &err);
  assert_int_equal(status, CLRT_OK);
  clrt_render_result result;
  test_render_on(device, 1, scene, &plan, &p, &result);
  assert_int_equal(result.missing_count, 0);
  clrt_render_result_free(&result);
  clrt_tiles_free(&plan);
  return p;
}

void test_render_on(const clrt_device *devices, size_t count, const clrt_scene *scene, const clrt_tile_plan *plan,
                    picture *p, clrt_render_result *result) {
  clrt_progress progress;
  clrt_progress_init(&progress, stderr, false, (size_t)p->width * p->height);
  clrt_render_setup setup = {plan, CLRT_DEFAULT_TILE_TIMEOUT_S * 1e3, &progress, stderr, NULL, false};
  clrt_render_params params = clrt_flatten_params(scene);
  clrt_error err;
  if (clrt_render(devices, count, scene, &params, &setup, p->framebuffer, result, &err) != CLRT_OK)
    fail_msg("%s", err.message);
  clrt_progress_destroy(&progress);
  clrt_tonemap(p->framebuffer, (size_t)p->width * p->height, &scene->image.tone, p->rgb);
}

picture test_picture_for(const clrt_scene *scene) { return picture_new(scene); }

void test_assert_not_flat(const picture *p) {
  size_t channels = (size_t)p->width * p->height * 3;
  uint8_t low = 255, high = 0;
  for (size_t i = 0; i < channels; ++i) {
    low = p->rgb[i] < low ? p->rgb[i] : low;
    high = p->rgb[i] > high ? p->rgb[i] : high;
  }
  assert_true(high - low > 100);
}
