/* The path integrator's host side (its device side is
 * kernels/integrators/path.c): the most rays a path can cost (it has no
 * parameters of its own to flatten). It never cuts a sample short: a path ends at
 * max_depth, where the model ends it, or by Russian roulette, which is
 * unbiased. */
#include "clrt_integrator.h"

/* A ray to every vertex up to max_depth, and at each a shadow ray per
 * light and one toward an emitter. */
static uint64_t most_rays_per_sample(const clrt_scene *scene, const clrt_trace_params *params) {
  (void)scene;
  uint64_t shadow_rays = (params->shadows ? params->light_count : 0u) + (params->emitter_count > 0u ? 1u : 0u);
  return ((uint64_t)params->max_depth + 1u) * (1u + shadow_rays);
}

const clrt_integrator clrt_integrator_path = {"path", NULL, most_rays_per_sample, NULL};
