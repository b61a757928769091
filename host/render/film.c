/* The picture being assembled from finished tiles. */
#include "clrt_film.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { CLRT_RGB_CHANNELS = 3 };

/* Linear colour of tiles no device rendered, with --keep-partial. */
static const clrt_float4 MISSING_TILE_COLOR = {1.0f, 0.0f, 1.0f, 1.0f};

clrt_status clrt_film_init(clrt_film *film, unsigned width, unsigned height, clrt_film_kind kind,
                           const clrt_tone_levels *levels, clrt_error *err) {
  memset(film, 0, sizeof *film);
  film->width = width;
  film->height = height;
  film->kind = kind;
  pthread_mutex_init(&film->lock, NULL);
  film->levels = *levels;
  size_t pixels = (size_t)width * height;
  if (kind == CLRT_FILM_LEVELS)
    film->rgb = calloc(pixels * CLRT_RGB_CHANNELS, sizeof *film->rgb);
  else if (kind == CLRT_FILM_LINEAR)
    film->linear = calloc(pixels * CLRT_RGB_CHANNELS, sizeof *film->linear);
  else
    film->aux = calloc(pixels, sizeof *film->aux);
  if (!film->rgb && !film->linear && !film->aux) {
    double mib = (double)pixels * clrt_film_pixel_bytes(film) / (1024.0 * 1024.0);
    clrt_film_free(film);
    return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory for a %ux%u picture (%.0f MiB)", width, height, mib);
  }
  return CLRT_OK;
}

/* One row of linear pixels into the picture. */
static void store_linear_row(clrt_film *film, size_t offset, const clrt_float4 *pixels, unsigned count) {
  if (film->kind == CLRT_FILM_LEVELS) {
    clrt_tone_map_pixels(pixels, count, &film->levels, film->rgb + offset * CLRT_RGB_CHANNELS);
    return;
  }
  float *out = film->linear + offset * CLRT_RGB_CHANNELS;
  for (unsigned i = 0; i < count; ++i) {
    out[CLRT_RGB_CHANNELS * i + 0] = pixels[i].x;
    out[CLRT_RGB_CHANNELS * i + 1] = pixels[i].y;
    out[CLRT_RGB_CHANNELS * i + 2] = pixels[i].z;
  }
}

static unsigned band_height(const clrt_film *film, unsigned band) {
  unsigned first = band * film->band_rows;
  return film->height - first < film->band_rows ? film->height - first : film->band_rows;
}

static void tell_band(clrt_film *film, unsigned band) {
  if (film->band_told[band])
    return;
  film->band_told[band] = true;
  clrt_output_band_ready(film->stream, band);
}

/* Counts a tile's pixels into the bands it covers; tells of those it
 * completes. */
static void count_in_bands(clrt_film *film, const clrt_tile *tile) {
  for (unsigned band = tile->y / film->band_rows; band < film->band_count; ++band) {
    unsigned first = band * film->band_rows, last = first + band_height(film, band);
    if (first >= tile->y + tile->height)
      break;
    unsigned top = tile->y > first ? tile->y : first;
    unsigned bottom = tile->y + tile->height < last ? tile->y + tile->height : last;
    film->band_pixels[band] += (size_t)tile->width * (bottom - top);
    if (film->band_pixels[band] == (size_t)film->width * (last - first))
      tell_band(film, band);
  }
}

static void count_received(clrt_film *film, const clrt_tile *tile) {
  pthread_mutex_lock(&film->lock);
  film->pixels_received += (size_t)tile->width * tile->height;
  if (film->stream)
    count_in_bands(film, tile);
  pthread_mutex_unlock(&film->lock);
}

/* A tile stored in the film's form: its listener is told, then it counts. */
static void stored(clrt_film *film, const clrt_tile *tile) {
  if (film->tile_stored)
    film->tile_stored(film->tile_stored_context, film, tile);
  count_received(film, tile);
}

/* Bands of band_rows rows, each told to the output once complete. */
static clrt_status stream_bands(clrt_film *film, clrt_output *output, unsigned band_rows, clrt_error *err) {
  film->band_rows = band_rows ? band_rows : 1;
  film->band_count = (film->height + film->band_rows - 1) / film->band_rows;
  film->band_pixels = calloc(film->band_count, sizeof *film->band_pixels);
  film->band_told = calloc(film->band_count, sizeof *film->band_told);
  if (!film->band_pixels || !film->band_told)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory for %u bands of rows", film->band_count);
  film->stream = output;
  return CLRT_OK;
}

/* Tells the output of every band not told yet, complete or not (after
 * the tiles no device rendered were painted). */
static void tell_all_bands(clrt_film *film) {
  pthread_mutex_lock(&film->lock);
  for (unsigned band = 0; film->stream && band < film->band_count; ++band)
    tell_band(film, band);
  pthread_mutex_unlock(&film->lock);
}

static size_t offset_of(const clrt_film *film, const clrt_tile *tile, unsigned row) {
  return (size_t)(tile->y + row) * film->width + tile->x;
}

