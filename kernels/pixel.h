/* A pixel's samples (pixel.c): what the integrators share to make and
 * sum them. */
#ifndef CLRT_PIXEL_H
#define CLRT_PIXEL_H

#include "clrt_tracer.h"

/* Sample `index` of pixel (x, y), with its seeds. */
CLRT_INTERNAL clrt_pixel_sample clrt_pixel_sample_of(clrt_uint x, clrt_uint y, clrt_uint index);

/* A sum of no samples. */
CLRT_INTERNAL clrt_pixel_sum clrt_pixel_sum_zero(void);

/* Adds one sample's colour to an exact sum. */
CLRT_INTERNAL void clrt_pixel_sum_sample(clrt_pixel_sum *sum, clrt_vec3 color);

#endif /* CLRT_PIXEL_H */
