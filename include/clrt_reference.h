/* The host reference renderer: the shared tracer run in plain C, used to
 * check the device's pictures. */
#ifndef CLRT_REFERENCE_H
#define CLRT_REFERENCE_H

#include "clrt_scene.h"
#include "clrt_types.h"

#include <stdint.h>

/* Renders every pixel into `framebuffer` (width*height, row-major, top row
 * first), linear colour in xyz. Returns the number of rays traced. */
uint64_t clrt_reference_render(const clrt_scene *scene, const clrt_render_params *params, clrt_float4 *framebuffer);

#endif /* CLRT_REFERENCE_H */
