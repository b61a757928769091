/* The render pipeline end to end: parse, flatten, choose the devices and
 * the tiling, render the tiles into the film, write the image, summarise. */
#include "clrt_app.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clrt_bench.h"
#include "clrt_clock.h"
#include "clrt_cluster.h"
#include "clrt_devices.h"
#include "clrt_farm.h"
#include "clrt_faults.h"
#include "clrt_film.h"
#include "clrt_flat_scene.h"
#include "clrt_image.h"
#include "clrt_integrator.h"
#include "clrt_output.h"
#include "clrt_png.h"
#include "clrt_progress.h"
#include "clrt_scene.h"
#include "clrt_scheduler.h"
#include "clrt_stop.h"
#include "clrt_tiling.h"

/* How many missing tiles an error message lists before "and N more". */
enum { LISTED_MISSING_TILES = 4 };

static void apply_overrides(const clrt_options *options, clrt_scene *scene) {
  if (options->width.set)
    scene->image.width = options->width.value;
  if (options->height.set)
    scene->image.height = options->height.value;
  if (options->samples.set)
    scene->sampling.samples = options->samples.value;
  if (options->max_depth.set)
    scene->sampling.max_depth = options->max_depth.value;
}

/* Everything one render needs, set up before the first tile. */
typedef struct render_job {
  const clrt_options *options;
  clrt_flat_scene scene;
  clrt_image_settings image;
  clrt_fault_rules faults;
  clrt_device *devices;
  size_t device_count;
  clrt_tiling tiling;
  clrt_tile_plan plan;
  clrt_film film;
  clrt_output *output; /* the file being written, from before the render */
  double output_ms;    /* finishing it after the render */
  clrt_scheduler scheduler;
  bool scheduler_ready;
  clrt_tile *missing; /* after the render: tiles no device rendered */
  size_t missing_count;
  /* In a cluster (clrt_cluster.h), only the root holds the film, the
   * output and the real scheduler; the others' scheduler is fed. */
  bool root;
  bool linear;                  /* linear colour (for .hdr), not 8-bit */
  clrt_cluster_report *reports; /* the root's, after the render: one per process */
  double cluster_ms;            /* the root's: from the exchange's start to the last process done */
  double share_ms;              /* sending the flat scene to the other processes */
} render_job;

/* The user's tiling, or the default one (clrt_tiling.h); in a cluster,
 * guided strips, as on several devices. */
static clrt_tiling choose_tiling(const render_job *job) {
  const clrt_options *options = job->options;
  if (options->strip_count)
    return (clrt_tiling){.strips = options->strip_count};
  if (options->tile_width)
    return (clrt_tiling){.tile_width = options->tile_width, .tile_height = options->tile_height};
  if (clrt_cluster_size() > 1)
    return (clrt_tiling){.guided = true};
  return clrt_tiling_default(job->devices, job->device_count, stderr);
}

/* The film and the output file come before the render: running out of
 * memory fails at once, not after the whole picture, and a PNG is
 * compressed while the picture renders. */
static clrt_status prepare_output(render_job *job, clrt_error *err) {
  clrt_film_kind kind = job->linear ? CLRT_FILM_LINEAR : CLRT_FILM_LEVELS;
  clrt_status status =
      clrt_film_init(&job->film, job->image.width, job->image.height, kind, job->scene.tone_levels, err);
  clrt_png_settings png = {job->options->png_level.set ? (int)job->options->png_level.value : CLRT_PNG_DEFAULT_LEVEL,
                           (int)sysconf(_SC_NPROCESSORS_ONLN), clrt_stop_flag()};
  if (status == CLRT_OK)
    status = clrt_output_open(job->options->output_path, &png, &job->output, err);
  return status == CLRT_OK ? clrt_film_stream_to(&job->film, job->output, err) : status;
}

/* The root's film, output and scheduler, for the devices of every
 * process; the largest tile it hands out goes to *max_tile_pixels. */
