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
  clrt_tone linear = {CLRT_TRANSFER_GAMMA, 1.0, 1.0};
  clrt_tonemap(pixels, 2, &linear, rgb);
  uint8_t expected[6] = {0, 127, 255, 255, 0, 63}; /* v * 255.999, truncated */
  assert_memory_equal(rgb, expected, sizeof expected);
}

static void test_tonemap_applies_gamma(void **state) {
  (void)state;
  clrt_float4 pixel = {0.25f, 0.5f, 1.0f, 1};
  uint8_t rgb[3];
  clrt_tone square_root = {CLRT_TRANSFER_GAMMA, 2.0, 1.0};
  clrt_tonemap(&pixel, 1, &square_root, rgb);
  assert_int_equal(rgb[0], 127); /* sqrt(0.25) = 0.5 */
  assert_int_equal(rgb[1], (uint8_t)(sqrt(0.5) * 255.999));
  assert_int_equal(rgb[2], 255);
}

static void test_tonemap_srgb_and_exposure(void **state) {
  (void)state;
  clrt_float4 pixels[2] = {{0.002f, 0.5f, 0.214f, 1}, {0.25f, 0.5f, 1.0f, 1}};
  uint8_t rgb[6];
  clrt_tone srgb = {CLRT_TRANSFER_SRGB, 2.2, 1.0};
  clrt_tonemap(pixels, 2, &srgb, rgb);
  assert_int_equal(rgb[0], (uint8_t)(12.92 * 0.002 * 255.999)); /* linear part below the knee */
  assert_int_equal(rgb[1], (uint8_t)((1.055 * pow(0.5, 1 / 2.4) - 0.055) * 255.999));
  assert_int_equal(rgb[2], 127); /* sRGB 0.5 is linear 0.214 */
  clrt_tone doubled = {CLRT_TRANSFER_GAMMA, 1.0, 2.0};
  clrt_tonemap(pixels + 1, 1, &doubled, rgb);
  assert_int_equal(rgb[0], 127); /* 0.25 * 2 */
  assert_int_equal(rgb[1], 255);
  assert_int_equal(rgb[2], 255); /* clamped after exposure */
}

/* Writes a framebuffer through clrt_image_write and reads it back. */
static uint8_t *write_and_load(const char *name, const clrt_float4 *framebuffer, int w, int h, size_t *file_size) {
  char path[600];
  snprintf(path, sizeof path, "%s/%s", test_temp_dir(), name);
  clrt_tone tone = {CLRT_TRANSFER_GAMMA, 1.0, 1.0};
  clrt_error err;
  if (clrt_image_write(path, framebuffer, (unsigned)w, (unsigned)h, &tone, &err) != CLRT_OK)
    fail_msg("%s", err.message);
  free(test_read_file(path, file_size));
  int width, height, channels;
  uint8_t *loaded = stbi_load(path, &width, &height, &channels, 3);
  assert_non_null(loaded);
  assert_int_equal(width, w);
  assert_int_equal(height, h);
  return loaded;
}

static void test_formats_by_extension(void **state) {
  (void)state;
  enum { W = 16, H = 8 };
  clrt_float4 framebuffer[W * H];
  uint8_t expected[W * H * 3];
  for (int i = 0; i < W * H; ++i)
    framebuffer[i] = (clrt_float4){(float)(i % W) / W, (float)(i / W) / H, 0.5f, 1};
  clrt_tone tone = {CLRT_TRANSFER_GAMMA, 1.0, 1.0};
  clrt_tonemap(framebuffer, W * H, &tone, expected);
  const char *lossless[] = {"a.png", "a.bmp", "a.tga"};
  for (size_t i = 0; i < 3; ++i) {
    size_t size;
    uint8_t *loaded = write_and_load(lossless[i], framebuffer, W, H, &size);
    assert_memory_equal(loaded, expected, sizeof expected);
    stbi_image_free(loaded);
  }
  size_t jpg_size;
  uint8_t *jpg = write_and_load("a.JPG", framebuffer, W, H, &jpg_size);
  for (size_t i = 0; i < sizeof expected; ++i) /* lossy, but close */
    assert_in_range(jpg[i], expected[i] > 24 ? expected[i] - 24 : 0, expected[i] + 24);
  stbi_image_free(jpg);
}

static void test_hdr_keeps_linear_values(void **state) {
  (void)state;
  clrt_float4 framebuffer[2] = {{4.0f, 0.5f, 0.001f, 1}, {0.0f, 1.5f, 0.25f, 1}};
  char path[600];
  snprintf(path, sizeof path, "%s/linear.hdr", test_temp_dir());
  clrt_tone tone = {CLRT_TRANSFER_GAMMA, 2.2, 1.0};
  clrt_error err;
  assert_int_equal(clrt_image_write(path, framebuffer, 2, 1, &tone, &err), CLRT_OK);
  int width, height, channels;
  float *loaded = stbi_loadf(path, &width, &height, &channels, 3);
  assert_non_null(loaded);
  /* RGBE keeps 8 bits of mantissa per pixel: values above 1 survive, no gamma */
  assert_float_equal(loaded[0], 4.0f, 4.0f / 128);
  assert_float_equal(loaded[1], 0.5f, 4.0f / 128);
  assert_float_equal(loaded[4], 1.5f, 1.5f / 128);
  assert_float_equal(loaded[5], 0.25f, 1.5f / 128);
  stbi_image_free(loaded);
}

static void test_png_reads_back_equal(void **state) {
  (void)state;
  enum { W = 37, H = 23 };
  clrt_float4 framebuffer[W * H];
  for (int i = 0; i < W * H; ++i)
    framebuffer[i] = (clrt_float4){(float)(i % W) / W, (float)(i / W) / H, (float)((i * 7) % 11) / 10.0f, 1};
  uint8_t rgb[W * H * 3];
  clrt_tone tone = {CLRT_TRANSFER_GAMMA, 2.2, 1.0};
  clrt_tonemap(framebuffer, W * H, &tone, rgb);
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
  assert_int_equal(clrt_image_check_output("picture.gif", &err), CLRT_ERR_INPUT);
  assert_non_null(strstr(err.message, "-o picture.gif: unknown image format; use .png, .jpg, .bmp, .tga or .hdr"));
  assert_int_equal(clrt_image_check_output("noextension", &err), CLRT_ERR_INPUT);
  assert_int_equal(clrt_image_check_output("/nonexistent-dir/picture.png", &err), CLRT_ERR_INPUT);
  assert_non_null(strstr(err.message, "directory '/nonexistent-dir' does not exist"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_tonemap_clamps_and_quantises), cmocka_unit_test(test_tonemap_applies_gamma),
      cmocka_unit_test(test_tonemap_srgb_and_exposure),    cmocka_unit_test(test_formats_by_extension),
      cmocka_unit_test(test_hdr_keeps_linear_values),      cmocka_unit_test(test_png_reads_back_equal),
      cmocka_unit_test(test_failed_write_leaves_no_file),  cmocka_unit_test(test_output_path_checks),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
