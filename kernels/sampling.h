/* Random numbers and sampling patterns (sampling.c).
 *
 * Every random number is a hash of the pixel sample (its seed), the vertex
 * being shaded, a purpose and an index: nothing depends on the tile, the
 * work-group or the device. */
#ifndef CLRT_SAMPLING_H
#define CLRT_SAMPLING_H

#include "clrt_tracer.h"

/* Purposes, so that different random decisions never share a stream. */
#define CLRT_PURPOSE_PIXEL 0u
#define CLRT_PURPOSE_LENS 1u
#define CLRT_PURPOSE_LENS_STRATUM 2u
#define CLRT_PURPOSE_FIRST_LIGHT 16u /* light i uses purpose 16 + i */

/* A number in [0, 1) determined by the sample's seed, the vertex being
 * shaded, the purpose and an index within that purpose. */
CLRT_INTERNAL float clrt_random_unit(clrt_uint seed, clrt_uint vertex, clrt_uint purpose, clrt_uint index);

/* Point `index` of `count` stratified points in the unit square: a k x k
 * grid of cells (k = floor(sqrt(count))), jittered inside each cell; the
 * points beyond the grid are jittered over the whole square. */
CLRT_INTERNAL void clrt_stratified_point(clrt_uint seed, clrt_uint vertex, clrt_uint purpose, clrt_uint index,
                                         clrt_uint count, float *u, float *v);

/* Maps the unit square onto the unit disk, keeping strata compact. */
CLRT_INTERNAL void clrt_square_to_disk(float u, float v, float *x, float *y);

/* Unit vectors a, b completing the unit vector n to an orthonormal basis. */
CLRT_INTERNAL void clrt_basis_around(clrt_vec3 n, clrt_vec3 *a, clrt_vec3 *b);

#endif /* CLRT_SAMPLING_H */
