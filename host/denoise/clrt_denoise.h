/* The denoiser (--denoise): the edge-aware à-trous filter of
 * kernels/denoise.c, applied to the finished picture's linear colour
 * before tone mapping, guided by the auxiliary passes and each pixel's
 * variance.
 *
 * It runs after every tile is in, on one device, over the whole picture
 * cut into bands of rows. Each band is filtered with a margin of
 * CLRT_DENOISE_MARGIN rows above and below (the filter's reach): the
 * steps near a margin's outer edge see fewer neighbours, but what they
 * get wrong cannot reach the band's own rows, which are therefore the
 * very values a filter of the whole picture gives. So the result depends
 * neither on the render's tiles nor on the bands, and device memory stays
 * bounded for any picture size. */
#ifndef CLRT_DENOISE_H
#define CLRT_DENOISE_H

#include <stdio.h>

#include "clrt_devices.h"
#include "clrt_error.h"
#include "clrt_flat_scene.h"
#include "clrt_types.h"

/* Steps 1, 2, 4, ..., 2^(CLRT_DENOISE_STEPS - 1) pixels apart. */
#define CLRT_DENOISE_STEPS 5
/* How far the filter reaches: 2 * (1 + 2 + 4 + 8 + 16) rows. */
#define CLRT_DENOISE_MARGIN 62u

typedef struct clrt_denoise_picture {
  unsigned width, height;
  float *linear;             /* RGB, row-major: filtered in place */
  const float *variance;     /* each pixel's, from its samples; NULL: estimated from its 3x3 neighbours */
  const clrt_pixel_aux *aux; /* the guides */
} clrt_denoise_picture;

/* Filters the picture on `device`, in bands of `band_rows` rows (0: as
 * many as keep a band near 4 million pixels). `scene` names the program
 * (the trace program holds the filter). */
clrt_status clrt_denoise_on_device(const clrt_device *device, const clrt_flat_scene *scene,
                                   clrt_denoise_picture *picture, unsigned band_rows, FILE *log, clrt_error *err);

/* The same filter on the host, over the whole picture in one band: the
 * reference the tests hold the device to. */
clrt_status clrt_denoise_on_host(clrt_denoise_picture *picture, clrt_error *err);

/* The filter on the first of `devices` that can run it (a failed attempt
 * leaves the picture as it was), else on the host, saying so on `log`. */
clrt_status clrt_denoise(const clrt_device *devices, size_t count, const clrt_flat_scene *scene,
                         clrt_denoise_picture *picture, FILE *log, clrt_error *err);

#endif /* CLRT_DENOISE_H */
