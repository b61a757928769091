/* clrt bench: measuring frames, and their statistics. A frame is rendered
 * by this process's devices, or under mpirun by every process's, as
 * `mpirun clrt render` renders a picture. */
#include "bench_internal.h"

#include <stdlib.h>
#include <string.h>

#include "clrt_clock.h"
#include "clrt_cluster.h"
#include "clrt_farm.h"
#include "clrt_film.h"
#include "clrt_scheduler.h"
#include "clrt_stop.h"

/* Frames stop here even if --min-time asks for more (a tiny scene). */
#define CLRT_BENCH_MAX_FRAMES 2000u

/* Per-frame figures. */
typedef struct frame_log {
  double *mrays, *msamples, *frame_ms, *kernel_ms;
  unsigned count;
  uint64_t rays;
} frame_log;

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

clrt_stats bench_stats_of(double *values, size_t count) {
  clrt_stats s = {0, 0, 0};
  if (count == 0)
    return s;
  qsort(values, count, sizeof *values, compare_doubles);
  s.min = values[0];
  s.max = values[count - 1];
  s.median = count % 2 ? values[count / 2] : (values[count / 2 - 1] + values[count / 2]) / 2.0;
  return s;
}

static bool frame_log_init(frame_log *frames, unsigned capacity) {
  memset(frames, 0, sizeof *frames);
  frames->mrays = calloc(capacity, sizeof(double));
  frames->msamples = calloc(capacity, sizeof(double));
  frames->frame_ms = calloc(capacity, sizeof(double));
  frames->kernel_ms = calloc(capacity, sizeof(double));
  return frames->mrays && frames->msamples && frames->frame_ms && frames->kernel_ms;
}

static void frame_log_free(frame_log *frames) {
  free(frames->mrays);
  free(frames->msamples);
  free(frames->frame_ms);
  free(frames->kernel_ms);
}

/* A finished frame: its rays, its time, its devices' kernel time. */
typedef struct frame_figures {
  uint64_t rays;
  double wall_ms, kernel_ms;
} frame_figures;

static void log_frame(frame_log *frames, const frame_figures *figures, double samples) {
  unsigned k = frames->count++;
  frames->rays = figures->rays;
  frames->frame_ms[k] = figures->wall_ms;
  frames->kernel_ms[k] = figures->kernel_ms;
  frames->mrays[k] = (double)figures->rays / figures->wall_ms / 1e3;
  frames->msamples[k] = samples / figures->wall_ms / 1e3;
}

/* What a frame renders with: its sessions, tiles and film (8-bit, tone
 * mapped by the devices, as clrt render's). */
typedef struct frame_run {
  clrt_session *const *sessions;
  size_t count;
  const clrt_tile_plan *plan; /* NULL: guided */
  clrt_film *film;
  unsigned cluster_devices; /* with every process's devices, all of them; 0: this process's alone */
} frame_run;

static void say_failed(clrt_bench_record *record, const clrt_error *cause) {
  snprintf(record->check, sizeof record->check, "device failed: %.230s", cause->message);
}

/* This frame's scheduler: the plan (or guided tiles) for this process's
 * devices; with every process's, the root's cuts guided tiles for all of
 * them and another process's is fed by the exchange. */
static clrt_status start_scheduler(const frame_run *run, clrt_scheduler *scheduler, clrt_error *err) {
  unsigned width = run->film->width, height = run->film->height;
  if (!run->cluster_devices)
    return clrt_scheduler_init(scheduler, width, height, run->plan, (unsigned)run->count, err);
  if (clrt_cluster_rank() == 0)
    return clrt_scheduler_init(scheduler, width, height, NULL, run->cluster_devices, err);
  if (clrt_scheduler_init_fed(scheduler, width, height, clrt_scheduler_guided_max_pixels(width, height),
                              (unsigned)run->count) != CLRT_OK)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory for the tile queue");
  return CLRT_OK;
}

/* The farm on this process's devices; with every process's, the tile
 * exchange runs beside it and the root's film takes every process's
 * tiles. */
static clrt_status render_on_farm(const frame_run *run, clrt_scheduler *scheduler, clrt_progress *quiet,
                                  clrt_farm_result *result, clrt_error *err) {
  clrt_farm_job job = {scheduler, run->film, quiet, clrt_stop_flag(), NULL};
  if (!run->cluster_devices)
    return clrt_farm_render_sessions(run->sessions, run->count, &job, result, err);
  clrt_cluster_job exchange = {scheduler, run->film, quiet, (unsigned)run->count, clrt_session_pixel_bytes(false)};
  clrt_cluster_link *link;
  clrt_tile_sink sink;
  clrt_status status = clrt_cluster_link_start(&exchange, &link, &sink, err);
  if (status != CLRT_OK)
    return status;
  if (clrt_cluster_rank() != 0) {
    job.film = NULL;
    job.sink = &sink;
  }
  status = clrt_farm_render_sessions(run->sessions, run->count, &job, result, err);
  clrt_cluster_link_finish(link, NULL);
  return status;
}

static void add_figures(const clrt_cluster_report *report, frame_figures *figures) {
  figures->rays += report->rays;
  figures->kernel_ms += report->busy_ms;
}

/* The frame's rays and kernel time: this process's, or with every
 * process's devices, all of theirs added up at the root. */
static clrt_status count_figures(const frame_run *run, const clrt_farm_result *result, frame_figures *figures,
                                 clrt_error *err) {
  clrt_cluster_report mine = clrt_cluster_report_of(result), *reports = NULL;
  if (!run->cluster_devices) {
    add_figures(&mine, figures);
    return CLRT_OK;
  }
  clrt_status status = clrt_cluster_gather(&mine, &reports, err);
  for (int rank = 0; reports && rank < clrt_cluster_size(); ++rank)
    add_figures(&reports[rank], figures);
  free(reports);
  return status;
}

