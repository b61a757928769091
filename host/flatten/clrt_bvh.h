/* The BVH over a scene's spheres, built on the host: binned SAH over the
 * spheres' centres, subtrees built in parallel (OpenMP tasks), nodes laid
 * out depth-first in the device's layout (clrt_bvh_node). The result is a
 * pure function of the spheres: the same bytes for any number of threads
 * and any run, so the picture stays a pure function of the scene. */
#ifndef CLRT_BVH_H
#define CLRT_BVH_H

#include <stddef.h>
#include <stdint.h>

#include "clrt_error.h"
#include "clrt_types.h"

/* Spheres a leaf may hold before the builder must split it (unless no
 * split separates them: coincident centres stay in one leaf). */
#define CLRT_BVH_MAX_LEAF 8u

typedef struct clrt_bvh {
  clrt_bvh_node *nodes;
  size_t node_count;
  uint32_t *order; /* the sphere (index into the input) at each leaf position */
  size_t leaf_count;
  unsigned depth; /* levels of nodes from the root to the deepest leaf */
} clrt_bvh;

/* Builds the BVH over `count` spheres (center in xyz, radius in w) on
 * `threads` threads. */
clrt_status clrt_bvh_build(const clrt_float4 *spheres, size_t count, int threads, clrt_bvh *bvh, clrt_error *err);

void clrt_bvh_free(clrt_bvh *bvh);

#endif /* CLRT_BVH_H */
