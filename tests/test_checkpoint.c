/* Checkpoints (host/render/checkpoint.c): tiles appended as the film
 * stores them and restored into another film, a torn last record dropped,
 * damage and another render's file refused, what is left to render, and
 * the passes' state replaced whole. */
#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clrt_checkpoint.h"
#include "clrt_film.h"
#include "clrt_tone_map.h"

enum { WIDTH = 40, HEIGHT = 24, HEADER_BYTES = 64 };

static void make_film(clrt_film *film, clrt_film_kind kind) {
  clrt_tone tone = {CLRT_TRANSFER_GAMMA, 2.2, 1.0};
  clrt_tone_levels levels;
  clrt_tone_levels_make(&tone, &levels);
  clrt_error err;
  assert_int_equal(clrt_film_init(film, WIDTH, HEIGHT, kind, &levels, &err), CLRT_OK);
}

static clrt_checkpoint_render render_of(const clrt_film *film, uint8_t seed) {
  clrt_checkpoint_render render = {CLRT_CHECKPOINT_TILES, {0}, film};
  memset(render.identity, seed, sizeof render.identity);
  return render;
}

/* A tile of 8-bit levels from the pattern, as a device would send it. */
static void receive_pattern(clrt_film *film, const uint8_t *pattern, clrt_tile tile) {
  uint8_t *pixels = malloc((size_t)tile.width * tile.height * 3);
  for (unsigned row = 0; row < tile.height; ++row)
    memcpy(pixels + (size_t)row * tile.width * 3, pattern + ((size_t)(tile.y + row) * WIDTH + tile.x) * 3,
           (size_t)tile.width * 3);
  clrt_film_receive(film, &tile, pixels);
  free(pixels);
}

/* Tile i of a 4x3 grid of 10x8 tiles, row by row. */
static clrt_tile grid_tile(size_t i) { return (clrt_tile){(unsigned)(i % 4) * 10, (unsigned)(i / 4) * 8, 10, 8}; }

/* `tiles` of the pattern received by a film that a checkpoint at `path`
 * follows. */
static void checkpoint_these(const char *path, const uint8_t *pattern, const clrt_tile *tiles, size_t count) {
  clrt_film film;
  make_film(&film, CLRT_FILM_LEVELS);
  clrt_checkpoint_render render = render_of(&film, 7);
  clrt_checkpoint *checkpoint;
  clrt_error err;
  assert_int_equal(clrt_checkpoint_create(path, &render, &checkpoint, &err), CLRT_OK);
  clrt_checkpoint_follow(checkpoint, &film);
  for (size_t i = 0; i < count; ++i)
    receive_pattern(&film, pattern, tiles[i]);
  assert_null(clrt_checkpoint_failure(checkpoint));
  clrt_checkpoint_close(checkpoint, false);
  clrt_film_free(&film);
}

/* The grid's first `count` tiles, through a checkpoint at `path`. */
static void checkpoint_tiles(const char *path, const uint8_t *pattern, size_t count) {
  clrt_tile tiles[12];
  for (size_t i = 0; i < count; ++i)
    tiles[i] = grid_tile(i);
  checkpoint_these(path, pattern, tiles, count);
}

/* Restores `path` into a fresh film: its pixels, how many. */
static clrt_status restore_dropping(const char *path, clrt_film *film, size_t *pixels, size_t *dropped,
                                    clrt_checkpoint **out, clrt_error *err) {
  make_film(film, CLRT_FILM_LEVELS);
  clrt_checkpoint_render render = render_of(film, 7);
  clrt_status status = clrt_checkpoint_open(path, &render, out, err);
  if (status == CLRT_OK)
    status = clrt_checkpoint_restore_tiles(*out, film, pixels, dropped, err);
  return status;
}

/* The same, where nothing is to be dropped. */
static clrt_status restore(const char *path, clrt_film *film, size_t *pixels, clrt_checkpoint **out, clrt_error *err) {
  size_t dropped = 0;
  clrt_status status = restore_dropping(path, film, pixels, &dropped, out, err);
  assert_int_equal(dropped, 0);
  return status;
}

static long file_size(const char *path) {
  struct stat info;
  return stat(path, &info) == 0 ? (long)info.st_size : -1;
}

