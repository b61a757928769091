/* BVH traversal (bvh.c) beyond the searches of the tracer's interface
 * (clrt_nearest_hit, clrt_transmission): the one loop both are made of. */
#ifndef CLRT_BVH_H
#define CLRT_BVH_H

#include "clrt_tracer.h"

/* Traces `ray` through the scene, for one of two searches:
 *  - shadow false: the nearest sphere closer than *limit (CLRT_NO_HIT for
 *    any); *limit becomes its distance, *hit_index its position, and
 *    *passed is not touched;
 *  - shadow true: every sphere in the way before *limit multiplies
 *    *passed by what it lets through (clrt_pass_through); an opaque one
 *    makes *passed 0. *limit and *hit_index are not touched. */
CLRT_INTERNAL void clrt_traverse(const clrt_flat_view *flat, clrt_ray ray, int shadow, float *limit,
                                 clrt_uint *hit_index, clrt_vec3 *passed);

#endif /* CLRT_BVH_H */
