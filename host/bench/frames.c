/* clrt bench: measuring frames, and their statistics. A frame is rendered
 * by this process's devices, or under mpirun by every process's, as
 * `mpirun clrt render` renders a picture. */
#include "bench_frames.h"

#include <stdlib.h>
#include <string.h>

#include "clrt_clock.h"
#include "clrt_cluster.h"
#include "clrt_film.h"
#include "clrt_frame.h"
#include "clrt_stop.h"

/* Frames stop here even if --min-time asks for more (a tiny scene). */
#define CLRT_BENCH_MAX_FRAMES 2000u

/* Per-frame figures. */
typedef struct frame_log {
  double *mrays, *msamples, *frame_ms, *kernel_ms;
  unsigned count;
  clrt_ray_counts rays;
} frame_log;

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
  clrt_ray_counts rays;
  double wall_ms, kernel_ms;
} frame_figures;

static void log_frame(frame_log *frames, const frame_figures *figures, double samples) {
  unsigned k = frames->count++;
  frames->rays = figures->rays;
  frames->frame_ms[k] = figures->wall_ms;
  frames->kernel_ms[k] = figures->kernel_ms;
  frames->mrays[k] = (double)clrt_rays_total(&figures->rays) / figures->wall_ms / 1e3;
  frames->msamples[k] = samples / figures->wall_ms / 1e3;
}

/* What a frame renders with: its sessions, tiles and film (8-bit, tone
 * mapped by the devices, as clrt render's). */
typedef struct frame_run {
  const clrt_frame *frame;
  clrt_session *const *sessions;
  size_t count;
  clrt_film *film; /* the root's, when the frame is every process's */
} frame_run;

static void say_failed(clrt_bench_record *record, const clrt_error *cause) {
  snprintf(record->check, sizeof record->check, "device failed: %.230s", cause->message);
}

/* The frame's rays and kernel time: every process's that rendered it. */
static void count_figures(const frame_run *run, const clrt_frame_outcome *outcome, frame_figures *figures) {
  int processes = run->frame->across_cluster ? clrt_cluster_size() : 1;
  for (int rank = 0; outcome->processes && rank < processes; ++rank) {
    clrt_rays_add(&figures->rays, &outcome->processes[rank].rays);
    figures->kernel_ms += outcome->processes[rank].busy_ms;
  }
}

/* Renders one frame; with every process's devices, each process calls it
 * and the root, which holds the film, gets the figures. False (with
 * record->check set) when tiles went missing or a process failed. */
static bool render_frame(const frame_run *run, clrt_bench_record *record, frame_log *frames) {
  clrt_progress quiet;
  clrt_error err;
  clrt_frame_outcome outcome;
  clrt_progress_init(&quiet, stderr, false, 0);
  bool holds_film = !run->frame->across_cluster || clrt_cluster_rank() == 0;
  if (holds_film)
    clrt_film_restart(run->film);
  clrt_frame_devices devices = {run->sessions, NULL, run->count, NULL, NULL};
  double start = clrt_now_ms();
  clrt_status status =
      clrt_frame_render(run->frame, &devices, holds_film ? run->film : NULL, CLRT_TILE_LEVELS, &quiet, &outcome, &err);
  frame_figures figures = {{0, 0, 0}, clrt_now_ms() - start, 0.0};
  count_figures(run, &outcome, &figures);
  bool complete = status == CLRT_OK && holds_film && clrt_film_complete(run->film);
  if (status != CLRT_OK || (holds_film && !complete))
    say_failed(record, status != CLRT_OK ? &err : clrt_farm_cause(&outcome.farm));
  else if (complete && frames)
    log_frame(frames, &figures, record->samples_per_frame);
  clrt_frame_outcome_free(&outcome);
  clrt_progress_destroy(&quiet);
  return complete;
}

/* Whether to render another frame; with every process's devices, as the
 * root decides. */
static bool another_frame(const frame_run *run, bool wanted) {
  if (!run->frame->across_cluster)
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

static bool run_frames(bench_context *b, const frame_run *run, const bench_scene *s, frame_quota quota,
                       clrt_bench_record *record) {
  frame_log frames;
  bool ok = frame_log_init(&frames, CLRT_BENCH_MAX_FRAMES);
  if (!ok)
    snprintf(record->check, sizeof record->check, "out of memory for the frame log");
  for (unsigned i = 0; another_frame(run, ok && !clrt_stop_signal() && i < quota.warmup); ++i) {
    bench_progress(b, "%s on %s (%s): warm-up", s->name, record->device_label, record->tiling);
    ok = render_frame(run, record, NULL);
  }
  double start = clrt_now_ms();
  while (another_frame(run, ok && !clrt_stop_signal() && frames.count < CLRT_BENCH_MAX_FRAMES &&
                                (frames.count < quota.runs || clrt_now_ms() - start < quota.min_time_s * 1e3))) {
    bench_progress(b, "%s on %s (%s): frame %u", s->name, record->device_label, record->tiling, frames.count + 1);
    ok = render_frame(run, record, &frames);
  }
  if (ok)
    summarise_frames(&frames, record);
  frame_log_free(&frames);
  return ok;
}

bool bench_run_frames(bench_context *b, clrt_session *const *sessions, size_t count, const bench_scene *s,
                      const clrt_tiling *tiling, frame_quota quota, bool across_cluster, clrt_bench_record *record,
                      uint8_t *rgb) {
  clrt_frame frame;
  clrt_film film;
  clrt_error err;
  unsigned width = s->flat.params.width, height = s->flat.params.height;
  clrt_status status = clrt_frame_prepare(&frame, tiling, width, height, (unsigned)count, across_cluster, &err);
  bool film_ready = status == CLRT_OK && (status = clrt_film_init(&film, width, height, CLRT_FILM_LEVELS,
                                                                  s->flat.tone_levels, &err)) == CLRT_OK;
  if (across_cluster) /* every process renders each frame, or none does */
    status = clrt_cluster_agree(status, &err);
  bool ok = status == CLRT_OK;
  if (ok) {
    record->tile_count = frame.plan.count;
    frame_run run = {&frame, sessions, count, &film};
    ok = run_frames(b, &run, s, quota, record);
  } else {
    snprintf(record->check, sizeof record->check, "%.240s", err.message);
  }
  if (ok && rgb)
    memcpy(rgb, film.rgb, bench_pixel_count(s) * 3);
  if (film_ready)
    clrt_film_free(&film);
  clrt_frame_free(&frame);
  return ok;
}
