/* BVH traversal: the nearest sphere along a ray (closest hit), and the
 * light let through along a segment (every sphere in the way), front to
 * back through the 4-wide BVH (clrt_bvh_node), or by testing every sphere
 * in turn when the scene has only a few. */
#include "clrt_tracer.h"
#include "material.h"

/* The largest inverse of a direction component: a component of 0 (or one
 * whose inverse overflows) gets this instead of infinity, so that a box
 * test never computes 0 * infinity, and no NaN reaches its min and max. */
#define CLRT_MAX_INVERSE_DIRECTION 1e30f

/* A ray ready for box tests: its origin and the inverse of its direction. */
typedef struct clrt_box_ray {
  clrt_vec3 origin;
  clrt_vec3 inverse;
} clrt_box_ray;

CLRT_INTERNAL float clrt_finite_inverse(float d) {
  float inverse = 1.0f / d;
  float limited = clrt_fabs(inverse) < CLRT_MAX_INVERSE_DIRECTION ? inverse : CLRT_MAX_INVERSE_DIRECTION;
  return d < 0.0f || (d == 0.0f && inverse < 0.0f) ? -clrt_fabs(limited) : clrt_fabs(limited);
}

CLRT_INTERNAL clrt_box_ray clrt_box_ray_of(clrt_ray ray) {
  clrt_box_ray box_ray;
  box_ray.origin = ray.origin;
  box_ray.inverse = clrt_vec3_make(clrt_finite_inverse(ray.direction.x), clrt_finite_inverse(ray.direction.y),
                                   clrt_finite_inverse(ray.direction.z));
  return box_ray;
}

/* Where the ray enters each of a node's four children within [0, limit]
 * (the slab test, a lane per child), infinity where it does not. An unused
 * child's box lies at +infinity on every axis: no ray enters it. */
CLRT_INTERNAL clrt_vec4 clrt_child_entries(const clrt_box_ray *ray, CLRT_ARRAY_SPACE const clrt_bvh_node *node,
                                           float limit) {
  clrt_vec4 ox = clrt_vec4_splat(ray->origin.x), oy = clrt_vec4_splat(ray->origin.y);
  clrt_vec4 oz = clrt_vec4_splat(ray->origin.z), ix = clrt_vec4_splat(ray->inverse.x);
  clrt_vec4 iy = clrt_vec4_splat(ray->inverse.y), iz = clrt_vec4_splat(ray->inverse.z);
  clrt_vec4 x0 = clrt_vec4_mul(clrt_vec4_sub(node->lower_x, ox), ix);
  clrt_vec4 x1 = clrt_vec4_mul(clrt_vec4_sub(node->upper_x, ox), ix);
  clrt_vec4 y0 = clrt_vec4_mul(clrt_vec4_sub(node->lower_y, oy), iy);
  clrt_vec4 y1 = clrt_vec4_mul(clrt_vec4_sub(node->upper_y, oy), iy);
  clrt_vec4 z0 = clrt_vec4_mul(clrt_vec4_sub(node->lower_z, oz), iz);
  clrt_vec4 z1 = clrt_vec4_mul(clrt_vec4_sub(node->upper_z, oz), iz);
  clrt_vec4 enter = clrt_vec4_max(clrt_vec4_max(clrt_vec4_min(x0, x1), clrt_vec4_min(y0, y1)),
                                  clrt_vec4_max(clrt_vec4_min(z0, z1), clrt_vec4_splat(0.0f)));
  clrt_vec4 leave = clrt_vec4_min(clrt_vec4_min(clrt_vec4_max(x0, x1), clrt_vec4_max(y0, y1)),
                                  clrt_vec4_min(clrt_vec4_max(z0, z1), clrt_vec4_splat(limit)));
  return clrt_vec4_entered(enter, leave);
}

/* Nodes still to visit, with the distance at which the ray enters them.
 * A visit leaves at most three children waiting, and the builder keeps
 * every path within CLRT_BVH_MAX_DEPTH nodes, so it never overflows. */
typedef struct clrt_bvh_stack {
  clrt_uint node[CLRT_BVH_STACK_SIZE];
  float entry[CLRT_BVH_STACK_SIZE];
  clrt_uint top;
} clrt_bvh_stack;

/* The next node to visit among the children entered (entry[c] not
 * infinity; leaves are already done): the nearest, the others waiting on
 * the stack, nearer on top. False when no child was entered. */
CLRT_INTERNAL int clrt_descend(CLRT_ARRAY_SPACE const clrt_bvh_node *node, const float entry[CLRT_BVH_WIDTH],
                               clrt_bvh_stack *stack, clrt_uint *next) {
  int order[CLRT_BVH_WIDTH], count = 0;
  for (int c = 0; c < CLRT_BVH_WIDTH; ++c) {
    if (entry[c] == CLRT_INFINITY)
      continue;
    int at = count++;
    for (; at > 0 && entry[order[at - 1]] > entry[c]; --at)
      order[at] = order[at - 1];
    order[at] = c;
  }
  if (count == 0)
    return 0;
  for (int k = count - 1; k > 0; --k) {
    stack->node[stack->top] = node->first[order[k]];
    stack->entry[stack->top++] = entry[order[k]];
  }
  *next = node->first[order[0]];
  return 1;
}

/* The next waiting node that the ray enters within `limit`; false when
 * there is none. */