/* Renders one frame; with every process's devices, each process calls it
 * and the root, which holds the film, gets the figures. False (with
 * record->check set) when tiles went missing or a process failed. */
static bool render_frame(const frame_run *run, clrt_bench_record *record, frame_log *frames) {
  clrt_scheduler scheduler;
  clrt_progress quiet;
  clrt_error err;
  clrt_farm_result result = {0};
  clrt_progress_init(&quiet, stderr, false, 0);
  clrt_film_restart(run->film);
  double start = clrt_now_ms();
  clrt_status status = start_scheduler(run, &scheduler, &err);
  bool scheduler_ready = status == CLRT_OK, across_cluster = run->cluster_devices > 0;
  if (across_cluster) /* every process renders the frame, or none does */
    status = clrt_cluster_agree(status, &err);
  if (status == CLRT_OK)
    status = render_on_farm(run, &scheduler, &quiet, &result, &err);
  frame_figures figures = {0, clrt_now_ms() - start, 0.0};
  clrt_status counted = count_figures(run, &result, &figures, &err);
  status = status == CLRT_OK ? counted : status;
  if (across_cluster)
    status = clrt_cluster_agree(status, &err);
  bool holds_film = !across_cluster || clrt_cluster_rank() == 0;
  bool complete = status == CLRT_OK && holds_film && clrt_film_complete(run->film);
  if (status != CLRT_OK || (holds_film && !complete))
    say_failed(record, status != CLRT_OK ? &err : clrt_farm_cause(&result));
  else if (complete && frames)
    log_frame(frames, &figures, record->samples_per_frame);
  clrt_farm_result_free(&result);
  if (scheduler_ready)
    clrt_scheduler_destroy(&scheduler);
  clrt_progress_destroy(&quiet);
  return complete;
}

/* Whether to render another frame; with every process's devices, as the
 * root decides. */
static bool another_frame(const frame_run *run, bool wanted) {
  if (!run->cluster_devices)
    return wanted;
  int go = wanted;
  clrt_cluster_share(&go, sizeof go);
  return go != 0;
}

static void summarise_frames(frame_log *frames, clrt_bench_record *record) {
  record->frames = frames->count;
  record->rays = frames->rays;
  record->mrays = bench_stats_of(frames->mrays, frames->count);
  record->msamples = bench_stats_of(frames->msamples, frames->count);
  record->frame_ms = bench_stats_of(frames->frame_ms, frames->count);
  record->kernel_ms = bench_stats_of(frames->kernel_ms, frames->count);
  record->spread_percent =
      record->mrays.median > 0 ? 100.0 * (record->mrays.max - record->mrays.min) / record->mrays.median : 0.0;
}

static bool run_frames(bench_context *b, const frame_run *run, const bench_scene *s, frame_plan plan,
                       clrt_bench_record *record) {
  frame_log frames;
  bool ok = frame_log_init(&frames, CLRT_BENCH_MAX_FRAMES);
  if (!ok)
    snprintf(record->check, sizeof record->check, "out of memory for the frame log");
  for (unsigned i = 0; another_frame(run, ok && !clrt_stop_signal() && i < plan.warmup); ++i) {
    bench_progress(b, "%s on %s (%s): warm-up", s->name, record->device_label, record->tiling);
    ok = render_frame(run, record, NULL);
  }
  double start = clrt_now_ms();
  while (another_frame(run, ok && !clrt_stop_signal() && frames.count < CLRT_BENCH_MAX_FRAMES &&
                                (frames.count < plan.runs || clrt_now_ms() - start < plan.min_time_s * 1e3))) {
    bench_progress(b, "%s on %s (%s): frame %u", s->name, record->device_label, record->tiling, frames.count + 1);
    ok = render_frame(run, record, &frames);
  }
  if (ok)
    summarise_frames(&frames, record);
  frame_log_free(&frames);
  return ok;
}

bool bench_run_frames(bench_context *b, clrt_session *const *sessions, size_t count, const bench_scene *s,
                      const clrt_tiling *tiling, frame_plan plan, bool across_cluster, clrt_bench_record *record,
                      uint8_t *rgb) {
  clrt_tile_plan tiles = {0};
  clrt_film film;
  clrt_error err;
  unsigned width = s->flat.params.width, height = s->flat.params.height;
  clrt_status status = clrt_tiling_plan(tiling, width, height, &tiles, &err);
  bool film_ready = status == CLRT_OK && (status = clrt_film_init(&film, width, height, CLRT_FILM_LEVELS,
                                                                  s->flat.tone_levels, &err)) == CLRT_OK;
  if (across_cluster) /* every process renders each frame, or none does */
    status = clrt_cluster_agree(status, &err);
  if (status != CLRT_OK) {
    snprintf(record->check, sizeof record->check, "%.240s", err.message);
    if (film_ready)
      clrt_film_free(&film);
    clrt_tiles_free(&tiles);
    return false;
  }
  record->tile_count = tiles.count;
  frame_run run = {sessions, count, tiling->guided ? NULL : &tiles, &film,
                   across_cluster ? clrt_cluster_sum((unsigned)count) : 0};
  bool ok = run_frames(b, &run, s, plan, record);
  if (ok && rgb)
    memcpy(rgb, film.rgb, bench_pixel_count(s) * 3);
  clrt_film_free(&film);
  clrt_tiles_free(&tiles);
  return ok;
}
