/* A pixel: its samples' camera rays through the scene's integrator,
 * averaged (a box filter). */
#include "camera.h"
#include "clrt_tracer.h"

clrt_vec3 clrt_trace_pixel(const clrt_flat_view *flat, clrt_uint x, clrt_uint y, clrt_tally *tally) {
  const clrt_trace_params *params = flat->params;
  clrt_vec3 sum = clrt_vec3_make(0.0f, 0.0f, 0.0f);
  for (clrt_uint sample = 0; sample < params->samples; ++sample) {
    clrt_uint seed = clrt_sample_seed(x, y, sample);
    clrt_ray ray = clrt_camera_sample_ray(params, x, y, sample, seed);
    sum = clrt_vec3_add(sum, clrt_whitted_radiance(flat, seed, ray, tally));
  }
  return clrt_vec3_div(sum, (float)params->samples);
}
