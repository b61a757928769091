/* The `clrt render` and `clrt devices` commands, callable without a
 * process (main only maps their status to an exit code). */
#ifndef CLRT_APP_H
#define CLRT_APP_H

#include <stdio.h>

#include "clrt_error.h"
#include "clrt_options.h"

/* Renders options->scene_path to options->output_path. Progress and the
 * summary line go to `log` unless options->quiet. */
clrt_status clrt_app_render(const clrt_options *options, FILE *log, clrt_error *err);

/* Runs `clrt bench` (or --compare): the table on `out`, progress on `log`. */
clrt_status clrt_app_bench(const clrt_bench_options *options, FILE *out, FILE *log, clrt_error *err);

/* Lists every platform and device on `out`. */
clrt_status clrt_app_devices(FILE *out, clrt_error *err);

#endif /* CLRT_APP_H */
