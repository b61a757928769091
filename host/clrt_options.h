/* Options: what the user chose on the command line, for `clrt render` and
 * `clrt bench`. The CLI (clrt_cli.h) fills them; the app and the bench
 * read them. (Scene files hold settings; the device reads params.) */
#ifndef CLRT_OPTIONS_H
#define CLRT_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "clrt_bench.h"
#include "clrt_scene.h"

typedef enum clrt_command {
  CLRT_COMMAND_RENDER,
  CLRT_COMMAND_BENCH,
  CLRT_COMMAND_DEVICES,
  CLRT_COMMAND_COMPARE,
  CLRT_COMMAND_TRAJECTORY,
  CLRT_COMMAND_HELP,
  CLRT_COMMAND_VERSION,
} clrt_command;

/* How the processes of an MPI job share a sequence (--split). */
typedef enum clrt_sequence_split {
  CLRT_SPLIT_AUTO,   /* frames when there are enough of them (sequence_command.c) */
  CLRT_SPLIT_FRAMES, /* whole frames as tasks, each rendered by one process's devices */
  CLRT_SPLIT_TILES,  /* every frame's tiles over every process's devices */
} clrt_sequence_split;

/* A movie's frame rate when --fps is not given. */
#define CLRT_DEFAULT_FPS 30u

/* `clrt trajectory`: where and how big. */
typedef struct clrt_trajectory_options {
  const char *pattern; /* each frame's PLY file, with the frame's number */
  unsigned particles, frames, seed;
  bool quiet;
} clrt_trajectory_options;

#define CLRT_TRAJECTORY_DEFAULT_PARTICLES 20000u
#define CLRT_TRAJECTORY_DEFAULT_FRAMES 120u
#define CLRT_TRAJECTORY_MAX_PARTICLES 100000000u
#define CLRT_TRAJECTORY_MAX_FRAMES 100000u

/* A command-line value that overrides the scene file's when `set`. */
typedef struct clrt_override {
  bool set;
  unsigned value;
} clrt_override;

typedef struct clrt_options {
  clrt_command command;
  const char *scene_path;
  const char *compare_paths[2]; /* clrt compare: the reference, then the picture */
  const char *output_path;
  const char *device_spec; /* NULL: the best available device; "all"; or a comma list */
  clrt_override width, height, samples, max_depth;
  clrt_override png_level;          /* zlib's 0..9 for .png output */
  unsigned strip_count;             /* --tiles N; 0 when not given */
  unsigned tile_width, tile_height; /* --tile-size WxH; 0 when not given */
  double tile_timeout_s;            /* 0 when not given */
  double time_s;                    /* --time: progressive passes within this many seconds; 0: none */
  double noise;                     /* --noise: progressive passes until every region's noise is below; 0: none */
  const char *checkpoint_path;      /* --checkpoint or --resume: finished work kept there; NULL: none */
  bool resume;                      /* --resume: finish the render the checkpoint holds */
  bool keep_partial;                /* write the image even with tiles missing (magenta) */
  bool fast_math;                   /* -cl-fast-relaxed-math: may be faster, not exact */
  unsigned passes;                  /* --passes: CLRT_PASS_ALBEDO | ... (clrt_image.h), into an .exr */
  bool exr_float;                   /* --exr-float: 32-bit float channels, not half */
  bool denoise;                     /* --denoise: the picture filtered before it is written */
  bool png_16;                      /* --png-16: 16 bits a channel */
  clrt_array_memory array_memory;   /* --arrays */
  clrt_sequence frames;             /* --frames A..B[:STEP]; step 0 when not given (a still) */
  unsigned fps;                     /* --fps: a movie's frame rate; 0 when not given */
  bool refit;                       /* --refit: a sequence's frames refit the BVH of the frame before */
  clrt_sequence_split split;        /* --split: how processes under mpirun share a sequence */
  bool quiet;
  clrt_bench_options bench; /* for `clrt bench` (its scene list is allocated) */
  clrt_trajectory_options trajectory;
} clrt_options;

#endif /* CLRT_OPTIONS_H */
