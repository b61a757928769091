/* Options: what the user chose on the command line, for `clrt render` and
 * `clrt bench`. The CLI (clrt_cli.h) fills them; the app and the bench
 * read them. (Scene files hold settings; the device reads params.) */
#ifndef CLRT_OPTIONS_H
#define CLRT_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#define CLRT_BENCH_DEFAULT_RUNS 5u
#define CLRT_BENCH_DEFAULT_WARMUP 1u
#define CLRT_BENCH_DEFAULT_MIN_TIME_S 1.0
/* One enqueue on a GPU that drives a display must stay below this, or the
 * driver's watchdog may kill it. */
#define CLRT_BENCH_DEFAULT_MAX_ENQUEUE_MS 100.0

typedef enum clrt_command {
  CLRT_COMMAND_RENDER,
  CLRT_COMMAND_BENCH,
  CLRT_COMMAND_DEVICES,
  CLRT_COMMAND_HELP,
  CLRT_COMMAND_VERSION,
} clrt_command;

/* A command-line value that overrides the scene file's when `set`. */
typedef struct clrt_override {
  bool set;
  unsigned value;
} clrt_override;

typedef struct clrt_bench_options {
  const char **scene_paths; /* none: the built-in suite */
  size_t scene_count;
  const char *device_spec; /* NULL: the best device; "all"; or a comma list */
  unsigned runs;
  unsigned warmup;
  double min_time_s;
  bool tile_sweep;
  bool fast_math;
  double max_enqueue_ms;
  const char *json_path;
  const char *csv_path;
  const char *chart_path;
  const char *compare_paths[2]; /* --compare A.json B.json: no rendering */
} clrt_bench_options;

typedef struct clrt_options {
  clrt_command command;
  const char *scene_path;
  const char *output_path;
  const char *device_spec; /* NULL: the best available device; "all"; or a comma list */
  clrt_override width, height, samples, max_depth;
  clrt_override png_level;          /* zlib's 0..9 for .png output */
  unsigned strip_count;             /* --tiles N; 0 when not given */
  unsigned tile_width, tile_height; /* --tile-size WxH; 0 when not given */
  double tile_timeout_s;            /* 0 when not given */
  bool keep_partial;                /* write the image even with tiles missing (magenta) */
  bool fast_math;                   /* -cl-fast-relaxed-math: may be faster, not exact */
  bool quiet;
  clrt_bench_options bench; /* for `clrt bench` (its scene list is allocated) */
} clrt_options;

#endif /* CLRT_OPTIONS_H */
