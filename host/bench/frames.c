/* clrt bench: measuring frames, and their statistics. */
#include "bench_internal.h"

#include <stdlib.h>
#include <string.h>

#include "clrt_clock.h"
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

static void log_frame(frame_log *frames, const clrt_farm_result *result, double wall_ms, double samples) {
  double kernel_ms = 0;
  for (size_t i = 0; i < result->device_count; ++i)
    kernel_ms += result->devices[i].busy_ms;
  unsigned k = frames->count++;
  frames->rays = result->rays;
  frames->frame_ms[k] = wall_ms;
  frames->kernel_ms[k] = kernel_ms;
  frames->mrays[k] = (double)result->rays / wall_ms / 1e3;
  frames->msamples[k] = samples / wall_ms / 1e3;
}

/* What a frame renders with: its sessions, tiles and film (8-bit, tone
 * mapped by the devices, as clrt render's). */
typedef struct frame_run {
  clrt_session *const *sessions;
  size_t count;
  const clrt_tile_plan *plan; /* NULL: guided */
  clrt_film *film;
} frame_run;

/* Renders one frame; false (with record->check set) when tiles went missing. */
static bool render_frame(const frame_run *run, clrt_bench_record *record, frame_log *frames) {
  clrt_scheduler scheduler;
  clrt_progress quiet;
  clrt_error err;
  clrt_farm_result result = {0};
  clrt_progress_init(&quiet, stderr, false, 0);
  clrt_film_restart(run->film);
  double start = clrt_now_ms();
  clrt_status status =
      clrt_scheduler_init(&scheduler, run->film->width, run->film->height, run->plan, (unsigned)run->count, &err);
  clrt_farm_job job = {&scheduler, run->film, &quiet, clrt_stop_flag(), NULL};
  if (status == CLRT_OK)
    status = clrt_farm_render_sessions(run->sessions, run->count, &job, &result, &err);
  double wall_ms = clrt_now_ms() - start;
  bool complete = status == CLRT_OK && clrt_film_complete(run->film);
  if (!complete)
    snprintf(record->check, sizeof record->check, "device failed: %.230s",
             status != CLRT_OK ? err.message : clrt_farm_cause(&result)->message);
  else if (frames)
    log_frame(frames, &result, wall_ms, record->samples_per_frame);
  clrt_farm_result_free(&result);
  clrt_scheduler_destroy(&scheduler);
  clrt_progress_destroy(&quiet);
  return complete;
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
  for (unsigned i = 0; ok && !clrt_stop_signal() && i < plan.warmup; ++i) {
    bench_progress(b, "%s on %s (%s): warm-up", s->name, record->device_label, record->tiling);
    ok = render_frame(run, record, NULL);
  }
  double start = clrt_now_ms();
  while (ok && !clrt_stop_signal() && frames.count < CLRT_BENCH_MAX_FRAMES &&
         (frames.count < plan.runs || clrt_now_ms() - start < plan.min_time_s * 1e3)) {
    bench_progress(b, "%s on %s (%s): frame %u", s->name, record->device_label, record->tiling, frames.count + 1);
    ok = render_frame(run, record, &frames);
  }
  if (ok)
    summarise_frames(&frames, record);
  frame_log_free(&frames);
  return ok;
}

bool bench_run_frames(bench_context *b, clrt_session *const *sessions, size_t count, const bench_scene *s,
                      const clrt_tiling *tiling, frame_plan plan, clrt_bench_record *record, uint8_t *rgb) {
  clrt_tile_plan tiles;
  clrt_film film;
  clrt_error err;
  unsigned width = s->flat.params.width, height = s->flat.params.height;
  if (clrt_tiling_plan(tiling, width, height, &tiles, &err) != CLRT_OK ||
      clrt_film_init(&film, width, height, CLRT_FILM_LEVELS, s->flat.tone_levels, &err) != CLRT_OK) {
    snprintf(record->check, sizeof record->check, "%.240s", err.message);
    clrt_tiles_free(&tiles);
    return false;
  }
  record->tile_count = tiles.count;
  frame_run run = {sessions, count, tiling->guided ? NULL : &tiles, &film};
  bool ok = run_frames(b, &run, s, plan, record);
  if (ok)
    memcpy(rgb, film.rgb, bench_pixel_count(s) * 3);
  clrt_film_free(&film);
  clrt_tiles_free(&tiles);
  return ok;
}
