/* The render pipeline end to end: parse, flatten, choose the devices,
 * render the tiles, write the image, summarise. */
#include "clrt_app.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clrt_clock.h"
#include "clrt_devices.h"
#include "clrt_faults.h"
#include "clrt_flatten.h"
#include "clrt_image.h"
#include "clrt_progress.h"
#include "clrt_render.h"
#include "clrt_scene.h"
#include "clrt_tile_choice.h"
#include "clrt_tiles.h"

/* Linear colour of tiles no device rendered, with --keep-partial (the
 * PymoniK client's "tile never came back"). */
static const clrt_float4 MISSING_TILE_COLOR = {1.0f, 0.0f, 1.0f, 1.0f};

/* How many missing tiles an error message lists before "and N more". */
enum { LISTED_MISSING_TILES = 4 };

static volatile sig_atomic_t interrupt_requested;

static void on_interrupt(int signal_number) {
  (void)signal_number;
  interrupt_requested = 1;
}

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

/* The user's tiling, or the default: guided strips (plan->count == 0) on
 * several devices; on one, the tiling `clrt bench --tile-sweep` stored for
 * it, else a 256x256 grid. */
static clrt_status plan_tiles(const clrt_options *options, const clrt_image_settings *image, const clrt_device *devices,
                              size_t device_count, clrt_tile_plan *plan, bool *from_sweep, clrt_error *err) {
  unsigned w = image->width, h = image->height;
  *from_sweep = false;
  if (options->strip_count)
    return clrt_tiles_strips(w, h, options->strip_count, plan, err);
  if (options->tile_width)
    return clrt_tiles_grid(w, h, options->tile_width, options->tile_height, plan, err);
  if (device_count > 1)
    return CLRT_OK;
  clrt_tile_choice choice;
  if (clrt_tile_choice_load(&devices[0], &choice)) {
    *from_sweep = true;
    return clrt_tile_choice_plan(&choice, w, h, plan, err);
  }
  return clrt_tiles_grid(w, h, CLRT_DEFAULT_TILE_SIDE, CLRT_DEFAULT_TILE_SIDE, plan, err);
}

static clrt_status choose_devices(const char *spec, clrt_device **devices, size_t *count, clrt_error *err) {
  clrt_device_list list;
  clrt_status status = clrt_devices_discover(&list, err);
  if (status != CLRT_OK)
    return status;
  status = clrt_devices_select_many(&list, spec, devices, count, err);
  clrt_devices_free(&list);
  return status;
}

static double mrays_per_second(uint64_t rays, double ms) { return ms > 0.0 ? (double)rays / ms / 1e3 : 0.0; }

static void print_device_line(FILE *log, const clrt_device_report *report, size_t total_pixels) {
  char label[32];
  clrt_device_label(&report->device, label, sizeof label);
  fprintf(log, "clrt:   %s %s: %zu tiles, %.2f Mpx (%.1f%%), busy %.0f ms, %.1f Mrays/s", label, report->device.name,
          report->tiles, (double)report->pixels / 1e6,
          total_pixels ? 100.0 * (double)report->pixels / (double)total_pixels : 0.0, report->busy_ms,
          mrays_per_second(report->rays, report->busy_ms));
  if (report->failures)
    fprintf(log, ", %u failure(s)%s", report->failures, report->retired ? ", retired" : "");
  fputc('\n', log);
}

/* Combined throughput against the sum of each device's rate while busy. */
static void print_scaling(FILE *log, const clrt_render_result *result) {
  double summed = 0.0;
  for (size_t i = 0; i < result->device_count; ++i)
    summed += mrays_per_second(result->devices[i].rays, result->devices[i].busy_ms);
  double combined = mrays_per_second(result->rays, result->render_ms);
  fprintf(log,
          "clrt:   combined %.1f Mrays/s = %.0f%% of the devices' summed busy rates (%.1f Mrays/s); tail %.0f ms\n",
          combined, summed > 0.0 ? 100.0 * combined / summed : 0.0, summed, result->tail_ms);
}

