/* Image files: every format, a PNG that reads back equal, and no file left
 * behind by a failed write. */
#define _GNU_SOURCE /* memmem */
#include "test_support.h"

#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <stb_image.h>

#include "clrt_clock.h"
#include "clrt_exr.h"
#include "clrt_image.h"
#include "clrt_image_compare.h"
#include "clrt_output.h"
#include "clrt_png.h"

/* A gradient with some variety in every channel. */
static void fill_pattern(uint8_t *rgb, int w, int h) {
  for (int i = 0; i < w * h; ++i) {
    rgb[3 * i + 0] = (uint8_t)(255 * (i % w) / w);
    rgb[3 * i + 1] = (uint8_t)(255 * (i / w) / h);
    rgb[3 * i + 2] = (uint8_t)((i * 37) % 256);
  }
}

/* Writes 8-bit RGB through clrt_image_write and reads it back. */
static uint8_t *write_and_load(const char *name, const uint8_t *rgb, int w, int h) {
  char path[600];
  snprintf(path, sizeof path, "%s/%s", test_temp_dir(), name);
  clrt_image_view view = {.width = (unsigned)w, .height = (unsigned)h, .rgb = rgb};
  clrt_error err;
  if (clrt_image_write(path, &view, &err) != CLRT_OK)
    fail_msg("%s", err.message);
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
  uint8_t rgb[W * H * 3];
  fill_pattern(rgb, W, H);
  const char *lossless[] = {"a.png", "a.bmp", "a.tga"};
  for (size_t i = 0; i < 3; ++i) {
    uint8_t *loaded = write_and_load(lossless[i], rgb, W, H);
    assert_memory_equal(loaded, rgb, sizeof rgb);
    stbi_image_free(loaded);
  }
  uint8_t smooth[W * H * 3];
  for (int i = 0; i < W * H * 3; ++i)
    smooth[i] = (uint8_t)(100 + (i / 3) % W);
  uint8_t *jpg = write_and_load("a.JPG", smooth, W, H);
  for (size_t i = 0; i < sizeof smooth; ++i) /* lossy, but close */
    assert_in_range(jpg[i], smooth[i] - 24, smooth[i] + 24);
  stbi_image_free(jpg);
}

static void test_hdr_keeps_linear_values(void **state) {
  (void)state;
  float linear[6] = {4.0f, 0.5f, 0.001f, 0.0f, 1.5f, 0.25f};
  char path[600];
  snprintf(path, sizeof path, "%s/linear.hdr", test_temp_dir());
  clrt_image_view view = {.width = 2, .height = 1, .linear = linear};
  clrt_error err;
  assert_int_equal(clrt_image_write(path, &view, &err), CLRT_OK);
  int width, height, channels;
  float *loaded = stbi_loadf(path, &width, &height, &channels, 3);
  assert_non_null(loaded);
  /* RGBE keeps 8 bits of mantissa per pixel: values above 1 survive, no gamma */
  assert_float_equal(loaded[0], 4.0f, 4.0f / 128);
  assert_float_equal(loaded[1], 0.5f, 4.0f / 128);
  assert_float_equal(loaded[4], 1.5f, 1.5f / 128);
  assert_float_equal(loaded[5], 0.25f, 1.5f / 128);
  stbi_image_free(loaded);
  /* 8-bit levels cannot become an .hdr, nor linear colour a .png */
  view = (clrt_image_view){.width = 2, .height = 1, .rgb = (const uint8_t *)"abcdef"};
  assert_int_equal(clrt_image_write(path, &view, &err), CLRT_ERR_RUNTIME);
}

static void test_png_reads_back_equal(void **state) {
  (void)state;
  enum { W = 37, H = 23 };
  uint8_t rgb[W * H * 3];
  fill_pattern(rgb, W, H);
  uint8_t *loaded = write_and_load("out.png", rgb, W, H);
  assert_memory_equal(loaded, rgb, sizeof rgb);
  stbi_image_free(loaded);
  char path[700];
  snprintf(path, sizeof path, "%s/out.png", test_temp_dir());
  clrt_image_view view = {.width = W, .height = H, .rgb = rgb};
  clrt_error err;
  assert_int_equal(clrt_image_write(path, &view, &err), CLRT_OK);
  struct stat info;
  assert_int_equal(stat(path, &info), 0);
  assert_true(info.st_mode & S_IRUSR);
}

