/* The Whitted integrator: at each hit, Phong shading from every light plus
 * a constant ambient, and the mirror and refraction rays traced further.
 *
 * No recursion (OpenCL forbids it): the branches of a camera ray's tree
 * wait on an explicit, bounded stack, depth first. The tree is bounded
 * (max_tree_rays, and branches too light to matter are left out), always
 * the same way, so that no scene makes a pixel's work grow without end
 * and the picture stays a function of the scene alone. */
#include "camera.h"
#include "clrt_tracer.h"
#include "light.h"
#include "material.h"
#include "sampling.h"
#include "sphere.h"

/* One pending ray of the tree: where it goes and its share of the pixel.
 * Its ray is kept as six floats, not a clrt_ray (two float3, 16 bytes
 * each on the device): every work-item keeps a stack of these in memory,
 * 36 bytes each rather than 48. */
typedef struct clrt_branch {
  float origin_x, origin_y, origin_z;
  float direction_x, direction_y, direction_z;
  float weight;
  clrt_uint depth;
  clrt_uint vertex; /* heap numbering: root 1, children 2n (mirror), 2n+1 (refraction) */
} clrt_branch;

CLRT_INTERNAL clrt_ray clrt_branch_ray(const clrt_branch *branch) {
  clrt_ray ray;
  ray.origin = clrt_vec3_make(branch->origin_x, branch->origin_y, branch->origin_z);
  ray.direction = clrt_vec3_make(branch->direction_x, branch->direction_y, branch->direction_z);
  return ray;
}

/* A camera ray's tree being traced: the branches waiting (an array of
 * CLRT_WHITTED_STACK_SIZE, kept apart so that the counts beside it stay
 * in registers), and whether one was left out for want of room (or
 * budget). */
typedef struct clrt_tree {
  clrt_branch *pending;
  clrt_uint top;
  clrt_uint cut_short;
  float dropped; /* the weight of the branches too light to trace */
} clrt_tree;

/* Light arriving from one light: diffuse + specular, scaled by how much of
 * the light is visible; nothing when the light is behind the surface. */
CLRT_INTERNAL clrt_vec3 clrt_shade_light(const clrt_flat_view *flat, clrt_trace_key *key,
                                         CLRT_ARRAY_SPACE const clrt_material *material, clrt_vec3 color,
                                         clrt_uint light_index, clrt_vec3 shadow_origin, clrt_vec3 normal,
                                         clrt_vec3 to_eye) {
  clrt_vec3 zero = clrt_vec3_make(0.0f, 0.0f, 0.0f);
  CLRT_ARRAY_SPACE const clrt_light *light = &flat->lights[light_index];
  clrt_vec3 to_light = clrt_vec3_sub(clrt_vec3_from4(light->position), shadow_origin);
  float distance = clrt_vec3_length(to_light);
  clrt_vec3 l = clrt_vec3_div(to_light, distance);
  float n_dot_l = clrt_vec3_dot(normal, l);
  if (n_dot_l <= 0.0f)
    return zero;
  clrt_vec3 visible = clrt_light_visibility(flat, key, light_index, shadow_origin, l, distance);
  if (visible.x <= 0.0f && visible.y <= 0.0f && visible.z <= 0.0f)
    return zero;
  clrt_vec3 reflected = clrt_phong(material, color, normal, l, n_dot_l, to_eye);
  return clrt_vec3_mul(visible,
                       clrt_vec3_scale(clrt_vec3_mul(clrt_vec3_from4(light->color), reflected), light->intensity));
}

/* Ambient occlusion: the cosine-weighted share of the hemisphere around
 * the normal that is open within occlusion_distance, by occlusion_rays
 * rays stratified over it (each a shadow ray: any sphere that near,
 * glass included, closes its direction). */
