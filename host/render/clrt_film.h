/* The film: the picture being assembled. Finished tiles come in from any
 * device thread; it knows which rows are complete, paints the tiles no
 * device rendered (--keep-partial's magenta), and hands the image to the
 * writer. It holds 8-bit levels (3 bytes a pixel; devices tone-map their
 * tiles) or linear colour (12 bytes a pixel: for .hdr and .exr, and
 * for pictures finished on the host: denoised or 16-bit), or the
 * auxiliary passes. */
#ifndef CLRT_FILM_H
#define CLRT_FILM_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clrt_error.h"
#include "clrt_image.h"
#include "clrt_output.h"
#include "clrt_tiles.h"
#include "clrt_tone_map.h"
#include "clrt_tracer.h"

typedef enum clrt_film_kind {
  CLRT_FILM_LEVELS, /* 8-bit RGB, tone-mapped */
  CLRT_FILM_LINEAR, /* float RGB, linear */
  CLRT_FILM_AUX,    /* the auxiliary passes (clrt_pixel_aux; depth +inf where nothing was hit) */
} clrt_film_kind;

typedef struct clrt_film {
  unsigned width, height;
  clrt_film_kind kind;
  clrt_tone_levels levels;
  uint8_t *rgb;  /* CLRT_FILM_LEVELS: width * height * 3 */
  float *linear; /* CLRT_FILM_LINEAR: width * height * 3 */
  /* A linear film's picture made levels on the host at the end
   * (clrt_film_finish_levels): 8-bit, or 16-bit big-endian; NULL until. */
  uint8_t *finished;
  bool finished_16;
  clrt_pixel_aux *aux; /* CLRT_FILM_AUX: width * height */
  /* The variance of each pixel's mean luminance, from its samples' sums
   * (clrt_film_keep_variance; NULL otherwise): what the denoiser reads of
   * how noisy a pixel is. */
  float *variance;
  /* Progressive rendering: every pixel's samples summed exactly, pass
   * after pass (width * height; NULL otherwise). Tiles then come in as
   * sums, and the picture is developed from them at the end. */
  clrt_pixel_sum *sums;
  /* Tiles of sums of this many samples each, developed as they come in
   * (clrt_film_develop_on_arrival); 0: tiles come in as the film's form. */
  unsigned arrival_samples;
  /* Told of every tile stored in the film's form, from the thread that
   * stored it (a checkpoint keeps them); NULL: none. */
  void (*tile_stored)(void *context, const struct clrt_film *film, const clrt_tile *tile);
  void *tile_stored_context;
  pthread_mutex_t lock;
  size_t pixels_received;
  clrt_output *stream;            /* the file its bands are streamed into; NULL: none */
  unsigned band_rows, band_count; /* the stream's bands */
  size_t *band_pixels;            /* pixels received per band */
  bool *band_told;                /* the stream was told of it */
} clrt_film;

/* The film's pictures are allocated here, before any rendering, so that
 * running out of memory fails at once. `levels` tone-map what comes in
 * linear (clrt_film_receive_linear, --keep-partial's magenta). */
clrt_status clrt_film_init(clrt_film *film, unsigned width, unsigned height, clrt_film_kind kind,
                           const clrt_tone_levels *levels, clrt_error *err);

/* Makes the film add up tiles of exact sums (clrt_pixel_sum), pass after
 * pass, for progressive rendering: 32 bytes more a pixel. */
clrt_status clrt_film_keep_sums(clrt_film *film, clrt_error *err);

/* Makes the film keep each pixel's variance (4 bytes more a pixel), as
 * sums are developed. */
clrt_status clrt_film_keep_variance(clrt_film *film, clrt_error *err);

/* The picture of `region` from its sums, each pixel the mean of `samples`
 * samples (tone-mapped for a film of levels, as a device would). */
void clrt_film_develop(clrt_film *film, const clrt_tile *region, unsigned samples);

/* Makes the film take tiles of exact sums of `samples` samples a pixel and
 * develop each as it comes in, the mean tone-mapped here as the passes'
 * pictures are: so that a picture rendered in one go is the very bytes of
 * one rendered in passes on any implementation, whether or not its
 * division is correctly rounded (rusticl's is not). */
void clrt_film_develop_on_arrival(clrt_film *film, unsigned samples);

/* A finished tile in the film's own form, as a device read it back
 * (tile-sized, row-major): 8-bit RGB, or clrt_float4 for a linear film,
 * or clrt_pixel_sum for a film that keeps sums (added to them) or
 * develops them on arrival. Safe to
 * call from several threads for different tiles. */
void clrt_film_receive(clrt_film *film, const clrt_tile *tile, const void *pixels);

/* A finished tile of linear colour (the host reference's): tone-mapped
 * into a film of levels. */
void clrt_film_receive_linear(clrt_film *film, const clrt_tile *tile, const clrt_float4 *pixels);

/* Bytes a pixel takes in the film's form: 3 (levels), 12 (linear) or 32
 * (aux). */
size_t clrt_film_pixel_bytes(const clrt_film *film);

/* The pixels of `tile` in the film's form, row-major, into `out`. */
void clrt_film_copy_tile(const clrt_film *film, const clrt_tile *tile, void *out);

/* Pixels in the film's form (as clrt_film_copy_tile gives them) put back
 * into `tile`, counted as received; the tile_stored listener is not told. */
void clrt_film_restore_tile(clrt_film *film, const clrt_tile *tile, const void *pixels);

/* Forgets what was received, for another frame into the same film. */
void clrt_film_restart(clrt_film *film);

/* Whether every pixel has been received. */
bool clrt_film_complete(clrt_film *film);

/* Paints tiles that no device rendered magenta, as the PymoniK client
 * marked a tile that never came back. */
void clrt_film_paint_missing(clrt_film *film, const clrt_tile *tiles, size_t count);

/* Makes `output` follow the film: a PNG is compressed a band of rows at a
 * time as the film completes them (told from the thread that completed
 * the band, under the film's lock), while the render goes on. */
clrt_status clrt_film_stream_to(clrt_film *film, clrt_output *output, clrt_error *err);

/* A linear film's picture as levels, for a format that stores them: 8
 * bits a channel through the film's levels (as a device would have
 * tone-mapped it), or 16 through `tone`'s formula (NULL: 8 bits). */
clrt_status clrt_film_finish_levels(clrt_film *film, const clrt_tone *tone_16, clrt_error *err);

/* Finishes `output` with the film's picture (bands left incomplete, with
 * tiles painted, included) and moves it into place: clrt_output_commit,
 * which frees the output whatever the outcome. `extras` (NULL: none)
 * adds the auxiliary passes, the EXR's channel type and the notes. */
clrt_status clrt_film_write(clrt_film *film, clrt_output *output, const clrt_image_view *extras, clrt_error *err);

void clrt_film_free(clrt_film *film);

#endif /* CLRT_FILM_H */