static size_t entries_in(const char *directory);

/* Noise with some structure: every filter gets used. */

static void round_trip(unsigned w, unsigned h, int level) {
  uint8_t *rgb = test_pattern(w, h, w * 31 + h);
  char path[600];
  snprintf(path, sizeof path, "%s/round.png", test_temp_dir());
  clrt_png_settings options = {level, 3, NULL, 8};
  clrt_output *out;
  clrt_error err;
  assert_int_equal(clrt_output_open(path, &options, &out, &err), CLRT_OK);
  clrt_image_view view = {.width = w, .height = h, .rgb = rgb};
  if (clrt_output_commit(out, &view, &err) != CLRT_OK)
    fail_msg("%s", err.message);
  int width, height, channels;
  uint8_t *loaded = stbi_load(path, &width, &height, &channels, 3);
  if (!loaded)
    fail_msg("%ux%u at level %d: stb cannot read it: %s", w, h, level, stbi_failure_reason());
  assert_int_equal(width, w);
  assert_int_equal(height, h);
  assert_memory_equal(loaded, rgb, (size_t)w * h * 3);
  stbi_image_free(loaded);
  free(rgb);
}

/* The parallel PNG through an independent decoder (stb_image): odd sizes,
 * a height that is no multiple of the band's (1009 wide: 692 rows a band),
 * one row, and every level. */
static void test_png_round_trips_for_awkward_sizes_and_every_level(void **state) {
  (void)state;
  const unsigned sizes[][2] = {{1, 1}, {1009, 37}, {1009, 1500}, {5000, 1}, {1, 3000}, {2, 2}};
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; ++i)
    round_trip(sizes[i][0], sizes[i][1], CLRT_PNG_DEFAULT_LEVEL);
  for (int level = CLRT_PNG_MIN_LEVEL; level <= CLRT_PNG_MAX_LEVEL; ++level)
    round_trip(701, 1409, level);
}

/* Asked to stop while the image is written (Ctrl-C): the file is given up
 * at once, with nothing left behind. */
static void test_stop_while_writing_leaves_nothing(void **state) {
  (void)state;
  enum { W = 2000, H = 2000 };
  uint8_t *rgb = test_pattern(W, H, 9);
  clrt_image_view view = {.width = W, .height = H, .rgb = rgb};
  const char *names[] = {"stopped.png", "stopped.bmp"};
  for (size_t i = 0; i < 2; ++i) {
    char directory[600], path[700];
    snprintf(directory, sizeof directory, "%s", test_temp_dir());
    snprintf(path, sizeof path, "%s/%s", directory, names[i]);
    volatile sig_atomic_t stop = 1;
    clrt_png_settings png = {9, 2, &stop, 8};
    clrt_output *out;
    clrt_error err;
    assert_int_equal(clrt_output_open(path, &png, &out, &err), CLRT_OK);
    double start = clrt_now_ms();
    assert_int_equal(clrt_output_commit(out, &view, &err), CLRT_ERR_INTERRUPTED);
    assert_true(clrt_now_ms() - start < 1000.0); /* level 9 of 12 MB would take seconds */
    assert_non_null(strstr(err.message, "interrupted while writing"));
    assert_int_equal(entries_in(directory), 0);
  }
  free(rgb);
}

