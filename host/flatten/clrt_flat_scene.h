/* The flat scene: what the device reads, made from the host form of a
 * scene by flattening. The trace parameters (camera basis, counts,
 * sampling) and every array of the list in clrt_flat_arrays.h. Sessions,
 * the host reference renderer and the bench consume only this. */
#ifndef CLRT_FLAT_SCENE_H
#define CLRT_FLAT_SCENE_H

#include <stddef.h>
#include <stdint.h>

#include "clrt_error.h"
#include "clrt_flat_arrays.h"
#include "clrt_scene.h"
#include "clrt_tracer.h"
#include "clrt_types.h"

#define CLRT_FLAT_ARRAY_FIELDS(type, name, space)                                                                      \
  type *name;                                                                                                          \
  size_t name##_count;

/* How flattening went, for summaries and the bench. */
typedef struct clrt_flat_stats {
  double bvh_build_ms; /* or its refit's */
  unsigned bvh_depth;  /* levels from the root to the deepest leaf */
  size_t bvh_leaves;
  double bvh_cost; /* clrt_bvh_cost */
  bool refitted;   /* the BVH is a previous frame's, refitted (clrt_flatten_refit) */
} clrt_flat_stats;

typedef struct clrt_flat_scene {
  clrt_trace_params params;
  CLRT_FLAT_ARRAYS(CLRT_FLAT_ARRAY_FIELDS)
  /* The most rays one sample can cost, by its integrator's bounds: what
   * the time limit of a tile allows for (host/device/session.c). */
  uint64_t most_rays_per_sample;
  clrt_flat_stats stats;
} clrt_flat_scene;

#undef CLRT_FLAT_ARRAY_FIELDS

/* The camera for an image of the given aspect ratio, from the basis of
 * clrt_camera_basis: a viewport 2*tan(vfov/2) high at distance 1. */
clrt_camera clrt_flatten_camera(const clrt_camera_settings *settings, double aspect_ratio);

/* Flattens `scene` (whose camera is valid: the parser checked it),
 * building the BVH on every core; its integrator makes its parameters. */
clrt_status clrt_flatten(const clrt_scene *scene, clrt_flat_scene *flat, clrt_error *err);

/* The same, with the BVH of `previous` (a frame before, of the same
 * scene file) refitted rather than a new one built when it can serve: the
 * same number of spheres, in the same order in their files, none clipped
 * away (stats.refitted says whether it did). */
clrt_status clrt_flatten_refit(const clrt_scene *scene, const clrt_flat_scene *previous, clrt_flat_scene *flat,
                               clrt_error *err);

/* The tracer's view of a flat scene. */
clrt_flat_view clrt_flat_view_of(const clrt_flat_scene *flat);

/* The bytes of all its arrays together. */
size_t clrt_flat_scene_bytes(const clrt_flat_scene *flat);

void clrt_flat_scene_free(clrt_flat_scene *flat);

#endif /* CLRT_FLAT_SCENE_H */
