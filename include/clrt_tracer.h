/* The tracer's interface: what the device kernel and the host call, and
 * the host's tests besides.
 *
 * The tracer is the device code of kernels/, by concern (sampling, camera,
 * sphere, bvh, material, light, the integrators, pixel), compiled both as
 * OpenCL C (the program's source) and as C11 (the host reference), from
 * one list (CMakeLists.txt, CLRT_KERNEL_SOURCES): a pixel's colour is a
 * pure function of the scene, its coordinates and its sample index,
 * whichever side computes it. */
#ifndef CLRT_TRACER_H
#define CLRT_TRACER_H

#include "clrt_flat_arrays.h"
#include "clrt_integrators.h"
#include "clrt_math.h"
#include "clrt_types.h"

typedef struct clrt_ray {
  clrt_vec3 origin;
  clrt_vec3 direction; /* unit length */
} clrt_ray;

/* The flat scene as the tracer reads it: parameters plus every array of
 * the list (clrt_flat_arrays.h). */
#define CLRT_VIEW_FIELD(type, name, space) CLRT_SPACE_##space const type *name;
typedef struct clrt_flat_view {
  CLRT_PARAMS_SPACE const clrt_trace_params *params;
  CLRT_FLAT_ARRAYS(CLRT_VIEW_FIELD)
} clrt_flat_view;
#undef CLRT_VIEW_FIELD

/* One sample of one pixel: the pixel (y = 0 the top row), the sample's
 * index among the pixel's, and the seeds of its random numbers: the
 * sample's (clrt_sample_seed) and the pixel's (clrt_pixel_seed). */
typedef struct clrt_pixel_sample {
  clrt_uint x, y;
  clrt_uint index;
  clrt_uint seed;
  clrt_uint pixel_seed;
} clrt_pixel_sample;

/* What a random number of a sample depends on besides its purpose: the
 * pixel sample (seed) and the vertex of its light paths being shaded
 * (Whitted numbers the nodes of its ray tree). Counts the shadow rays
 * traced. */
typedef struct clrt_trace_key {
  clrt_uint seed;
  clrt_uint vertex;
  clrt_ulong shadow_rays;
} clrt_trace_key;

/* sampling.c: a counter-based hash, randomness that depends only on its
 * inputs; and the seed of every random decision of one pixel sample. */
CLRT_TESTABLE clrt_uint clrt_hash_u32(clrt_uint value);
CLRT_TESTABLE clrt_uint clrt_sample_seed(clrt_uint x, clrt_uint y, clrt_uint sample);
CLRT_TESTABLE clrt_uint clrt_pixel_seed(clrt_uint x, clrt_uint y);

/* sampling.c: dimension `dimension` (0 to 3) of point `index` of Sobol's
 * sequence, as 32 bits. */
CLRT_TESTABLE clrt_uint clrt_sobol(clrt_uint index, clrt_uint dimension);

/* sampling.c: Owen-scrambled Sobol points, the path integrator's random
 * numbers: point `index` of a 4-dimensional set of Sobol's sequence,
 * each dimension scrambled (hash-based nested uniform scrambling) and the
 * order of the points shuffled the same way, by seeds made from the
 * pixel's seed and the set's number. Every set of every pixel is a
 * differently scrambled copy, so that sets do not correlate, while the
 * first 2^k points of a set stay stratified in each dimension (and in
 * the first two together): noise falls faster than with independent
 * random numbers. Components in [0, 1). */
CLRT_TESTABLE clrt_vec4 clrt_sobol_point(clrt_uint pixel_seed, clrt_uint index, clrt_uint set);

/* camera.c: the ray through viewport coordinates (s, t), both in [0, 1],
 * t up, leaving the lens at (lens_x, lens_y) of the unit disk (ignored for
 * a pinhole camera). */
CLRT_TESTABLE clrt_ray clrt_camera_ray(CLRT_PARAMS_SPACE const clrt_camera *camera, float s, float t, float lens_x,
                                       float lens_y);

