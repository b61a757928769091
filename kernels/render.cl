/* The trace kernel: one work-item per pixel of one tile.
 *
 * The host enqueues it once per tile with the global work offset at the
 * tile's origin and the global size equal to the tile's size; the result
 * goes to a tile-sized buffer that the host copies into the framebuffer.
 */
#include "clrt_tracer.h"

__kernel void clrt_render_tile(__constant clrt_render_params *params, __global const clrt_sphere *spheres,
                               __global const clrt_material *materials, __global const clrt_light *lights,
                               __global float4 *tile_pixels) {
  clrt_uint x = (clrt_uint)get_global_id(0);
  clrt_uint y = (clrt_uint)get_global_id(1);
  clrt_render_params local_params = *params;
  clrt_scene_view scene;
  scene.params = &local_params;
  scene.spheres = spheres;
  scene.materials = materials;
  scene.lights = lights;
  size_t column = get_global_id(0) - get_global_offset(0);
  size_t row = get_global_id(1) - get_global_offset(1);
  float3 color = clrt_render_pixel(&scene, x, y);
  tile_pixels[row * get_global_size(0) + column] = (float4)(color, 1.0f);
}