/* A write that fails leaves no new file, and the old one as it was. */
static void test_failed_write_keeps_the_existing_file(void **state) {
  (void)state;
  char directory[600], path[700];
  snprintf(directory, sizeof directory, "%s", test_temp_dir());
  snprintf(path, sizeof path, "%s/kept.hdr", directory);
  FILE *file = fopen(path, "w");
  assert_non_null(file);
  fputs("the old picture", file);
  fclose(file);
  uint8_t rgb[3] = {1, 2, 3};
  clrt_image_view eight_bit = {.width = 1, .height = 1, .rgb = rgb}; /* .hdr needs linear colour: the encoding fails */
  clrt_error err;
  assert_int_equal(clrt_image_write(path, &eight_bit, &err), CLRT_ERR_RUNTIME);
  char *kept = test_read_file(path, NULL);
  assert_string_equal(kept, "the old picture");
  free(kept);
  assert_int_equal(entries_in(directory), 1);                       /* no temporary file left */
  clrt_png_settings options = {CLRT_PNG_DEFAULT_LEVEL, 1, NULL, 8}; /* and one given up on */
  clrt_output *out;
  assert_int_equal(clrt_output_open(path, &options, &out, &err), CLRT_OK);
  assert_int_equal(entries_in(directory), 1); /* the picture is written to a file without a name */
  clrt_output_discard(out);
  assert_int_equal(entries_in(directory), 1);
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
  clrt_image_view view = {.width = 1, .height = 1, .rgb = rgb};
  clrt_error err;
  assert_int_equal(clrt_image_write(path, &view, &err), CLRT_ERR_RUNTIME);
  assert_non_null(strstr(err.message, "out.png: cannot move the finished file into place"));
  assert_int_equal(entries_in(directory), 1);
}

static void test_output_path_checks(void **state) {
  (void)state;
  clrt_error err;
  assert_int_equal(clrt_image_check_output("picture.PNG", &err), CLRT_OK);
  assert_int_equal(clrt_image_check_output("picture.gif", &err), CLRT_ERR_INPUT);
  assert_non_null(
      strstr(err.message, "-o picture.gif: unknown image format; use .png, .jpg, .bmp, .tga, or .exr or .hdr"));
  assert_int_equal(clrt_image_check_output("noextension", &err), CLRT_ERR_INPUT);
  assert_int_equal(clrt_image_check_output("/nonexistent-dir/picture.png", &err), CLRT_ERR_INPUT);
  assert_non_null(strstr(err.message, "directory '/nonexistent-dir' does not exist"));
}

/* A picture of linear colour and passes with values half-floats hold
 * exactly or nearly, a sky (depth +inf) in one corner, and its notes. */
typedef struct exr_fixture {
  unsigned width, height;
  float *linear;
  clrt_pixel_aux *aux;
  clrt_picture_notes notes;
} exr_fixture;

static exr_fixture make_exr_fixture(unsigned width, unsigned height) {
  exr_fixture f = {width,
                   height,
                   malloc((size_t)width * height * 3 * sizeof(float)),
                   malloc((size_t)width * height * sizeof(clrt_pixel_aux)),
                   {.count = 2}};
  assert_non_null(f.linear);
  assert_non_null(f.aux);
  for (unsigned i = 0; i < width * height; ++i) {
    f.linear[3 * i] = (float)(i % width) / 7.0f;
    f.linear[3 * i + 1] = 100.0f + (float)(i / width); /* beyond 1: HDR */
    f.linear[3 * i + 2] = 1.0f / (float)(i + 1);
    f.aux[i].albedo = (clrt_float4){0.25f, 0.5f, (float)(i % 3) / 3.0f, 1.0f};
    f.aux[i].normal_depth = (clrt_float4){0.0f, -1.0f, 0.5f, 2.0f + (float)i * 0.001f};
  }
  f.aux[0].normal_depth.w = INFINITY;
  snprintf(f.notes.items[0].key, sizeof f.notes.items[0].key, "Software");
  snprintf(f.notes.items[0].value, sizeof f.notes.items[0].value, "clrt test");
  snprintf(f.notes.items[1].key, sizeof f.notes.items[1].key, "clrt.samples");
  snprintf(f.notes.items[1].value, sizeof f.notes.items[1].value, "16 per pixel");
  return f;
}

/* |a - b| within half's rounding (11 significant bits), or exact. */
static void assert_near(float expected, float got, bool exact) {
  float tolerance = exact ? 0.0f : fabsf(expected) / 1024.0f;
  if (!(fabsf(expected - got) <= tolerance) && !(isinf(expected) && isinf(got)))
    fail_msg("%g read back as %g", (double)expected, (double)got);
}

