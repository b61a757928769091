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

/* A BVH's boxes fitted to `spheres` (given in the order of its leaves, as
 * the flat arrays hold them), its shape kept: a few milliseconds for a
 * million spheres where a build takes a second, but the boxes of spheres
 * that moved apart grow. Returns the refitted tree's cost
 * (clrt_bvh_cost). */
double clrt_bvh_refit(clrt_bvh_node *nodes, size_t node_count, const clrt_float4 *spheres);

/* What a tree costs a ray, as the SAH weighs it: every child's box's half
 * area, a leaf's times its spheres. Compared between a refitted tree and
 * the one built, it says how much refitting has cost. */
double clrt_bvh_cost(const clrt_bvh_node *nodes, size_t node_count);

#endif /* CLRT_BVH_H */
