/* BVH traversal: the nearest sphere along a ray (closest hit), and the
 * light let through along a segment (every sphere in the way), front to
 * back through the 4-wide BVH (clrt_bvh_node), or by testing every sphere
 * in turn when the scene has only a few. */
#include "bvh.h"
#include "material.h"
#include "sphere.h"

/* The smallest direction component a box test divides by: a smaller one
 * (0 included) is replaced by this, with its sign, so that no inverse is
 * infinite (no 0 * infinity, no NaN in the slab test's min and max, and
 * nothing that -cl-fast-relaxed-math may assume away). The slab test then
 * places a parallel ray's entry and exit 1e30 times its offset away: out
 * of reach where it is outside the slab, everywhere where it is inside. */
#define CLRT_MIN_DIRECTION_COMPONENT 1e-30f

/* A ray ready for box tests: its origin and the inverse of its direction. */
typedef struct clrt_box_ray {
  clrt_vec3 origin;
  clrt_vec3 inverse;
} clrt_box_ray;

CLRT_INTERNAL float clrt_finite_inverse(float d) {
  float least = d < 0.0f ? -CLRT_MIN_DIRECTION_COMPONENT : CLRT_MIN_DIRECTION_COMPONENT;
  return 1.0f / (clrt_fabs(d) > CLRT_MIN_DIRECTION_COMPONENT ? d : least);
}

CLRT_INTERNAL clrt_box_ray clrt_box_ray_of(clrt_ray ray) {
  clrt_box_ray box_ray;
  box_ray.origin = ray.origin;
  box_ray.inverse = clrt_vec3_make(clrt_finite_inverse(ray.direction.x), clrt_finite_inverse(ray.direction.y),
                                   clrt_finite_inverse(ray.direction.z));
  return box_ray;
}

/* Where the ray enters each of a node's four children within [0, limit]
 * (the slab test, a lane per child), CLRT_NO_HIT where it does not. An
 * unused child's box lies at +infinity on every axis: no ray enters it. */
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

/* Nodes still to visit: node numbers only (a node popped is tested again
 * against the nearest hit, rather than its entry kept beside it), `top`
 * kept apart from the array so that it stays in a register. A visit
 * leaves at most three children waiting, and the builder keeps every path
 * within CLRT_BVH_MAX_DEPTH nodes, so it never overflows. */
typedef clrt_uint clrt_bvh_stack[CLRT_BVH_STACK_SIZE];

/* One child of a node while the children are put in order. */
typedef struct clrt_child {
  float entry; /* CLRT_NO_HIT: not entered */
  clrt_uint node;
} clrt_child;

CLRT_INTERNAL clrt_child clrt_child_of(CLRT_ARRAY_SPACE const clrt_bvh_node *node, int c, float entry) {
  clrt_child child;
  child.entry = entry;
  child.node = node->first[c];
  return child;
}

/* Puts two children in the order the ray enters them. */
CLRT_INTERNAL void clrt_order_children(clrt_child *near, clrt_child *far) {
  clrt_child a = *near, b = *far;
  int swap = b.entry < a.entry;
  *near = swap ? b : a;
  *far = swap ? a : b;
}

/* The next node to visit among the inner children entered (`entries`
 * not CLRT_NO_HIT; leaves are already done): the nearest, the others
 * waiting on the stack, nearer on top. A sorting network of five
 * compare-and-swaps on named values, not a loop over an array, so that
 * everything stays in registers. False when no child was entered. */
CLRT_INTERNAL int clrt_descend(CLRT_ARRAY_SPACE const clrt_bvh_node *node, clrt_vec4 entries, clrt_bvh_stack stack,
                               clrt_uint *top, clrt_uint *next) {
  clrt_child c0 = clrt_child_of(node, 0, entries.x), c1 = clrt_child_of(node, 1, entries.y);
  clrt_child c2 = clrt_child_of(node, 2, entries.z), c3 = clrt_child_of(node, 3, entries.w);
  clrt_order_children(&c0, &c1);
  clrt_order_children(&c2, &c3);
  clrt_order_children(&c0, &c2);
  clrt_order_children(&c1, &c3);
  clrt_order_children(&c1, &c2);
  if (c0.entry == CLRT_NO_HIT)
    return 0;
  if (c3.entry != CLRT_NO_HIT)
    stack[(*top)++] = c3.node;
  if (c2.entry != CLRT_NO_HIT)
    stack[(*top)++] = c2.node;
  if (c1.entry != CLRT_NO_HIT)
    stack[(*top)++] = c1.node;
  *next = c0.node;
  return 1;
}

/* The next waiting node; false when there is none. */
CLRT_INTERNAL int clrt_pop(const clrt_bvh_stack stack, clrt_uint *top, clrt_uint *next) {
  if (*top == 0u)
    return 0;
  *next = stack[--*top];
  return 1;
}

/* Whether sphere i beats the equally near sphere `best`: ties go to the
 * lower index in the scene file, whatever the BVH's order. */
CLRT_INTERNAL int clrt_wins_tie(const clrt_flat_view *flat, clrt_uint i, clrt_uint best) {
  return flat->sphere_shading[i].scene_index < flat->sphere_shading[best].scene_index;
}