CLRT_INTERNAL float clrt_open_share(const clrt_flat_view *flat, clrt_trace_key *key, clrt_vec3 origin,
                                    clrt_vec3 normal) {
  CLRT_PARAMS_SPACE const clrt_whitted_params *whitted = &flat->params->integrator_params.whitted;
  clrt_uint open = 0u;
  for (clrt_uint i = 0; i < whitted->occlusion_rays; ++i) {
    float u, v, dx, dy;
    clrt_stratified_point(key->seed, key->vertex, CLRT_PURPOSE_OCCLUSION, i, whitted->occlusion_rays, &u, &v);
    clrt_square_to_disk(u, v, &dx, &dy);
    clrt_ray ray;
    ray.origin = origin;
    ray.direction = clrt_cosine_direction(normal, dx, dy);
    clrt_uint hit = 0u;
    ++key->shadow_rays;
    open += clrt_nearest_hit(flat, ray, &hit) >= whitted->occlusion_distance ? 1u : 0u;
  }
  return (float)open / (float)whitted->occlusion_rays;
}

/* Ambient (scaled by the open share with ambient occlusion) plus the sum
 * over lights, at a hit point of a surface of colour `color` (the
 * sphere's own, or its material's). */
CLRT_INTERNAL clrt_vec3 clrt_shade_local(const clrt_flat_view *flat, clrt_trace_key *key,
                                         CLRT_ARRAY_SPACE const clrt_material *material, clrt_vec3 color,
                                         clrt_vec3 shadow_origin, clrt_vec3 normal, clrt_vec3 to_eye) {
  clrt_vec3 local_color = clrt_vec3_scale(color, material->ambient);
  if (flat->params->integrator_params.whitted.occlusion_rays > 0u && material->ambient > 0.0f)
    local_color = clrt_vec3_scale(local_color, clrt_open_share(flat, key, shadow_origin, normal));
  for (clrt_uint i = 0; i < flat->params->light_count; ++i)
    local_color =
        clrt_vec3_add(local_color, clrt_shade_light(flat, key, material, color, i, shadow_origin, normal, to_eye));
  return local_color;
}

/* Queues a branch. Branches too light to matter are dropped while their
 * weights add up to less than max_dropped_weight: a subtree brings back at
 * most its weight times the scene's brightest radiance, so all that a
 * sample leaves out this way is under half the smallest step between two
 * 8-bit levels (a pixel can end a level off only where it sits that close
 * to the next one). */
CLRT_INTERNAL void clrt_push_branch(const clrt_flat_view *flat, clrt_tree *tree, clrt_vec3 origin, clrt_vec3 direction,
                                    float weight, clrt_uint depth, clrt_uint vertex) {
  if (weight <= 0.0f)
    return;
  if (tree->dropped + weight < flat->params->integrator_params.whitted.max_dropped_weight) {
    tree->dropped += weight;
    return;
  }
  if (tree->top >= CLRT_WHITTED_STACK_SIZE) {
    tree->cut_short = 1u;
    return;
  }
  clrt_branch *branch = &tree->pending[tree->top++];
  branch->origin_x = origin.x;
  branch->origin_y = origin.y;
  branch->origin_z = origin.z;
  branch->direction_x = direction.x;
  branch->direction_y = direction.y;
  branch->direction_z = direction.z;
  branch->weight = weight;
  branch->depth = depth;
  branch->vertex = vertex;
}

/* Shades one hit and queues its mirror and refraction branches:
 * Le + (1-kr-kt)*local + kr*reflected + kt*(F*reflected + (1-F)*refracted).
 * The weights sum to 1, so no subtree is brighter than the brightest
 * local shading or background (what max_dropped_weight is made from). */