/* sphere.c: distance along the ray to the nearest intersection in front
 * of its origin (t > 0), or CLRT_NO_HIT when the ray misses the sphere. */
CLRT_TESTABLE float clrt_ray_sphere(clrt_ray ray, clrt_float4 center_radius);

/* material.c: refraction of a unit direction through a surface with unit
 * `normal` facing it, into (entering) or out of a medium of index `ior`,
 * by Snell's law. Returns the Fresnel reflectance (Schlick's
 * approximation): 1 under total internal reflection, when *refracted is
 * left unset. */
CLRT_TESTABLE float clrt_refract(clrt_vec3 direction, clrt_vec3 normal, int entering, float ior, clrt_vec3 *refracted);

/* bvh.c: distance to the nearest sphere along the ray, its position in
 * the arrays in *hit_index; CLRT_NO_HIT for none. Between equally near
 * spheres the one first in the scene file wins, so that the picture does
 * not depend on the BVH. */
CLRT_TESTABLE float clrt_nearest_hit(const clrt_flat_view *flat, clrt_ray ray, clrt_uint *hit_index);

/* bvh.c: light let through along the ray up to max_t by the spheres in
 * the way (each multiplies it by its transparency times colour; an opaque
 * one stops it). Counts the ray in key->rays. */
CLRT_TESTABLE clrt_vec3 clrt_transmission(const clrt_flat_view *flat, clrt_trace_key *key, clrt_ray ray, float max_t);

/* integrators/NAME.c, for every integrator of the list
 * (clrt_integrators.h): linear (not tone-mapped) colour of one pixel
 * sample, from its camera ray on. Adds the rays it traced to the tally
 * (camera, bounce and shadow rays), and counts the sample there if it was
 * cut short at the bounds of the integrator's work.
 *
 * clrt_whitted_radiance: the ray tree is bounded, so that no scene can make
 * a pixel's work grow without end (glass inside glass inside a mirror
 * doubles it at every bounce): it stops at max_tree_rays rays besides
 * shadow rays, and leaves out light branches while their weights add up to
 * less than max_dropped_weight (clrt_whitted_params). Both cut the same
 * branches wherever the pixel is traced. */
#define CLRT_DECLARE_RADIANCE(name)                                                                                    \
  CLRT_TESTABLE clrt_vec3 clrt_##name##_radiance(const clrt_flat_view *flat, clrt_pixel_sample sample,                 \
                                                 CLRT_ITEM_SPACE clrt_work_item *item);
CLRT_INTEGRATORS(CLRT_DECLARE_RADIANCE)
#undef CLRT_DECLARE_RADIANCE

/* integrators/whitted.c: the Whitted colour seen along any ray, for a
 * sample whose seed is `seed` (what clrt_whitted_radiance does after its
 * camera ray). */
CLRT_TESTABLE clrt_vec3 clrt_whitted_trace(const clrt_flat_view *flat, clrt_uint seed, clrt_ray ray,
                                           CLRT_ITEM_SPACE clrt_tally *tally);

/* integrators/path.c: samples first_sample to first_sample + sample_count
 * - 1 of pixel (x, y), summed exactly, by the path integrator: one loop
 * over the samples, their vertices and every ray of each, whose state
 * between rays is item->path. */
CLRT_TESTABLE clrt_pixel_sum clrt_path_pixel_sum(const clrt_flat_view *flat, clrt_uint x, clrt_uint y,
                                                 clrt_uint first_sample, clrt_uint sample_count,
                                                 CLRT_ITEM_SPACE clrt_work_item *item);

/* pixel.c: sample `index` of pixel (x, y), with its seeds. */
CLRT_TESTABLE clrt_pixel_sample clrt_pixel_sample_of(clrt_uint x, clrt_uint y, clrt_uint index);