static clrt_status prepare_root(render_job *job, unsigned devices, size_t *max_tile_pixels, clrt_error *err) {
  unsigned width = job->image.width, height = job->image.height;
  clrt_status status = clrt_tiling_plan(&job->tiling, width, height, &job->plan, err);
  if (status == CLRT_OK)
    status = prepare_output(job, err);
  if (status == CLRT_OK)
    status = clrt_scheduler_init(&job->scheduler, width, height, job->tiling.guided ? NULL : &job->plan, devices, err);
  job->scheduler_ready = status == CLRT_OK;
  *max_tile_pixels = job->scheduler_ready ? clrt_scheduler_max_tile_pixels(&job->scheduler) : 0;
  return status;
}

/* Every process calls the collectives here, whatever befell it: its
 * status is agreed on after. */
static clrt_status prepare_job(render_job *job, clrt_error *err) {
  clrt_status status = clrt_devices_choose(job->options->device_spec, &job->devices, &job->device_count, err);
  unsigned devices = clrt_cluster_sum(status == CLRT_OK ? (unsigned)job->device_count : 0);
  job->tiling = status == CLRT_OK ? choose_tiling(job) : (clrt_tiling){.guided = true};
  clrt_image_format format;
  if (status == CLRT_OK && (status = clrt_image_format_of(job->options->output_path, &format, err)) == CLRT_OK)
    job->linear = clrt_image_format_is_linear(format);
  size_t max_tile_pixels = 0;
  if (status == CLRT_OK && job->root)
    status = prepare_root(job, devices, &max_tile_pixels, err);
  clrt_cluster_share(&max_tile_pixels, sizeof max_tile_pixels);
  if (status == CLRT_OK && !job->root) {
    status = clrt_scheduler_init_fed(&job->scheduler, job->image.width, job->image.height, max_tile_pixels,
                                     (unsigned)job->device_count);
    job->scheduler_ready = status == CLRT_OK;
  }
  return status;
}

static void free_job(render_job *job) {
  clrt_output_discard(job->output); /* unless committed: then it is NULL */
  if (job->scheduler_ready)
    clrt_scheduler_destroy(&job->scheduler);
  clrt_film_free(&job->film);
  clrt_tiles_free(&job->plan);
  free(job->missing);
  free(job->reports);
  free(job->devices);
  clrt_faults_free(&job->faults);
  clrt_flat_scene_free(&job->scene);
}

/* ---- the summary ---- */

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
static void print_scaling(FILE *log, const clrt_farm_result *result) {
  double summed = 0.0;
  for (size_t i = 0; i < result->device_count; ++i)
    summed += mrays_per_second(result->devices[i].rays, result->devices[i].busy_ms);
  double combined = mrays_per_second(result->rays, result->render_ms);
  fprintf(log,
          "clrt:   combined %.1f Mrays/s = %.0f%% of the devices' summed busy rates (%.1f Mrays/s); tail %.0f ms\n",
          combined, summed > 0.0 ? 100.0 * combined / summed : 0.0, summed, result->tail_ms);
}

/* A line per process, then all of them together: Mrays/s over the time
 * from the exchange's start to the last process done, against the sum of
 * each process's rate while its devices were busy; and the tail, from the
 * first process out of work to the last. */
