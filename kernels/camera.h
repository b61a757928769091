/* The camera (camera.c): where a pixel sample's ray starts and goes. */
#ifndef CLRT_CAMERA_H
#define CLRT_CAMERA_H

#include "clrt_tracer.h"

/* The ray through the point (dx, dy) of pixel (x, y), both offsets in
 * [0, 1), y = 0 the top row, leaving the lens at (lens_x, lens_y) of the
 * unit disk (ignored for a pinhole camera). */
CLRT_INTERNAL clrt_ray clrt_camera_ray_at(CLRT_PARAMS_SPACE const clrt_trace_params *params, clrt_uint x, clrt_uint y,
                                          float dx, float dy, float lens_x, float lens_y);

/* The Whitted integrator's camera ray of sample `sample` of pixel (x, y), y = 0 the top row;
 * `seed` is the sample's (clrt_sample_seed). One sample looks through the
 * pixel's center; more are stratified over the pixel, and over the lens
 * when the camera has an aperture. */
CLRT_INTERNAL clrt_ray clrt_camera_sample_ray(CLRT_PARAMS_SPACE const clrt_trace_params *params, clrt_uint x,
                                              clrt_uint y, clrt_uint sample, clrt_uint seed);

#endif /* CLRT_CAMERA_H */
