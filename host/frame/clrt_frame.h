/* One frame: every tile of one picture rendered by this process's
 * devices, or under mpirun by every process's. The one way `clrt render`
 * and `clrt bench` render: the frame's tiles (a plan, or guided strips cut
 * as it goes), its scheduler (the root's cuts the tiles for every device
 * of every process; another process's is fed by the exchange), the farm
 * on this process's devices with the cluster link beside it, and every
 * process's figures gathered at the root.
 *
 * Across processes, every process makes the same calls in the same order
 * (each ending with a status they agree on), so MPI's collectives match. */
#ifndef CLRT_FRAME_H
#define CLRT_FRAME_H

#include <stdbool.h>
#include <stddef.h>

#include "clrt_cluster.h"
#include "clrt_error.h"
#include "clrt_farm.h"
#include "clrt_film.h"
#include "clrt_progress.h"
#include "clrt_session.h"
#include "clrt_tiles.h"
#include "clrt_tiling.h"

/* A picture's tiles and who renders them; rendered once or many times. */
typedef struct clrt_frame {
  unsigned width, height;
  bool guided;            /* guided strips, cut while rendering; else the plan */
  clrt_tile_plan plan;    /* the tiles, unless guided */
  size_t max_tile_pixels; /* the largest tile a device gets */
  unsigned devices;       /* that render it: this process's, or every process's */
  bool across_cluster;    /* every process's devices render it (every process calls) */
} clrt_frame;

/* The frame of a width x height picture cut by `tiling`, for this
 * process's `device_count` devices; `across_cluster`, for every process's
 * (every process calls it, with the same tiling). */
clrt_status clrt_frame_prepare(clrt_frame *frame, const clrt_tiling *tiling, unsigned width, unsigned height,
                               unsigned device_count, bool across_cluster, clrt_error *err);

void clrt_frame_free(clrt_frame *frame);

/* The devices of this process that render a frame: sessions already open
 * (the bench, which times builds and uploads apart), or devices on which
 * the farm opens a session each, side by side (clrt render). */
typedef struct clrt_frame_devices {
  clrt_session *const *sessions; /* NULL: open them on `devices` */
  const clrt_device *devices;
  size_t count;
  const clrt_flat_scene *scene;        /* with `devices`: what the sessions render */
  const clrt_session_options *options; /* with `devices`: how they are opened */
} clrt_frame_devices;

/* How a frame went. */
typedef struct clrt_frame_outcome {
  clrt_farm_result farm;           /* this process's devices */
  clrt_process_figures *processes; /* the root's: every process's figures, in rank order (one without a cluster) */
  double cluster_ms; /* the root's, across the cluster: from the exchange's start to the last process done */
  size_t tiles_done;
  clrt_tile *missing; /* the root's: tiles no device rendered (a guided remainder counts as one) */
  size_t missing_count;
} clrt_frame_outcome;

/* Renders the frame into `film` (the root's; NULL on the others) on
 * `devices`, watched by `progress` and stopped by Ctrl-C (clrt_stop.h);
 * `form`: the form its tiles come back in (the film takes it). Returns CLRT_OK once
 * every process's farm has run, even with tiles missing (the outcome
 * lists them: the caller decides); a stopped frame returns the stop's
 * status. */
clrt_status clrt_frame_render(const clrt_frame *frame, const clrt_frame_devices *devices, clrt_film *film,
                              clrt_tile_form form, clrt_progress *progress, clrt_frame_outcome *outcome,
                              clrt_error *err);

void clrt_frame_outcome_free(clrt_frame_outcome *outcome);

#endif /* CLRT_FRAME_H */
