/* The tracer shared by the device kernel and the host reference renderer.
 *
 * Implemented in kernels/tracer.c, which compiles as both C11 and OpenCL C:
 * a pixel's colour is a pure function of the scene, its coordinates and its
 * sample index, whichever side computes it.
 */
#ifndef CLRT_TRACER_H
#define CLRT_TRACER_H

#include "clrt_math.h"
#include "clrt_scene_arrays.h"
#include "clrt_types.h"

/* Pending branches of one camera ray's tree (depth-first: a level adds at
 * most one entry, so max_depth + 1 entries are ever needed). A branch
 * that finds the stack full is not traced and contributes black, and its
 * sample counts as cut short: only past 23 bounces through glass. */
#define CLRT_TRACE_STACK_SIZE 24

typedef struct clrt_ray {
  clrt_vec3 origin;
  clrt_vec3 direction; /* unit length */
} clrt_ray;

/* The scene as the tracer reads it: parameters plus every array of the
 * list (clrt_scene_arrays.h). */
#define CLRT_VIEW_FIELD(type, name) CLRT_SCENE_SPACE const type *name;
typedef struct clrt_scene_view {
  const clrt_trace_params *params;
  CLRT_SCENE_ARRAYS(CLRT_VIEW_FIELD)
} clrt_scene_view;
#undef CLRT_VIEW_FIELD

/* What a random number of a trace depends on besides its purpose: the
 * pixel sample (seed) and the node of the ray tree being shaded. */
typedef struct clrt_trace_key {
  clrt_uint seed;
  clrt_uint node;
  clrt_ulong rays; /* rays traced so far: camera, mirror, refraction, shadow */
} clrt_trace_key;

/* Counter-based hash: randomness that depends only on its inputs. */
clrt_uint clrt_hash_u32(clrt_uint value);

/* The seed of every random decision made for one sample of one pixel. */
clrt_uint clrt_sample_seed(clrt_uint x, clrt_uint y, clrt_uint sample);

/* The ray through viewport coordinates (s, t), both in [0, 1], t up,
 * leaving the lens at (lens_x, lens_y) of the unit disk (ignored for a
 * pinhole camera). */
clrt_ray clrt_camera_ray(const clrt_camera *camera, float s, float t, float lens_x, float lens_y);

/* Distance along the ray to the nearest intersection in front of its
 * origin (t > 0), or CLRT_INFINITY when the ray misses the sphere. */
float clrt_ray_sphere(clrt_ray ray, clrt_float4 center_radius);

/* Refraction of a unit direction through a surface with unit `normal`
 * facing it, into (entering) or out of a medium of index `ior`, by
 * Snell's law. Returns the Fresnel reflectance (Schlick's approximation):
 * 1 under total internal reflection, when *refracted is left unset. */
float clrt_refract(clrt_vec3 direction, clrt_vec3 normal, int entering, float ior, clrt_vec3 *refracted);

#ifndef __OPENCL_C_VERSION__
/* Inside the tracer on the device; callable on the host, for the tests. */

/* Distance to the nearest sphere along the ray through the BVH, its
 * position in the arrays in *hit_index; CLRT_INFINITY for none. Between
 * equally near spheres the one first in the scene file wins. */
float clrt_nearest_hit(const clrt_scene_view *scene, clrt_ray ray, clrt_uint *hit_index);

/* Light let through along the ray up to max_t by the spheres in the way
 * (each multiplies it by its transparency times colour; an opaque one
 * stops it). Counts the ray in key->rays. */
clrt_vec3 clrt_transmission(const clrt_scene_view *scene, clrt_trace_key *key, clrt_ray ray, float max_t);
#endif

/* Linear (not tone-mapped) colour seen along a camera ray; `seed` is its
 * pixel sample's (clrt_sample_seed). Adds the rays it traced (the camera
 * ray, mirror and refraction rays, shadow rays) to the tally, and counts
 * the sample there if its tree was cut short.
 *
 * The tree is bounded, so that no scene can make a pixel's work grow
 * without end (glass inside glass inside a mirror doubles it at every
 * bounce): it stops at params->max_tree_rays rays besides shadow rays, and
 * leaves out light branches while their weights add up to less than
 * params->max_dropped_weight. Both cut the same branches wherever the
 * pixel is traced. */
clrt_vec3 clrt_trace(const clrt_scene_view *scene, clrt_uint seed, clrt_ray ray, clrt_tally *tally);

/* Linear colour of pixel (x, y), y = 0 the top row: the box-filtered
 * average of the pixel's samples. Adds what they cost to the tally. */
clrt_vec3 clrt_trace_pixel(const clrt_scene_view *scene, clrt_uint x, clrt_uint y, clrt_tally *tally);

#endif /* CLRT_TRACER_H */