static void test_tiles_come_back_as_they_were(void **state) {
  (void)state;
  char path[700];
  snprintf(path, sizeof path, "%s/ck", test_temp_dir());
  uint8_t *pattern = test_pattern(WIDTH, HEIGHT, 3);
  checkpoint_tiles(path, pattern, 5);
  clrt_film film;
  clrt_checkpoint *checkpoint;
  size_t pixels;
  clrt_error err;
  assert_int_equal(restore(path, &film, &pixels, &checkpoint, &err), CLRT_OK);
  assert_int_equal(pixels, 5 * 80);
  for (unsigned y = 0; y < HEIGHT; ++y)
    for (unsigned x = 0; x < WIDTH; ++x) {
      bool restored = y < 8 || (y < 16 && x < 10);
      size_t at = ((size_t)y * WIDTH + x) * 3;
      static const uint8_t black[3] = {0, 0, 0};
      assert_memory_equal(film.rgb + at, restored ? pattern + at : black, 3);
    }
  /* the rest, cut by a plan that straddles the restored tiles: exactly the
   * pixels not restored, each once */
  clrt_tile_plan cut, missing;
  assert_int_equal(clrt_tiles_grid(WIDTH, HEIGHT, 16, 7, &cut, &err), CLRT_OK);
  assert_int_equal(clrt_checkpoint_missing_plan(checkpoint, &cut, &missing, &err), CLRT_OK);
  int hits[HEIGHT][WIDTH];
  memset(hits, 0, sizeof hits);
  size_t covered = 0;
  for (size_t i = 0; i < missing.count; ++i) {
    const clrt_tile *t = &missing.tiles[i];
    assert_true(t->width * t->height <= missing.max_pixels);
    for (unsigned y = t->y; y < t->y + t->height; ++y)
      for (unsigned x = t->x; x < t->x + t->width; ++x)
        hits[y][x]++, covered++;
  }
  assert_int_equal(covered, WIDTH * HEIGHT - 5 * 80);
  for (unsigned y = 0; y < HEIGHT; ++y)
    for (unsigned x = 0; x < WIDTH; ++x)
      assert_int_equal(hits[y][x], y < 8 || (y < 16 && x < 10) ? 0 : 1);
  /* rows of a straddling tile's uncovered part merge into rectangles */
  assert_true(missing.count < 20);
  clrt_tiles_free(&cut);
  clrt_tiles_free(&missing);
  /* the resumed film goes on appending: all 12 come back next time */
  clrt_checkpoint_follow(checkpoint, &film);
  for (size_t i = 5; i < 12; ++i)
    receive_pattern(&film, pattern, grid_tile(i));
  clrt_checkpoint_close(checkpoint, false);
  clrt_film_free(&film);
  assert_int_equal(restore(path, &film, &pixels, &checkpoint, &err), CLRT_OK);
  assert_int_equal(pixels, WIDTH * HEIGHT);
  assert_true(clrt_film_complete(&film));
  assert_memory_equal(film.rgb, pattern, WIDTH * HEIGHT * 3);
  /* once the picture is written, the file goes */
  clrt_checkpoint_close(checkpoint, true);
  assert_int_equal(file_size(path), -1);
  clrt_film_free(&film);
  free(pattern);
}

/* Appends one byte-flip at `offset` of the file. */
static void flip_byte(const char *path, long offset) {
  FILE *f = fopen(path, "r+b");
  assert_non_null(f);
  assert_int_equal(fseek(f, offset, SEEK_SET), 0);
  int c = fgetc(f);
  assert_int_equal(fseek(f, offset, SEEK_SET), 0);
  fputc(c ^ 0x5a, f);
  fclose(f);
}

/* A death in the middle of a record: that record is dropped and cut off
 * the file, so that the next one follows the last whole one. */
static void test_a_torn_last_record_is_dropped(void **state) {
  (void)state;
  char path[700];
  snprintf(path, sizeof path, "%s/ck", test_temp_dir());
  uint8_t *pattern = test_pattern(WIDTH, HEIGHT, 4);
  checkpoint_tiles(path, pattern, 3);
  long whole = file_size(path);
  assert_int_equal(truncate(path, whole - 5), 0);
  clrt_film film;
  clrt_checkpoint *checkpoint;
  size_t pixels, dropped;
  clrt_error err;
  assert_int_equal(restore_dropping(path, &film, &pixels, &dropped, &checkpoint, &err), CLRT_OK);
  assert_int_equal(pixels, 2 * 80);
  assert_true(dropped > 0);
  assert_int_equal(file_size(path), whole - 5 - (long)dropped);
  clrt_checkpoint_follow(checkpoint, &film);
  receive_pattern(&film, pattern, grid_tile(2));
  clrt_checkpoint_close(checkpoint, false);
  clrt_film_free(&film);
  assert_int_equal(restore(path, &film, &pixels, &checkpoint, &err), CLRT_OK);
  assert_int_equal(pixels, 3 * 80);
  assert_memory_equal(film.rgb + 20 * 3, pattern + 20 * 3, 10 * 3);
  clrt_checkpoint_close(checkpoint, false);
  clrt_film_free(&film);
  free(pattern);
}

static void expect_refused(const char *path, const char *fragment) {
  clrt_film film;
  clrt_checkpoint *checkpoint = NULL;
  size_t pixels;
  clrt_error err;
  assert_int_equal(restore(path, &film, &pixels, &checkpoint, &err), CLRT_ERR_INPUT);
  if (!strstr(err.message, fragment))
    fail_msg("'%s' lacks '%s'", err.message, fragment);
  clrt_checkpoint_close(checkpoint, false);
  clrt_film_free(&film);
}

/* A damaged record (what a power cut may leave of the last second): it
 * and all after it are dropped, their tiles to render again, and the next
 * record follows the last whole one. Tiles over each other, a file of
 * another render, and a file that exists already: input errors. */
