/* The farm: several devices render one picture at once. One host thread
 * per device session takes tiles from the shared scheduler, keeps its
 * device's queue full, gives finished tiles to the film and hands a tile
 * that failed back for another device; the calling thread watches
 * (progress, Ctrl-C). Tiles' lives are the sessions' (clrt_session.h). */
#ifndef CLRT_FARM_H
#define CLRT_FARM_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "clrt_devices.h"
#include "clrt_error.h"
#include "clrt_film.h"
#include "clrt_flat_scene.h"
#include "clrt_progress.h"
#include "clrt_scheduler.h"
#include "clrt_session.h"

/* A device that fails this many tiles is retired for the rest of the frame. */
#define CLRT_MAX_DEVICE_FAILURES 2
/* Default limit on one tile's time, past which its device counts as hung:
 * this many seconds more than its work can take at the device's speed
 * (clrt_session_options). */
#define CLRT_DEFAULT_TILE_TIMEOUT_S 60.0

/* Where a finished tile goes when the film is in another process: the
 * cluster's link to it (clrt_cluster.h). `pixels` is the tile's, in the
 * film's form, valid during the call. */
typedef struct clrt_tile_sink {
  void (*receive)(void *context, const clrt_tile *tile, const void *pixels, uint64_t rays);
  void *context;
} clrt_tile_sink;

/* Where the farm's tiles come from and go, and who watches. */
typedef struct clrt_tile_route {
  clrt_scheduler *scheduler;                /* the tiles of the frame */
  clrt_film *film;                          /* where finished tiles go */
  clrt_progress *progress;                  /* warnings and the bar */
  const volatile sig_atomic_t *interrupted; /* set by a signal handler; may be NULL */
  const clrt_tile_sink *sink;               /* not NULL: finished tiles go there, not to the film */
} clrt_tile_route;

/* How one device did. */
typedef struct clrt_device_figures {
  clrt_device device;
  size_t tiles;
  size_t pixels;
  clrt_ray_counts rays;
  uint64_t cut_short_samples; /* that its integrator cut short (clrt_tally) */
  double busy_ms;             /* sum of its kernel times (profiling events) */
  double build_ms;
  bool build_cached;  /* the program came from the binary cache */
  double ready_ms;    /* when it was built and loaded, from the frame's start */
  double finished_ms; /* when it ran out of work, from the frame's start */
  unsigned failures;
  double failed_ms; /* when it last failed, from the frame's start */
  bool retired;
  clrt_error last_error;
} clrt_device_figures;

typedef struct clrt_farm_result {
  clrt_device_figures *devices; /* one per device, in the order given */
  size_t device_count;
  clrt_ray_counts rays;
  uint64_t cut_short_samples;
  double render_ms; /* from the first device ready to the last finishing */
  double tail_ms;   /* from the first working device running out of work to the last finishing */
  bool interrupted;
} clrt_farm_result;

/* Opens a session on every device (each on its own thread, so builds run
 * side by side) and renders the scheduler's tiles into the film. Returns
 * CLRT_OK even when tiles are left or the frame was interrupted: the
 * scheduler and the result say so, and the caller decides. */
clrt_status clrt_farm_render(const clrt_device *devices, size_t device_count, const clrt_flat_scene *scene,
                             const clrt_session_options *options, const clrt_tile_route *route,
                             clrt_farm_result *result, clrt_error *err);

/* The same on sessions already open (program built, scene uploaded, tiles
 * of at least the scheduler's largest), as benchmarks need: no build or
 * upload is timed with the frame. */
clrt_status clrt_farm_render_sessions(clrt_session *const *sessions, size_t count, const clrt_tile_route *route,
                                      clrt_farm_result *result, clrt_error *err);

/* The error behind a failed frame: the last error of the device that
 * failed last (or of any device, when none did). */
const clrt_error *clrt_farm_cause(const clrt_farm_result *result);

void clrt_farm_result_free(clrt_farm_result *result);

#endif /* CLRT_FARM_H */