static void print_processes(FILE *log, const render_job *job) {
  int size = clrt_cluster_size();
  size_t pixels = (size_t)job->image.width * job->image.height;
  unsigned long long rays = 0;
  double summed = 0.0, first_out = -1.0, last_out = 0.0;
  for (int rank = 0; rank < size; ++rank) {
    const clrt_cluster_report *r = &job->reports[rank];
    double rate = mrays_per_second(r->rays, r->busy_ms);
    char host[CLRT_ERROR_MESSAGE_SIZE];
    clrt_printable(r->host, host, sizeof host);
    fprintf(log, "clrt:   process %d (%s): %u device(s)%s, %u tiles, %.2f Mpx (%.1f%%), busy %.0f ms, %.1f Mrays/s\n",
            rank, host, r->devices, r->retired ? ", some retired" : "", r->tiles, (double)r->pixels / 1e6,
            pixels ? 100.0 * (double)r->pixels / (double)pixels : 0.0, r->busy_ms, rate);
    rays += r->rays;
    summed += rate;
    first_out = first_out < 0.0 || r->finished_ms < first_out ? r->finished_ms : first_out;
    last_out = r->finished_ms > last_out ? r->finished_ms : last_out;
  }
  double combined = mrays_per_second(rays, job->cluster_ms);
  fprintf(log, "clrt:   the flat scene (%.1f MB) went to the other %d process(es) in %.0f ms\n",
          (double)clrt_flat_scene_bytes(&job->scene) / 1e6, size - 1, job->share_ms);
  fprintf(log,
          "clrt:   %d processes: %.1f Mrays in %.0f ms, %.1f Mrays/s = %.0f%% of their summed busy rates "
          "(%.1f Mrays/s); tail %.0f ms\n",
          size, (double)rays / 1e6, job->cluster_ms, combined, summed > 0.0 ? 100.0 * combined / summed : 0.0, summed,
          last_out - first_out);
}

static void print_tiles(FILE *log, render_job *job) {
  size_t done = clrt_scheduler_tiles_done(&job->scheduler);
  if (job->tiling.guided)
    fprintf(log, ", %zu guided tile(s)", done);
  else
    fprintf(log, ", %zu tile(s) of up to %ux%u%s", done, job->plan.max_width, job->plan.max_height,
            job->tiling.from_sweep ? " (the tiling clrt bench --tile-sweep picked)" : "");
}

static void print_summary(FILE *log, render_job *job, const clrt_farm_result *result, double wall_ms) {
  const clrt_device_report *first = &result->devices[0];
  double kernel_ms = 0.0;
  for (size_t i = 0; i < result->device_count; ++i)
    kernel_ms += result->devices[i].busy_ms;
  char path[CLRT_ERROR_MESSAGE_SIZE], name[CLRT_ERROR_MESSAGE_SIZE], platform[CLRT_ERROR_MESSAGE_SIZE];
  clrt_printable(job->options->output_path, path, sizeof path);
  fprintf(log, "clrt: %s: %ux%u, %u sample(s)/px, %zu sphere(s) (BVH built in %.0f ms) on ", path, job->image.width,
          job->image.height, job->scene.params.samples, job->scene.spheres_count, job->scene.stats.bvh_build_ms);
  clrt_printable(first->device.name, name, sizeof name);
  clrt_printable(first->device.platform_name, platform, sizeof platform);
  if (result->device_count == 1)
    fprintf(log, "%s [%s]", name, platform);
  else
    fprintf(log, "%zu devices", result->device_count);
  print_tiles(log, job);
  fprintf(log, ": build %.0f ms%s, kernel %.1f ms, output %.0f ms, wall %.0f ms, %.1f Mrays (%.1f Mrays/s)%s\n",
          first->build_ms, first->build_cached ? " (cached)" : "", kernel_ms, job->output_ms, wall_ms,
          (double)result->rays / 1e6, mrays_per_second(result->rays, result->render_ms),
          job->options->fast_math ? "; --fast-math: not the exact picture" : "");
  if (clrt_cluster_size() > 1)
    print_processes(log, job);
  if (result->device_count < 2)
    return;
  for (size_t i = 0; i < result->device_count; ++i)
    print_device_line(log, &result->devices[i], (size_t)job->image.width * job->image.height);
  print_scaling(log, result);
}

/* ---- the outcome ---- */

static void list_missing(const render_job *job, char *out, size_t size) {
  size_t used = 0;
  out[0] = '\0';
  for (size_t i = 0; i < job->missing_count && i < LISTED_MISSING_TILES && used < size; ++i) {
    const clrt_tile *t = &job->missing[i];
    used +=
        (size_t)snprintf(out + used, size - used, "%s(%u,%u %ux%u)", i ? ", " : "", t->x, t->y, t->width, t->height);
  }
  if (job->missing_count > LISTED_MISSING_TILES && used < size)
    snprintf(out + used, size - used, " and %zu more", job->missing_count - LISTED_MISSING_TILES);
}