static void test_damage_drops_the_rest_and_strangers_are_refused(void **state) {
  (void)state;
  char path[700];
  snprintf(path, sizeof path, "%s/ck", test_temp_dir());
  uint8_t *pattern = test_pattern(WIDTH, HEIGHT, 5);
  checkpoint_tiles(path, pattern, 1);
  long first_end = file_size(path);
  unlink(path);
  checkpoint_tiles(path, pattern, 3);
  flip_byte(path, first_end + 40 + 2); /* in the second record's data */
  clrt_film film;
  clrt_checkpoint *checkpoint;
  size_t pixels, dropped;
  clrt_error err;
  assert_int_equal(restore_dropping(path, &film, &pixels, &dropped, &checkpoint, &err), CLRT_OK);
  assert_int_equal(pixels, 80);
  assert_int_equal(file_size(path), first_end);
  clrt_checkpoint_close(checkpoint, false);
  clrt_film_free(&film);
  unlink(path);
  /* tiles over each other */
  const clrt_tile overlapping[] = {{0, 0, 10, 8}, {5, 4, 10, 8}, {30, 16, 10, 8}};
  checkpoint_these(path, pattern, overlapping, 3);
  expect_refused(path, "is a tile outside the picture or over another");
  make_film(&film, CLRT_FILM_LEVELS);
  clrt_checkpoint_render render;
  /* another render's */
  render = render_of(&film, 8);
  assert_int_equal(clrt_checkpoint_open(path, &render, &checkpoint, &err), CLRT_ERR_INPUT);
  assert_non_null(strstr(err.message, "it belongs to another render"));
  /* started again over it */
  assert_int_equal(clrt_checkpoint_create(path, &render, &checkpoint, &err), CLRT_ERR_INPUT);
  assert_non_null(strstr(err.message, "the file exists"));
  /* no checkpoint at all */
  const char *text = test_write_temp("{\"image\": {}}", "scene.json");
  expect_refused(text, "not a clrt checkpoint");
  clrt_film_free(&film);
  free(pattern);
}

/* A progressive render's checkpoint: nothing to restore before its first
 * pass; then the state and the exact sums of the last pass saved, whole,
 * with no FILE.part left beside it. */
static void test_passes_are_replaced_whole(void **state) {
  (void)state;
  char path[700], part[720];
  snprintf(path, sizeof path, "%s/ck", test_temp_dir());
  snprintf(part, sizeof part, "%s.part", path);
  clrt_film film, again;
  clrt_error err;
  make_film(&film, CLRT_FILM_LEVELS);
  assert_int_equal(clrt_film_keep_sums(&film, &err), CLRT_OK);
  clrt_checkpoint_render render = {CLRT_CHECKPOINT_PASSES, {1, 2, 3}, &film};
  clrt_checkpoint *checkpoint;
  assert_int_equal(clrt_checkpoint_create(path, &render, &checkpoint, &err), CLRT_OK);
  assert_int_equal(file_size(part), -1);
  char state_bytes[100];
  bool restored = true;
  assert_int_equal(clrt_checkpoint_load_passes(checkpoint, state_bytes, sizeof state_bytes, &film, &restored, &err),
                   CLRT_OK);
  assert_false(restored);
  size_t sums_bytes = (size_t)WIDTH * HEIGHT * sizeof *film.sums;
  for (int pass = 1; pass <= 2; ++pass) {
    uint8_t *noise = test_pattern(WIDTH * 32, HEIGHT, (unsigned)pass); /* 3 bytes a pixel: enough */
    memcpy(film.sums, noise, sums_bytes);
    free(noise);
    memset(state_bytes, pass, sizeof state_bytes);
    assert_int_equal(clrt_checkpoint_save_passes(checkpoint, state_bytes, sizeof state_bytes, &film, &err), CLRT_OK);
    assert_int_equal(file_size(part), -1);
  }
  clrt_checkpoint_close(checkpoint, false);
  make_film(&again, CLRT_FILM_LEVELS);
  assert_int_equal(clrt_film_keep_sums(&again, &err), CLRT_OK);
  render.film = &again;
  assert_int_equal(clrt_checkpoint_open(path, &render, &checkpoint, &err), CLRT_OK);
  char loaded[100];
  assert_int_equal(clrt_checkpoint_load_passes(checkpoint, loaded, sizeof loaded, &again, &restored, &err), CLRT_OK);
  assert_true(restored);
  assert_memory_equal(loaded, state_bytes, sizeof loaded);
  assert_memory_equal(again.sums, film.sums, sums_bytes);
  /* the state of another size is another render's: damage */
  assert_int_equal(clrt_checkpoint_load_passes(checkpoint, loaded, 99, &again, &restored, &err), CLRT_ERR_INPUT);
  clrt_checkpoint_close(checkpoint, true);
  assert_int_equal(file_size(path), -1);
  clrt_film_free(&film);
  clrt_film_free(&again);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_tiles_come_back_as_they_were),
      cmocka_unit_test(test_a_torn_last_record_is_dropped),
      cmocka_unit_test(test_damage_drops_the_rest_and_strangers_are_refused),
      cmocka_unit_test(test_passes_are_replaced_whole),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