static void exr_round_trip(bool exr_float) {
  exr_fixture f = make_exr_fixture(37, 21); /* not a whole number of 16-row chunks */
  char path[600];
  snprintf(path, sizeof path, "%s/round-trip%s.exr", test_temp_dir(), exr_float ? "-float" : "");
  clrt_image_view view = {.width = f.width,
                          .height = f.height,
                          .linear = f.linear,
                          .aux = f.aux,
                          .passes = CLRT_PASS_ALBEDO | CLRT_PASS_NORMAL | CLRT_PASS_DEPTH,
                          .exr_float = exr_float,
                          .notes = &f.notes};
  clrt_error err;
  if (clrt_image_write(path, &view, &err) != CLRT_OK)
    fail_msg("%s", err.message);
  unsigned w = 0, h = 0;
  float *rgb = NULL, *albedo = NULL, *depth = NULL, *normal_y = NULL;
  assert_int_equal(clrt_exr_read_rgb(path, NULL, &w, &h, &rgb, &err), CLRT_OK);
  assert_int_equal(clrt_exr_read_rgb(path, "albedo", &w, &h, &albedo, &err), CLRT_OK);
  assert_int_equal(clrt_exr_read_channel(path, "depth.Z", &w, &h, &depth, &err), CLRT_OK);
  assert_int_equal(clrt_exr_read_channel(path, "normal.Y", &w, &h, &normal_y, &err), CLRT_OK);
  assert_int_equal(w, f.width);
  assert_int_equal(h, f.height);
  for (unsigned i = 0; i < w * h; ++i) {
    for (int c = 0; c < 3; ++c)
      assert_near(f.linear[3 * i + c], rgb[3 * i + c], exr_float);
    assert_near(f.aux[i].albedo.z, albedo[3 * i + 2], exr_float);
    assert_near(f.aux[i].normal_depth.y, normal_y[i], exr_float);
    assert_near(f.aux[i].normal_depth.w, depth[i], true); /* depth is always 32-bit */
  }
  assert_true(isinf(depth[0]));
  char value[64];
  assert_true(clrt_exr_read_attribute(path, "clrt.samples", value, sizeof value));
  assert_string_equal(value, "16 per pixel");
  assert_false(clrt_exr_read_attribute(path, "clrt.nothing", value, sizeof value));
  /* A layer the file does not hold is an error naming it. */
  float *none = NULL;
  assert_int_equal(clrt_exr_read_rgb(path, "specular", &w, &h, &none, &err), CLRT_ERR_INPUT);
  assert_non_null(strstr(err.message, "specular.R"));
  free(rgb);
  free(albedo);
  free(depth);
  free(normal_y);
  free(f.linear);
  free(f.aux);
}

static void test_exr_round_trips_half_and_float(void **state) {
  (void)state;
  exr_round_trip(false);
  exr_round_trip(true);
}

/* Without passes, only R, G and B; and what is no EXR is refused. */
static void test_exr_without_passes_holds_colour_only(void **state) {
  (void)state;
  exr_fixture f = make_exr_fixture(5, 3);
  char path[600];
  snprintf(path, sizeof path, "%s/colour.exr", test_temp_dir());
  clrt_image_view view = {.width = 5, .height = 3, .linear = f.linear, .aux = f.aux, .passes = 0};
  clrt_error err;
  assert_int_equal(clrt_image_write(path, &view, &err), CLRT_OK);
  unsigned w, h;
  float *values = NULL;
  assert_int_equal(clrt_exr_read_channel(path, "depth.Z", &w, &h, &values, &err), CLRT_ERR_INPUT);
  assert_int_equal(clrt_exr_read_rgb(path, NULL, &w, &h, &values, &err), CLRT_OK);
  free(values);
  const char *text = test_write_temp("not an exr", "fake.exr");
  assert_int_equal(clrt_exr_read_rgb(text, NULL, &w, &h, &values, &err), CLRT_ERR_INPUT);
  assert_non_null(strstr(err.message, "fake.exr: not a readable OpenEXR file"));
  free(f.linear);
  free(f.aux);
}

