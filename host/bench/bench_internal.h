/* What the parts of clrt bench share: a scene under measurement, the run's
 * context, and each part's entry points. bench.c runs the whole; frames.c
 * measures frames; baseline.c runs the host reference; check.c checks
 * pictures; sweep.c sweeps tilings and picks the best; cluster.c shares
 * scenes and gathers records under mpirun. */
#ifndef CLRT_BENCH_INTERNAL_H
#define CLRT_BENCH_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "clrt_bench.h"
#include "clrt_devices.h"
#include "clrt_faults.h"
#include "clrt_flat_scene.h"
#include "clrt_session.h"
#include "clrt_tiles.h"
#include "clrt_tiling.h"
#include "clrt_tone_map.h"

typedef struct bench_scene {
  char name[64];
  char hash[17]; /* FNV-1a of the scene file's bytes */
  clrt_flat_scene flat;
  uint8_t *reference_rgb; /* the host reference's picture */
  uint8_t *first_rgb;     /* the first device's picture */
  double host_mrays;      /* the host baseline's median on one thread */
  double cores_mrays;     /* ... and on all cores (0 with one core) */
} bench_scene;

typedef struct bench_context {
  const clrt_bench_options *options;
  clrt_bench_results *results;
  FILE *log;
  bool progress; /* redraw a progress line (log is a terminal) */
  double progress_drawn_ms;
  clrt_device *devices;
  size_t device_count;
  clrt_fault_rules faults; /* injected faults, parsed once */
} bench_context;

/* How many frames to measure. */
typedef struct frame_quota {
  unsigned warmup, runs;
  double min_time_s;
} frame_quota;

/* bench.c */
void bench_progress(bench_context *b, const char *format, ...) __attribute__((format(printf, 2, 3)));
void bench_progress_clear(bench_context *b);
/* A new, zeroed record in the results; NULL when out of memory. */
clrt_bench_record *bench_new_record(clrt_bench_results *results);
size_t bench_pixel_count(const bench_scene *s);
/* The label of a device in records: P:D, or R/P:D under mpirun (R: the
 * process's rank). */
void bench_device_label(const clrt_device *device, char *out, size_t size);

/* frames.c: min, median and max of `values` (sorts them). */
clrt_stats bench_stats_of(double *values, size_t count);

/* frames.c: warm-up frames, then timed frames until both the run count and
 * the minimum time are reached, on the sessions with the tiling; the
 * record gets the statistics and the last frame's picture goes to rgb
 * (pixel count x 3). False (record->check says why) when a frame failed.
 * `across_cluster`: every process calls it, and each frame is rendered by
 * the devices of all of them (guided tiles, as `mpirun clrt render`
 * does); the root decides how many frames and gets the figures. */
bool bench_run_frames(bench_context *b, clrt_session *const *sessions, size_t count, const bench_scene *s,
                      const clrt_tiling *tiling, frame_quota plan, bool across_cluster, clrt_bench_record *record,
                      uint8_t *rgb);

/* baseline.c: the host reference on one thread (its picture is what every
 * device is checked against) and on all cores, each for up to --runs
 * frames within CLRT_BENCH_HOST_SECONDS. */
clrt_status bench_host_baselines(bench_context *b, bench_scene *s, clrt_error *err);

/* check.c: the picture against the host reference's and the first
 * device's; the record is scored only when both are within tolerance. */
void bench_check_picture(const bench_scene *s, const uint8_t *rgb, clrt_bench_record *record);

/* sweep.c */
/* Measures one device on strips from 1 to one per row, and squares. */
clrt_status bench_sweep_device(bench_context *b, clrt_session *session, bench_scene *s, clrt_error *err);
/* The largest tile any measurement of this scene needs, in pixels. */
size_t bench_tile_capacity(const bench_context *b, const bench_scene *s);
/* Stores each device's best tiling of the sweep for clrt render. */
clrt_status bench_pick_tilings(bench_context *b, size_t scene_count, clrt_error *err);

/* cluster.c, under mpirun; nothing in a cluster of one. */
/* The root's scenes (read from files or built in) to the others. */
clrt_status bench_share_scenes(bench_scene **scenes, size_t *count, clrt_error *err);
/* The root's host reference picture and baseline rates to the others. */
clrt_status bench_share_reference(bench_scene *s, clrt_error *err);
/* Every process's records from index `first` on, to the root. */
clrt_status bench_gather_records(clrt_bench_results *results, size_t first, clrt_error *err);
/* Every process's tile picks, to the root. */
clrt_status bench_gather_picks(clrt_bench_results *results, clrt_error *err);

/* bench.c: one device alone on one tiling, as a record. */
clrt_status bench_measure(bench_context *b, clrt_session *session, bench_scene *s, const clrt_tiling *tiling,
                          frame_quota frames, bool sweep, clrt_error *err);

#endif /* CLRT_BENCH_INTERNAL_H */
