/* Whitted-style tracer shared by the OpenCL kernel and the host reference.
 *
 * Compiled as OpenCL C (embedded into the program source) and as C11 (in
 * the host library), so the reference renderer runs this exact code. No
 * recursion (OpenCL forbids it): the mirror and refraction branches of a
 * camera ray's tree wait on an explicit, bounded stack. Every random number
 * is a hash of (pixel, sample, tree node, purpose, index): nothing depends
 * on the tile, the work-group or the device.
 */
#include "clrt_tracer.h"

/* A secondary ray starts this far off the surface, relative to the scale of
 * the coordinates involved: float positions carry a relative error of about
 * 1e-7, so 4e-6 clears it with margin (no acne) while staying far below any
 * visible gap (no light leaking where spheres touch). */
#define CLRT_SURFACE_OFFSET_RELATIVE 4e-6f

/* Hash purposes, so that different random decisions never share a stream. */
#define CLRT_PURPOSE_PIXEL 0u
#define CLRT_PURPOSE_LENS 1u
#define CLRT_PURPOSE_LENS_STRATUM 2u
#define CLRT_PURPOSE_FIRST_LIGHT 16u /* light i uses purpose 16 + i */

/* 2^-24: turns the top 24 bits of a hash into a float in [0, 1). */
#define CLRT_UNIT_FLOAT_SCALE (1.0f / 16777216.0f)

#define CLRT_PI 3.14159265358979323846f

clrt_uint clrt_hash_u32(clrt_uint value) {
  /* An integer finaliser with full avalanche (Wellons' "lowbias32"). */
  value ^= value >> 16;
  value *= 0x7feb352du;
  value ^= value >> 15;
  value *= 0x846ca68bu;
  value ^= value >> 16;
  return value;
}

clrt_uint clrt_sample_seed(clrt_uint x, clrt_uint y, clrt_uint sample) {
  return clrt_hash_u32(clrt_hash_u32(clrt_hash_u32(x) ^ y) ^ sample);
}

/* A number in [0, 1) determined by the pixel sample (seed), the node of
 * its ray tree, the purpose and an index within that purpose. */
CLRT_INTERNAL float clrt_random_unit(clrt_uint seed, clrt_uint node, clrt_uint purpose, clrt_uint index) {
  clrt_uint h = clrt_hash_u32(clrt_hash_u32(clrt_hash_u32(seed ^ node) ^ purpose) ^ index);
  return (float)(h >> 8) * CLRT_UNIT_FLOAT_SCALE;
}

/* Point `index` of `count` stratified points in the unit square: a k x k
 * grid of cells (k = floor(sqrt(count))), jittered inside each cell; the
 * points beyond the grid are jittered over the whole square. */
CLRT_INTERNAL void clrt_stratified_point(clrt_uint seed, clrt_uint node, clrt_uint purpose, clrt_uint index,
                                         clrt_uint count, float *u, float *v) {
  float jitter_u = clrt_random_unit(seed, node, purpose, 2u * index);
  float jitter_v = clrt_random_unit(seed, node, purpose, 2u * index + 1u);
  clrt_uint grid = (clrt_uint)clrt_floor(clrt_sqrt((float)count));
  if (index < grid * grid) {
    *u = ((float)(index % grid) + jitter_u) / (float)grid;
    *v = ((float)(index / grid) + jitter_v) / (float)grid;
  } else {
    *u = jitter_u;
    *v = jitter_v;
  }
}

/* Maps the unit square onto the unit disk, keeping strata compact
 * (Shirley and Chiu's concentric mapping). In each half the angle is
 * pi/4 times a ratio in [-1, 1], so clrt_sin_cos_quarter covers it. */
CLRT_INTERNAL void clrt_square_to_disk(float u, float v, float *x, float *y) {
  float a = 2.0f * u - 1.0f, b = 2.0f * v - 1.0f;
  if (a == 0.0f && b == 0.0f) {
    *x = 0.0f;
    *y = 0.0f;
    return;
  }
  float sine, cosine;
  if (clrt_fabs(a) > clrt_fabs(b)) {
    clrt_sin_cos_quarter((CLRT_PI / 4.0f) * (b / a), &sine, &cosine);
    *x = a * cosine;
    *y = a * sine;
  } else {
    /* angle pi/2 - phi: cos and sin swap */
    clrt_sin_cos_quarter((CLRT_PI / 4.0f) * (a / b), &sine, &cosine);
    *x = b * sine;
    *y = b * cosine;
  }
}

