/* Rendering a flattened scene on one or more OpenCL devices at once: one
 * host thread per device takes tiles from a shared queue, keeps two in
 * flight, and hands a tile that failed back for another device. */
#ifndef CLRT_RENDER_H
#define CLRT_RENDER_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "clrt_devices.h"
#include "clrt_error.h"
#include "clrt_progress.h"
#include "clrt_scene.h"
#include "clrt_tiles.h"
#include "clrt_types.h"

struct clrt_session;

/* A device that fails this many tiles is retired for the rest of the render. */
#define CLRT_MAX_DEVICE_FAILURES 2
/* Default limit on one tile's time, past which its device counts as hung:
 * this many seconds per CLRT_TILE_TIMEOUT_SAMPLES samples of the tile's
 * work (pixels x samples per pixel), and never less. It runs from the
 * moment the tile is first in its device's queue. */
#define CLRT_DEFAULT_TILE_TIMEOUT_S 60.0
#define CLRT_TILE_TIMEOUT_SAMPLES 1e6

typedef struct clrt_render_setup {
  const clrt_tile_plan *plan;               /* fixed tiles, or NULL for guided strips */
  double tile_timeout_ms;                   /* per million samples of a tile, and at least this */
  clrt_progress *progress;                  /* warnings and the bar */
  FILE *log;                                /* build logs */
  const volatile sig_atomic_t *interrupted; /* set by a signal handler; may be NULL */
  bool fast_math;                           /* build with -cl-fast-relaxed-math (not exact) */
} clrt_render_setup;

/* How one device did. */
typedef struct clrt_device_report {
  clrt_device device;
  size_t tiles;
  size_t pixels;
  uint64_t rays;
  double busy_ms; /* sum of its kernel times (profiling events) */
  double build_ms;
  bool build_cached;  /* the program came from the binary cache */
  double ready_ms;    /* when it was built and loaded, from the render's start */
  double finished_ms; /* when it ran out of work, from the render's start */
  unsigned failures;
  bool retired;
  clrt_error last_error;
} clrt_device_report;

typedef struct clrt_render_result {
  clrt_device_report *devices; /* one per device, in the order given */
  size_t device_count;
  uint64_t rays;
  double render_ms; /* from the first device ready to the last finishing */
  double tail_ms;   /* from the first working device running out of work to the last finishing */
  size_t tiles_done;
  clrt_tile *missing; /* tiles no device rendered */
  size_t missing_count;
  bool interrupted;
} clrt_render_result;

/* Renders into `framebuffer` (width*height float4, row-major, top row
 * first, linear colour). Returns CLRT_OK even when tiles are missing or the
 * render was interrupted: the result says so, and the caller decides. */
clrt_status clrt_render(const clrt_device *devices, size_t device_count, const clrt_scene *scene,
                        const clrt_render_params *params, const clrt_render_setup *setup, clrt_float4 *framebuffer,
                        clrt_render_result *result, clrt_error *err);

/* One frame on sessions that are already open (program built, scene
 * uploaded, tiles of at least the plan's size), as benchmarks need: no
 * build or upload is timed with the frame. */
clrt_status clrt_render_frame(struct clrt_session *const *sessions, size_t count, const clrt_render_params *params,
                              const clrt_render_setup *setup, clrt_float4 *framebuffer, clrt_render_result *result,
                              clrt_error *err);

void clrt_render_result_free(clrt_render_result *result);

#endif /* CLRT_RENDER_H */
