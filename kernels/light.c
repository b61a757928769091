/* Lights: visibility through shadow rays, one to a point light, stratified
 * over the disc of a sphere light. */
#include "light.h"

#include "sampling.h"

/* A point light takes one shadow ray; a sphere light takes shadow_samples
 * rays to stratified points of its disk as seen from origin and averages
 * them. */
CLRT_INTERNAL clrt_vec3 clrt_shadow_rays(const clrt_flat_view *flat, clrt_trace_key *key, clrt_uint light_index,
                                         clrt_vec3 origin, clrt_vec3 to_light, float distance) {
  CLRT_ARRAY_SPACE const clrt_light *light = &flat->lights[light_index];
  clrt_ray shadow_ray;
  shadow_ray.origin = origin;
  if (light->radius <= 0.0f) {
    shadow_ray.direction = to_light;
    return clrt_transmission(flat, key, shadow_ray, distance);
  }
  clrt_vec3 across, up;
  clrt_basis_around(to_light, &across, &up);
  clrt_vec3 center = clrt_vec3_from4(light->position);
  clrt_vec3 sum = clrt_vec3_make(0.0f, 0.0f, 0.0f);
  clrt_uint count = flat->params->shadow_samples;
  for (clrt_uint i = 0; i < count; ++i) {
    float u, v, dx, dy;
    clrt_stratified_point(key->seed, key->vertex, CLRT_PURPOSE_FIRST_LIGHT + light_index, i, count, &u, &v);
    clrt_square_to_disk(u, v, &dx, &dy);
    clrt_vec3 target = clrt_vec3_add(
        center, clrt_vec3_scale(clrt_vec3_add(clrt_vec3_scale(across, dx), clrt_vec3_scale(up, dy)), light->radius));
    clrt_vec3 toward = clrt_vec3_sub(target, origin);
    float length = clrt_vec3_length(toward);
    shadow_ray.direction = clrt_vec3_div(toward, length);
    sum = clrt_vec3_add(sum, clrt_transmission(flat, key, shadow_ray, length));
  }
  return clrt_vec3_div(sum, (float)count);
}

CLRT_INTERNAL clrt_vec3 clrt_light_visibility(const clrt_flat_view *flat, clrt_trace_key *key, clrt_uint light_index,
                                              clrt_vec3 origin, clrt_vec3 to_light, float distance) {
  if (!flat->params->shadows)
    return clrt_vec3_make(1.0f, 1.0f, 1.0f);
  return clrt_shadow_rays(flat, key, light_index, origin, to_light, distance);
}