clrt_ray clrt_camera_ray(const clrt_camera *camera, float s, float t, float lens_x, float lens_y) {
  clrt_vec3 direction = clrt_vec3_add(
      clrt_vec3_add(clrt_vec3_from4(camera->lower_left), clrt_vec3_scale(clrt_vec3_from4(camera->horizontal), s)),
      clrt_vec3_scale(clrt_vec3_from4(camera->vertical), t));
  clrt_ray ray;
  ray.origin = clrt_vec3_from4(camera->origin);
  float lens_radius = camera->unit_u.w;
  if (lens_radius <= 0.0f) {
    ray.direction = clrt_vec3_normalize(direction);
    return ray;
  }
  /* Thin lens: start on the lens, aim at the point in focus. */
  clrt_vec3 offset = clrt_vec3_scale(clrt_vec3_add(clrt_vec3_scale(clrt_vec3_from4(camera->unit_u), lens_x),
                                                   clrt_vec3_scale(clrt_vec3_from4(camera->unit_v), lens_y)),
                                     lens_radius);
  ray.origin = clrt_vec3_add(ray.origin, offset);
  ray.direction = clrt_vec3_normalize(clrt_vec3_sub(clrt_vec3_scale(direction, camera->unit_v.w), offset));
  return ray;
}

float clrt_ray_sphere(clrt_ray ray, clrt_float4 center_radius) {
  clrt_vec3 oc = clrt_vec3_sub(ray.origin, clrt_vec3_from4(center_radius));
  float radius = center_radius.w;
  float b = clrt_vec3_dot(oc, ray.direction);
  /* Discriminant from the ray's closest approach to the center: far more
   * precise than b*b - c when the sphere is small and distant. */
  clrt_vec3 closest = clrt_vec3_sub(oc, clrt_vec3_scale(ray.direction, b));
  float discriminant = radius * radius - clrt_vec3_dot(closest, closest);
  if (discriminant < 0.0f)
    return CLRT_INFINITY;
  float c = clrt_vec3_dot(oc, oc) - radius * radius;
  /* q and c/q are the two roots, computed without cancellation. */
  float h = clrt_sqrt(discriminant);
  float q = b > 0.0f ? -b - h : -b + h;
  float t_q = q;
  float t_c = q != 0.0f ? c / q : 0.0f;
  float t_near = t_q < t_c ? t_q : t_c;
  float t_far = t_q < t_c ? t_c : t_q;
  if (t_near > 0.0f)
    return t_near;
  if (t_far > 0.0f)
    return t_far;
  return CLRT_INFINITY;
}

