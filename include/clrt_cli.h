/* The command line: subcommands and options, parsed and range-checked. */
#ifndef CLRT_CLI_H
#define CLRT_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "clrt_bench.h"
#include "clrt_error.h"

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

typedef struct clrt_options {
  clrt_command command;
  const char *scene_path;
  const char *output_path;
  const char *device_spec; /* NULL: the best available device; "all"; or a comma list */
  clrt_override width, height, samples, max_depth;
  unsigned strip_count;             /* --tiles N; 0 when not given */
  unsigned tile_width, tile_height; /* --tile-size WxH; 0 when not given */
  double tile_timeout_s;            /* 0 when not given */
  bool keep_partial;                /* write the image even with tiles missing (magenta) */
  bool fast_math;                   /* -cl-fast-relaxed-math: may be faster, not exact */
  bool quiet;
  clrt_bench_options bench; /* for `clrt bench` (its scene list is allocated) */
} clrt_options;

/* Parses argv (argv[0] is the program). Errors are usage errors. */
clrt_status clrt_cli_parse(int argc, char **argv, clrt_options *options, clrt_error *err);

void clrt_cli_print_usage(FILE *out);

void clrt_cli_free(clrt_options *options);

#endif /* CLRT_CLI_H */
