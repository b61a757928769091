/* Host reference renderer: every pixel through the shared tracer, on the CPU. */
#include "clrt_reference.h"

#include <stdlib.h>

#include "clrt_tracer.h"

/* One row into `pixels`; returns its rays. */
static uint64_t render_row(const clrt_scene_view *view, clrt_uint y, clrt_float4 *pixels) {
  uint64_t rays = 0;
  for (clrt_uint x = 0; x < view->params->width; ++x) {
    clrt_uint pixel_rays = 0;
    clrt_vec3 color = clrt_trace_pixel(view, x, y, &pixel_rays);
    pixels[x] = (clrt_float4){color.x, color.y, color.z, 1.0f};
    rays += pixel_rays;
  }
  return rays;
}

uint64_t clrt_reference_render(const clrt_flat_scene *scene, clrt_film *film, int threads) {
  clrt_scene_view view = clrt_flat_scene_view(scene);
  unsigned width = scene->params.width;
  uint64_t rays = 0;
  int height = (int)scene->params.height, failed = 0;
#pragma omp parallel num_threads(threads) reduction(+ : rays, failed)
  {
    clrt_float4 *pixels = malloc(width * sizeof *pixels);
    failed += pixels == NULL;
#pragma omp for schedule(dynamic, 1)
    for (int y = 0; y < height; ++y) {
      if (!pixels)
        continue;
      rays += render_row(&view, (clrt_uint)y, pixels);
      clrt_tile row = {0, (unsigned)y, width, 1};
      clrt_film_receive_linear(film, &row, pixels);
    }
    free(pixels);
  }
  return failed ? 0 : rays;
}
