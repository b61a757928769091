/* The film (host/render/film.c): tiles in, tone-mapped when linear,
 * completeness, missing tiles painted, and the picture streamed into the
 * output file band by band as it completes. */
#include "test_support.h"

#include <stdlib.h>
#include <string.h>

#include <stb_image.h>

#include "clrt_film.h"
#include "clrt_output.h"
#include "clrt_tone_map.h"

/* A film of 8-bit levels stores what the formula gives for linear tiles. */
static void test_film_tone_maps_what_it_receives(void **state) {
  (void)state;
  clrt_tone tone = {CLRT_TRANSFER_GAMMA, 2.2, 1.0};
  clrt_film film;
  clrt_error err;
  clrt_tone_levels levels;
  clrt_tone_levels_make(&tone, &levels);
  assert_int_equal(clrt_film_init(&film, 3, 2, CLRT_FILM_LEVELS, &levels, &err), CLRT_OK);
  clrt_float4 pixels[6];
  for (int i = 0; i < 6; ++i)
    pixels[i] = (clrt_float4){0.1f * (float)i, 0.05f * (float)i, 1.0f - 0.1f * (float)i, 1.0f};
  clrt_tile whole = {0, 0, 3, 2};
  assert_false(clrt_film_complete(&film));
  clrt_film_receive_linear(&film, &whole, pixels);
  assert_true(clrt_film_complete(&film));
  for (int i = 0; i < 6; ++i) {
    assert_int_equal(film.rgb[3 * i + 0], clrt_tone_map_exact(pixels[i].x, &tone));
    assert_int_equal(film.rgb[3 * i + 2], clrt_tone_map_exact(pixels[i].z, &tone));
  }
  clrt_tile corner = {2, 1, 1, 1};
  clrt_film_paint_missing(&film, &corner, 1);
  assert_int_equal(film.rgb[15], 255); /* magenta */
  assert_int_equal(film.rgb[16], 0);
  assert_int_equal(film.rgb[17], 255);
  clrt_film_free(&film);
}

/* Bands compressed while the film fills, its tiles arriving out of order,
 * and two tiles never coming: painted, then the rest of the bands. */
static void test_png_streams_from_the_film(void **state) {
  (void)state;
  enum { W = 777, H = 3100, TILE = 100 };
  uint8_t *expected = test_pattern(W, H, 5);
  clrt_tone tone = {CLRT_TRANSFER_GAMMA, 1.0, 1.0};
  clrt_tone_levels levels;
  clrt_tone_levels_make(&tone, &levels);
  clrt_film film;
  clrt_error err;
  assert_int_equal(clrt_film_init(&film, W, H, CLRT_FILM_LEVELS, &levels, &err), CLRT_OK);
  char path[600];
  snprintf(path, sizeof path, "%s/stream.png", test_temp_dir());
  clrt_png_settings options = {CLRT_PNG_DEFAULT_LEVEL, 2, NULL, 8};
  clrt_output *out;
  assert_int_equal(clrt_output_open(path, &options, &out, &err), CLRT_OK);
  assert_int_equal(clrt_film_stream_to(&film, out, &err), CLRT_OK);
  clrt_tile_plan plan;
  assert_int_equal(clrt_tiles_grid(W, H, TILE, TILE, &plan, &err), CLRT_OK);
  uint8_t *tile_rgb = malloc(TILE * TILE * 3);
  assert_non_null(tile_rgb);
  for (size_t k = 0; k < plan.count; ++k) {
    const clrt_tile *t = &plan.tiles[(k * 37) % plan.count]; /* 37 is prime to the count: a shuffle */
    if ((k * 37) % plan.count == 5 || (k * 37) % plan.count == 200)
      continue; /* these two never come */
    for (unsigned r = 0; r < t->height; ++r)
      memcpy(tile_rgb + (size_t)r * t->width * 3, expected + ((size_t)(t->y + r) * W + t->x) * 3, t->width * 3);
    clrt_film_receive(&film, t, tile_rgb);
  }
  assert_false(clrt_film_complete(&film));
  clrt_film_paint_missing(&film, &plan.tiles[5], 1);
  clrt_film_paint_missing(&film, &plan.tiles[200], 1);
  for (int missing = 0; missing < 2; ++missing) {
    const clrt_tile *t = &plan.tiles[missing ? 200 : 5];
    for (unsigned r = 0; r < t->height; ++r)
      for (unsigned x = 0; x < t->width; ++x)
        memcpy(expected + ((size_t)(t->y + r) * W + t->x + x) * 3, "\xff\x00\xff", 3);
  }
  assert_int_equal(clrt_film_write(&film, out, NULL, &err), CLRT_OK);
  int width, height, channels;
  uint8_t *loaded = stbi_load(path, &width, &height, &channels, 3);
  assert_non_null(loaded);
  assert_memory_equal(loaded, expected, (size_t)W * H * 3);
  stbi_image_free(loaded);
  free(tile_rgb);
  free(expected);
  clrt_tiles_free(&plan);
  clrt_film_free(&film);
}

/* A film takes another frame after a restart: nothing received. */
static void test_restart_forgets_what_was_received(void **state) {
  (void)state;
  clrt_tone tone = {CLRT_TRANSFER_GAMMA, 1.0, 1.0};
  clrt_tone_levels levels;
  clrt_tone_levels_make(&tone, &levels);
  clrt_film film;
  clrt_error err;
  assert_int_equal(clrt_film_init(&film, 4, 4, CLRT_FILM_LEVELS, &levels, &err), CLRT_OK);
  uint8_t pixels[4 * 4 * 3] = {0};
  clrt_tile whole = {0, 0, 4, 4}, half = {0, 0, 4, 2};
  clrt_film_receive(&film, &whole, pixels);
  assert_true(clrt_film_complete(&film));
  clrt_film_restart(&film);
  assert_false(clrt_film_complete(&film));
  clrt_film_receive(&film, &half, pixels);
  assert_false(clrt_film_complete(&film));
  clrt_film_free(&film);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_film_tone_maps_what_it_receives),
      cmocka_unit_test(test_png_streams_from_the_film),
      cmocka_unit_test(test_restart_forgets_what_was_received),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