/* ---- the BVH ---- */

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
CLRT_INTERNAL clrt_vec4 clrt_child_entries(const clrt_box_ray *ray, CLRT_SCENE_SPACE const clrt_bvh_node *node,
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
CLRT_INTERNAL int clrt_descend(CLRT_SCENE_SPACE const clrt_bvh_node *node, const float entry[CLRT_BVH_WIDTH],
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
CLRT_INTERNAL int clrt_wins_tie(const clrt_scene_view *scene, clrt_uint i, clrt_uint best) {
  return scene->sphere_shading[i].scene_index < scene->sphere_shading[best].scene_index;
}

/* The spheres of a leaf against the nearest hit so far. */
CLRT_INTERNAL void clrt_leaf_nearest(const clrt_scene_view *scene, clrt_ray ray, clrt_uint first, clrt_uint count,
                                     float *nearest, clrt_uint *hit_index) {
  for (clrt_uint i = first; i < first + count; ++i) {
    float t = clrt_ray_sphere(ray, scene->spheres[i].center_radius);
    if (t < *nearest || (t == *nearest && t != CLRT_INFINITY && clrt_wins_tie(scene, i, *hit_index))) {
      *nearest = t;
      *hit_index = i;
    }
  }
}

/* Nearest sphere along the ray (its position in the arrays goes to
 * *hit_index): front to back through the BVH, a node's leaves tested at
 * once, and every node skipped that the ray enters beyond the nearest hit
 * found so far. */
CLRT_TESTABLE float clrt_nearest_hit(const clrt_scene_view *scene, clrt_ray ray, clrt_uint *hit_index) {
  float nearest = CLRT_INFINITY;
  if (scene->params->scan_spheres) {
    clrt_leaf_nearest(scene, ray, 0u, scene->params->sphere_count, &nearest, hit_index);
    return nearest;
  }
  clrt_box_ray box_ray = clrt_box_ray_of(ray);
  clrt_bvh_stack stack;
  stack.top = 0u;
  clrt_uint index = 0u;
  for (;;) {
    CLRT_SCENE_SPACE const clrt_bvh_node *node = &scene->bvh_nodes[index];
    clrt_vec4 entries = clrt_child_entries(&box_ray, node, nearest);
    float entry[CLRT_BVH_WIDTH] = {entries.x, entries.y, entries.z, entries.w};
    for (int c = 0; c < CLRT_BVH_WIDTH; ++c) {
      if (entry[c] == CLRT_INFINITY || node->count[c] == 0u)
        continue;
      clrt_leaf_nearest(scene, ray, node->first[c], node->count[c], &nearest, hit_index);
      entry[c] = CLRT_INFINITY;
    }
    for (int c = 0; c < CLRT_BVH_WIDTH; ++c)
      entry[c] = entry[c] <= nearest ? entry[c] : CLRT_INFINITY;
    if (!clrt_descend(node, entry, &stack, &index) && !clrt_pop(&stack, nearest, &index))
      return nearest;
  }
}

/* A sphere's colour: its own, or its material's. */
CLRT_INTERNAL clrt_vec3 clrt_sphere_color(const clrt_scene_view *scene, clrt_uint i,
                                          CLRT_SCENE_SPACE const clrt_material *material) {
  clrt_float4 own = scene->sphere_shading[i].color;
  return own.w > 0.0f ? clrt_vec3_from4(own) : clrt_vec3_from4(material->color);
}

/* Light let through by the spheres of a leaf, each in the way before
 * max_t multiplying it by its transparency times colour; false when an
 * opaque one blocks it. */
CLRT_INTERNAL int clrt_leaf_transmission(const clrt_scene_view *scene, clrt_ray ray, clrt_uint first, clrt_uint count,
                                         float max_t, clrt_vec3 *passed) {
  for (clrt_uint i = first; i < first + count; ++i) {
    if (clrt_ray_sphere(ray, scene->spheres[i].center_radius) >= max_t)
      continue;
    CLRT_SCENE_SPACE const clrt_material *blocker = &scene->materials[scene->sphere_shading[i].material];
    if (blocker->transparency <= 0.0f)
      return 0;
    *passed = clrt_vec3_mul(*passed, clrt_vec3_scale(clrt_sphere_color(scene, i, blocker), blocker->transparency));
  }
  return 1;
}

/* How much light gets through along the segment from the ray's origin to
 * distance max_t: every sphere in the way multiplies it once by its
 * material's transparency times its colour (0 for an opaque one, which
 * ends the search). So the traversal visits every blocker, not just the
 * first. Shadow rays go straight: glass dims and tints a shadow but does
 * not bend or focus it. */
CLRT_TESTABLE clrt_vec3 clrt_transmission(const clrt_scene_view *scene, clrt_trace_key *key, clrt_ray ray,
                                          float max_t) {
  ++key->rays;
  clrt_vec3 passed = clrt_vec3_make(1.0f, 1.0f, 1.0f), blocked = clrt_vec3_make(0.0f, 0.0f, 0.0f);
  if (scene->params->scan_spheres)
    return clrt_leaf_transmission(scene, ray, 0u, scene->params->sphere_count, max_t, &passed) ? passed : blocked;
  clrt_box_ray box_ray = clrt_box_ray_of(ray);
  clrt_bvh_stack stack;
  stack.top = 0u;
  clrt_uint index = 0u;
  for (;;) {
    CLRT_SCENE_SPACE const clrt_bvh_node *node = &scene->bvh_nodes[index];
    clrt_vec4 entries = clrt_child_entries(&box_ray, node, max_t);
    float entry[CLRT_BVH_WIDTH] = {entries.x, entries.y, entries.z, entries.w};
    for (int c = 0; c < CLRT_BVH_WIDTH; ++c) {
      if (entry[c] == CLRT_INFINITY || node->count[c] == 0u)
        continue;
      if (!clrt_leaf_transmission(scene, ray, node->first[c], node->count[c], max_t, &passed))
        return blocked;
      entry[c] = CLRT_INFINITY;
    }
    if (!clrt_descend(node, entry, &stack, &index) && !clrt_pop(&stack, max_t, &index))
      return passed;
  }
}

/* Unit vectors a, b completing the unit vector n to an orthonormal basis. */
CLRT_INTERNAL void clrt_basis_around(clrt_vec3 n, clrt_vec3 *a, clrt_vec3 *b) {
  clrt_vec3 helper = clrt_fabs(n.x) > 0.5f ? clrt_vec3_make(0.0f, 1.0f, 0.0f) : clrt_vec3_make(1.0f, 0.0f, 0.0f);
  *a = clrt_vec3_normalize(clrt_vec3_cross(helper, n));
  *b = clrt_vec3_cross(n, *a);
}

/* The share of a light that reaches `origin`, per channel. A point light
 * takes one shadow ray; a sphere light takes shadow_samples rays to
 * stratified points of its disk as seen from origin and averages them. */
CLRT_INTERNAL clrt_vec3 clrt_light_visibility(const clrt_scene_view *scene, clrt_trace_key *key, clrt_uint light_index,
                                              clrt_vec3 origin, clrt_vec3 to_light, float distance) {
  CLRT_SCENE_SPACE const clrt_light *light = &scene->lights[light_index];
  clrt_ray shadow_ray;
  shadow_ray.origin = origin;
  if (light->radius <= 0.0f) {
    shadow_ray.direction = to_light;
    return clrt_transmission(scene, key, shadow_ray, distance);
  }
  clrt_vec3 across, up;
  clrt_basis_around(to_light, &across, &up);
  clrt_vec3 center = clrt_vec3_from4(light->position);
  clrt_vec3 sum = clrt_vec3_make(0.0f, 0.0f, 0.0f);
  clrt_uint count = scene->params->shadow_samples;
  for (clrt_uint i = 0; i < count; ++i) {
    float u, v, dx, dy;
    clrt_stratified_point(key->seed, key->node, CLRT_PURPOSE_FIRST_LIGHT + light_index, i, count, &u, &v);
    clrt_square_to_disk(u, v, &dx, &dy);
    clrt_vec3 target = clrt_vec3_add(
        center, clrt_vec3_scale(clrt_vec3_add(clrt_vec3_scale(across, dx), clrt_vec3_scale(up, dy)), light->radius));
    clrt_vec3 toward = clrt_vec3_sub(target, origin);
    float length = clrt_vec3_length(toward);
    shadow_ray.direction = clrt_vec3_div(toward, length);
    sum = clrt_vec3_add(sum, clrt_transmission(scene, key, shadow_ray, length));
  }
  return clrt_vec3_div(sum, (float)count);
}

/* Light arriving from one light: diffuse + specular, scaled by how much of
 * the light is visible; nothing when the light is behind the surface. */
CLRT_INTERNAL clrt_vec3 clrt_shade_light(const clrt_scene_view *scene, clrt_trace_key *key,
                                         CLRT_SCENE_SPACE const clrt_material *material, clrt_vec3 color,
                                         clrt_uint light_index, clrt_vec3 shadow_origin, clrt_vec3 normal,
                                         clrt_vec3 to_eye) {
  clrt_vec3 zero = clrt_vec3_make(0.0f, 0.0f, 0.0f);
  CLRT_SCENE_SPACE const clrt_light *light = &scene->lights[light_index];
  clrt_vec3 to_light = clrt_vec3_sub(clrt_vec3_from4(light->position), shadow_origin);
  float distance = clrt_vec3_length(to_light);
  clrt_vec3 l = clrt_vec3_div(to_light, distance);
  float n_dot_l = clrt_vec3_dot(normal, l);
  if (n_dot_l <= 0.0f)
    return zero;
  clrt_vec3 visible = clrt_vec3_make(1.0f, 1.0f, 1.0f);
  if (scene->params->shadows) {
    visible = clrt_light_visibility(scene, key, light_index, shadow_origin, l, distance);
    if (visible.x <= 0.0f && visible.y <= 0.0f && visible.z <= 0.0f)
      return zero;
  }
  clrt_vec3 diffuse = clrt_vec3_scale(color, material->diffuse * n_dot_l);
  float r_dot_v = clrt_vec3_dot(clrt_vec3_reflect(clrt_vec3_scale(l, -1.0f), normal), to_eye);
  float specular = 0.0f;
  if (r_dot_v > 0.0f && material->specular > 0.0f)
    specular = material->specular * clrt_pow_positive(r_dot_v, material->shininess);
  clrt_vec3 reflected = clrt_vec3_add(diffuse, clrt_vec3_make(specular, specular, specular));
  return clrt_vec3_mul(visible,
                       clrt_vec3_scale(clrt_vec3_mul(clrt_vec3_from4(light->color), reflected), light->intensity));
}

/* Ambient plus the sum over lights, at a hit point of a surface of
 * colour `color` (the sphere's own, or its material's). */
CLRT_INTERNAL clrt_vec3 clrt_shade_local(const clrt_scene_view *scene, clrt_trace_key *key,
                                         CLRT_SCENE_SPACE const clrt_material *material, clrt_vec3 color,
                                         clrt_vec3 shadow_origin, clrt_vec3 normal, clrt_vec3 to_eye) {
  clrt_vec3 local_color = clrt_vec3_scale(color, material->ambient);
  for (clrt_uint i = 0; i < scene->params->light_count; ++i)
    local_color =
        clrt_vec3_add(local_color, clrt_shade_light(scene, key, material, color, i, shadow_origin, normal, to_eye));
  return local_color;
}

/* Moves a surface point off the surface, to the side `normal` points to. */
CLRT_INTERNAL clrt_vec3 clrt_offset_from_surface(clrt_vec3 point, clrt_vec3 normal, float radius) {
  float scale = clrt_fmax(1.0f, clrt_fmax(radius, clrt_max_abs_component(point)));
  return clrt_vec3_add(point, clrt_vec3_scale(normal, CLRT_SURFACE_OFFSET_RELATIVE * scale));
}

/* Where a ray hit: the point, the normal facing the ray, and whether the
 * ray came from outside the sphere. */
typedef struct clrt_surface {
  clrt_vec3 point;
  clrt_vec3 normal;
  int entering;
  float radius;
} clrt_surface;

CLRT_INTERNAL clrt_surface clrt_surface_at(CLRT_SCENE_SPACE const clrt_sphere *sphere, clrt_ray ray, float t) {
  clrt_surface surface;
  surface.point = clrt_vec3_add(ray.origin, clrt_vec3_scale(ray.direction, t));
  surface.normal = clrt_vec3_normalize(clrt_vec3_sub(surface.point, clrt_vec3_from4(sphere->center_radius)));
  surface.entering = clrt_vec3_dot(surface.normal, ray.direction) < 0.0f;
  if (!surface.entering)
    surface.normal = clrt_vec3_scale(surface.normal, -1.0f); /* seen from inside: face the ray */
  surface.radius = sphere->center_radius.w;
  return surface;
}

float clrt_refract(clrt_vec3 direction, clrt_vec3 normal, int entering, float ior, clrt_vec3 *refracted) {
  float eta = entering ? 1.0f / ior : ior;
  float cos_incident = -clrt_vec3_dot(direction, normal);
  float sin2_transmitted = eta * eta * (1.0f - cos_incident * cos_incident);
  if (sin2_transmitted >= 1.0f)
    return 1.0f;
  float cos_transmitted = clrt_sqrt(1.0f - sin2_transmitted);
  *refracted = clrt_vec3_normalize(
      clrt_vec3_add(clrt_vec3_scale(direction, eta), clrt_vec3_scale(normal, eta * cos_incident - cos_transmitted)));
  float r0 = (1.0f - ior) / (1.0f + ior);
  r0 = r0 * r0;
  /* Schlick's cosine is the one on the optically thinner side. */
  float cosine = entering ? cos_incident : cos_transmitted;
  float grazing = 1.0f - cosine;
  return r0 + (1.0f - r0) * grazing * grazing * grazing * grazing * grazing;
}

/* One pending ray of the tree: where it goes and its share of the pixel. */
typedef struct clrt_branch {
  clrt_ray ray;
  float weight;
  clrt_uint depth;
  clrt_uint node; /* heap numbering: root 1, children 2n (mirror), 2n+1 (refraction) */
} clrt_branch;

/* A camera ray's tree being traced: the branches waiting, and whether one
 * was left out for want of room (or budget). */
typedef struct clrt_tree {
  clrt_branch pending[CLRT_TRACE_STACK_SIZE];
  clrt_uint top;
  clrt_uint cut_short;
  float dropped; /* the weight of the branches too light to trace */
} clrt_tree;

/* Queues a branch. Branches too light to matter are dropped while their
 * weights add up to less than max_dropped_weight: a subtree brings back at
 * most its weight times the scene's brightest radiance, so all that a
 * sample leaves out this way is under half the smallest step between two
 * 8-bit levels (a pixel can end a level off only where it sits that close
 * to the next one). */
CLRT_INTERNAL void clrt_push_branch(const clrt_scene_view *scene, clrt_tree *tree, clrt_vec3 origin,
                                    clrt_vec3 direction, float weight, clrt_uint depth, clrt_uint node) {
  if (weight <= 0.0f)
    return;
  if (tree->dropped + weight < scene->params->max_dropped_weight) {
    tree->dropped += weight;
    return;
  }
  if (tree->top >= CLRT_TRACE_STACK_SIZE) {
    tree->cut_short = 1u;
    return;
  }
  clrt_branch *branch = &tree->pending[tree->top++];
  branch->ray.origin = origin;
  branch->ray.direction = direction;
  branch->weight = weight;
  branch->depth = depth;
  branch->node = node;
}

/* Shades one hit and queues its mirror and refraction branches:
 * (1-kr-kt)*local + kr*reflected + kt*(F*reflected + (1-F)*refracted).
 * The weights sum to 1, so no subtree is brighter than the brightest
 * local shading or background (what max_dropped_weight is made from). */
CLRT_INTERNAL clrt_vec3 clrt_shade_hit(const clrt_scene_view *scene, clrt_trace_key *key, const clrt_branch *branch,
                                       float t, clrt_uint hit_index, clrt_tree *tree) {
  CLRT_SCENE_SPACE const clrt_sphere *sphere = &scene->spheres[hit_index];
  CLRT_SCENE_SPACE const clrt_material *material = &scene->materials[scene->sphere_shading[hit_index].material];
  clrt_surface surface = clrt_surface_at(sphere, branch->ray, t);
  clrt_vec3 outside = clrt_offset_from_surface(surface.point, surface.normal, surface.radius);
  clrt_vec3 to_eye = clrt_vec3_scale(branch->ray.direction, -1.0f);
  float kr = material->reflectivity, kt = material->transparency;
  key->node = branch->node;
  clrt_vec3 color = clrt_sphere_color(scene, hit_index, material);
  clrt_vec3 local_color = clrt_shade_local(scene, key, material, color, outside, surface.normal, to_eye);
  /* At max_depth no branch is traced: mirror and refraction give black. */
  if (branch->depth < scene->params->max_depth) {
    float reflectance = 0.0f;
    clrt_vec3 refracted = clrt_vec3_make(0.0f, 0.0f, 0.0f);
    if (kt > 0.0f)
      reflectance = clrt_refract(branch->ray.direction, surface.normal, surface.entering, material->ior, &refracted);
    clrt_vec3 inside = clrt_offset_from_surface(surface.point, clrt_vec3_scale(surface.normal, -1.0f), surface.radius);
    clrt_push_branch(scene, tree, inside, refracted, branch->weight * kt * (1.0f - reflectance), branch->depth + 1u,
                     2u * branch->node + 1u);
    clrt_push_branch(scene, tree, outside, clrt_vec3_reflect(branch->ray.direction, surface.normal),
                     branch->weight * (kr + kt * reflectance), branch->depth + 1u, 2u * branch->node);
  }
  return clrt_vec3_scale(local_color, branch->weight * (1.0f - kr - kt));
}

clrt_vec3 clrt_trace(const clrt_scene_view *scene, clrt_uint seed, clrt_ray ray, clrt_tally *tally) {
  clrt_tree tree;
  tree.top = 0u;
  tree.cut_short = 0u;
  tree.dropped = 0.0f;
  clrt_push_branch(scene, &tree, ray.origin, ray.direction, 1.0f, 0u, 1u);
  clrt_trace_key key;
  key.seed = seed;
  key.node = 1u;
  key.rays = 0u;
  clrt_vec3 color = clrt_vec3_make(0.0f, 0.0f, 0.0f);
  /* Depth first, so the branches a budget leaves out are always the same
   * ones: the picture stays a function of the scene alone. */
  for (clrt_uint traced = 0u; tree.top > 0u; ++traced) {
    if (traced == scene->params->max_tree_rays) {
      tree.cut_short = 1u;
      break;
    }
    clrt_branch branch = tree.pending[--tree.top];
    clrt_uint hit_index = 0;
    ++key.rays;
    float t = clrt_nearest_hit(scene, branch.ray, &hit_index);
    if (t == CLRT_INFINITY)
      color = clrt_vec3_add(color, clrt_vec3_scale(clrt_vec3_from4(scene->params->background), branch.weight));
    else
      color = clrt_vec3_add(color, clrt_shade_hit(scene, &key, &branch, t, hit_index, &tree));
  }
  tally->rays += key.rays;
  tally->truncated_samples += tree.cut_short;
  return color;
}

/* Where sample `sample` falls inside pixel (x, y), as offsets in [0, 1):
 * the pixel center for a single sample, else stratified jitter. */
CLRT_INTERNAL void clrt_pixel_offset(clrt_uint seed, clrt_uint sample, clrt_uint samples, float *dx, float *dy) {
  if (samples == 1u) {
    *dx = 0.5f;
    *dy = 0.5f;
    return;
  }
  clrt_stratified_point(seed, 0u, CLRT_PURPOSE_PIXEL, sample, samples, dx, dy);
}

/* A point of the unit disk for the lens. The lens strata are the pixel
 * strata rotated by a per-pixel random amount, so that a sample's position
 * in the pixel and on the lens are not correlated. */
CLRT_INTERNAL void clrt_lens_offset(clrt_uint x, clrt_uint y, clrt_uint seed, clrt_uint sample, clrt_uint samples,
                                    float *lens_x, float *lens_y) {
  clrt_uint pixel_seed = clrt_sample_seed(x, y, 0u);
  clrt_uint rotation = clrt_hash_u32(pixel_seed ^ CLRT_PURPOSE_LENS_STRATUM) % samples;
  float u, v;
  clrt_stratified_point(seed, 0u, CLRT_PURPOSE_LENS, (sample + rotation) % samples, samples, &u, &v);
  clrt_square_to_disk(u, v, lens_x, lens_y);
}

clrt_vec3 clrt_trace_pixel(const clrt_scene_view *scene, clrt_uint x, clrt_uint y, clrt_tally *tally) {
  const clrt_trace_params *params = scene->params;
  clrt_vec3 sum = clrt_vec3_make(0.0f, 0.0f, 0.0f);
  for (clrt_uint sample = 0; sample < params->samples; ++sample) {
    clrt_uint seed = clrt_sample_seed(x, y, sample);
    float dx, dy, lens_x = 0.0f, lens_y = 0.0f;
    clrt_pixel_offset(seed, sample, params->samples, &dx, &dy);
    if (params->camera.unit_u.w > 0.0f)
      clrt_lens_offset(x, y, seed, sample, params->samples, &lens_x, &lens_y);
    /* Viewport t runs upwards while image rows run downwards. */
    float s = ((float)x + dx) / (float)params->width;
    float t = ((float)(params->height - 1u - y) + dy) / (float)params->height;
    sum = clrt_vec3_add(sum, clrt_trace(scene, seed, clrt_camera_ray(&params->camera, s, t, lens_x, lens_y), tally));
  }
  return clrt_vec3_div(sum, (float)params->samples);
}