/* The spheres of a leaf, for either search (clrt_traverse): the nearest
 * hit closer than *limit; or, for a shadow ray, every sphere in the way
 * before *limit dims *passed (false when an opaque one blocks it). */
CLRT_INTERNAL int clrt_leaf_visit(const clrt_flat_view *flat, clrt_ray ray, clrt_uint first, clrt_uint count,
                                  int shadow, float *limit, clrt_uint *hit_index, clrt_vec3 *passed) {
  for (clrt_uint i = first; i < first + count; ++i) {
    float t = clrt_ray_scene_sphere(flat, i, ray);
    if (shadow) {
      if (t < *limit && !clrt_pass_through(flat, i, passed))
        return 0;
    } else if (t < *limit || (t == *limit && t != CLRT_NO_HIT && clrt_wins_tie(flat, i, *hit_index))) {
      *limit = t;
      *hit_index = i;
    }
  }
  return 1;
}

/* Child c of a node, entered at `entry`: a leaf's spheres are visited now
 * (*open becomes false when one blocks a shadow ray; once blocked,
 * nothing more is tested) and the child leaves the traversal
 * (CLRT_NO_HIT); an inner child keeps its entry. */
CLRT_INTERNAL float clrt_child_visit(const clrt_flat_view *flat, clrt_ray ray,
                                     CLRT_ARRAY_SPACE const clrt_bvh_node *node, int c, float entry, int shadow,
                                     float *limit, clrt_uint *hit_index, clrt_vec3 *passed, int *open) {
  if (entry == CLRT_NO_HIT || node->count[c] == 0u)
    return entry;
  if (*open)
    *open = clrt_leaf_visit(flat, ray, node->first[c], node->count[c], shadow, limit, hit_index, passed);
  return CLRT_NO_HIT;
}

/* One traversal for both searches, front to back through the BVH, a
 * node's leaves tested at once, every node skipped that the ray enters
 * beyond *limit:
 *  - the nearest sphere closer than *limit (start at CLRT_NO_HIT for
 *    any): *limit becomes its distance, *hit_index its position;
 *  - shadow: every sphere in the way before *limit multiplies *passed
 *    once (so every blocker is visited, not just the first); an opaque
 *    one makes it 0 and ends the search.
 * The path integrator traces all the rays of a path through this one
 * loop, the search a value rather than a second copy of the loop: on a
 * GPU, each copy inlined would hold registers of its own. */
CLRT_INTERNAL void clrt_traverse(const clrt_flat_view *flat, clrt_ray ray, int shadow, float *limit,
                                 clrt_uint *hit_index, clrt_vec3 *passed) {
  int open = 1;
  if (flat->params->scan_spheres) {
    open = clrt_leaf_visit(flat, ray, 0u, flat->params->sphere_count, shadow, limit, hit_index, passed);
  } else {
    clrt_box_ray box_ray = clrt_box_ray_of(ray);
    clrt_bvh_stack stack;
    clrt_uint top = 0u, index = 0u;
    for (;;) {
      CLRT_ARRAY_SPACE const clrt_bvh_node *node = &flat->bvh_nodes[index];
      clrt_vec4 e = clrt_child_entries(&box_ray, node, *limit);
      e.x = clrt_child_visit(flat, ray, node, 0, e.x, shadow, limit, hit_index, passed, &open);
      e.y = clrt_child_visit(flat, ray, node, 1, e.y, shadow, limit, hit_index, passed, &open);
      e.z = clrt_child_visit(flat, ray, node, 2, e.z, shadow, limit, hit_index, passed, &open);
      e.w = clrt_child_visit(flat, ray, node, 3, e.w, shadow, limit, hit_index, passed, &open);
      if (!open)
        break;
      /* The leaves may have found a hit nearer than some inner children. */
      e = clrt_vec4_entered(e, clrt_vec4_splat(*limit));
      if (!clrt_descend(node, e, stack, &top, &index) && !clrt_pop(stack, &top, &index))
        break;
    }
  }
  if (!open)
    *passed = clrt_vec3_make(0.0f, 0.0f, 0.0f);
}

CLRT_TESTABLE float clrt_nearest_hit(const clrt_flat_view *flat, clrt_ray ray, clrt_uint *hit_index) {
  float nearest = CLRT_NO_HIT;
  clrt_vec3 unused = clrt_vec3_make(1.0f, 1.0f, 1.0f);
  clrt_traverse(flat, ray, 0, &nearest, hit_index, &unused);
  return nearest;
}

/* Shadow rays go straight: glass dims and tints a shadow but does not bend
 * or focus it. */
CLRT_TESTABLE clrt_vec3 clrt_transmission(const clrt_flat_view *flat, clrt_trace_key *key, clrt_ray ray, float max_t) {
  ++key->shadow_rays;
  clrt_vec3 passed = clrt_vec3_make(1.0f, 1.0f, 1.0f);
  clrt_uint unused = 0u;
  clrt_traverse(flat, ray, 1, &max_t, &unused, &passed);
  return passed;
}