/* A 16-bit PNG with notes: read back by an independent decoder, every
 * level kept; the notes are tEXt chunks. */
static void test_png_16_bits_and_notes(void **state) {
  (void)state;
  enum { W = 19, H = 7 };
  uint8_t rgb16[W * H * 6];
  for (int i = 0; i < W * H * 3; ++i) {
    unsigned level = (unsigned)(i * 977) % 65536u;
    rgb16[2 * i] = (uint8_t)(level >> 8);
    rgb16[2 * i + 1] = (uint8_t)level;
  }
  clrt_picture_notes notes = {.count = 1};
  snprintf(notes.items[0].key, sizeof notes.items[0].key, "clrt.integrator");
  snprintf(notes.items[0].value, sizeof notes.items[0].value, "path");
  char path[600];
  snprintf(path, sizeof path, "%s/sixteen.png", test_temp_dir());
  clrt_image_view view = {.width = W, .height = H, .rgb16 = rgb16, .notes = &notes};
  clrt_error err;
  assert_int_equal(clrt_image_write(path, &view, &err), CLRT_OK);
  assert_true(stbi_is_16_bit(path));
  int w, h, n;
  stbi_us *loaded = stbi_load_16(path, &w, &h, &n, 3);
  assert_non_null(loaded);
  for (int i = 0; i < W * H * 3; ++i)
    assert_int_equal(loaded[i], (rgb16[2 * i] << 8) | rgb16[2 * i + 1]);
  stbi_image_free(loaded);
  size_t size = 0;
  char *file = test_read_file(path, &size);
  static const char chunk[] = "tEXtclrt.integrator\0path";
  assert_non_null(memmem(file, size, chunk, sizeof chunk - 1));
  free(file);
}

/* PSNR and SSIM on pictures whose answers are known. */
static void test_psnr_and_ssim(void **state) {
  (void)state;
  enum { W = 40, H = 30, N = W * H * 3 };
  static float reference[N], same[N], offset[N], noisy[N];
  uint32_t seed = 1;
  for (int i = 0; i < N; ++i) {
    seed = seed * 1664525u + 1013904223u;
    reference[i] = same[i] = (float)((i / 3) % W) / W; /* a ramp, left to right */
    offset[i] = reference[i] + 0.1f;                   /* an MSE of 0.01: 20 dB */
    noisy[i] = reference[i] + ((float)(seed >> 8) / 16777216.0f - 0.5f) * 0.2f;
  }
  assert_true(isinf(clrt_image_psnr(reference, same, N)));
  assert_true(fabs(clrt_image_psnr(reference, offset, N) - 20.0) < 1e-4);
  assert_true(fabs(clrt_image_ssim(reference, same, W, H) - 1.0) < 1e-9);
  double structure_kept = clrt_image_ssim(reference, offset, W, H), noise = clrt_image_ssim(reference, noisy, W, H);
  assert_true(structure_kept > 0.9 && structure_kept < 1.0); /* a brightness shift keeps the structure */
  assert_true(noise < structure_kept);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_formats_by_extension),
      cmocka_unit_test(test_hdr_keeps_linear_values),
      cmocka_unit_test(test_png_reads_back_equal),
      cmocka_unit_test(test_failed_write_leaves_no_file),
      cmocka_unit_test(test_output_path_checks),
      cmocka_unit_test(test_png_round_trips_for_awkward_sizes_and_every_level),
      cmocka_unit_test(test_failed_write_keeps_the_existing_file),
      cmocka_unit_test(test_stop_while_writing_leaves_nothing),
      cmocka_unit_test(test_exr_round_trips_half_and_float),
      cmocka_unit_test(test_exr_without_passes_holds_colour_only),
      cmocka_unit_test(test_png_16_bits_and_notes),
      cmocka_unit_test(test_psnr_and_ssim),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
