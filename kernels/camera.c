/* The thin-lens camera: a pixel sample's place in the pixel and on the
 * lens, and the ray through them. */
#include "camera.h"

#include "sampling.h"

CLRT_TESTABLE clrt_ray clrt_camera_ray(CLRT_PARAMS_SPACE const clrt_camera *camera, float s, float t, float lens_x,
                                       float lens_y) {
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

CLRT_INTERNAL clrt_ray clrt_camera_ray_at(CLRT_PARAMS_SPACE const clrt_trace_params *params, clrt_uint x, clrt_uint y,
                                          float dx, float dy, float lens_x, float lens_y) {
  /* Viewport t runs upwards while image rows run downwards. */
  float s = ((float)x + dx) / (float)params->width;
  float t = ((float)(params->height - 1u - y) + dy) / (float)params->height;
  return clrt_camera_ray(&params->camera, s, t, lens_x, lens_y);
}

CLRT_INTERNAL clrt_ray clrt_camera_sample_ray(CLRT_PARAMS_SPACE const clrt_trace_params *params, clrt_uint x,
                                              clrt_uint y, clrt_uint sample, clrt_uint seed) {
  float dx, dy, lens_x = 0.0f, lens_y = 0.0f;
  clrt_pixel_offset(seed, sample, params->samples, &dx, &dy);
  if (params->camera.unit_u.w > 0.0f)
    clrt_lens_offset(x, y, seed, sample, params->samples, &lens_x, &lens_y);
  return clrt_camera_ray_at(params, x, y, dx, dy, lens_x, lens_y);
}
