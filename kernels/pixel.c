/* A pixel: its samples' camera rays through the scene's integrator,
 * averaged (a box filter). */
#include "camera.h"
#include "clrt_tracer.h"

/* The integrator that computes a sample. A program built for one
 * integrator (-DCLRT_INTEGRATOR=id, as sessions build theirs) holds only
 * its code: on a GPU, the registers a kernel needs are those of the
 * largest path through it, so one integrator's never pay for another's. */
#ifdef CLRT_INTEGRATOR
#define CLRT_CHOSEN_INTEGRATOR(params) CLRT_INTEGRATOR
#else
#define CLRT_CHOSEN_INTEGRATOR(params) ((params)->integrator)
#endif

CLRT_INTERNAL clrt_vec3 clrt_radiance(const clrt_flat_view *flat, clrt_uint seed, clrt_ray ray, clrt_tally *tally) {
  switch (CLRT_CHOSEN_INTEGRATOR(flat->params)) {
#define CLRT_RADIANCE_CASE(name)                                                                                       \
  case CLRT_INTEGRATOR_##name:                                                                                         \
    return clrt_##name##_radiance(flat, seed, ray, tally);
    CLRT_INTEGRATORS(CLRT_RADIANCE_CASE)
#undef CLRT_RADIANCE_CASE
  }
  return clrt_vec3_make(0.0f, 0.0f, 0.0f); /* no such integrator: flatten never makes one */
}

clrt_vec3 clrt_trace_pixel(const clrt_flat_view *flat, clrt_uint x, clrt_uint y, clrt_tally *tally) {
  const clrt_trace_params *params = flat->params;
  clrt_vec3 sum = clrt_vec3_make(0.0f, 0.0f, 0.0f);
  for (clrt_uint sample = 0; sample < params->samples; ++sample) {
    clrt_uint seed = clrt_sample_seed(x, y, sample);
    clrt_ray ray = clrt_camera_sample_ray(params, x, y, sample, seed);
    sum = clrt_vec3_add(sum, clrt_radiance(flat, seed, ray, tally));
  }
  return clrt_vec3_div(sum, (float)params->samples);
}
