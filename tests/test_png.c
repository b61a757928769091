/* The parallel, streaming PNG encoder (host/output/png.c): bands
 * compressed as they are made ready, in any order, by any number of
 * threads, joined into one valid PNG; a band never made ready, a stop and
 * a cancel. */
#include "test_support.h"

#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <stb_image.h>

#include "clrt_png.h"

typedef struct encoding {
  char path[600];
  int fd;
  clrt_png_encoder *encoder;
} encoding;

static void start(encoding *e, unsigned width, unsigned height, const uint8_t *rgb, int level, int threads,
                  const volatile sig_atomic_t *stop) {
  snprintf(e->path, sizeof e->path, "%s/picture.png", test_temp_dir());
  e->fd = open(e->path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  assert_true(e->fd >= 0);
  clrt_png_settings settings = {level, threads, stop, 8};
  clrt_error err;
  if (clrt_png_start(e->fd, "picture.png", width, height, rgb, &settings, &e->encoder, &err) != CLRT_OK)
    fail_msg("%s", err.message);
}

/* The file, decoded: it must be a PNG of exactly this picture. */
static void assert_file_holds(const encoding *e, unsigned width, unsigned height, const uint8_t *rgb) {
  size_t size;
  char *bytes = test_read_file(e->path, &size);
  assert_memory_equal(bytes, "\x89PNG\r\n\x1a\n", 8);
  int w, h, channels;
  uint8_t *decoded = stbi_load_from_memory((const unsigned char *)bytes, (int)size, &w, &h, &channels, 3);
  assert_non_null(decoded);
  assert_int_equal(w, width);
  assert_int_equal(h, height);
  assert_memory_equal(decoded, rgb, (size_t)width * height * 3);
  stbi_image_free(decoded);
  free(bytes);
}

static unsigned gcd(unsigned a, unsigned b) { return b ? gcd(b, a % b) : a; }

/* Encodes a test pattern, its bands made ready last first (shuffled:
 * in a scrambled order), and checks the file. */
static void encode(unsigned width, unsigned height, int level, int threads, bool shuffled) {
  uint8_t *rgb = test_pattern(width, height, width + height);
  encoding e;
  start(&e, width, height, rgb, level, threads, NULL);
  unsigned rows = clrt_png_band_rows(e.encoder), bands = (height + rows - 1) / rows;
  assert_true(rows >= 1 && rows <= height);
  unsigned stride = 3;
  while (gcd(stride, bands) != 1)
    stride += 2;
  for (unsigned i = 0; i < bands; ++i)
    clrt_png_band_ready(e.encoder, shuffled ? (i * stride + 1) % bands : bands - 1 - i);
  clrt_error err;
  if (clrt_png_finish(e.encoder, NULL, &err) != CLRT_OK)
    fail_msg("%s", err.message);
  close(e.fd);
  assert_file_holds(&e, width, height, rgb);
  free(rgb);
}

/* Bands made ready last first, or shuffled, on one thread or several:
 * always the picture. */
static void test_bands_in_any_order_make_one_png(void **state) {
  (void)state;
  encode(1021, 3001, CLRT_PNG_DEFAULT_LEVEL, 3, false); /* 5 bands */
  encode(1500, 3100, CLRT_PNG_DEFAULT_LEVEL, 2, true);  /* 7 bands */
  encode(333, 1000, CLRT_PNG_DEFAULT_LEVEL, 1, false);  /* 1 band */
  encode(5, 7, CLRT_PNG_DEFAULT_LEVEL, 1, false);
}

static void test_every_level_gives_the_picture(void **state) {
  (void)state;
  for (int level = CLRT_PNG_MIN_LEVEL; level <= CLRT_PNG_MAX_LEVEL; ++level)
    encode(211, 157, level, 2, false);
}

/* A band never made ready: the file is not finished, and says why. */
static void test_a_missing_band_fails_the_file(void **state) {
  (void)state;
  enum { W = 1000, H = 3000 };
  uint8_t *rgb = test_pattern(W, H, 7);
  encoding e;
  start(&e, W, H, rgb, 1, 2, NULL);
  unsigned rows = clrt_png_band_rows(e.encoder), bands = (H + rows - 1) / rows;
  assert_true(bands > 1);
  for (unsigned band = 1; band < bands; ++band)
    clrt_png_band_ready(e.encoder, band);
  clrt_error err;
  assert_int_equal(clrt_png_finish(e.encoder, NULL, &err), CLRT_ERR_RUNTIME);
  assert_non_null(strstr(err.message, "picture.png: writing the PNG failed: a band of rows was never completed"));
  close(e.fd);
  free(rgb);
}

/* Asked to stop: the threads compress nothing more and finish fails at
 * once; cancelling mid-way frees everything without waiting for bands. */
static void test_stop_and_cancel(void **state) {
  (void)state;
  enum { W = 400, H = 3000 };
  uint8_t *rgb = test_pattern(W, H, 7);
  volatile sig_atomic_t stop = 0;
  encoding e;
  start(&e, W, H, rgb, 9, 2, &stop);
  clrt_png_band_ready(e.encoder, 0);
  stop = 1;
  unsigned rows = clrt_png_band_rows(e.encoder);
  for (unsigned band = 1; band * rows < H; ++band)
    clrt_png_band_ready(e.encoder, band);
  clrt_error err;
  assert_int_equal(clrt_png_finish(e.encoder, NULL, &err), CLRT_ERR_RUNTIME);
  assert_non_null(strstr(err.message, "stopped before it was complete"));
  close(e.fd);
  start(&e, W, H, rgb, 9, 2, NULL);
  clrt_png_band_ready(e.encoder, 2);
  clrt_png_cancel(e.encoder); /* ASan: nothing leaks, no thread left */
  close(e.fd);
  free(rgb);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_bands_in_any_order_make_one_png),
      cmocka_unit_test(test_every_level_gives_the_picture),
      cmocka_unit_test(test_a_missing_band_fails_the_file),
      cmocka_unit_test(test_stop_and_cancel),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
