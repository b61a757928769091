/* What the parts of clrt bench share: a scene under measurement, the
 * run's context, and the helpers every part uses (progress, records,
 * labels). The parts stand on this and on each other without a cycle:
 * bench.c (the top) uses scenes, measure, sweep, baseline and cluster;
 * sweep uses measure; measure uses frames and check. */
#ifndef CLRT_BENCH_CONTEXT_H
#define CLRT_BENCH_CONTEXT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "clrt_bench.h"
#include "clrt_devices.h"
#include "clrt_faults.h"
#include "clrt_flat_scene.h"
#include "clrt_hash.h"

typedef struct bench_scene {
  char name[64];
  char hash[CLRT_SHA256_TEXT]; /* SHA-256 of the scene file's bytes */
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

/* How many frames a measurement renders: warm-up frames, then timed ones
 * until both the run count and the minimum time are reached. */
typedef struct frame_quota {
  unsigned warmup, runs;
  double min_time_s;
} frame_quota;

/* The progress line, redrawn in place (only on a terminal, a few times a
 * second at most); and cleared. */
void bench_progress(bench_context *b, const char *format, ...) __attribute__((format(printf, 2, 3)));
void bench_progress_clear(bench_context *b);

/* A new, zeroed record in the results; NULL when out of memory. */
clrt_bench_record *bench_new_record(clrt_bench_results *results);

/* The error for a record that found no room. */
clrt_status bench_no_room_for_records(const clrt_bench_results *results, clrt_error *err);

size_t bench_pixel_count(const bench_scene *s);

/* The label of a device in records: P:D, or R/P:D under mpirun (R: the
 * process's rank). */
void bench_device_label(const clrt_device *device, char *out, size_t size);

/* A record's scene and device columns. */
void bench_describe_scene(const bench_scene *s, clrt_bench_record *record);
void bench_describe_device(const bench_context *b, const clrt_device *device, clrt_bench_record *record);

/* Min, median and max of `values` (sorts them). */
clrt_stats bench_stats_of(double *values, size_t count);

#endif /* CLRT_BENCH_CONTEXT_H */
