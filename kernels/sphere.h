/* The sphere (sphere.c): where a ray meets one, and the surface there. */
#ifndef CLRT_SPHERE_H
#define CLRT_SPHERE_H

#include "clrt_tracer.h"

/* Where a ray hit: the point, the normal facing the ray, whether the ray
 * came from outside the sphere, and the sphere's radius (for the offset of
 * secondary rays). */
typedef struct clrt_surface {
  clrt_vec3 point;
  clrt_vec3 normal;
  int entering;
  float radius;
} clrt_surface;

/* The surface of `sphere` where `ray` meets it at distance t. */
CLRT_INTERNAL clrt_surface clrt_surface_at(CLRT_ARRAY_SPACE const clrt_sphere *sphere, clrt_ray ray, float t);

/* A surface point moved off the surface, to the side `normal` points to:
 * where secondary rays start, clear of the surface they leave. */
CLRT_INTERNAL clrt_vec3 clrt_offset_from_surface(clrt_vec3 point, clrt_vec3 normal, float radius);

#endif /* CLRT_SPHERE_H */
