/* A pixel: its samples through the scene's integrator, averaged (a box
 * filter), or summed exactly for progressive rendering. */
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

CLRT_INTERNAL clrt_vec3 clrt_radiance(const clrt_flat_view *flat, clrt_pixel_sample sample,
                                      CLRT_ITEM_SPACE clrt_work_item *item) {
  switch (CLRT_CHOSEN_INTEGRATOR(flat->params)) {
#define CLRT_RADIANCE_CASE(name)                                                                                       \
  case CLRT_INTEGRATOR_##name:                                                                                         \
    return clrt_##name##_radiance(flat, sample, item);
    CLRT_INTEGRATORS(CLRT_RADIANCE_CASE)
#undef CLRT_RADIANCE_CASE
  }
  return clrt_vec3_make(0.0f, 0.0f, 0.0f); /* no such integrator: flatten never makes one */
}

CLRT_TESTABLE clrt_pixel_sample clrt_pixel_sample_of(clrt_uint x, clrt_uint y, clrt_uint index) {
  clrt_pixel_sample sample;
  sample.x = x;
  sample.y = y;
  sample.index = index;
  sample.seed = clrt_sample_seed(x, y, index);
  sample.pixel_seed = clrt_pixel_seed(x, y);
  return sample;
}

/* A sample's channel in fixed point: NaN (which no model value is) counts
 * as 0, and what exceeds CLRT_MAX_SAMPLE_RADIANCE is clamped to it, so
 * that the 64-bit sum cannot overflow. */
CLRT_INTERNAL clrt_ulong clrt_fixed_point(float channel) {
  float clamped = channel > 0.0f ? clrt_min(channel, CLRT_MAX_SAMPLE_RADIANCE) : 0.0f;
  return (clrt_ulong)(clamped * CLRT_SUM_SCALE);
}

/* Rec. 709 luminance: the noise estimate's measure of a colour. */
CLRT_TESTABLE float clrt_luminance(clrt_vec3 c) { return 0.2126f * c.x + 0.7152f * c.y + 0.0722f * c.z; }

CLRT_TESTABLE clrt_pixel_sum clrt_pixel_sum_with(clrt_pixel_sum sum, clrt_vec3 c) {
  sum.channel[0] += clrt_fixed_point(c.x);
  sum.channel[1] += clrt_fixed_point(c.y);
  sum.channel[2] += clrt_fixed_point(c.z);
  float luminance = clrt_luminance(c);
  sum.luminance_squares += luminance == luminance ? luminance * luminance : 0.0f;
  return sum;
}

CLRT_TESTABLE clrt_pixel_sum clrt_trace_pixel_sum(const clrt_flat_view *flat, clrt_uint x, clrt_uint y,
                                                  clrt_uint first_sample, clrt_uint sample_count,
                                                  CLRT_ITEM_SPACE clrt_work_item *item) {
  /* The path integrator sums its samples itself (path.c), its state kept
   * in the work-item's local memory. */
  if (CLRT_CHOSEN_INTEGRATOR(flat->params) == CLRT_INTEGRATOR_path)
    return clrt_path_pixel_sum(flat, x, y, first_sample, sample_count, item);
  clrt_pixel_sum sum;
  sum.channel[0] = sum.channel[1] = sum.channel[2] = 0u;
  sum.luminance_squares = 0.0f;
  sum.pad0 = 0u;
  for (clrt_uint index = first_sample; index < first_sample + sample_count; ++index)
    sum = clrt_pixel_sum_with(sum, clrt_radiance(flat, clrt_pixel_sample_of(x, y, index), item));
  return sum;
}

CLRT_TESTABLE clrt_pixel_sum clrt_pixel_sum_add(clrt_pixel_sum a, clrt_pixel_sum b) {
  for (int c = 0; c < 3; ++c)
    a.channel[c] += b.channel[c];
  a.luminance_squares += b.luminance_squares;
  return a;
}

CLRT_TESTABLE clrt_vec3 clrt_pixel_sum_mean(const clrt_pixel_sum *sum, clrt_uint samples) {
  float scale = 1.0f / CLRT_SUM_SCALE; /* a power of two: exact */
  return clrt_vec3_make((float)sum->channel[0] * scale / (float)samples,
                        (float)sum->channel[1] * scale / (float)samples,
                        (float)sum->channel[2] * scale / (float)samples);
}

CLRT_TESTABLE clrt_vec3 clrt_trace_pixel(const clrt_flat_view *flat, clrt_uint x, clrt_uint y,
                                         CLRT_ITEM_SPACE clrt_work_item *item) {
  CLRT_PARAMS_SPACE const clrt_trace_params *params = flat->params;
  if (CLRT_INTEGRATOR_SUMS_EXACTLY(CLRT_CHOSEN_INTEGRATOR(params))) {
    clrt_pixel_sum sum = clrt_trace_pixel_sum(flat, x, y, 0u, params->samples, item);
    return clrt_pixel_sum_mean(&sum, params->samples);
  }
  clrt_vec3 sum = clrt_vec3_make(0.0f, 0.0f, 0.0f);
  for (clrt_uint sample = 0; sample < params->samples; ++sample)
    sum = clrt_vec3_add(sum, clrt_radiance(flat, clrt_pixel_sample_of(x, y, sample), item));
  return clrt_vec3_div(sum, (float)params->samples);
}
