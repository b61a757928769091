/* The commands: `clrt render`, `clrt bench`, `clrt compare` and `clrt devices`, callable
 * without a process (main only maps their status to an exit code). */
#ifndef CLRT_COMMANDS_H
#define CLRT_COMMANDS_H

#include <stdio.h>

#include "clrt_bench.h"
#include "clrt_error.h"
#include "clrt_options.h"

/* Renders options->scene_path to options->output_path. Progress and the
 * summary go to `log` unless options->quiet. */
clrt_status clrt_render_command(const clrt_options *options, FILE *log, clrt_error *err);

/* Renders options->frames of options->scene_path to numbered pictures or
 * a movie (sequence_command.c); called by clrt_render_command. */
clrt_status clrt_sequence_command(const clrt_options *options, FILE *log, clrt_error *err);

/* Writes a particle trajectory, a PLY file a frame (trajectory_command.c). */
clrt_status clrt_trajectory_command(const clrt_trajectory_options *options, FILE *log, clrt_error *err);

/* Runs `clrt bench` (or --compare): the table on `out`, progress on `log`. */
clrt_status clrt_bench_command(const clrt_bench_options *options, FILE *out, FILE *log, clrt_error *err);

/* Prints how near the picture at image_path is to the one at
 * reference_path (PSNR, SSIM) on `out`. */
clrt_status clrt_compare_command(const char *reference_path, const char *image_path, FILE *out, clrt_error *err);

/* Lists every platform and device on `out`. */
clrt_status clrt_devices_command(FILE *out, clrt_error *err);

#endif /* CLRT_COMMANDS_H */
