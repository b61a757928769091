/* Random numbers and sampling patterns (sampling.c).
 *
 * Every random number is a hash of the pixel sample (its seed), the vertex
 * being shaded, a purpose and an index (Whitted), or a point of a
 * scrambled Sobol set of the pixel (the path integrator): nothing depends
 * on the tile, the work-group or the device. */
#ifndef CLRT_SAMPLING_H
#define CLRT_SAMPLING_H

#include "clrt_tracer.h"

/* Purposes, so that different random decisions never share a stream. */
#define CLRT_PURPOSE_PIXEL 0u
#define CLRT_PURPOSE_LENS 1u
#define CLRT_PURPOSE_LENS_STRATUM 2u
#define CLRT_PURPOSE_OCCLUSION 3u
#define CLRT_PURPOSE_FIRST_LIGHT 16u /* light i uses purpose 16 + i */

/* Added to a Sobol set's number before hashing, so that its seeds differ
 * from the purposes' streams above. */
#define CLRT_SOBOL_SET_SALT 0x9e3779b9u

/* Sobol's generator matrices cover indices below 2^CLRT_SOBOL_BITS, in
 * CLRT_SOBOL_DIMENSIONS dimensions. */
#define CLRT_SOBOL_DIMENSIONS 4
#define CLRT_SOBOL_BITS 32

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

/* Four independent numbers in [0, 1) for set `set` of the sample with
 * seed `seed` (clrt_sample_seed): where low discrepancy no longer pays
 * for itself. */
CLRT_INTERNAL clrt_vec4 clrt_random_point(clrt_uint seed, clrt_uint set);

/* The unit direction at cos_theta from the unit vector `axis`, in the
 * azimuth of the unit disk's point (dx, dy) (whose squared radius
 * usually drew cos_theta). */
CLRT_INTERNAL clrt_vec3 clrt_direction_around(clrt_vec3 axis, float cos_theta, float dx, float dy);

/* A cosine-distributed direction around the unit normal n, from a point
 * (dx, dy) spread uniformly over the unit disk. */
CLRT_INTERNAL clrt_vec3 clrt_cosine_direction(clrt_vec3 n, float dx, float dy);

#endif /* CLRT_SAMPLING_H */