static clrt_status write_image(render_job *job, clrt_error *err) {
  clrt_output *output = job->output;
  job->output = NULL; /* committed or discarded, it is gone */
  double start = clrt_now_ms();
  clrt_status status = clrt_film_write(&job->film, output, err);
  job->output_ms = clrt_now_ms() - start;
  return status;
}

/* Some tiles were never rendered: no file, or with --keep-partial the
 * rest with those tiles magenta; either way a failure. */
static clrt_status incomplete_render(render_job *job, const clrt_farm_result *result, clrt_error *err) {
  char tiles[256];
  list_missing(job, tiles, sizeof tiles);
  if (!job->options->keep_partial)
    return clrt_fail(err, CLRT_ERR_RUNTIME,
                     "no device could render %zu tile(s): %s (last error: %s); no file written (--keep-partial "
                     "writes the rest, with those tiles magenta)",
                     job->missing_count, tiles, clrt_farm_cause(result)->message);
  clrt_film_paint_missing(&job->film, job->missing, job->missing_count);
  clrt_status status = write_image(job, err);
  if (status != CLRT_OK)
    return status;
  return clrt_fail(err, CLRT_ERR_RUNTIME,
                   "no device could render %zu tile(s): %s; wrote %s with them magenta "
                   "(--keep-partial)",
                   job->missing_count, tiles, job->options->output_path);
}

/* The root's outcome, once no process was interrupted. */
static clrt_status finish_render(render_job *job, const clrt_farm_result *result, clrt_error *err) {
  clrt_status status = clrt_scheduler_missing(&job->scheduler, &job->missing, &job->missing_count, err);
  if (status != CLRT_OK)
    return status;
  return job->missing_count ? incomplete_render(job, result, err) : write_image(job, err);
}

/* Samples the integrator cut short: it says what was left out. Said even
 * with --quiet, since the picture is not all there. */
static void warn_cut_short(FILE *log, const render_job *job) {
  unsigned long long cut_short_samples = 0;
  for (int i = 0; i < clrt_cluster_size(); ++i)
    cut_short_samples += job->reports[i].cut_short_samples;
  const clrt_integrator *integrator = clrt_integrator_of(job->scene.params.integrator);
  if (cut_short_samples == 0 || !integrator)
    return;
  double samples = (double)job->image.width * job->image.height * job->scene.params.samples;
  integrator->warn_cut_short(log, &job->scene.params, samples, cut_short_samples);
}

/* What is about to be rendered, so that a render without a terminal (no
 * bar) says at once how much work it has ahead. */
static void print_start(FILE *log, const render_job *job) {
  char scene[CLRT_ERROR_MESSAGE_SIZE], path[CLRT_ERROR_MESSAGE_SIZE], device[CLRT_DEVICE_TITLE_SIZE],
      shown[CLRT_ERROR_MESSAGE_SIZE];
  clrt_printable(job->options->scene_path, scene, sizeof scene);
  clrt_printable(job->options->output_path, path, sizeof path);
  double samples = (double)job->image.width * job->image.height * job->scene.params.samples;
  fprintf(log, "clrt: rendering %s to %s: %ux%u at %u sample(s)/px (%.1f M samples), %zu sphere(s), on ", scene, path,
          job->image.width, job->image.height, job->scene.params.samples, samples / 1e6, job->scene.spheres_count);
  if (job->device_count == 1) {
    clrt_device_title(&job->devices[0], device, sizeof device);
    clrt_printable(device, shown, sizeof shown);
    fprintf(log, "%s\n", shown);
  } else {
    fprintf(log, "%zu devices\n", job->device_count);
  }
}

/* The bar (the root's, on a terminal), with each device's P:D, and in a
 * cluster each other process as r1, r2, ... */
