/* Host reference renderer: every pixel through the shared tracer, on the CPU. */
#include "clrt_reference.h"

#include "clrt_flatten.h"
#include "clrt_tracer.h"

/* One row; returns its rays. */
static uint64_t render_row(const clrt_scene_view *view, clrt_uint y, clrt_float4 *row) {
  uint64_t rays = 0;
  for (clrt_uint x = 0; x < view->params->width; ++x) {
    clrt_uint pixel_rays = 0;
    clrt_vec3 color = clrt_render_pixel(view, x, y, &pixel_rays);
    row[x] = (clrt_float4){color.x, color.y, color.z, 1.0f};
    rays += pixel_rays;
  }
  return rays;
}

uint64_t clrt_reference_render(const clrt_scene *scene, const clrt_render_params *params, clrt_float4 *framebuffer) {
  return clrt_reference_render_threads(scene, params, framebuffer, 1);
}

uint64_t clrt_reference_render_threads(const clrt_scene *scene, const clrt_render_params *params,
                                       clrt_float4 *framebuffer, int threads) {
  clrt_scene_view view = clrt_flatten_view(scene, params);
  uint64_t rays = 0;
  int height = (int)params->height;
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads) reduction(+ : rays)
  for (int y = 0; y < height; ++y)
    rays += render_row(&view, (clrt_uint)y, framebuffer + (size_t)y * params->width);
  return rays;
}
