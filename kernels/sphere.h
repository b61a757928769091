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

/* Clipping planes cut spheres in the program variant built for scenes
 * that have some (-DCLRT_CLIPPING), and always on the host: other
 * programs pay nothing for them. */
#if defined(CLRT_CLIPPING) || !defined(__OPENCL_C_VERSION__)
#define CLRT_HAS_CLIPPING 1
#endif

/* Distance to the nearest intersection of sphere i of the scene in front
 * of the ray's origin, or CLRT_NO_HIT: of its solid, where clipping
 * planes cut it, whose cut faces are surfaces too. */
CLRT_INTERNAL float clrt_ray_scene_sphere(const clrt_flat_view *flat, clrt_uint i, clrt_ray ray);

/* The surface at `point`, whose normal out of the solid is `outward`, of
 * a sphere of radius `radius`, seen along `direction`. */
CLRT_INTERNAL clrt_surface clrt_surface_seen(clrt_vec3 point, clrt_vec3 outward, clrt_vec3 direction, float radius);

/* The surface of sphere i where `ray` meets it at distance t (a cut face
 * where clipping planes made one). */
CLRT_INTERNAL clrt_surface clrt_surface_at(const clrt_flat_view *flat, clrt_uint i, clrt_ray ray, float t);

/* A surface point moved off the surface, to the side `normal` points to:
 * where secondary rays start, clear of the surface they leave. */
CLRT_INTERNAL clrt_vec3 clrt_offset_from_surface(clrt_vec3 point, clrt_vec3 normal, float radius);

#endif /* CLRT_SPHERE_H */
