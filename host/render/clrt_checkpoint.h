/* Checkpoints: a render's finished work kept on disk as it goes, so that
 * `clrt render --resume FILE` finishes the same picture after any kind of
 * death (Ctrl-C, SIGKILL, the OOM killer, Open MPI aborting the job).
 *
 * A checkpoint is one file: a header naming the render it belongs to (a
 * SHA-256 of the flat scene and of everything else that decides a pixel),
 * then records, each compressed (zlib) and checksummed (CRC-32).
 * - A render in one go appends a record per finished tile, in the film's
 *   form (8-bit levels, or linear floats for .hdr). Records are only ever
 *   appended: a death in the middle of one leaves a torn last record,
 *   which resuming drops (and overwrites), as it drops a damaged one and
 *   all after it (their tiles are rendered again).
 * - A progressive render keeps its passes: after each one, the passes'
 *   state and the film's exact sums go to FILE.part, which is synced and
 *   renamed over FILE: a death leaves the last pass or the one before,
 *   whole.
 * A pixel is a pure function of the scene, its coordinates and its sample
 * indices, so the tiles rendered after resuming need not be those of the
 * first run: resuming renders what no record covers, cut by the new run's
 * tiling (clrt_checkpoint_missing_plan), and the picture is the same
 * bytes as an uninterrupted render's.
 *
 * Only the root process keeps one: the tiles of every process reach its
 * film. */
#ifndef CLRT_CHECKPOINT_H
#define CLRT_CHECKPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clrt_error.h"
#include "clrt_film.h"
#include "clrt_tiles.h"

#define CLRT_CHECKPOINT_IDENTITY_BYTES 32

/* What a checkpoint keeps. */
typedef enum clrt_checkpoint_kind {
  CLRT_CHECKPOINT_TILES = 1,  /* finished tiles, appended */
  CLRT_CHECKPOINT_PASSES = 2, /* the last finished pass, replaced */
} clrt_checkpoint_kind;

/* The render a checkpoint belongs to: what must be the same to resume it. */
typedef struct clrt_checkpoint_render {
  clrt_checkpoint_kind kind;
  uint8_t identity[CLRT_CHECKPOINT_IDENTITY_BYTES]; /* clrt_checkpoint_identify */
  const clrt_film *film;                            /* its geometry and form */
} clrt_checkpoint_render;

typedef struct clrt_checkpoint clrt_checkpoint;

/* The identity of a render: the SHA-256 of `parts`, each given with its
 * size (the flat scene's parameters and arrays, the options that change a
 * pixel, clrt's revision: whatever the caller names). */
typedef struct clrt_identity_part {
  const void *data;
  size_t size;
} clrt_identity_part;
void clrt_checkpoint_identify(const clrt_identity_part *parts, size_t count,
                              uint8_t identity[CLRT_CHECKPOINT_IDENTITY_BYTES]);

/* Starts a checkpoint at `path` for `render`. A file already there is
 * refused (input error): it may be the only copy of a long render's work,
 * which --resume finishes. */
clrt_status clrt_checkpoint_create(const char *path, const clrt_checkpoint_render *render, clrt_checkpoint **out,
                                   clrt_error *err);

/* Opens the checkpoint at `path` to finish `render`: input errors for a
 * missing file, one that is no checkpoint, or one of another render (its
 * scene or options differ). */
clrt_status clrt_checkpoint_open(const char *path, const clrt_checkpoint_render *render, clrt_checkpoint **out,
                                 clrt_error *err);

/* A tiles checkpoint just opened: its records go into `film` (their
 * pixels counted as received); *pixels says how many. Reading stops at a
 * torn or damaged record (a death in the middle of one, or what a power
 * cut left of the last second): it and what follows, *dropped_bytes, are
 * cut off, their tiles to be rendered again. A checksummed tile outside
 * the picture or over another is an input error. Records appended from
 * now on follow the last whole one. */
clrt_status clrt_checkpoint_restore_tiles(clrt_checkpoint *checkpoint, clrt_film *film, size_t *pixels,
                                          size_t *dropped_bytes, clrt_error *err);

/* The tiles of `cut` (the run's tiling, covering the picture) less what
 * the restored records cover: a tile covered whole is dropped, a tile
 * covered in part becomes the rectangles of its uncovered rows, merged
 * downwards. The plan covers exactly the pixels still to render. */
clrt_status clrt_checkpoint_missing_plan(const clrt_checkpoint *checkpoint, const clrt_tile_plan *cut,
                                         clrt_tile_plan *missing, clrt_error *err);

/* Makes `film` append every tile it stores to the checkpoint (from the
 * device threads; records are written one at a time). */
void clrt_checkpoint_follow(clrt_checkpoint *checkpoint, clrt_film *film);

/* A passes checkpoint: replaces what it holds with `state` (the passes'
 * own bytes) and the film's sums, all or nothing. */
clrt_status clrt_checkpoint_save_passes(clrt_checkpoint *checkpoint, const void *state, size_t state_bytes,
                                        const clrt_film *film, clrt_error *err);

/* A passes checkpoint just opened: fills `state` (exactly state_bytes) and
 * the film's sums, and says so in *restored; false when no pass had
 * finished (nothing to restore). */
clrt_status clrt_checkpoint_load_passes(clrt_checkpoint *checkpoint, void *state, size_t state_bytes, clrt_film *film,
                                        bool *restored, clrt_error *err);

/* The first write that failed (the render goes on without a checkpoint
 * after it); NULL when none did. */
const clrt_error *clrt_checkpoint_failure(const clrt_checkpoint *checkpoint);

/* The file's path. */
const char *clrt_checkpoint_path(const clrt_checkpoint *checkpoint);

/* Closes it; `remove`: the picture is written, the file is not needed. */
void clrt_checkpoint_close(clrt_checkpoint *checkpoint, bool remove);

#endif /* CLRT_CHECKPOINT_H */
