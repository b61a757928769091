/* Flattening: the host form of a scene to the trace parameters and the
 * device's arrays. */
#include "clrt_flat_scene.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "clrt_bvh.h"
#include "clrt_clip.h"
#include "clrt_clock.h"
#include "clrt_integrator.h"
#include "clrt_tone_map.h"

static const double DEGREES_TO_RADIANS = 3.14159265358979323846 / 180.0;

/* Up to this many spheres the tracer tests them all in turn rather than
 * walk the BVH. On POCL, random scenes of 4, 8, 16 and 32 spheres traced
 * at 30.4, 26.9, 21.0 and 14.7 Mrays/s that way against 29.8, 29.3, 28.1
 * and 26.6 through the BVH, and the 4-sphere PymoniK scene at 20.9 against
 * 19.5 (bench/RESULTS.md). Both give the same picture. */
#define CLRT_SCAN_MAX_SPHERES 4u

static clrt_float4 float4_of(clrt_dvec3 a) { return (clrt_float4){(float)a.x, (float)a.y, (float)a.z, 0.0f}; }

static clrt_float4 float4_load(const double v[3]) { return float4_of(clrt_dvec3_load(v)); }

clrt_camera clrt_flatten_camera(const clrt_camera_settings *settings, double aspect_ratio) {
  clrt_dvec3 u = {0, 0, 0}, v = {0, 0, 0}, w = {0, 0, 0};
  clrt_camera_basis(settings, &u, &v, &w);
  clrt_dvec3 origin = clrt_dvec3_load(settings->look_from);
  double viewport_height = 2.0 * tan(settings->vfov_degrees * DEGREES_TO_RADIANS / 2.0);
  clrt_dvec3 horizontal = clrt_dvec3_scale(u, aspect_ratio * viewport_height);
  clrt_dvec3 vertical = clrt_dvec3_scale(v, viewport_height);
  /* lower-left corner of the viewport, relative to the origin */
  clrt_dvec3 lower_left = clrt_dvec3_sub(clrt_dvec3_sub(clrt_dvec3_scale(w, -1.0), clrt_dvec3_scale(horizontal, 0.5)),
                                         clrt_dvec3_scale(vertical, 0.5));
  clrt_camera camera = {float4_of(origin),   float4_of(lower_left), float4_of(horizontal),
                        float4_of(vertical), float4_of(u),          float4_of(v)};
  camera.unit_u.w = (float)(settings->aperture / 2.0);
  camera.unit_v.w = (float)settings->focus_distance;
  return camera;
}

static clrt_trace_params flatten_params(const clrt_scene *scene) {
  clrt_trace_params params;
  memset(&params, 0, sizeof params);
  const clrt_image_settings *image = &scene->image;
  params.camera = clrt_flatten_camera(&scene->camera, (double)image->width / (double)image->height);
  params.background = float4_load(scene->background);
  params.width = image->width;
  params.height = image->height;
  params.samples = scene->sampling.samples;
  params.max_depth = scene->sampling.max_depth;
  params.sphere_count = (clrt_uint)scene->sphere_count;
  params.light_count = (clrt_uint)scene->light_count;
  params.shadows = scene->shadows ? 1u : 0u;
  params.shadow_samples = scene->sampling.shadow_samples;
  params.scan_spheres = scene->sphere_count <= CLRT_SCAN_MAX_SPHERES ? 1u : 0u;
  params.integrator = scene->sampling.integrator;
  return params;
}

static clrt_material flatten_material(const clrt_scene_material *m) {
  clrt_material out;
  memset(&out, 0, sizeof out);
  out.color = float4_load(m->color);
  out.ambient = (float)m->ambient;
  out.diffuse = (float)m->diffuse;
  out.specular = (float)m->specular;
  out.shininess = (float)m->shininess;
  out.reflectivity = (float)m->reflectivity;
  out.transparency = (float)m->transparency;
  out.ior = (float)m->ior;
  out.emission = float4_load(m->emission);
  return out;
}

static clrt_sphere_shading flatten_shading(const clrt_scene_sphere *s, size_t scene_index) {
  clrt_sphere_shading out;
  memset(&out, 0, sizeof out);
  if (s->has_color)
    out.color = (clrt_float4){s->color[0], s->color[1], s->color[2], 1.0f};
  out.material = s->material;
  out.scene_index = (clrt_uint)scene_index;
  return out;
}

static clrt_light flatten_light(const clrt_scene_light *l) {
  clrt_light out;
  memset(&out, 0, sizeof out);
  out.position = float4_load(l->position);
  out.color = float4_load(l->color);
  out.intensity = (float)l->intensity;
  out.radius = (float)l->radius;
  return out;
}

/* Room for `count` elements, and at least one: OpenCL has no zero-sized
 * buffers, so every array has an element to upload. */
static void *allocate_array(size_t count, size_t element_size) { return calloc(count ? count : 1, element_size); }

/* The BVH over the spheres clipping left, and the sphere arrays in the
 * order of its leaves (each cut sphere with its planes). */