static void start_progress(const render_job *job, FILE *log, clrt_progress *progress) {
  clrt_progress_init(progress, log, job->root && !job->options->quiet && isatty(fileno(log)),
                     (size_t)job->image.width * job->image.height);
  for (size_t i = 0; i < job->device_count; ++i) {
    char label[32];
    clrt_device_label(&job->devices[i], label, sizeof label);
    clrt_progress_label(progress, (unsigned)i, label);
  }
  for (int rank = 1; job->root && rank < clrt_cluster_size(); ++rank) {
    char label[16];
    snprintf(label, sizeof label, "r%d", rank);
    clrt_progress_label(progress, (unsigned)(job->device_count + (size_t)rank - 1), label);
  }
}

static clrt_session_options session_options(const render_job *job, FILE *log) {
  const clrt_options *options = job->options;
  double timeout_s = options->tile_timeout_s ? options->tile_timeout_s : CLRT_DEFAULT_TILE_TIMEOUT_S;
  return (clrt_session_options){.max_tile_pixels = clrt_scheduler_max_tile_pixels(&job->scheduler),
                                .fast_math = options->fast_math,
                                .linear_output = job->film.kind == CLRT_FILM_LINEAR,
                                .tile_timeout_ms = timeout_s * 1e3,
                                .faults = &job->faults,
                                .build_log = log};
}

/* The farm on this process's devices; in a cluster, with the tile
 * exchange running beside it. */
static clrt_status render_tiles(render_job *job, clrt_farm_job *farm, FILE *log, clrt_farm_result *result,
                                clrt_error *err) {
  clrt_session_options session = session_options(job, log);
  if (clrt_cluster_size() == 1)
    return clrt_farm_render(job->devices, job->device_count, &job->scene, &session, farm, result, err);
  clrt_cluster_job exchange = {&job->scheduler, &job->film, farm->progress, (unsigned)job->device_count,
                               clrt_session_pixel_bytes(job->linear)};
  clrt_cluster_link *link;
  clrt_tile_sink sink;
  clrt_status status = clrt_cluster_link_start(&exchange, &link, &sink, err);
  if (status != CLRT_OK)
    return status;
  if (!job->root) {
    farm->sink = &sink;
    farm->film = NULL;
  }
  status = clrt_farm_render(job->devices, job->device_count, &job->scene, &session, farm, result, err);
  clrt_cluster_link_finish(link, &job->cluster_ms);
  return status;
}

/* After every process's farm: an interruption anywhere means no file;
 * otherwise the root writes the picture (or says which tiles are
 * missing). Every process returns the agreed status. */
static clrt_status conclude(render_job *job, clrt_status status, const clrt_farm_result *result, clrt_error *err) {
  if (status == CLRT_OK && result->interrupted) {
    char stage[64];
    snprintf(stage, sizeof stage, "rendering, after %zu tile(s)", clrt_scheduler_tiles_done(&job->scheduler));
    status = clrt_stop_check(stage, err);
  }
  clrt_cluster_report mine = clrt_cluster_report_of(result);
  clrt_status gathered = clrt_cluster_gather(&mine, &job->reports, err);
  status = clrt_cluster_agree(status == CLRT_OK ? gathered : status, err);
  if (status == CLRT_OK && job->root)
    status = finish_render(job, result, err);
  return clrt_cluster_agree(status, err);
}

static clrt_status run_job(render_job *job, FILE *log, double start_ms, clrt_error *err) {
  const clrt_options *options = job->options;
  if (!options->quiet && job->root)
    print_start(log, job);
  clrt_progress progress;
  start_progress(job, log, &progress);
  clrt_farm_job farm = {&job->scheduler, &job->film, &progress, clrt_stop_flag(), NULL};
  clrt_farm_result result;
  memset(&result, 0, sizeof result);
  clrt_status status = render_tiles(job, &farm, log, &result, err);
  status = conclude(job, status, &result, err);
  if (status == CLRT_OK && job->root)
    warn_cut_short(log, job);
  if (status == CLRT_OK && job->root && !options->quiet)
    print_summary(log, job, &result, clrt_now_ms() - start_ms);
  clrt_farm_result_free(&result);
  clrt_progress_destroy(&progress);
  return status;
}

