/* How far a camera ray's tree may grow (clrt_flat_scene.h): the weight
 * below which a branch cannot change the picture, and the most rays a
 * sample can cost. */
#include "clrt_flat_scene.h"

#include <math.h>

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
 * weights that sum to 1, so no subtree is brighter than the brightest
 * local shading (every light fully lit, head on) or the background. */
static double brightest_radiance(const clrt_scene *scene) {
  double color = brightest_color(scene), lights = 0.0, brightest = 0.0;
  for (size_t i = 0; i < scene->light_count; ++i) {
    const clrt_scene_light *l = &scene->lights[i];
    lights += l->intensity * fmax(l->color[0], fmax(l->color[1], l->color[2]));
  }
  for (size_t i = 0; i < scene->material_count; ++i) {
    const clrt_scene_material *m = &scene->materials[i];
    brightest = fmax(brightest, m->ambient * color + lights * (m->diffuse * color + m->specular));
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

float clrt_max_dropped_weight(const clrt_scene *scene, const clrt_tone_levels *levels) {
  double radiance = brightest_radiance(scene), step = smallest_step(levels);
  if (radiance <= 0.0 || !(step > 0.0) || !isfinite(step) || glass_amplifies(scene))
    return 0.0f; /* no cut: a black scene is cheap, amplifying glass has no bound */
  return (float)(0.5 * step / radiance);
}

/* The most rays besides shadow rays a camera ray's tree can trace: one
 * without mirrors or glass, a chain of max_depth bounces with mirrors
 * alone, a binary tree with glass; never more than max_tree_rays. */
static uint64_t most_tree_rays(const clrt_flat_scene *flat) {
  bool mirror = false, glass = false;
  for (size_t i = 0; i < flat->materials_count; ++i) {
    mirror = mirror || flat->materials[i].reflectivity > 0.0f;
    glass = glass || flat->materials[i].transparency > 0.0f;
  }
  unsigned depth = flat->params.max_depth;
  uint64_t tree = glass ? (depth >= 63 ? UINT64_MAX : (UINT64_C(2) << depth) - 1u) : mirror ? depth + 1u : 1u;
  return tree < flat->params.max_tree_rays ? tree : flat->params.max_tree_rays;
}

uint64_t clrt_flat_most_rays_per_sample(const clrt_flat_scene *flat) {
  uint64_t shadow_rays = 0;
  for (size_t i = 0; flat->params.shadows && i < flat->lights_count; ++i)
    shadow_rays += flat->lights[i].radius > 0.0f ? flat->params.shadow_samples : 1u;
  return most_tree_rays(flat) * (1u + shadow_rays);
}