static clrt_status flatten_spheres(const clrt_scene *scene, const clrt_clip_result *clip, clrt_flat_scene *flat,
                                   clrt_error *err) {
  size_t count = clip->kept_count;
  clrt_float4 *unordered = allocate_array(count, sizeof *unordered);
  if (!unordered)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory flattening %zu spheres", count);
  for (size_t i = 0; i < count; ++i) {
    const clrt_scene_sphere *s = &scene->spheres[clip->kept[i]];
    unordered[i] = (clrt_float4){s->center[0], s->center[1], s->center[2], s->radius};
  }
  double start = clrt_now_ms();
  clrt_bvh bvh;
  clrt_status status = clrt_bvh_build(unordered, count, omp_get_num_procs(), &bvh, err);
  flat->stats = (clrt_flat_stats){clrt_now_ms() - start, bvh.depth, bvh.leaf_count, 0.0, false};
  for (size_t i = 0; status == CLRT_OK && i < count; ++i) {
    flat->spheres[i].center_radius = unordered[bvh.order[i]];
    size_t kept = bvh.order[i];
    flat->sphere_shading[i] = flatten_shading(&scene->spheres[clip->kept[kept]], clip->kept[kept]);
    flat->sphere_shading[i].clip_first = clip->first[kept];
    flat->sphere_shading[i].clip_count = clip->count[kept];
  }
  flat->bvh_nodes = bvh.nodes; /* the flat scene owns them now */
  flat->bvh_nodes_count = bvh.node_count;
  flat->stats.bvh_cost = status == CLRT_OK ? clrt_bvh_cost(bvh.nodes, bvh.node_count) : 0.0;
  free(bvh.order);
  free(unordered);
  return status;
}

static bool emits(const clrt_scene_material *m) {
  return m->emission[0] > 0.0 || m->emission[1] > 0.0 || m->emission[2] > 0.0;
}

/* The emitters: the positions (in the sphere arrays, the BVH's order) of
 * the spheres whose material emits light. */
static clrt_status flatten_emitters(const clrt_scene *scene, clrt_flat_scene *flat, clrt_error *err) {
  size_t count = 0;
  for (size_t i = 0; i < flat->sphere_shading_count; ++i)
    count += emits(&scene->materials[flat->sphere_shading[i].material]);
  flat->emitters = allocate_array(count, sizeof *flat->emitters);
  if (!flat->emitters)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory listing %zu emissive spheres", count);
  flat->emitters_count = 0;
  for (size_t i = 0; i < flat->sphere_shading_count; ++i)
    if (emits(&scene->materials[flat->sphere_shading[i].material]))
      flat->emitters[flat->emitters_count++] = (clrt_uint)i;
  flat->params.emitter_count = (clrt_uint)flat->emitters_count;
  return CLRT_OK;
}

/* The previous frame's BVH refitted to this scene's spheres, which it
 * holds in the same order (sphere_shading's scene_index says which). */
static clrt_status refit_spheres(const clrt_scene *scene, const clrt_clip_result *clip, const clrt_flat_scene *previous,
                                 clrt_flat_scene *flat, clrt_error *err) {
  size_t count = clip->kept_count;
  flat->bvh_nodes = malloc(previous->bvh_nodes_count * sizeof *flat->bvh_nodes);
  if (!flat->bvh_nodes)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory refitting the BVH of %zu spheres", count);
  clrt_uint *position = malloc((count ? count : 1) * sizeof *position);
  if (!position)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory refitting the BVH of %zu spheres", count);
  double start = clrt_now_ms();
  /* Each sphere's place among the leaves; then the spheres read in their
   * own order and scattered there (stores wait on no cache miss; loads in
   * the leaves' order would, at every sphere). */
  for (size_t i = 0; i < count; ++i)
    position[previous->sphere_shading[i].scene_index] = (clrt_uint)i;
  for (size_t index = 0; index < count; ++index) { /* nothing was clipped away: kept[index] == index */
    const clrt_scene_sphere *s = &scene->spheres[index];
    clrt_uint at = position[index];
    flat->spheres[at].center_radius = (clrt_float4){s->center[0], s->center[1], s->center[2], s->radius};
    flat->sphere_shading[at] = flatten_shading(s, index);
    flat->sphere_shading[at].clip_first = clip->first[index];
    flat->sphere_shading[at].clip_count = clip->count[index];
  }
  free(position);
  memcpy(flat->bvh_nodes, previous->bvh_nodes, previous->bvh_nodes_count * sizeof *flat->bvh_nodes);
  flat->bvh_nodes_count = previous->bvh_nodes_count;
  flat->stats = previous->stats;
  flat->stats.bvh_cost = clrt_bvh_refit(flat->bvh_nodes, flat->bvh_nodes_count, (const clrt_float4 *)flat->spheres);
  flat->stats.bvh_build_ms = clrt_now_ms() - start;
  flat->stats.refitted = true;
  return CLRT_OK;
}