/* Reads the scene and flattens it, with the command line's overrides. */
static clrt_status load_job_scene(render_job *job, clrt_error *err) {
  clrt_scene scene;
  clrt_status status = clrt_scene_load(job->options->scene_path, &scene, err);
  if (status != CLRT_OK)
    return status;
  apply_overrides(job->options, &scene);
  job->image = scene.image;
  status = clrt_flatten(&scene, &job->scene, err);
  clrt_scene_free(&scene);
  return status;
}

/* The root reads the scene and flattens it; in a cluster, it sends the
 * flat scene to the others (clrt_cluster.h says why). */
static clrt_status load_and_share_scene(render_job *job, clrt_error *err) {
  clrt_status status = job->root ? clrt_image_check_output(job->options->output_path, err) : CLRT_OK;
  if (status == CLRT_OK)
    status = clrt_faults_from_environment(&job->faults, err);
  if (status == CLRT_OK && job->root)
    status = load_job_scene(job, err);
  status = clrt_cluster_agree(status, err);
  double start = clrt_now_ms();
  if (status == CLRT_OK)
    status = clrt_cluster_share_scene(&job->scene, &job->image, err);
  job->share_ms = clrt_now_ms() - start;
  if (status == CLRT_OK)
    status = clrt_stop_check("reading the scene", err);
  return clrt_cluster_agree(status, err);
}

/* Every process goes through the same steps (each ends with the status
 * agreed between them), so the collectives of MPI always match. */
clrt_status clrt_app_render(const clrt_options *options, FILE *log, clrt_error *err) {
  double start_ms = clrt_now_ms();
  render_job job;
  memset(&job, 0, sizeof job);
  job.options = options;
  job.root = clrt_cluster_rank() == 0;
  clrt_stop_catch();
  clrt_status status = load_and_share_scene(&job, err);
  if (status == CLRT_OK) {
    status = prepare_job(&job, err);
    if (status == CLRT_OK)
      status = clrt_stop_check("preparing the render", err);
    status = clrt_cluster_agree(status, err);
  }
  if (status == CLRT_OK)
    status = run_job(&job, log, start_ms, err);
  free_job(&job);
  return status;
}

/* The table and the files, from the root's results. */
static clrt_status report_bench(const clrt_bench_options *options, const clrt_bench_results *results, FILE *out,
                                FILE *log, clrt_error *err) {
  clrt_bench_print_table(results, out);
  clrt_status status = CLRT_OK;
  if (options->json_path && (status = clrt_bench_write_json(results, options->json_path, err)) == CLRT_OK)
    fprintf(log, "clrt: wrote %s\n", options->json_path);
  if (status == CLRT_OK && options->csv_path &&
      (status = clrt_bench_write_csv(results, options->csv_path, err)) == CLRT_OK)
    fprintf(log, "clrt: wrote %s\n", options->csv_path);
  if (status == CLRT_OK && options->chart_path &&
      (status = clrt_bench_write_chart(results, options->chart_path, err)) == CLRT_OK)
    fprintf(log, "clrt: wrote %s\n", options->chart_path);
  return status;
}

/* Under mpirun every process measures (clrt_bench.h); the root reports. */
clrt_status clrt_app_bench(const clrt_bench_options *options, FILE *out, FILE *log, clrt_error *err) {
  bool root = clrt_cluster_rank() == 0;
  if (options->compare_paths[0]) /* two files, nothing measured: the root's job alone */
    return root ? clrt_bench_compare(options->compare_paths[0], options->compare_paths[1], out, err) : CLRT_OK;
  clrt_bench_results results;
  clrt_stop_catch();
  clrt_status status = clrt_bench_run(options, log, &results, err);
  if (status == CLRT_OK && root)
    status = report_bench(options, &results, out, log, err);
  clrt_bench_results_free(&results);
  return clrt_cluster_agree(status, err);
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