void clrt_film_receive_linear(clrt_film *film, const clrt_tile *tile, const clrt_float4 *pixels) {
  for (unsigned row = 0; row < tile->height; ++row)
    store_linear_row(film, offset_of(film, tile, row), pixels + (size_t)row * tile->width, tile->width);
  stored(film, tile);
}

clrt_status clrt_film_keep_sums(clrt_film *film, clrt_error *err) {
  size_t pixels = (size_t)film->width * film->height;
  film->sums = calloc(pixels, sizeof *film->sums);
  if (!film->sums)
    return clrt_fail(err, CLRT_ERR_RUNTIME,
                     "out of memory for the sums of a %ux%u picture (%.0f MiB: progressive rendering keeps %zu bytes a "
                     "pixel; render without --time and --noise, or smaller)",
                     film->width, film->height, (double)pixels * sizeof *film->sums / (1024.0 * 1024.0),
                     sizeof *film->sums);
  return CLRT_OK;
}

clrt_status clrt_film_keep_variance(clrt_film *film, clrt_error *err) {
  size_t pixels = (size_t)film->width * film->height;
  film->variance = calloc(pixels, sizeof *film->variance);
  if (!film->variance)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory for the variance of a %ux%u picture (%.0f MiB)", film->width,
                     film->height, (double)pixels * sizeof *film->variance / (1024.0 * 1024.0));
  return CLRT_OK;
}

/* The variance of the mean luminance of `samples` samples summed in
 * `sum`, by the samples' own spread. */
static float variance_of_mean(const clrt_pixel_sum *sum, clrt_vec3 mean, unsigned samples) {
  float luminance = clrt_luminance(mean);
  float spread = sum->luminance_squares / (float)samples - luminance * luminance;
  return spread > 0.0f ? spread / (float)samples : 0.0f;
}

/* A tile of sums added to the film's (tiles never overlap: no lock). */
static void add_sums(clrt_film *film, const clrt_tile *tile, const clrt_pixel_sum *sums) {
  for (unsigned row = 0; row < tile->height; ++row) {
    clrt_pixel_sum *into = film->sums + offset_of(film, tile, row);
    const clrt_pixel_sum *from = sums + (size_t)row * tile->width;
    for (unsigned x = 0; x < tile->width; ++x)
      into[x] = clrt_pixel_sum_add(into[x], from[x]);
  }
}

/* The picture of `region` from sums laid out as a tile of `stride`
 * pixels a row (the film's, or a tile's as it came in). */
static void develop_from(clrt_film *film, const clrt_tile *region, const clrt_pixel_sum *sums, size_t stride,
                         unsigned samples) {
  for (unsigned row = 0; row < region->height; ++row) {
    size_t offset = offset_of(film, region, row);
    for (unsigned x = 0; x < region->width; ++x) {
      const clrt_pixel_sum *sum = &sums[row * stride + x];
      clrt_vec3 mean = clrt_pixel_sum_mean(sum, samples);
      clrt_float4 pixel = {mean.x, mean.y, mean.z, 1.0f};
      store_linear_row(film, offset + x, &pixel, 1);
      if (film->variance)
        film->variance[offset + x] = variance_of_mean(sum, mean, samples);
    }
  }
}

void clrt_film_develop(clrt_film *film, const clrt_tile *region, unsigned samples) {
  develop_from(film, region, film->sums + offset_of(film, region, 0), film->width, samples);
}

void clrt_film_develop_on_arrival(clrt_film *film, unsigned samples) { film->arrival_samples = samples; }

size_t clrt_film_pixel_bytes(const clrt_film *film) {
  switch (film->kind) {
  case CLRT_FILM_LEVELS:
    return CLRT_RGB_CHANNELS * sizeof *film->rgb;
  case CLRT_FILM_LINEAR:
    return CLRT_RGB_CHANNELS * sizeof *film->linear;
  case CLRT_FILM_AUX:
    return sizeof *film->aux;
  }
  return 0;
}

/* The film's own bytes of a tile's row. */
static uint8_t *film_row(const clrt_film *film, const clrt_tile *tile, unsigned row) {
  uint8_t *picture = film->kind == CLRT_FILM_LEVELS   ? film->rgb
                     : film->kind == CLRT_FILM_LINEAR ? (uint8_t *)film->linear
                                                      : (uint8_t *)film->aux;
  return picture + offset_of(film, tile, row) * clrt_film_pixel_bytes(film);
}

/* A tile of auxiliary passes: the kernel's largest float for no hit
 * (finite, for fast math's sake) becomes the +inf of "nothing there". */
static void receive_aux(clrt_film *film, const clrt_tile *tile, const clrt_pixel_aux *pixels) {
  for (unsigned row = 0; row < tile->height; ++row) {
    clrt_pixel_aux *into = film->aux + offset_of(film, tile, row);
    memcpy(into, pixels + (size_t)row * tile->width, tile->width * sizeof *into);
    for (unsigned x = 0; x < tile->width; ++x)
      if (into[x].normal_depth.w >= CLRT_NO_HIT)
        into[x].normal_depth.w = INFINITY;
  }
  stored(film, tile);
}