static void print_summary(FILE *log, const clrt_options *options, const clrt_image_settings *image,
                          const clrt_tile_plan *plan, bool tiles_from_sweep, const clrt_render_result *result,
                          double wall_ms) {
  const clrt_device_report *first = &result->devices[0];
  double kernel_ms = 0.0;
  for (size_t i = 0; i < result->device_count; ++i)
    kernel_ms += result->devices[i].busy_ms;
  fprintf(log, "clrt: %s: %ux%u, %u sample(s)/px on ", options->output_path, image->width, image->height,
          image->samples);
  if (result->device_count == 1)
    fprintf(log, "%s [%s]", first->device.name, first->device.platform_name);
  else
    fprintf(log, "%zu devices", result->device_count);
  if (plan->count)
    fprintf(log, ", %zu tile(s) of up to %ux%u%s", result->tiles_done, plan->max_width, plan->max_height,
            tiles_from_sweep ? " (the tiling clrt bench --tile-sweep picked)" : "");
  else
    fprintf(log, ", %zu guided tile(s)", result->tiles_done);
  fprintf(log, ": build %.0f ms%s, kernel %.1f ms, wall %.0f ms, %.1f Mrays (%.1f Mrays/s)%s\n", first->build_ms,
          first->build_cached ? " (cached)" : "", kernel_ms, wall_ms, (double)result->rays / 1e6,
          mrays_per_second(result->rays, result->render_ms),
          options->fast_math ? "; --fast-math: not the exact picture" : "");
  if (result->device_count < 2)
    return;
  for (size_t i = 0; i < result->device_count; ++i)
    print_device_line(log, &result->devices[i], (size_t)image->width * image->height);
  print_scaling(log, result);
}

static void paint_missing(const clrt_render_result *result, clrt_float4 *framebuffer, unsigned width) {
  for (size_t i = 0; i < result->missing_count; ++i) {
    const clrt_tile *tile = &result->missing[i];
    for (unsigned y = tile->y; y < tile->y + tile->height; ++y)
      for (unsigned x = tile->x; x < tile->x + tile->width; ++x)
        framebuffer[(size_t)y * width + x] = MISSING_TILE_COLOR;
  }
}

static void list_missing(const clrt_render_result *result, char *out, size_t size) {
  size_t used = 0;
  out[0] = '\0';
  for (size_t i = 0; i < result->missing_count && i < LISTED_MISSING_TILES && used < size; ++i) {
    const clrt_tile *t = &result->missing[i];
    used +=
        (size_t)snprintf(out + used, size - used, "%s(%u,%u %ux%u)", i ? ", " : "", t->x, t->y, t->width, t->height);
  }
  if (result->missing_count > LISTED_MISSING_TILES && used < size)
    snprintf(out + used, size - used, " and %zu more", result->missing_count - LISTED_MISSING_TILES);
}

/* The render's outcome when it is not a plain success. */
static clrt_status incomplete_render(const clrt_options *options, const clrt_scene *scene,
                                     const clrt_render_result *result, clrt_float4 *framebuffer, clrt_error *err) {
  if (result->interrupted)
    return clrt_fail(err, CLRT_ERR_INTERRUPTED, "interrupted after %zu tile(s); no file written", result->tiles_done);
  char tiles[256];
  list_missing(result, tiles, sizeof tiles);
  const clrt_error *cause = &result->devices[0].last_error;
  if (!options->keep_partial)
    return clrt_fail(err, CLRT_ERR_RUNTIME,
                     "no device could render %zu tile(s): %s (last error: %s); no file written (--keep-partial "
                     "writes the rest, with those tiles magenta)",
                     result->missing_count, tiles, cause->message);
  paint_missing(result, framebuffer, scene->image.width);
  clrt_status status = clrt_image_write(options->output_path, framebuffer, scene->image.width, scene->image.height,
                                        &scene->image.tone, err);
  if (status != CLRT_OK)
    return status;
  return clrt_fail(err, CLRT_ERR_RUNTIME,
                   "no device could render %zu tile(s): %s; wrote %s with them magenta "
                   "(--keep-partial)",
                   result->missing_count, tiles, options->output_path);
}

typedef struct render_job {
  const clrt_options *options;
  const clrt_scene *scene;
  clrt_device *devices;
  size_t device_count;
  clrt_tile_plan plan;
  bool tiles_from_sweep; /* the plan is the device's stored best */
  clrt_float4 *framebuffer;
} render_job;

