/* The tracer shared by the device kernel and the host reference renderer.
 *
 * Implemented in kernels/tracer.c, which compiles as both C11 and OpenCL C:
 * a pixel's colour is a pure function of the scene, its coordinates and its
 * sample index, whichever side computes it.
 */
#ifndef CLRT_TRACER_H
#define CLRT_TRACER_H

#include "clrt_math.h"
#include "clrt_types.h"

typedef struct clrt_ray {
  clrt_vec3 origin;
  clrt_vec3 direction; /* unit length */
} clrt_ray;

/* The scene as the tracer reads it: parameters plus the flat arrays. */
typedef struct clrt_scene_view {
  const clrt_render_params *params;
  CLRT_GLOBAL const clrt_sphere *spheres;
  CLRT_GLOBAL const clrt_material *materials;
  CLRT_GLOBAL const clrt_light *lights;
} clrt_scene_view;

/* Counter-based hash: randomness that depends only on its inputs. */
clrt_uint clrt_hash_u32(clrt_uint value);

/* The ray through viewport coordinates (s, t), both in [0, 1], t up. */
clrt_ray clrt_camera_ray(const clrt_camera *camera, float s, float t);

/* Distance along the ray to the nearest intersection in front of its
 * origin (t > 0), or CLRT_INFINITY when the ray misses the sphere. */
float clrt_ray_sphere(clrt_ray ray, clrt_float4 center_radius);

/* Linear (not tone-mapped) colour seen along a ray. */
clrt_vec3 clrt_trace(const clrt_scene_view *scene, clrt_ray ray);

/* Linear colour of pixel (x, y), y = 0 the top row: the box-filtered
 * average of the pixel's samples. */
clrt_vec3 clrt_render_pixel(const clrt_scene_view *scene, clrt_uint x, clrt_uint y);

#endif /* CLRT_TRACER_H */
