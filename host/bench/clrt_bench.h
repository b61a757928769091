/* clrt bench: device throughput people can trust, script and compare.
 *
 * For each scene (the built-in suite by default) and each device: program
 * build (cached or not) and upload timed apart, warm-up frames, then timed
 * frames until both --runs and --min-time are satisfied. Every frame is
 * checked: rays are counted by the kernel, and the last image is compared
 * with the first device's and the host reference's. A device whose picture
 * is wrong gets no score. The host baseline (the reference renderer on one
 * thread and on all cores) stands in the same table. */
#ifndef CLRT_BENCH_H
#define CLRT_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "clrt_error.h"
#include "clrt_hash.h"
#include "clrt_session.h"

#define CLRT_BENCH_DEFAULT_RUNS 5u
#define CLRT_BENCH_DEFAULT_WARMUP 1u
#define CLRT_BENCH_DEFAULT_MIN_TIME_S 1.0
/* One enqueue on a GPU that drives a display must stay below this, or the
 * driver's watchdog may kill it. */
#define CLRT_BENCH_DEFAULT_MAX_ENQUEUE_MS 100.0

/* What the user chose for `clrt bench` on the command line. */
typedef struct clrt_bench_options {
  const char **scene_paths; /* none: the built-in suite */
  size_t scene_count;
  const char *device_spec; /* NULL: the best device; "all"; or a comma list */
  unsigned runs;
  unsigned warmup;
  double min_time_s;
  bool tile_sweep;
  bool fast_math;
  clrt_array_memory array_memory; /* --arrays */
  double max_enqueue_ms;
  const char *json_path;
  const char *csv_path;
  const char *chart_path;
  const char *compare_paths[2]; /* --compare A.json B.json: no rendering */
} clrt_bench_options;

/* A scene compiled into the binary (scenes/bench/). */
typedef struct clrt_builtin_scene {
  const char *name;
  const char *text;
} clrt_builtin_scene;

extern const clrt_builtin_scene clrt_builtin_suite[];
extern const unsigned clrt_builtin_suite_size;

typedef struct clrt_stats {
  double min, median, max;
} clrt_stats;

enum { CLRT_BENCH_TEXT = 256 };

/* One (scene, device, tiling) measurement. */
typedef struct clrt_bench_record {
  char scene[64];
  char scene_sha256[CLRT_SHA256_TEXT]; /* of the scene file's bytes */
  unsigned width, height, samples;
  size_t spheres;
  double bvh_build_ms; /* on the host, apart from any frame */
  char device[CLRT_BENCH_TEXT];
  char device_label[32]; /* P:D (under mpirun R/P:D, R the process), or "all" for every device together */
  char host[64];         /* the machine the device is in */
  char device_type[16];
  unsigned compute_units;
  char platform[CLRT_BENCH_TEXT];
  char driver[CLRT_BENCH_TEXT];
  char tiling[32]; /* "256x256", "strips:8", "guided" */
  size_t tile_count;
  bool sweep; /* measured by --tile-sweep */
  double build_ms, upload_ms;
  bool build_cached;
  unsigned frames;
  clrt_ray_counts rays; /* per frame, by kind */
  double samples_per_frame;
  clrt_stats mrays, msamples, frame_ms, kernel_ms;
  double spread_percent;     /* (max - min) / median of Mrays/s */
  double speedup_vs_host;    /* median Mrays/s over the host baseline's on 1 thread */
  double speedup_vs_cores;   /* ... and on all cores; 0 on a 1-core machine */
  double scaling_efficiency; /* "all": combined over the sum of the devices alone; 0 otherwise */
  bool scored;
  char check[CLRT_BENCH_TEXT]; /* "ok", or what is wrong with the picture or device */
} clrt_bench_record;

/* The host reference renderer on one scene, on 1 thread or on all cores,
 * over one or more frames. */
typedef struct clrt_host_baseline {
  char scene[64];
  int threads;
  bool all_cores; /* threads is every core the machine has */
  unsigned frames;
  clrt_ray_counts rays; /* per frame, by kind */
  double samples_per_frame;
  clrt_stats mrays, msamples, frame_ms;
  double spread_percent; /* (max - min) / median of Mrays/s */
} clrt_host_baseline;

/* "host C, 1 thread" or "host C, N threads (all cores)": what tables and
 * charts call a baseline. */
void clrt_bench_host_name(const clrt_host_baseline *baseline, char *out, size_t size);

typedef struct clrt_machine_facts {
  char host[64];
  char cpu[CLRT_BENCH_TEXT];
  char os[CLRT_BENCH_TEXT];
  int cores;
  char platforms[8][CLRT_BENCH_TEXT]; /* "name (version)" */
  int platform_count;
} clrt_machine_facts;

/* The best tiling a device showed in the sweep. */
typedef struct clrt_tile_pick {
  char device_label[32];
  char device[CLRT_BENCH_TEXT];
  char host[64];
  char tiling[32];
  double mrays;
  bool capped;          /* made smaller to keep one enqueue under --max-enqueue-ms */
  char stored_in[1024]; /* the file on that host clrt render reads it from */
} clrt_tile_pick;

typedef struct clrt_bench_results {
  clrt_bench_options options;
  clrt_machine_facts machine;
  clrt_bench_record *records;
  size_t record_count, record_capacity;
  clrt_host_baseline *baselines;
  size_t baseline_count, baseline_capacity;
  clrt_tile_pick *picks;
  size_t pick_count, pick_capacity;
  int processes; /* under mpirun: the records are every process's, the rest the root's */
} clrt_bench_results;

/* Runs the benchmark; progress goes to `log` (a line redrawn in place,
 * only when it is a terminal). Under mpirun every process calls it: each
 * measures its own devices alone, in turn, then all of them together;
 * the root (process 0) runs the host baselines and gets the results. */
clrt_status clrt_bench_run(const clrt_bench_options *options, FILE *log, clrt_bench_results *results, clrt_error *err);

void clrt_bench_results_free(clrt_bench_results *results);

/* Reports: the table (table.c), and the machine-readable files (report.c). */
void clrt_bench_print_table(const clrt_bench_results *results, FILE *out);
clrt_status clrt_bench_write_json(const clrt_bench_results *results, const char *path, clrt_error *err);
clrt_status clrt_bench_write_csv(const clrt_bench_results *results, const char *path, clrt_error *err);

/* Side-by-side table of two --json files with ratios (B / A). */
clrt_status clrt_bench_compare(const char *path_a, const char *path_b, FILE *out, clrt_error *err);

/* Charts (chart.c): an SVG bar chart of Mrays/s per device per
 * scene, with a line chart of throughput against tile count after a sweep. */
clrt_status clrt_bench_write_chart(const clrt_bench_results *results, const char *path, clrt_error *err);

/* Machine facts for the records (machine.c). */
void clrt_machine_facts_read(clrt_machine_facts *facts);

#endif /* CLRT_BENCH_H */