/* Whether a previous frame's tree can serve: the same number of spheres,
 * none clipped away, and a tree (not a scan of a few spheres). */
static bool can_refit(const clrt_scene *scene, const clrt_clip_result *clip, const clrt_flat_scene *previous) {
  return previous && clip->kept_count == scene->sphere_count && previous->spheres_count == scene->sphere_count &&
         scene->sphere_count > CLRT_SCAN_MAX_SPHERES;
}

/* Everything but the spheres' order and the BVH. */
static void flatten_rest(const clrt_scene *scene, const clrt_integrator *integrator, clrt_flat_scene *flat) {
  flat->params.sphere_count = (clrt_uint)flat->spheres_count;
  flat->params.scan_spheres = flat->spheres_count <= CLRT_SCAN_MAX_SPHERES ? 1u : 0u;
  for (size_t i = 0; i < scene->material_count; ++i)
    flat->materials[i] = flatten_material(&scene->materials[i]);
  for (size_t i = 0; i < scene->light_count; ++i)
    flat->lights[i] = flatten_light(&scene->lights[i]);
  clrt_tone_levels_make(&scene->image.tone, flat->tone_levels);
  if (integrator->flatten)
    integrator->flatten(scene, flat->tone_levels, &flat->params);
  flat->most_rays_per_sample = integrator->most_rays_per_sample(scene, &flat->params);
  flat->materials_count = scene->material_count;
  flat->lights_count = scene->light_count;
  flat->tone_levels_count = 1;
}

static clrt_status flatten_with(const clrt_scene *scene, const clrt_flat_scene *previous, clrt_flat_scene *flat,
                                clrt_error *err) {
  memset(flat, 0, sizeof *flat);
  const clrt_integrator *integrator = clrt_integrator_of(scene->sampling.integrator);
  if (!integrator) /* the parser accepts only the list's names */
    return clrt_fail(err, CLRT_ERR_INPUT, "no integrator has the id %u", scene->sampling.integrator);
  flat->params = flatten_params(scene);
  flat->spheres = allocate_array(scene->sphere_count, sizeof *flat->spheres);
  flat->sphere_shading = allocate_array(scene->sphere_count, sizeof *flat->sphere_shading);
  flat->materials = allocate_array(scene->material_count, sizeof *flat->materials);
  flat->lights = allocate_array(scene->light_count, sizeof *flat->lights);
  flat->tone_levels = allocate_array(1, sizeof *flat->tone_levels);
  clrt_clip_result clip;
  clrt_status status = clrt_clip_spheres(scene, &clip, err);
  if (status == CLRT_OK &&
      (!flat->spheres || !flat->sphere_shading || !flat->materials || !flat->lights || !flat->tone_levels))
    status = clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory flattening %zu spheres", scene->sphere_count);
  if (status == CLRT_OK)
    status = can_refit(scene, &clip, previous) ? refit_spheres(scene, &clip, previous, flat, err)
                                               : flatten_spheres(scene, &clip, flat, err);
  flat->spheres_count = flat->sphere_shading_count = clip.kept_count;
  flat->clip_planes = clip.planes; /* the flat scene owns them now */
  flat->clip_planes_count = clip.plane_count;
  clip.planes = NULL;
  clrt_clip_result_free(&clip);
  if (status == CLRT_OK)
    status = flatten_emitters(scene, flat, err);
  if (status != CLRT_OK) {
    clrt_flat_scene_free(flat);
    return status;
  }
  flatten_rest(scene, integrator, flat);
  return CLRT_OK;
}

clrt_status clrt_flatten(const clrt_scene *scene, clrt_flat_scene *flat, clrt_error *err) {
  return flatten_with(scene, NULL, flat, err);
}

clrt_status clrt_flatten_refit(const clrt_scene *scene, const clrt_flat_scene *previous, clrt_flat_scene *flat,
                               clrt_error *err) {
  return flatten_with(scene, previous, flat, err);
}

clrt_flat_view clrt_flat_view_of(const clrt_flat_scene *flat) {
  clrt_flat_view view;
  view.params = &flat->params;
#define CLRT_VIEW_ASSIGN(type, name, space) view.name = flat->name;
  CLRT_FLAT_ARRAYS(CLRT_VIEW_ASSIGN)
#undef CLRT_VIEW_ASSIGN
  return view;
}

size_t clrt_flat_scene_bytes(const clrt_flat_scene *flat) {
  size_t bytes = 0;
#define CLRT_ADD_BYTES(type, name, space) bytes += flat->name##_count * sizeof(type);
  CLRT_FLAT_ARRAYS(CLRT_ADD_BYTES)
#undef CLRT_ADD_BYTES
  return bytes;
}

void clrt_flat_scene_free(clrt_flat_scene *flat) {
#define CLRT_FREE_ARRAY(type, name, space) free(flat->name);
  CLRT_FLAT_ARRAYS(CLRT_FREE_ARRAY)
#undef CLRT_FREE_ARRAY
  memset(flat, 0, sizeof *flat);
}
