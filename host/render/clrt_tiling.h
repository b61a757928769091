/* Tilings: the rule that cuts an image into tiles, and the default one.
 *
 * A tiling is guided strips (sized while rendering: clrt_scheduler.h),
 * N strips, or a grid of WxH tiles. Without --tiles or --tile-size, clrt
 * render and clrt bench both take the default from here: guided strips on
 * several devices; on one, the tiling `clrt bench --tile-sweep` stored for
 * it (in <cache dir>/tile-choices.json, keyed by device name and driver
 * version), else a grid of squares sized for the device
 * (clrt_default_tile_side). That file is checked like user input:
 * a damaged one, or a tiling the sweep does not make, is ignored with a
 * warning. */
#ifndef CLRT_TILING_H
#define CLRT_TILING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "clrt_devices.h"
#include "clrt_error.h"
#include "clrt_tiles.h"

/* The most strips, and the largest tile side, a tiling may have: the
 * largest image's side. */
#define CLRT_MAX_TILING_SIDE 16384u

/* The square tiles the tile sweep tries besides strips (to 1024 for GPUs,
 * whose default tiles are that big): a stored grid of any other tiles did
 * not come from it and is ignored. */
#define CLRT_SWEEP_SQUARES                                                                                             \
  { 16u, 32u, 64u, 128u, 256u, 512u, 1024u }

typedef struct clrt_tiling {
  bool guided;
  unsigned strips;                  /* N strips, when not 0 */
  unsigned tile_width, tile_height; /* a grid, when not 0 */
  bool from_sweep;                  /* the device's stored best */
} clrt_tiling;

/* Parses "strips:N" or "WxH"; false when it is neither. */
bool clrt_tiling_parse(const char *text, clrt_tiling *tiling);

/* "guided", "strips:N" or "WxH". */
void clrt_tiling_name(const clrt_tiling *tiling, char *out, size_t size);

/* The side of the default square tile on one device without a stored
 * choice. A CPU: 256 (the sweep's pick on POCL, bench/RESULTS.md). A GPU:
 * enough work-items for CLRT_GPU_TILE_WAVES waves of every compute unit
 * full (2048 resident work-items each, as an SM of sm_80 and sm_90
 * holds), so that the tail of a tile (compute units idle while its last
 * work-groups finish; the queue runs tiles one after the other) is a small
 * share of its time: a multiple of 256, 512 to 1024 (a bigger tile would
 * risk a display GPU's watchdog on long path-traced tiles). 132 SMs (an
 * H100/H200): 1024. */
#define CLRT_GPU_RESIDENT_PER_UNIT 2048u
#define CLRT_GPU_TILE_WAVES 4u
unsigned clrt_default_tile_side(const clrt_device *device);

/* The default tiling for these devices (see above); warnings about the
 * stored choices go to `log` (clrt_warn_once). */
clrt_tiling clrt_tiling_default(const clrt_device *devices, size_t count, FILE *log);

/* The plan a tiling gives on a width x height image (none for guided:
 * plan->count is 0), every tile within CLRT_MAX_TILE_PIXELS (larger ones
 * are cut into bands of their rows). */
clrt_status clrt_tiling_plan(const clrt_tiling *tiling, unsigned width, unsigned height, clrt_tile_plan *plan,
                             clrt_error *err);

/* Stores `tiling` as `device`'s best, under a lock (several sweeps may
 * run at once) and all or nothing; the file's path goes to path_out. */
clrt_status clrt_tiling_store(const clrt_device *device, const char *tiling, FILE *log, char *path_out,
                              size_t path_size, clrt_error *err);

#endif /* CLRT_TILING_H */
