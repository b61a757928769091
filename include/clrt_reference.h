/* The host reference renderer: the shared tracer run in plain C, to check
 * the device's pictures and as the benchmark's host baseline. */
#ifndef CLRT_REFERENCE_H
#define CLRT_REFERENCE_H

#include <stdint.h>

#include "clrt_scene.h"
#include "clrt_types.h"

/* Renders every pixel into `framebuffer` (width*height, row-major, top row
 * first), linear colour in xyz, on one thread. Returns the rays traced. */
uint64_t clrt_reference_render(const clrt_scene *scene, const clrt_render_params *params, clrt_float4 *framebuffer);

/* The same on `threads` threads (OpenMP, rows handed out dynamically, as
 * the seeds' prange experiment found best for uneven rows). */
uint64_t clrt_reference_render_threads(const clrt_scene *scene, const clrt_render_params *params,
                                       clrt_float4 *framebuffer, int threads);

#endif /* CLRT_REFERENCE_H */
