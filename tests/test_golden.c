/* Golden images: each feature scene, rendered on the device, against the
 * small reference PNG committed in tests/golden/, and against the host
 * reference renderer. Both within the renderer's tolerance
 * (clrt_image_compare.h).
 *
 * On a mismatch the render and a diff image (differences times 16) are
 * written to the build's tests/golden-output/ folder, named in the failure.
 * To regenerate the goldens on purpose after an intended change of the
 * picture: CLRT_UPDATE_GOLDENS=1 build/tests/test_golden (then look at
 * tests/golden/ and commit). */
#include "test_support.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <stb_image.h>

#include "clrt_image.h"
#include "clrt_image_compare.h"

/* How much a difference is amplified in the diff image. */
#define DIFF_IMAGE_GAIN 16

static void write_png(const char *path, const uint8_t *rgb, unsigned width, unsigned height) {
  clrt_image_view view = {.width = width, .height = height, .rgb = rgb};
  clrt_error err;
  if (clrt_image_write(path, &view, &err) != CLRT_OK)
    fail_msg("%s", err.message);
}

static void golden_path(char *out, size_t size, const char *feature) {
  snprintf(out, size, "%s/tests/golden/%s.png", CLRT_SOURCE_DIR, feature);
}

/* Writes the render and |render - golden| * gain beside each other. */
static void write_failure_images(const char *feature, const picture *render, const uint8_t *golden) {
  mkdir(CLRT_GOLDEN_OUTPUT_DIR, 0755);
  size_t channels = (size_t)render->width * render->height * 3;
  uint8_t *diff = malloc(channels);
  assert_non_null(diff);
  for (size_t i = 0; i < channels; ++i) {
    int d = abs((int)render->rgb[i] - (int)golden[i]) * DIFF_IMAGE_GAIN;
    diff[i] = (uint8_t)(d > 255 ? 255 : d);
  }
  char path[1024];
  snprintf(path, sizeof path, "%s/%s.png", CLRT_GOLDEN_OUTPUT_DIR, feature);
  write_png(path, render->rgb, render->width, render->height);
  snprintf(path, sizeof path, "%s/%s.diff.png", CLRT_GOLDEN_OUTPUT_DIR, feature);
  write_png(path, diff, render->width, render->height);
  free(diff);
  print_error("golden mismatch for %s: see %s/%s.png and %s.diff.png\n", feature, CLRT_GOLDEN_OUTPUT_DIR, feature,
              feature);
}

static void check_golden(const char *feature, const picture *render) {
  char path[1024];
  golden_path(path, sizeof path, feature);
  if (getenv("CLRT_UPDATE_GOLDENS")) {
    write_png(path, render->rgb, render->width, render->height);
    print_message("updated %s\n", path);
    return;
  }
  int width, height, channels;
  uint8_t *golden = stbi_load(path, &width, &height, &channels, 3);
  if (!golden)
    fail_msg("%s: missing golden image (CLRT_UPDATE_GOLDENS=1 makes it)", path);
  assert_int_equal(width, render->width);
  assert_int_equal(height, render->height);
  size_t count = (size_t)width * height * 3;
  clrt_image_difference difference = clrt_image_compare(render->rgb, golden, count);
  if (!clrt_image_within_tolerance(&difference))
    write_failure_images(feature, render, golden);
  test_assert_images_close(render->rgb, golden, count);
  stbi_image_free(golden);
}

static void check_feature(const char *feature) {
  clrt_device device;
  test_require_device(&device);
  char name[256];
  snprintf(name, sizeof name, "scenes/features/%s.json", feature);
  clrt_scene scene;
  test_load_scene(name, 0, 0, &scene);
  picture render = test_render_device(&device, &scene, 0, 32, 32, CLRT_FILM_LEVELS);
  test_assert_not_flat(&render);
  check_golden(feature, &render);
  picture reference = test_render_reference(&scene);
  test_assert_images_close(render.rgb, reference.rgb, (size_t)render.width * render.height * 3);
  test_picture_free(&render);
  test_picture_free(&reference);
  clrt_scene_free(&scene);
}

static void test_glass(void **state) {
  (void)state;
  check_feature("glass");
}

static void test_soft_shadows(void **state) {
  (void)state;
  check_feature("soft_shadows");
}

static void test_antialiasing(void **state) {
  (void)state;
  check_feature("antialiasing");
}

static void test_depth_of_field(void **state) {
  (void)state;
  check_feature("depth_of_field");
}

static void test_mirror_shadows(void **state) {
  (void)state;
  check_feature("mirror_shadows");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_glass),          cmocka_unit_test(test_soft_shadows),   cmocka_unit_test(test_antialiasing),
      cmocka_unit_test(test_depth_of_field), cmocka_unit_test(test_mirror_shadows),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
