/* The render pipeline end to end: parse, flatten, choose the device, render
 * the tiles, tone-map, write the PNG, summarise. */
#include "clrt_app.h"

#include <stdlib.h>

#include "clrt_clock.h"
#include "clrt_devices.h"
#include "clrt_flatten.h"
#include "clrt_image.h"
#include "clrt_render.h"
#include "clrt_scene.h"
#include "clrt_tiles.h"

static void apply_overrides(const clrt_options *options, clrt_image_settings *image) {
  if (options->width.set)
    image->width = options->width.value;
  if (options->height.set)
    image->height = options->height.value;
  if (options->samples.set)
    image->samples = options->samples.value;
  if (options->max_depth.set)
    image->max_depth = options->max_depth.value;
}

static clrt_status plan_tiles(const clrt_options *options, const clrt_image_settings *image, clrt_tile_plan *plan,
                              clrt_error *err) {
  if (options->strip_count)
    return clrt_tiles_strips(image->width, image->height, options->strip_count, plan, err);
  unsigned tile_width = options->tile_width ? options->tile_width : CLRT_DEFAULT_TILE_SIDE;
  unsigned tile_height = options->tile_height ? options->tile_height : CLRT_DEFAULT_TILE_SIDE;
  return clrt_tiles_grid(image->width, image->height, tile_width, tile_height, plan, err);
}

static clrt_status choose_device(const char *spec, clrt_device *device, clrt_error *err) {
  clrt_device_list list;
  clrt_status status = clrt_devices_discover(&list, err);
  if (status != CLRT_OK)
    return status;
  status = clrt_devices_select(&list, spec, device, err);
  clrt_devices_free(&list);
  return status;
}

static void print_summary(FILE *log, const clrt_options *options, const clrt_device *device,
                          const clrt_image_settings *image, const clrt_tile_plan *plan,
                          const clrt_render_stats *stats, double wall_ms) {
  fprintf(log,
          "clrt: %s: %ux%u, %u sample(s)/px on %s [%s], %zu tile(s) of up to %ux%u: build %.0f ms, kernel %.1f "
          "ms, wall %.0f ms\n",
          options->output_path, image->width, image->height, image->samples, device->name, device->platform_name,
          plan->count, plan->max_width, plan->max_height, stats->build_ms, stats->kernel_ms, wall_ms);
}

/* Everything after the scene is loaded: tiles, device, render, output. */
static clrt_status render_scene(const clrt_options *options, const clrt_scene *scene, FILE *log, double start_ms,
                                clrt_error *err) {
  clrt_tile_plan plan = {0};
  clrt_device device;
  clrt_status status = plan_tiles(options, &scene->image, &plan, err);
  if (status == CLRT_OK)
    status = choose_device(options->device_spec, &device, err);
  clrt_float4 *framebuffer = NULL;
  if (status == CLRT_OK) {
    framebuffer = malloc((size_t)scene->image.width * scene->image.height * sizeof *framebuffer);
    if (!framebuffer)
      status = clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory for a %ux%u framebuffer", scene->image.width,
                         scene->image.height);
  }
  clrt_render_params params = clrt_flatten_params(scene);
  clrt_render_stats stats;
  if (status == CLRT_OK)
    status = clrt_render_on_device(&device, scene, &params, &plan, framebuffer, log, &stats, err);
  if (status == CLRT_OK)
    status = clrt_image_write(options->output_path, framebuffer, scene->image.width, scene->image.height,
                              &scene->image.tone, err);
  if (status == CLRT_OK && !options->quiet)
    print_summary(log, options, &device, &scene->image, &plan, &stats, clrt_now_ms() - start_ms);
  free(framebuffer);
  clrt_tiles_free(&plan);
  return status;
}

clrt_status clrt_app_render(const clrt_options *options, FILE *log, clrt_error *err) {
  double start_ms = clrt_now_ms();
  clrt_status status = clrt_image_check_output(options->output_path, err);
  if (status != CLRT_OK)
    return status;
  clrt_scene scene;
  if ((status = clrt_scene_load(options->scene_path, &scene, err)) != CLRT_OK)
    return status;
  apply_overrides(options, &scene.image);
  status = render_scene(options, &scene, log, start_ms, err);
  clrt_scene_free(&scene);
  return status;
}

clrt_status clrt_app_devices(FILE *out, clrt_error *err) {
  clrt_device_list list;
  clrt_status status = clrt_devices_discover(&list, err);
  if (status != CLRT_OK)
    return status;
  clrt_devices_print(&list, out);
  clrt_devices_free(&list);
  return CLRT_OK;
}
