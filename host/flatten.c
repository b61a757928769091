/* Flattening the host scene into the structs the device reads. */
#include "clrt_flatten.h"

#include <math.h>
#include <string.h>

typedef struct dvec3 {
  double x, y, z;
} dvec3;

static dvec3 dvec3_load(const double v[3]) { return (dvec3){v[0], v[1], v[2]}; }
static dvec3 dvec3_sub(dvec3 a, dvec3 b) { return (dvec3){a.x - b.x, a.y - b.y, a.z - b.z}; }
static dvec3 dvec3_scale(dvec3 a, double s) { return (dvec3){a.x * s, a.y * s, a.z * s}; }
static dvec3 dvec3_cross(dvec3 a, dvec3 b) {
  return (dvec3){a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x};
}
static dvec3 dvec3_normalize(dvec3 a) { return dvec3_scale(a, 1.0 / sqrt(a.x * a.x + a.y * a.y + a.z * a.z)); }
static clrt_float4 dvec3_to_float4(dvec3 a) { return (clrt_float4){(float)a.x, (float)a.y, (float)a.z, 0.0f}; }

static const double DEGREES_TO_RADIANS = 3.14159265358979323846 / 180.0;

clrt_camera clrt_flatten_camera(const clrt_camera_settings *settings, double aspect_ratio) {
  dvec3 origin = dvec3_load(settings->look_from);
  dvec3 w = dvec3_normalize(dvec3_sub(origin, dvec3_load(settings->look_at)));
  dvec3 u = dvec3_normalize(dvec3_cross(dvec3_load(settings->vup), w));
  dvec3 v = dvec3_cross(w, u);
  double viewport_height = 2.0 * tan(settings->vfov_degrees * DEGREES_TO_RADIANS / 2.0);
  dvec3 horizontal = dvec3_scale(u, aspect_ratio * viewport_height);
  dvec3 vertical = dvec3_scale(v, viewport_height);
  /* lower-left corner of the viewport, relative to the origin */
  dvec3 lower_left =
      dvec3_sub(dvec3_sub(dvec3_scale(w, -1.0), dvec3_scale(horizontal, 0.5)), dvec3_scale(vertical, 0.5));
  clrt_camera camera = {dvec3_to_float4(origin),   dvec3_to_float4(lower_left), dvec3_to_float4(horizontal),
                        dvec3_to_float4(vertical), dvec3_to_float4(u),          dvec3_to_float4(v)};
  camera.unit_u.w = (float)(settings->aperture / 2.0);
  camera.unit_v.w = (float)settings->focus_distance;
  return camera;
}

clrt_render_params clrt_flatten_params(const clrt_scene *scene) {
  clrt_render_params params;
  memset(&params, 0, sizeof params);
  const clrt_image_settings *image = &scene->image;
  params.camera = clrt_flatten_camera(&scene->camera, (double)image->width / (double)image->height);
  params.background = dvec3_to_float4(dvec3_load(scene->background));
  params.width = image->width;
  params.height = image->height;
  params.samples = image->samples;
  params.max_depth = image->max_depth;
  params.sphere_count = (clrt_uint)scene->sphere_count;
  params.light_count = (clrt_uint)scene->light_count;
  params.shadows = scene->shadows ? 1u : 0u;
  params.shadow_samples = image->shadow_samples;
  return params;
}

clrt_scene_view clrt_flatten_view(const clrt_scene *scene, const clrt_render_params *params) {
  clrt_scene_view view = {params, scene->spheres, scene->materials, scene->lights};
  return view;
}
