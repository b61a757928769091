/* Host reference renderer: every pixel through the shared tracer, on the CPU. */
#include "clrt_reference.h"

#include <stdlib.h>

#include "clrt_tracer.h"

/* One row into `pixels`; adds what it cost to the work-item's tally. */
static void render_row(const clrt_flat_view *view, clrt_uint y, clrt_float4 *pixels, clrt_work_item *item) {
  for (clrt_uint x = 0; x < view->params->width; ++x) {
    clrt_vec3 color = clrt_trace_pixel(view, x, y, item);
    pixels[x] = (clrt_float4){color.x, color.y, color.z, 1.0f};
  }
}

bool clrt_reference_render(const clrt_flat_scene *scene, clrt_film *film, int threads,
                           const volatile sig_atomic_t *stop, clrt_tally *tally) {
  clrt_flat_view view = clrt_flat_view_of(scene);
  unsigned width = scene->params.width;
  uint64_t camera_rays = 0, bounce_rays = 0, shadow_rays = 0, cut_short_samples = 0;
  int height = (int)scene->params.height, failed = 0;
#pragma omp parallel num_threads(threads) reduction(+ : camera_rays, bounce_rays, shadow_rays, cut_short_samples, failed)
  {
    clrt_float4 *pixels = malloc(width * sizeof *pixels);
    failed += pixels == NULL;
    clrt_work_item mine = {0};
#pragma omp for schedule(dynamic, 1)
    for (int y = 0; y < height; ++y) {
      if (!pixels || (stop && *stop))
        continue; /* OpenMP loops cannot break: the rest are skipped */
      render_row(&view, (clrt_uint)y, pixels, &mine);
      clrt_tile row = {0, (unsigned)y, width, 1};
      clrt_film_receive_linear(film, &row, pixels);
    }
    camera_rays += mine.tally.camera_rays;
    bounce_rays += mine.tally.bounce_rays;
    shadow_rays += mine.tally.shadow_rays;
    cut_short_samples += mine.tally.cut_short_samples;
    free(pixels);
  }
  *tally = (clrt_tally){camera_rays, bounce_rays, shadow_rays, (clrt_uint)cut_short_samples, 0};
  return !failed;
}
