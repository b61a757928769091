/* Host reference renderer: every pixel through the shared tracer, on the CPU. */
#include "clrt_reference.h"

#include "clrt_flatten.h"
#include "clrt_tracer.h"

uint64_t clrt_reference_render(const clrt_scene *scene, const clrt_render_params *params, clrt_float4 *framebuffer) {
  clrt_scene_view view = clrt_flatten_view(scene, params);
  uint64_t rays = 0;
  for (clrt_uint y = 0; y < params->height; ++y) {
    for (clrt_uint x = 0; x < params->width; ++x) {
      clrt_uint pixel_rays = 0;
      clrt_vec3 color = clrt_render_pixel(&view, x, y, &pixel_rays);
      framebuffer[(size_t)y * params->width + x] = (clrt_float4){color.x, color.y, color.z, 1.0f};
      rays += pixel_rays;
    }
  }
  return rays;
}
