/* The trace kernel: one work-item per pixel of one tile.
 *
 * The host enqueues it once per tile with the global work offset at the
 * tile's origin; the global size is the tile's size rounded up to whole
 * work-groups, and work-items past the tile's edge only take part in the
 * ray-count reduction. Pixels go to a tile-sized buffer that the host
 * reads back: 8-bit RGB, tone-mapped here (3 bytes a pixel), or, when the
 * program is built with CLRT_LINEAR_OUTPUT (for .hdr files), linear colour
 * (a float4 a pixel), or, built with CLRT_SUM_OUTPUT (progressive
 * rendering), the exact sums of the samples first_sample to first_sample
 * + sample_count - 1 (clrt_pixel_sum), which the host adds up pass after
 * pass, or, built with CLRT_AUX_OUTPUT (--passes, --denoise), the
 * auxiliary passes of samples 0 to sample_count - 1 (clrt_pixel_aux). A work-item keeps its tally (rays traced,
 * samples cut short: clrt_tally), and the path integrator its path between rays, in its slot of `items`, in local
 * memory (clrt_work_item); each work-group writes the sum of its tallies to group_tallies, one slot per group, no
 * atomics. The flat arrays are the parameters the list in clrt_flat_arrays.h names, in its order.
 */
#include "clrt_tone_levels.h"
#include "clrt_tracer.h"

#if defined(CLRT_AUX_OUTPUT)
typedef clrt_pixel_aux clrt_tile_pixel;
#elif defined(CLRT_SUM_OUTPUT)
typedef clrt_pixel_sum clrt_tile_pixel;
#elif defined(CLRT_LINEAR_OUTPUT)
typedef float4 clrt_tile_pixel;
#else
typedef uchar clrt_tile_pixel; /* three a pixel */
#endif

#if !defined(CLRT_SUM_OUTPUT) && !defined(CLRT_AUX_OUTPUT)
/* Pixel `index` of the tile, in the output's form. */
CLRT_INTERNAL void clrt_store_pixel(__global clrt_tile_pixel *tile_pixels, uint index, float3 color,
                                    CLRT_ARRAY_SPACE const clrt_tone_levels *levels) {
#ifdef CLRT_LINEAR_OUTPUT
  (void)levels;
  tile_pixels[index] = (float4)(color, 1.0f);
#else
  uchar3 rgb = (uchar3)((uchar)clrt_tone_level(color.x, levels), (uchar)clrt_tone_level(color.y, levels),
                        (uchar)clrt_tone_level(color.z, levels));
  vstore3(rgb, index, tile_pixels);
#endif
}
#endif

/* Sums the work-items' tallies over the work-group, where they are; the
 * local size must be a power of two. */
CLRT_INTERNAL clrt_tally clrt_work_group_sum(__local clrt_work_item *items) {
  uint size = (uint)(get_local_size(0) * get_local_size(1));
  uint id = (uint)(get_local_id(1) * get_local_size(0) + get_local_id(0));
  barrier(CLK_LOCAL_MEM_FENCE);
  for (uint stride = size / 2u; stride > 0u; stride /= 2u) {
    if (id < stride) {
      __local clrt_tally *into = &items[id].tally, *from = &items[id + stride].tally;
      into->camera_rays += from->camera_rays;
      into->bounce_rays += from->bounce_rays;
      into->shadow_rays += from->shadow_rays;
      into->cut_short_samples += from->cut_short_samples;
    }
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  return items[0].tally;
}

#define CLRT_ARRAY_PARAMETER(type, name, space) CLRT_SPACE_##space const type *name,
#define CLRT_VIEW_ASSIGN(type, name, space) scene.name = name;
#if defined(CLRT_SUM_OUTPUT) || defined(CLRT_AUX_OUTPUT)
#define CLRT_SAMPLE_RANGE_PARAMETERS , uint first_sample, uint sample_count
#else
#define CLRT_SAMPLE_RANGE_PARAMETERS
#endif

__kernel void clrt_trace_tile(__constant clrt_trace_params *params,
                              CLRT_FLAT_ARRAYS(CLRT_ARRAY_PARAMETER) uint tile_width, uint tile_height,
                              __global clrt_tile_pixel *tile_pixels, __global clrt_tally *group_tallies,
                              __local clrt_work_item *items CLRT_SAMPLE_RANGE_PARAMETERS) {
  uint column = (uint)(get_global_id(0) - get_global_offset(0));
  uint row = (uint)(get_global_id(1) - get_global_offset(1));
  __local clrt_work_item *item = &items[get_local_id(1) * get_local_size(0) + get_local_id(0)];
  item->tally.camera_rays = 0ul;
  item->tally.bounce_rays = 0ul;
  item->tally.shadow_rays = 0ul;
  item->tally.cut_short_samples = 0u;
  item->tally.pad0 = 0u;
  if (column < tile_width && row < tile_height) {
    clrt_flat_view scene;
    scene.params = params;
    CLRT_FLAT_ARRAYS(CLRT_VIEW_ASSIGN)
#if defined(CLRT_AUX_OUTPUT)
    (void)first_sample;
    tile_pixels[row * tile_width + column] =
        clrt_trace_pixel_aux(&scene, (uint)get_global_id(0), (uint)get_global_id(1), sample_count, &item->tally);
#elif defined(CLRT_SUM_OUTPUT)
    tile_pixels[row * tile_width + column] =
        clrt_trace_pixel_sum(&scene, (uint)get_global_id(0), (uint)get_global_id(1), first_sample, sample_count, item);
#else
    float3 color = clrt_trace_pixel(&scene, (uint)get_global_id(0), (uint)get_global_id(1), item);
    clrt_store_pixel(tile_pixels, row * tile_width + column, color, tone_levels);
#endif
  }
  clrt_tally group_total = clrt_work_group_sum(items);
  if (get_local_id(0) == 0 && get_local_id(1) == 0)
    group_tallies[get_group_id(1) * get_num_groups(0) + get_group_id(0)] = group_total;
}

/* The denoiser's step over a band of rows (kernels/denoise.c), one
 * work-item per pixel, in two kernels: every pixel's keys, then the
 * filter from `color` into `filtered`. Built into every program (they
 * cost the trace kernel nothing), so that the denoiser finds them in the
 * program cache beside it. */
CLRT_INTERNAL clrt_denoise_band clrt_band_of(__global const float4 *color, __global const clrt_pixel_aux *guide,
                                             __global const float4 *keys, uint width, uint height) {
  clrt_denoise_band band;
  band.color = color;
  band.guide = guide;
  band.keys = keys;
  band.width = width;
  band.height = height;
  return band;
}

__kernel void clrt_denoise_keys(__global const float4 *color, __global const clrt_pixel_aux *guide,
                                __global float4 *keys, uint width, uint height, uint step) {
  uint x = (uint)get_global_id(0), y = (uint)get_global_id(1);
  if (x >= width || y >= height)
    return;
  clrt_denoise_band band = clrt_band_of(color, guide, keys, width, height);
  keys[y * width + x] = clrt_denoise_key(&band, x, y, step);
}

__kernel void clrt_denoise_step(__global const float4 *color, __global const clrt_pixel_aux *guide,
                                __global const float4 *keys, __global float4 *filtered, uint width, uint height,
                                uint step) {
  uint x = (uint)get_global_id(0), y = (uint)get_global_id(1);
  if (x >= width || y >= height)
    return;
  clrt_denoise_band band = clrt_band_of(color, guide, keys, width, height);
  filtered[y * width + x] = clrt_denoise_pixel(&band, x, y, step);
}
