/* A render as `clrt render` runs it: what every process needs, and what
 * only the root holds. render_command.c makes and runs it;
 * render_summary.c says how it went. */
#ifndef CLRT_RENDER_JOB_H
#define CLRT_RENDER_JOB_H

#include <stdbool.h>
#include <stddef.h>

#include "clrt_checkpoint.h"
#include "clrt_devices.h"
#include "clrt_faults.h"
#include "clrt_film.h"
#include "clrt_flat_scene.h"
#include "clrt_frame.h"
#include "clrt_hash.h"
#include "clrt_options.h"
#include "clrt_output.h"
#include "clrt_passes.h"
#include "clrt_tiling.h"

/* What every process of a render needs. */
typedef struct clrt_render_job {
  const clrt_options *options;
  bool root;                 /* process 0 of a cluster, or the only one */
  clrt_flat_scene scene;     /* read and flattened by the root, sent to the others */
  clrt_image_settings image; /* likewise */
  clrt_fault_rules faults;   /* injected faults (CLRT_INJECT_FAULT) */
  clrt_device *devices;      /* this process's */
  size_t device_count;
  clrt_tiling tiling; /* the same on every process */
  clrt_frame frame;
  bool linear;                         /* the film holds linear colour: .hdr, .exr, or finished on the host (below) */
  bool finish_on_host;                 /* linear film for a picture of levels: denoised, or 16 bits a channel */
  bool wants_aux;                      /* the auxiliary passes are rendered after the colour (--passes, --denoise) */
  unsigned aux_samples;                /* ... averaging this many samples a pixel */
  char scene_sha256[CLRT_SHA256_TEXT]; /* the root's: of the scene file, for the picture's notes */
  bool progressive;                    /* --time or --noise: passes of samples (clrt_passes.h) */
  size_t resumed_pixels;               /* the root's: restored from --resume's checkpoint (a render in one go) */
  size_t dropped_bytes;                /* the root's: what followed the checkpoint's last whole record */
  double share_ms;                     /* sending the flat scene to the other processes */
  double started_ms;                   /* when the command started (clrt_now_ms) */
} clrt_render_job;

/* What only the root holds: the film the tiles go to, and the file the
 * picture goes to, open from before the render. */
typedef struct clrt_render_destination {
  clrt_film film;
  clrt_output *output;         /* NULL once committed or discarded */
  clrt_checkpoint *checkpoint; /* --checkpoint or --resume; NULL: none */
  clrt_film aux;               /* the auxiliary passes, when the job wants them */
  double aux_ms;               /* rendering them */
  double denoise_ms;           /* --denoise */
  double output_ms;            /* finishing the file after the render */
} clrt_render_destination;

#endif /* CLRT_RENDER_JOB_H */