CLRT_INTERNAL clrt_vec3 clrt_shade_hit(const clrt_flat_view *flat, clrt_trace_key *key, const clrt_branch *branch,
                                       clrt_ray ray, float t, clrt_uint hit_index, clrt_tree *tree) {
  CLRT_ARRAY_SPACE const clrt_material *material = clrt_material_of(flat, hit_index);
  clrt_surface surface = clrt_surface_at(flat, hit_index, ray, t);
  clrt_vec3 outside = clrt_offset_from_surface(surface.point, surface.normal, surface.radius);
  clrt_vec3 to_eye = clrt_vec3_scale(ray.direction, -1.0f);
  float kr = material->reflectivity, kt = material->transparency;
  key->vertex = branch->vertex;
  clrt_vec3 color = clrt_surface_color(flat, hit_index, material);
  clrt_vec3 local_color = clrt_shade_local(flat, key, material, color, outside, surface.normal, to_eye);
  /* At max_depth no branch is traced: mirror and refraction give black. */
  if (branch->depth < flat->params->max_depth) {
    float reflectance = 0.0f;
    clrt_vec3 refracted = clrt_vec3_make(0.0f, 0.0f, 0.0f);
    if (kt > 0.0f)
      reflectance = clrt_refract(ray.direction, surface.normal, surface.entering, material->ior, &refracted);
    clrt_vec3 inside = clrt_offset_from_surface(surface.point, clrt_vec3_scale(surface.normal, -1.0f), surface.radius);
    clrt_push_branch(flat, tree, inside, refracted, branch->weight * kt * (1.0f - reflectance), branch->depth + 1u,
                     2u * branch->vertex + 1u);
    clrt_push_branch(flat, tree, outside, clrt_vec3_reflect(ray.direction, surface.normal),
                     branch->weight * (kr + kt * reflectance), branch->depth + 1u, 2u * branch->vertex);
  }
  clrt_vec3 emitted = clrt_vec3_scale(clrt_vec3_from4(material->emission), branch->weight);
  return clrt_vec3_add(clrt_vec3_scale(local_color, branch->weight * (1.0f - kr - kt)), emitted);
}

CLRT_TESTABLE clrt_vec3 clrt_whitted_trace(const clrt_flat_view *flat, clrt_uint seed, clrt_ray ray,
                                           CLRT_ITEM_SPACE clrt_tally *tally) {
  clrt_branch pending[CLRT_WHITTED_STACK_SIZE];
  clrt_tree tree;
  tree.pending = pending;
  tree.top = 0u;
  tree.cut_short = 0u;
  tree.dropped = 0.0f;
  clrt_push_branch(flat, &tree, ray.origin, ray.direction, 1.0f, 0u, 1u);
  clrt_trace_key key;
  key.seed = seed;
  key.vertex = 1u;
  key.shadow_rays = 0u;
  clrt_vec3 color = clrt_vec3_make(0.0f, 0.0f, 0.0f);
  /* Depth first, so the branches a budget leaves out are always the same
   * ones: the picture stays a function of the scene alone. */
  clrt_uint traced = 0u;
  for (; tree.top > 0u; ++traced) {
    if (traced == flat->params->integrator_params.whitted.max_tree_rays) {
      tree.cut_short = 1u;
      break;
    }
    clrt_branch branch = tree.pending[--tree.top];
    clrt_ray branch_ray = clrt_branch_ray(&branch);
    clrt_uint hit_index = 0;
    float t = clrt_nearest_hit(flat, branch_ray, &hit_index);
    if (t == CLRT_NO_HIT)
      color = clrt_vec3_add(color, clrt_vec3_scale(clrt_vec3_from4(flat->params->background), branch.weight));
    else
      color = clrt_vec3_add(color, clrt_shade_hit(flat, &key, &branch, branch_ray, t, hit_index, &tree));
  }
  /* Every ray of the tree but the first is a bounce. */
  tally->camera_rays += 1u;
  tally->bounce_rays += traced > 0u ? traced - 1u : 0u;
  tally->shadow_rays += key.shadow_rays;
  tally->cut_short_samples += tree.cut_short;
  return color;
}

CLRT_TESTABLE clrt_vec3 clrt_whitted_radiance(const clrt_flat_view *flat, clrt_pixel_sample sample,
                                              CLRT_ITEM_SPACE clrt_work_item *item) {
  clrt_ray ray = clrt_camera_sample_ray(flat->params, sample.x, sample.y, sample.index, sample.seed);
  return clrt_whitted_trace(flat, sample.seed, ray, &item->tally);
}