static clrt_status run_job(render_job *job, FILE *log, double start_ms, clrt_error *err) {
  const clrt_image_settings *image = &job->scene->image;
  clrt_progress progress;
  clrt_progress_init(&progress, log, !job->options->quiet && isatty(fileno(log)), (size_t)image->width * image->height);
  for (size_t i = 0; i < job->device_count; ++i) {
    char label[32];
    clrt_device_label(&job->devices[i], label, sizeof label);
    clrt_progress_label(&progress, (unsigned)i, label);
  }
  double timeout_s = job->options->tile_timeout_s ? job->options->tile_timeout_s : CLRT_DEFAULT_TILE_TIMEOUT_S;
  clrt_render_setup setup = {job->plan.count ? &job->plan : NULL,
                             timeout_s * 1e3,
                             &progress,
                             log,
                             &interrupt_requested,
                             job->options->fast_math};
  clrt_render_params params = clrt_flatten_params(job->scene);
  clrt_render_result result;
  clrt_status status =
      clrt_render(job->devices, job->device_count, job->scene, &params, &setup, job->framebuffer, &result, err);
  if (status == CLRT_OK && (result.interrupted || result.missing_count))
    status = incomplete_render(job->options, job->scene, &result, job->framebuffer, err);
  else if (status == CLRT_OK)
    status =
        clrt_image_write(job->options->output_path, job->framebuffer, image->width, image->height, &image->tone, err);
  if (status == CLRT_OK && !job->options->quiet)
    print_summary(log, job->options, image, &job->plan, job->tiles_from_sweep, &result, clrt_now_ms() - start_ms);
  clrt_render_result_free(&result);
  clrt_progress_destroy(&progress);
  return status;
}

/* Everything after the scene is loaded: devices, tiles, render, output. */
static clrt_status render_scene(const clrt_options *options, const clrt_scene *scene, FILE *log, double start_ms,
                                clrt_error *err) {
  render_job job = {.options = options, .scene = scene};
  clrt_status status = choose_devices(options->device_spec, &job.devices, &job.device_count, err);
  if (status == CLRT_OK)
    status = plan_tiles(options, &scene->image, job.devices, job.device_count, &job.plan, &job.tiles_from_sweep, err);
  if (status == CLRT_OK) {
    job.framebuffer = calloc((size_t)scene->image.width * scene->image.height, sizeof *job.framebuffer);
    if (!job.framebuffer)
      status = clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory for a %ux%u framebuffer", scene->image.width,
                         scene->image.height);
  }
  if (status == CLRT_OK)
    status = run_job(&job, log, start_ms, err);
  free(job.framebuffer);
  free(job.devices);
  clrt_tiles_free(&job.plan);
  return status;
}

clrt_status clrt_app_render(const clrt_options *options, FILE *log, clrt_error *err) {
  double start_ms = clrt_now_ms();
  clrt_status status = clrt_image_check_output(options->output_path, err);
  if (status == CLRT_OK)
    status = clrt_faults_check(err);
  if (status != CLRT_OK)
    return status;
  clrt_scene scene;
  if ((status = clrt_scene_load(options->scene_path, &scene, err)) != CLRT_OK)
    return status;
  apply_overrides(options, &scene.image);
  struct sigaction previous, handler = {0};
  handler.sa_handler = on_interrupt;
  sigemptyset(&handler.sa_mask);
  interrupt_requested = 0;
  sigaction(SIGINT, &handler, &previous);
  status = render_scene(options, &scene, log, start_ms, err);
  sigaction(SIGINT, &previous, NULL);
  clrt_scene_free(&scene);
  return status;
}

clrt_status clrt_app_bench(const clrt_bench_options *options, FILE *out, FILE *log, clrt_error *err) {
  if (options->compare_paths[0])
    return clrt_bench_compare(options->compare_paths[0], options->compare_paths[1], out, err);
  clrt_bench_results results;
  clrt_status status = clrt_bench_run(options, log, &results, err);
  if (status == CLRT_OK) {
    clrt_bench_print_table(&results, out);
    if (options->json_path && (status = clrt_bench_write_json(&results, options->json_path, err)) == CLRT_OK)
      fprintf(log, "clrt: wrote %s\n", options->json_path);
    if (status == CLRT_OK && options->csv_path &&
        (status = clrt_bench_write_csv(&results, options->csv_path, err)) == CLRT_OK)
      fprintf(log, "clrt: wrote %s\n", options->csv_path);
    if (status == CLRT_OK && options->chart_path &&
        (status = clrt_bench_write_chart(&results, options->chart_path, err)) == CLRT_OK)
      fprintf(log, "clrt: wrote %s\n", options->chart_path);
  }
  clrt_bench_results_free(&results);
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
