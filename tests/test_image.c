/* Tone mapping and PNG output: exact levels, a PNG that reads back equal,
 * and no file left behind by a failed write. */
#include "test_support.h"

#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <stb_image.h>

#include "clrt_image.h"

static void test_tonemap_clamps_and_quantises(void **state) {
  (void)state;
  clrt_float4 pixels[2] = {{-1.0f, 0.5f, 2.0f, 1}, {1.0f, 0.0f, 0.25f, 1}};
  uint8_t rgb[6];
  clrt_tonemap(pixels, 2, 1.0, rgb);
  uint8_t expected[6] = {0, 127, 255, 255, 0, 63}; /* v * 255.999, truncated */
  assert_memory_equal(rgb, expected, sizeof expected);
}

static void test_tonemap_applies_gamma(void **state) {
  (void)state;
  clrt_float4 pixel = {0.25f, 0.5f, 1.0f, 1};
  uint8_t rgb[3];
  clrt_tonemap(&pixel, 1, 2.0, rgb);
  assert_int_equal(rgb[0], 127); /* sqrt(0.25) = 0.5 */
  assert_int_equal(rgb[1], (uint8_t)(sqrt(0.5) * 255.999));
  assert_int_equal(rgb[2], 255);
}

static void test_png_reads_back_equal(void **state) {
  (void)state;
  enum { W = 37, H = 23 };
  clrt_float4 framebuffer[W * H];
  for (int i = 0; i < W * H; ++i)
    framebuffer[i] = (clrt_float4){(float)(i % W) / W, (float)(i / W) / H, (float)((i * 7) % 11) / 10.0f, 1};
  uint8_t rgb[W * H * 3];
  clrt_tonemap(framebuffer, W * H, 2.2, rgb);
  char path[600];
  snprintf(path, sizeof path, "%s/out.png", test_temp_dir());
  clrt_error err;
  assert_int_equal(clrt_image_write_png(path, rgb, W, H, &err), CLRT_OK);
  int width, height, channels;
  uint8_t *loaded = stbi_load(path, &width, &height, &channels, 3);
  assert_non_null(loaded);
  assert_int_equal(width, W);
  assert_int_equal(height, H);
  assert_memory_equal(loaded, rgb, sizeof rgb);
  stbi_image_free(loaded);
  struct stat info;
  assert_int_equal(stat(path, &info), 0);
  assert_true(info.st_mode & S_IRUSR);
}

static size_t entries_in(const char *directory) {
  DIR *dir = opendir(directory);
  assert_non_null(dir);
  size_t count = 0;
  for (struct dirent *entry; (entry = readdir(dir));)
    if (strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0)
      ++count;
  closedir(dir);
  return count;
}

static void test_failed_write_leaves_no_file(void **state) {
  (void)state;
  char directory[600], path[700];
  snprintf(directory, sizeof directory, "%s", test_temp_dir());
  snprintf(path, sizeof path, "%s/out.png", directory);
  /* A directory in the way: encoding succeeds, moving into place fails
   * (for root too), and the temporary file must be gone afterwards. */
  assert_int_equal(mkdir(path, 0700), 0);
  uint8_t rgb[3] = {1, 2, 3};
  clrt_error err;
  assert_int_equal(clrt_image_write_png(path, rgb, 1, 1, &err), CLRT_ERR_RUNTIME);
  assert_non_null(strstr(err.message, "out.png: cannot move the finished file into place"));
  assert_int_equal(entries_in(directory), 1);
}

static void test_output_path_checks(void **state) {
  (void)state;
  clrt_error err;
  assert_int_equal(clrt_image_check_output("picture.PNG", &err), CLRT_OK);
  assert_int_equal(clrt_image_check_output("picture.jpg", &err), CLRT_ERR_INPUT);
  assert_non_null(strstr(err.message, "-o picture.jpg: the output must be a .png file"));
  assert_int_equal(clrt_image_check_output("/nonexistent-dir/picture.png", &err), CLRT_ERR_INPUT);
  assert_non_null(strstr(err.message, "directory '/nonexistent-dir' does not exist"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_tonemap_clamps_and_quantises), cmocka_unit_test(test_tonemap_applies_gamma),
      cmocka_unit_test(test_png_reads_back_equal),         cmocka_unit_test(test_failed_write_leaves_no_file),
      cmocka_unit_test(test_output_path_checks),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
