/* Helpers shared by the cmocka tests: temporary files, scenes from text,
 * the OpenCL device (skipped without one, except in CI), pictures. */
#ifndef CLRT_TEST_SUPPORT_H
#define CLRT_TEST_SUPPORT_H

#include <setjmp.h> /* cmocka needs these first */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "clrt_devices.h"
#include "clrt_farm.h"
#include "clrt_film.h"
#include "clrt_flat_scene.h"
#include "clrt_scene.h"
#include "clrt_session.h"
#include "clrt_tiles.h"

/* A fresh, empty temporary directory; the path is in static storage,
 * valid until the next call. */
const char *test_temp_dir(void);

/* Writes `text` to a file called `name` in a fresh temporary directory and
 * returns its path (static storage, valid until the next call). */
const char *test_write_temp(const char *text, const char *name);

/* What was written to `log` (a tmpfile), NUL-terminated, in static
 * storage valid until the next call. */
const char *test_read_log(FILE *log);

/* A fresh, private cache folder (made by clrt on first use), named by
 * CLRT_CACHE_DIR from now on; its path, in static storage. */
const char *test_fresh_cache(void);

/* The whole file, NUL-terminated (free it); *size gets its length. */
char *test_read_file(const char *path, size_t *size);

/* Parses a scene that must be valid. */
void test_parse_ok(const char *json, clrt_scene *scene);

/* Parses a scene that must be invalid; asserts the message contains
 * every NULL-terminated fragment. */
void test_parse_fails(const char *json, ...);

/* Whether CI=true: there a missing device is a failure, not a skip. */
int test_running_in_ci(void);

/* The device tests render on: --device from CLRT_TEST_DEVICE, else the
 * default choice. Skips the test when no platform exists, unless in CI. */
void test_require_device(clrt_device *device);

/* For tests that need what only POCL gives (several devices from one
 * driver through POCL_DEVICES, its own variables): requires a device, and
 * skips the test, saying `why`, where the device tests run on another
 * implementation (Mesa's rusticl gives one llvmpipe device). */
void test_require_pocl(const char *why);

/* Whether `device` is one of POCL's. */
bool test_is_pocl(const clrt_device *device);

/* Asserts the renderer's tolerance (clrt_image_compare.h) between two
 * 8-bit images. */
void test_assert_images_close(const uint8_t *a, const uint8_t *b, size_t channel_count);

/* Whether the device tests build their kernels with --fast-math
 * (CLRT_TEST_FAST_MATH=1: ctest runs test_kernel so a second time). */
bool test_fast_math(void);

/* A scene rendered one way or another: the 8-bit levels clrt would write
 * and, when rendered linear, the linear colour (3 floats a pixel) they
 * were tone-mapped from on the host. */
typedef struct picture {
  unsigned width, height;
  float *linear; /* NULL when the device tone-mapped */
  uint8_t *rgb;
} picture;

/* A device's picture of `scene` against the host reference's: the
 * renderer's tolerance, or under test_fast_math() the one for --fast-math
 * kernels (clrt_images_agree_fast_math). */
void test_assert_matches_reference(const picture *on_device, const picture *reference, const clrt_scene *scene);

/* Loads PATH (relative to the repository), resized to width x height
 * unless width is 0. */
void test_load_scene(const char *path, unsigned width, unsigned height, clrt_scene *scene);

/* PATH (relative to the repository) at width x height (its own size
 * when width is 0), flattened. */
void test_flatten_file(const char *path, unsigned width, unsigned height, clrt_flat_scene *flat);

/* A scene file's text, flattened (the test fails if it is not valid). */
void test_flatten_json(const char *json, clrt_flat_scene *flat);

/* A session on `device`; the test fails if it does not open. */
clrt_session *test_open_session(const clrt_device *device, const clrt_flat_scene *flat,
                                const clrt_session_options *options);

/* The CLRT_INJECT_FAULT rule "P:D/WHEN" for `device` (clrt_faults.h), in
 * static storage valid until the next call. */
const char *test_fault_rule(const clrt_device *device, const char *when);

/* A picture of width x height 8-bit RGB (free it) in which any misplaced
 * pixel shows: a gradient crossed with noise from `seed`. */
uint8_t *test_pattern(unsigned width, unsigned height, unsigned seed);

/* The scene through the host reference renderer. */
picture test_render_reference(const clrt_scene *scene);

/* The scene on `device`, cut into `strips` strips, or tile_w x tile_h
 * tiles when strips is 0: 8-bit levels from the device (as clrt render
 * makes them), or linear colour when `kind` is CLRT_FILM_LINEAR. */
picture test_render_device(const clrt_device *device, const clrt_scene *scene, unsigned strips, unsigned tile_w,
                           unsigned tile_h, clrt_film_kind kind);

/* Renders on `count` devices with `plan` (NULL: guided strips), faults
 * from the environment, a tile time limit of timeout_ms; the result says
 * how each device did (free it), and *missing_pixels how many pixels no
 * device rendered. */
picture test_render_on(const clrt_device *devices, size_t count, const clrt_scene *scene, const clrt_tile_plan *plan,
                       clrt_film_kind kind, double timeout_ms, clrt_farm_result *result, size_t *missing_pixels);

/* Fails unless the picture has some variety: a black or flat picture would
 * make every comparison pass. */
void test_assert_not_flat(const picture *p);

void test_picture_free(picture *p);

#endif /* CLRT_TEST_SUPPORT_H */
