/* Rendering a flattened scene on one OpenCL device, tile by tile. */
#ifndef CLRT_RENDER_H
#define CLRT_RENDER_H

#include <stdio.h>

#include "clrt_devices.h"
#include "clrt_error.h"
#include "clrt_scene.h"
#include "clrt_tiles.h"
#include "clrt_types.h"

typedef struct clrt_render_stats {
  double build_ms;  /* program build (the driver may cache it) */
  double upload_ms; /* scene buffers to the device */
  double kernel_ms; /* sum over tiles of kernel execution, from profiling events */
  double render_ms; /* first enqueue to the last tile read back */
} clrt_render_stats;

/* Renders every tile of `plan` on `device` into `framebuffer` (width*height
 * float4, row-major, top row first, linear colour). Messages that need more
 * than one line (a build log) go to `log`. */
clrt_status clrt_render_on_device(const clrt_device *device, const clrt_scene *scene,
                                  const clrt_render_params *params, const clrt_tile_plan *plan,
                                  clrt_float4 *framebuffer, FILE *log, clrt_render_stats *stats, clrt_error *err);

#endif /* CLRT_RENDER_H */
