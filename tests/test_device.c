/* The OpenCL device against the host reference, the tiling invariance,
 * the PymoniK picture against the Python program's, and build failures. */
#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stb_image.h>

#include "clrt_flatten.h"
#include "clrt_image.h"
#include "clrt_program.h"
#include "clrt_reference.h"
#include "clrt_render.h"

/* An 8-bit image of a scene rendered one way or another. */
typedef struct picture {
  unsigned width, height;
  clrt_float4 *framebuffer;
  uint8_t *rgb;
} picture;

static void load_scene(const char *name, unsigned width, unsigned height, clrt_scene *scene) {
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

static void picture_free(picture *p) {
  free(p->framebuffer);
  free(p->rgb);
}

static picture render_reference(const clrt_scene *scene) {
  picture p = picture_new(scene);
  clrt_render_params params = clrt_flatten_params(scene);
  clrt_reference_render(scene, &params, p.framebuffer);
  clrt_tonemap(p.framebuffer, (size_t)p.width * p.height, scene->image.gamma, p.rgb);
  return p;
}

/* Renders on the device with the given tiling (strips, or tile_w x tile_h). */
static picture render_device(const clrt_device *device, const clrt_scene *scene, unsigned strips, unsigned tile_w,
                             unsigned tile_h) {
  picture p = picture_new(scene);
  clrt_tile_plan plan;
  clrt_error err;
  clrt_status status = strips ? clrt_tiles_strips(p.width, p.height, strips, &plan, &err)
                              : clrt_tiles_grid(p.width, p.height, tile_w, tile_h, &plan, &err);
  assert_int_equal(status, CLRT_OK);
  clrt_render_params params = clrt_flatten_params(scene);
  clrt_render_stats stats;
  if (clrt_render_on_device(device, scene, &params, &plan, p.framebuffer, stderr, &stats, &err) != CLRT_OK)
    fail_msg("%s", err.message);
  clrt_tiles_free(&plan);
  clrt_tonemap(p.framebuffer, (size_t)p.width * p.height, scene->image.gamma, p.rgb);
  return p;
}

/* Fails unless the image has some variety: a black or flat picture
 * would make every comparison pass. */
static void assert_not_flat(const picture *p) {
  size_t channels = (size_t)p->width * p->height * 3;
  uint8_t low = 255, high = 0;
  for (size_t i = 0; i < channels; ++i) {
    low = p->rgb[i] < low ? p->rgb[i] : low;
    high = p->rgb[i] > high ? p->rgb[i] : high;
  }
  assert_true(high - low > 100);
}

static void check_against_reference(const char *scene_name, unsigned width, unsigned height, unsigned samples) {
  clrt_device device;
  test_require_device(&device);
  clrt_scene scene;
  load_scene(scene_name, width, height, &scene);
  if (samples)
    scene.image.samples = samples;
  picture on_device = render_device(&device, &scene, 0, 64, 64);
  picture reference = render_reference(&scene);
  assert_not_flat(&on_device);
  test_assert_images_close(on_device.rgb, reference.rgb, (size_t)width * height * 3);
  picture_free(&on_device);
  picture_free(&reference);
  clrt_scene_free(&scene);
}

static void test_pymonik_matches_reference(void **state) {
  (void)state;
  check_against_reference("pymonik.json", 240, 160, 0);
}

static void test_showcase_matches_reference(void **state) {
  (void)state;
  check_against_reference("showcase.json", 192, 108, 2);
}

static void test_default_scene_matches_reference(void **state) {
  (void)state;
  check_against_reference("default.json", 160, 90, 0);
}

static void test_whitted_hard_matches_reference(void **state) {
  (void)state;
  clrt_device device;
  test_require_device(&device);
  clrt_scene scene;
  clrt_error err;
  const char *path = CLRT_SOURCE_DIR "/../shared/scenes/whitted_hard.json";
  FILE *present = fopen(path, "r");
  if (!present)
    skip(); /* the shared reference scenes live beside the repository */
  fclose(present);
  assert_int_equal(clrt_scene_load(path, &scene, &err), CLRT_OK);
  scene.image.width = 200;
  scene.image.height = 150;
  picture on_device = render_device(&device, &scene, 0, 256, 256);
  picture reference = render_reference(&scene);
  test_assert_images_close(on_device.rgb, reference.rgb, 200 * 150 * 3);
  picture_free(&on_device);
  picture_free(&reference);
  clrt_scene_free(&scene);
}

/* The PNG bytes clrt would write for this picture. */
static char *png_bytes(const picture *p, size_t *size) {
  char path[600];
  snprintf(path, sizeof path, "%s/tiling.png", test_temp_dir());
  clrt_error err;
  assert_int_equal(clrt_image_write_png(path, p->rgb, p->width, p->height, &err), CLRT_OK);
  char *bytes = test_read_file(path, size);
  remove(path);
  return bytes;
}

static void test_every_tiling_gives_identical_bytes(void **state) {
  (void)state;
  clrt_device device;
  test_require_device(&device);
  clrt_scene scene;
  load_scene("showcase.json", 203, 117, &scene); /* prime-ish sizes: ragged edge tiles */
  scene.image.samples = 4;
  picture one_tile = render_device(&device, &scene, 1, 0, 0);
  picture strips = render_device(&device, &scene, 7, 0, 0);
  picture squares = render_device(&device, &scene, 0, 16, 16);
  size_t pixels = (size_t)203 * 117;
  assert_not_flat(&one_tile);
  assert_memory_equal(one_tile.framebuffer, strips.framebuffer, pixels * sizeof(clrt_float4));
  assert_memory_equal(one_tile.framebuffer, squares.framebuffer, pixels * sizeof(clrt_float4));
  size_t size_a, size_b, size_c;
  char *a = png_bytes(&one_tile, &size_a), *b = png_bytes(&strips, &size_b), *c = png_bytes(&squares, &size_c);
  assert_int_equal(size_a, size_b);
  assert_int_equal(size_a, size_c);
  assert_memory_equal(a, b, size_a);
  assert_memory_equal(a, c, size_a);
  free(a);
  free(b);
  free(c);
  picture_free(&one_tile);
  picture_free(&strips);
  picture_free(&squares);
  clrt_scene_free(&scene);
}

/* The PymoniK example's own output (tests/data, made by the original
 * Python program at 600x400): every channel within 1 level. */
static void test_pymonik_matches_python_program(void **state) {
  (void)state;
  clrt_device device;
  test_require_device(&device);
  clrt_scene scene;
  load_scene("pymonik.json", 0, 0, &scene);
  picture on_device = render_device(&device, &scene, 10, 0, 0);
  int width, height, channels;
  uint8_t *python = stbi_load(CLRT_SOURCE_DIR "/tests/data/pymonik_python_600x400.png", &width, &height, &channels, 3);
  assert_non_null(python);
  assert_int_equal(width, 600);
  assert_int_equal(height, 400);
  int worst = 0;
  for (size_t i = 0; i < (size_t)600 * 400 * 3; ++i) {
    int diff = abs((int)python[i] - (int)on_device.rgb[i]);
    worst = diff > worst ? diff : worst;
  }
  assert_in_range(worst, 0, 1);
  stbi_image_free(python);
  picture_free(&on_device);
  clrt_scene_free(&scene);
}

static void test_kernel_build_failure_prints_log(void **state) {
  (void)state;
  clrt_device device;
  test_require_device(&device);
  cl_int rc;
  cl_context context = clCreateContext(NULL, 1, &device.id, NULL, NULL, &rc);
  assert_int_equal(rc, CL_SUCCESS);
  FILE *log = tmpfile();
  assert_non_null(log);
  cl_program program;
  clrt_error err;
  clrt_status status = clrt_program_build_source(
      context, &device, "__kernel void broken(__global float *x) { x[0] = undeclared_name; }", log, &program, &err);
  assert_int_equal(status, CLRT_ERR_RUNTIME);
  assert_non_null(strstr(err.message, "failed to build"));
  assert_non_null(strstr(err.message, device.name));
  char text[4096] = "";
  rewind(log);
  size_t length = fread(text, 1, sizeof text - 1, log);
  text[length] = '\0';
  assert_non_null(strstr(text, "undeclared_name"));
  fclose(log);
  clReleaseContext(context);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_pymonik_matches_reference),
      cmocka_unit_test(test_showcase_matches_reference),
      cmocka_unit_test(test_default_scene_matches_reference),
      cmocka_unit_test(test_whitted_hard_matches_reference),
      cmocka_unit_test(test_every_tiling_gives_identical_bytes),
      cmocka_unit_test(test_pymonik_matches_python_program),
      cmocka_unit_test(test_kernel_build_failure_prints_log),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
