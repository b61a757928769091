/* A session: one device's OpenCL state for one flat scene (context,
 * queue, program, the scene's buffers) and the whole life of the tiles it
 * renders. Tiles wait in a queue of slots on the device, so that one runs
 * while the next is ready; a tile's time limit runs from the moment it is
 * first in that queue. Completion is signalled by an event callback, so a
 * waiting thread sleeps instead of polling. Opaque outside session.c. */
#ifndef CLRT_SESSION_H
#define CLRT_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "clrt_devices.h"
#include "clrt_error.h"
#include "clrt_faults.h"
#include "clrt_flat_scene.h"
#include "clrt_program.h"
#include "clrt_tiles.h"

/* Tiles a device holds at once: one running, one waiting behind it. */
enum { CLRT_SESSION_SLOTS = 2 };

typedef struct clrt_session clrt_session;

/* What a session is opened with, from the user's options. */
typedef struct clrt_session_options {
  size_t max_tile_pixels; /* the largest tile it must hold */
  bool fast_math;         /* -cl-fast-relaxed-math: not exact */
  clrt_array_memory array_memory;
  clrt_tile_form tile_form;
  /* With CLRT_TILE_SUMS: the samples every tile takes, first_sample to
   * first_sample + sample_count - 1 (a pass of a progressive render). */
  unsigned first_sample, sample_count;
  double tile_timeout_ms;         /* a tile's limit beyond what its work can take (session.c) */
  const clrt_fault_rules *faults; /* injected faults; NULL for none */
  FILE *build_log;                /* where a failed build's log goes */
} clrt_session_options;

typedef enum clrt_tile_state {
  CLRT_TILE_RUNNING, /* still on the device */
  CLRT_TILE_DONE,
  CLRT_TILE_FAILED, /* an OpenCL error; the device may still work */
  CLRT_TILE_HUNG,   /* past its time limit: the device cannot be trusted */
} clrt_tile_state;

/* Rays traced, by kind (clrt_tally). */
typedef struct clrt_ray_counts {
  uint64_t camera;
  uint64_t bounce; /* mirror, refraction, scattered */
  uint64_t shadow; /* toward lights and emitters, ambient occlusion */
} clrt_ray_counts;

static inline uint64_t clrt_rays_total(const clrt_ray_counts *c) { return c->camera + c->bounce + c->shadow; }

static inline void clrt_rays_add(clrt_ray_counts *sum, const clrt_ray_counts *c) {
  sum->camera += c->camera;
  sum->bounce += c->bounce;
  sum->shadow += c->shadow;
}

/* How the oldest tile in flight ended. */
typedef struct clrt_tile_outcome {
  clrt_tile tile;
  const void *pixels; /* DONE: the tile's pixels in the film's form (clrt_film_receive), valid until the next submit */
  clrt_ray_counts rays;       /* DONE: rays its kernel traced */
  uint64_t cut_short_samples; /* DONE: samples the integrator cut short (clrt_tally) */
  double kernel_ms;           /* DONE: from profiling events */
  clrt_error error;           /* FAILED, HUNG: what happened */
} clrt_tile_outcome;

/* Bytes a pixel of a tile takes on the device and when read back. */
size_t clrt_session_pixel_bytes(clrt_tile_form form);

/* Whether the device can hold the scene and two tiles of `tile_bytes`
 * each: every array within its largest allocation, and all of them within
 * its global memory. The error names the array and both sizes. */
clrt_status clrt_session_check_fits(const clrt_device *device, const clrt_flat_scene *scene, size_t tile_bytes,
                                    clrt_error *err);

/* Opens a session: context, queue, program build (or cache), scene
 * upload, slot buffers. NULL on failure, with the error. */
clrt_session *clrt_session_open(const clrt_device *device, const clrt_flat_scene *scene,
                                const clrt_session_options *options, clrt_error *err);

/* The next scene of a sequence, in place of the session's (no tile in
 * flight): its arrays uploaded, or only its parameters when the arrays
 * are the same (!arrays_changed: a camera that moves); the program kept
 * (rebuilt only if the arrays move between __constant and __global).
 * The integrator and the image size must stay. */
clrt_status clrt_session_load_scene(clrt_session *s, const clrt_flat_scene *scene, bool arrays_changed,
                                    clrt_error *err);

/* Whether the session was given up (clrt_session_abandon): it takes no
 * more tiles. */
bool clrt_session_abandoned(const clrt_session *s);

const clrt_device *clrt_session_device(const clrt_session *s);
const clrt_build_facts *clrt_session_build(const clrt_session *s);
double clrt_session_upload_ms(const clrt_session *s);
size_t clrt_session_max_tile_pixels(const clrt_session *s);

/* Tiles on the device now, and whether there is room for another. */
size_t clrt_session_in_flight(const clrt_session *s);
bool clrt_session_has_room(const clrt_session *s);

/* Enqueues a tile (kernel and read-back). On failure the tile is not in
 * flight and the error says why. */
clrt_status clrt_session_submit(clrt_session *s, const clrt_tile *tile, clrt_error *err);

/* Waits for the oldest tile in flight until it ends, passes its time limit
 * (HUNG), or `wake_ms` comes (clrt_now_ms clock; RUNNING). Except for
 * RUNNING and HUNG, the tile leaves the session and `outcome` describes
 * it; for HUNG, call clrt_session_abandon. */
clrt_tile_state clrt_session_wait(clrt_session *s, double wake_ms, clrt_tile_outcome *outcome);

/* Gives up on the device (a hung tile, or an interrupted render): its
 * tiles in flight go to `tiles` (room for CLRT_SESSION_SLOTS), their count
 * is returned. Its commands may still write into its memory and call back
 * into it, so the session is kept alive until the process ends. */
size_t clrt_session_abandon(clrt_session *s, clrt_tile *tiles);

/* Releases everything (an abandoned session is only marked closed). NULL
 * is fine. */
void clrt_session_close(clrt_session *s);

#endif /* CLRT_SESSION_H */