void clrt_film_copy_tile(const clrt_film *film, const clrt_tile *tile, void *out) {
  size_t row_bytes = tile->width * clrt_film_pixel_bytes(film);
  for (unsigned row = 0; row < tile->height; ++row)
    memcpy((uint8_t *)out + row * row_bytes, film_row(film, tile, row), row_bytes);
}

/* Pixels in the film's form into a tile. */
static void store_tile(clrt_film *film, const clrt_tile *tile, const void *pixels) {
  size_t row_bytes = tile->width * clrt_film_pixel_bytes(film);
  for (unsigned row = 0; row < tile->height; ++row)
    memcpy(film_row(film, tile, row), (const uint8_t *)pixels + row * row_bytes, row_bytes);
}

void clrt_film_restore_tile(clrt_film *film, const clrt_tile *tile, const void *pixels) {
  store_tile(film, tile, pixels);
  count_received(film, tile);
}

void clrt_film_receive(clrt_film *film, const clrt_tile *tile, const void *pixels) {
  if (film->kind == CLRT_FILM_AUX) {
    receive_aux(film, tile, pixels);
  } else if (film->sums) {
    add_sums(film, tile, pixels);
    count_received(film, tile);
  } else if (film->arrival_samples) {
    develop_from(film, tile, pixels, tile->width, film->arrival_samples);
    stored(film, tile);
  } else if (film->kind == CLRT_FILM_LINEAR) {
    clrt_film_receive_linear(film, tile, pixels);
  } else {
    store_tile(film, tile, pixels);
    stored(film, tile);
  }
}

void clrt_film_restart(clrt_film *film) {
  pthread_mutex_lock(&film->lock);
  film->pixels_received = 0;
  for (unsigned band = 0; film->stream && band < film->band_count; ++band) {
    film->band_pixels[band] = 0;
    film->band_told[band] = false;
  }
  pthread_mutex_unlock(&film->lock);
}

bool clrt_film_complete(clrt_film *film) {
  pthread_mutex_lock(&film->lock);
  bool complete = film->pixels_received == (size_t)film->width * film->height;
  pthread_mutex_unlock(&film->lock);
  return complete;
}

void clrt_film_paint_missing(clrt_film *film, const clrt_tile *tiles, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    const clrt_tile *tile = &tiles[i];
    for (unsigned row = 0; row < tile->height; ++row)
      for (unsigned x = 0; x < tile->width; ++x)
        store_linear_row(film, offset_of(film, tile, row) + x, &MISSING_TILE_COLOR, 1);
  }
}

static clrt_image_view picture_of(const clrt_film *film) {
  clrt_image_view view = {.width = film->width, .height = film->height, .rgb = film->rgb, .linear = film->linear};
  return view;
}

clrt_status clrt_film_stream_to(clrt_film *film, clrt_output *output, clrt_error *err) {
  clrt_image_view picture = picture_of(film);
  unsigned band_rows = 0;
  clrt_status status = clrt_output_stream(output, &picture, &band_rows, err);
  if (status == CLRT_OK && band_rows)
    status = stream_bands(film, output, band_rows, err);
  return status;
}

clrt_status clrt_film_finish_levels(clrt_film *film, const clrt_tone *tone_16, clrt_error *err) {
  size_t channels = (size_t)film->width * film->height * CLRT_RGB_CHANNELS;
  free(film->finished);
  film->finished_16 = tone_16 != NULL;
  film->finished = malloc(channels * (film->finished_16 ? 2 : 1));
  if (!film->finished)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory for the %ux%u picture's levels (%.0f MiB)", film->width,
                     film->height, (double)channels * (film->finished_16 ? 2 : 1) / (1024.0 * 1024.0));
  if (tone_16)
    clrt_tone_map_channels_16(film->linear, channels, tone_16, film->finished);
  else
    clrt_tone_map_channels(film->linear, channels, &film->levels, film->finished);
  return CLRT_OK;
}

clrt_status clrt_film_write(clrt_film *film, clrt_output *output, const clrt_image_view *extras, clrt_error *err) {
  tell_all_bands(film);
  clrt_image_view picture = picture_of(film);
  if (film->finished && film->finished_16)
    picture.rgb16 = film->finished;
  else if (film->finished)
    picture.rgb = film->finished;
  if (extras) {
    picture.aux = extras->aux;
    picture.passes = extras->passes;
    picture.exr_float = extras->exr_float;
    picture.notes = extras->notes;
  }
  return clrt_output_commit(output, &picture, err);
}

void clrt_film_free(clrt_film *film) {
  pthread_mutex_destroy(&film->lock);
  free(film->rgb);
  free(film->linear);
  free(film->aux);
  free(film->variance);
  free(film->finished);
  free(film->sums);
  free(film->band_pixels);
  free(film->band_told);
  memset(film, 0, sizeof *film);
}