/* pixel.c: `sum` with one more sample of colour c (clrt_pixel_sum). */
CLRT_TESTABLE clrt_pixel_sum clrt_pixel_sum_with(clrt_pixel_sum sum, clrt_vec3 c);

/* pixel.c: linear colour of pixel (x, y), y = 0 the top row: the
 * box-filtered average of the pixel's samples, each through the
 * integrator the params name. Adds what they cost to the tally. An
 * integrator whose samples are summed exactly
 * (CLRT_INTEGRATOR_SUMS_EXACTLY) averages clrt_trace_pixel_sum's sum. */
CLRT_TESTABLE clrt_vec3 clrt_trace_pixel(const clrt_flat_view *flat, clrt_uint x, clrt_uint y,
                                         CLRT_ITEM_SPACE clrt_work_item *item);

/* pixel.c: samples first_sample to first_sample + sample_count - 1 of
 * pixel (x, y), summed exactly (clrt_pixel_sum). */
CLRT_TESTABLE clrt_pixel_sum clrt_trace_pixel_sum(const clrt_flat_view *flat, clrt_uint x, clrt_uint y,
                                                  clrt_uint first_sample, clrt_uint sample_count,
                                                  CLRT_ITEM_SPACE clrt_work_item *item);

/* pixel.c: sums of the same pixel's samples added up (passes of them). */
CLRT_TESTABLE clrt_pixel_sum clrt_pixel_sum_add(clrt_pixel_sum a, clrt_pixel_sum b);

/* pixel.c: Rec. 709 luminance, the measure of a colour's noise. */
CLRT_TESTABLE float clrt_luminance(clrt_vec3 c);

/* pixel.c: the mean colour of `samples` samples summed in `sum`. */
CLRT_TESTABLE clrt_vec3 clrt_pixel_sum_mean(const clrt_pixel_sum *sum, clrt_uint samples);

/* aux.c: the auxiliary passes of pixel (x, y) over its samples 0 to
 * sample_count - 1 (clrt_pixel_aux); the rays they traced go to the
 * tally. */
CLRT_TESTABLE clrt_pixel_aux clrt_trace_pixel_aux(const clrt_flat_view *flat, clrt_uint x, clrt_uint y,
                                                  clrt_uint sample_count, CLRT_ITEM_SPACE clrt_tally *tally);

/* A band of rows of the picture as the denoiser reads it
 * (kernels/denoise.c): linear colour with each pixel's variance in w; the
 * auxiliary passes that guide it, with unit normals (or 0); and each
 * pixel's keys for the step (clrt_denoise_key). */
typedef struct clrt_denoise_band {
  CLRT_BUFFER_SPACE const clrt_float4 *color;
  CLRT_BUFFER_SPACE const clrt_pixel_aux *guide;
  CLRT_BUFFER_SPACE const clrt_float4 *keys;
  clrt_uint width, height;
} clrt_denoise_band;

/* denoise.c: the keys of pixel (x, y) of the band for a step of `step`
 * pixels (the band's keys are not read): its luminance, the square of
 * its luminance's spread (sigma times the deviation of its 3x3-blurred
 * variance), and the reciprocals of its depth scale at one and two steps. */
CLRT_TESTABLE clrt_float4 clrt_denoise_key(const clrt_denoise_band *band, clrt_uint x, clrt_uint y, clrt_uint step);

/* denoise.c: one à-trous step at pixel (x, y) of the band, its neighbours
 * `step` pixels apart: the filtered colour, and in w its variance. */
CLRT_TESTABLE clrt_float4 clrt_denoise_pixel(const clrt_denoise_band *band, clrt_uint x, clrt_uint y, clrt_uint step);

#ifndef __OPENCL_C_VERSION__
/* All the rays a tally counts, whatever their kind (host only). */
static inline clrt_ulong clrt_tally_rays(const clrt_tally *tally) {
  return tally->camera_rays + tally->bounce_rays + tally->shadow_rays;
}
#endif

#endif /* CLRT_TRACER_H */