CLRT_INTERNAL int clrt_pop(clrt_bvh_stack *stack, float limit, clrt_uint *next) {
  while (stack->top > 0) {
    --stack->top;
    if (stack->entry[stack->top] <= limit) {
      *next = stack->node[stack->top];
      return 1;
    }
  }
  return 0;
}

/* Whether sphere i beats the equally near sphere `best`: ties go to the
 * lower index in the scene file, whatever the BVH's order. */
CLRT_INTERNAL int clrt_wins_tie(const clrt_flat_view *flat, clrt_uint i, clrt_uint best) {
  return flat->sphere_shading[i].scene_index < flat->sphere_shading[best].scene_index;
}

/* The spheres of a leaf against the nearest hit so far. */
CLRT_INTERNAL void clrt_leaf_nearest(const clrt_flat_view *flat, clrt_ray ray, clrt_uint first, clrt_uint count,
                                     float *nearest, clrt_uint *hit_index) {
  for (clrt_uint i = first; i < first + count; ++i) {
    float t = clrt_ray_sphere(ray, flat->spheres[i].center_radius);
    if (t < *nearest || (t == *nearest && t != CLRT_INFINITY && clrt_wins_tie(flat, i, *hit_index))) {
      *nearest = t;
      *hit_index = i;
    }
  }
}

/* Front to back through the BVH, a node's leaves tested at once, and every
 * node skipped that the ray enters beyond the nearest hit found so far. */
CLRT_TESTABLE float clrt_nearest_hit(const clrt_flat_view *flat, clrt_ray ray, clrt_uint *hit_index) {
  float nearest = CLRT_INFINITY;
  if (flat->params->scan_spheres) {
    clrt_leaf_nearest(flat, ray, 0u, flat->params->sphere_count, &nearest, hit_index);
    return nearest;
  }
  clrt_box_ray box_ray = clrt_box_ray_of(ray);
  clrt_bvh_stack stack;
  stack.top = 0u;
  clrt_uint index = 0u;
  for (;;) {
    CLRT_ARRAY_SPACE const clrt_bvh_node *node = &flat->bvh_nodes[index];
    clrt_vec4 entries = clrt_child_entries(&box_ray, node, nearest);
    float entry[CLRT_BVH_WIDTH] = {entries.x, entries.y, entries.z, entries.w};
    for (int c = 0; c < CLRT_BVH_WIDTH; ++c) {
      if (entry[c] == CLRT_INFINITY || node->count[c] == 0u)
        continue;
      clrt_leaf_nearest(flat, ray, node->first[c], node->count[c], &nearest, hit_index);
      entry[c] = CLRT_INFINITY;
    }
    for (int c = 0; c < CLRT_BVH_WIDTH; ++c)
      entry[c] = entry[c] <= nearest ? entry[c] : CLRT_INFINITY;
    if (!clrt_descend(node, entry, &stack, &index) && !clrt_pop(&stack, nearest, &index))
      return nearest;
  }
}

/* Light let through by the spheres of a leaf that are in the way before
 * max_t (clrt_pass_through); false when an opaque one blocks it. */
CLRT_INTERNAL int clrt_leaf_transmission(const clrt_flat_view *flat, clrt_ray ray, clrt_uint first, clrt_uint count,
                                         float max_t, clrt_vec3 *passed) {
  for (clrt_uint i = first; i < first + count; ++i) {
    if (clrt_ray_sphere(ray, flat->spheres[i].center_radius) >= max_t)
      continue;
    if (!clrt_pass_through(flat, i, passed))
      return 0;
  }
  return 1;
}

/* Every sphere in the way multiplies the light once (an opaque one ends
 * the search), so the traversal visits every blocker, not just the first.
 * Shadow rays go straight: glass dims and tints a shadow but does not bend
 * or focus it. */
CLRT_TESTABLE clrt_vec3 clrt_transmission(const clrt_flat_view *flat, clrt_trace_key *key, clrt_ray ray, float max_t) {
  ++key->shadow_rays;
  clrt_vec3 passed = clrt_vec3_make(1.0f, 1.0f, 1.0f), blocked = clrt_vec3_make(0.0f, 0.0f, 0.0f);
  if (flat->params->scan_spheres)
    return clrt_leaf_transmission(flat, ray, 0u, flat->params->sphere_count, max_t, &passed) ? passed : blocked;
  clrt_box_ray box_ray = clrt_box_ray_of(ray);
  clrt_bvh_stack stack;
  stack.top = 0u;
  clrt_uint index = 0u;
  for (;;) {
    CLRT_ARRAY_SPACE const clrt_bvh_node *node = &flat->bvh_nodes[index];
    clrt_vec4 entries = clrt_child_entries(&box_ray, node, max_t);
    float entry[CLRT_BVH_WIDTH] = {entries.x, entries.y, entries.z, entries.w};
    for (int c = 0; c < CLRT_BVH_WIDTH; ++c) {
      if (entry[c] == CLRT_INFINITY || node->count[c] == 0u)
        continue;
      if (!clrt_leaf_transmission(flat, ray, node->first[c], node->count[c], max_t, &passed))
        return blocked;
      entry[c] = CLRT_INFINITY;
    }
    if (!clrt_descend(node, entry, &stack, &index) && !clrt_pop(&stack, max_t, &index))
      return passed;
  }
}
