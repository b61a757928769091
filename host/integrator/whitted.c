/* The Whitted integrator's host side (its device side is
 * kernels/integrators/whitted.c): the bounds of a camera ray's tree, the
 * most rays a sample can cost within them, and the warning when samples
 * were cut short. */
#include "clrt_integrator.h"

#include <math.h>
#include <stdbool.h>

/* The largest colour component any surface shows: materials' and the
 * spheres' own. */
static double brightest_color(const clrt_scene *scene) {
  double brightest = 0.0;
  for (size_t i = 0; i < scene->material_count; ++i)
    for (int c = 0; c < 3; ++c)
      brightest = fmax(brightest, scene->materials[i].color[c]);
  for (size_t i = 0; i < scene->sphere_count; ++i)
    if (scene->spheres[i].has_color)
      for (int c = 0; c < 3; ++c)
        brightest = fmax(brightest, scene->spheres[i].color[c]);
  return brightest;
}

/* An upper bound of what a branch of weight 1 can bring back: shading
 * mixes the local colour, the mirror and the refraction branches with
 * weights that sum to 1 (and adds the emission), so no subtree is
 * brighter than the brightest local shading (every light fully lit, head
 * on, plus emission) or the background. */
static double brightest_radiance(const clrt_scene *scene) {
  double color = brightest_color(scene), lights = 0.0, brightest = 0.0;
  for (size_t i = 0; i < scene->light_count; ++i) {
    const clrt_scene_light *l = &scene->lights[i];
    lights += l->intensity * fmax(l->color[0], fmax(l->color[1], l->color[2]));
  }
  for (size_t i = 0; i < scene->material_count; ++i) {
    const clrt_scene_material *m = &scene->materials[i];
    double emission = fmax(m->emission[0], fmax(m->emission[1], m->emission[2]));
    brightest = fmax(brightest, emission + m->ambient * color + lights * (m->diffuse * color + m->specular));
  }
  for (int c = 0; c < 3; ++c)
    brightest = fmax(brightest, scene->background[c]);
  return brightest;
}

/* Whether light can come out of a shadow ray brighter than it went in:
 * glass whose transparency times colour exceeds 1. Then no bound holds. */
static bool glass_amplifies(const clrt_scene *scene) {
  double color = brightest_color(scene);
  for (size_t i = 0; i < scene->material_count; ++i)
    if (scene->materials[i].transparency * color > 1.0)
      return true;
  return false;
}

/* The smallest linear step between two 8-bit levels (from 0 to level 1
 * included). */
static double smallest_step(const clrt_tone_levels *levels) {
  double step = levels->thresholds[1];
  for (unsigned k = 1; k + 1 < CLRT_TONE_LEVELS; ++k)
    step = fmin(step, (double)levels->thresholds[k + 1] - levels->thresholds[k]);
  return step;
}

/* The weight the branches a sample leaves out of its ray tree may add up
 * to: at the scene's brightest possible radiance, less than half the
 * smallest step between 8-bit levels. 0 (every branch is traced) when
 * nothing bounds that radiance. */
static float max_dropped_weight(const clrt_scene *scene, const clrt_tone_levels *levels) {
  double radiance = brightest_radiance(scene), step = smallest_step(levels);
  if (radiance <= 0.0 || !(step > 0.0) || !isfinite(step) || glass_amplifies(scene))
    return 0.0f; /* no cut: a black scene is cheap, amplifying glass has no bound */
  return (float)(0.5 * step / radiance);
}

static void flatten(const clrt_scene *scene, const clrt_tone_levels *levels, clrt_trace_params *params) {
  params->integrator_params.whitted.max_tree_rays = scene->sampling.whitted.max_tree_rays;
  params->integrator_params.whitted.max_dropped_weight = max_dropped_weight(scene, levels);
  params->integrator_params.whitted.occlusion_rays = scene->sampling.whitted.occlusion_rays;
  params->integrator_params.whitted.occlusion_distance = (float)scene->sampling.whitted.occlusion_distance;
}

/* The most rays besides shadow rays a camera ray's tree can trace: one
 * without mirrors or glass, a chain of max_depth bounces with mirrors
 * alone, a binary tree with glass; never more than max_tree_rays. (The
 * device reads the materials in single precision: so are they read here.) */
static uint64_t most_tree_rays(const clrt_scene *scene, const clrt_trace_params *params) {
  bool mirror = false, glass = false;
  for (size_t i = 0; i < scene->material_count; ++i) {
    mirror = mirror || (float)scene->materials[i].reflectivity > 0.0f;
    glass = glass || (float)scene->materials[i].transparency > 0.0f;
  }
  unsigned depth = params->max_depth, budget = params->integrator_params.whitted.max_tree_rays;
  uint64_t tree = glass ? (depth >= 63 ? UINT64_MAX : (UINT64_C(2) << depth) - 1u) : mirror ? depth + 1u : 1u;
  return tree < budget ? tree : budget;
}

/* Every ray of the tree may shade a hit, with the shadow rays of every
 * light and the ambient occlusion rays. */
static uint64_t most_rays_per_sample(const clrt_scene *scene, const clrt_trace_params *params) {
  uint64_t shadow_rays = params->integrator_params.whitted.occlusion_rays;
  for (size_t i = 0; params->shadows && i < scene->light_count; ++i)
    shadow_rays += (float)scene->lights[i].radius > 0.0f ? params->shadow_samples : 1u;
  return most_tree_rays(scene, params) * (1u + shadow_rays);
}

/* Samples whose ray tree was cut short: their deepest branches are black. */
static void warn_cut_short(FILE *log, const clrt_trace_params *params, double samples, uint64_t cut_short) {
  fprintf(log,
          "clrt: warning: %llu of %.0f samples (%.1f%%) were cut short, their ray trees needing more than "
          "image.max_tree_rays (%u) rays or going over %d bounces deep through glass; the branches left out are "
          "black (raise image.max_tree_rays, or lower max_depth)\n",
          (unsigned long long)cut_short, samples, 100.0 * (double)cut_short / samples,
          params->integrator_params.whitted.max_tree_rays, CLRT_WHITTED_STACK_SIZE - 1);
}

const clrt_integrator clrt_integrator_whitted = {"whitted", flatten, most_rays_per_sample, warn_cut_short};
