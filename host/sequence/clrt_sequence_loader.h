/* A sequence's frames made ready one ahead of the render: a thread reads
 * the next frame's files and builds its BVH (flattens it) while the
 * current frame renders. A scene whose spheres do not change between
 * frames (no frame pattern: a turntable) is read and flattened once; its
 * frames differ only in their camera. */
#ifndef CLRT_SEQUENCE_LOADER_H
#define CLRT_SEQUENCE_LOADER_H

#include <stdbool.h>

#include "clrt_error.h"
#include "clrt_flat_scene.h"
#include "clrt_scene.h"

/* One frame, ready to render. */
typedef struct clrt_loaded_frame {
  long number;
  clrt_flat_scene scene; /* its arrays are the loader's own when !arrays_changed */
  clrt_image_settings image;
  bool arrays_changed; /* the spheres differ from the frame before's (always so for the first) */
  double load_ms;      /* reading the scene and its files */
  double flatten_ms;   /* flattening: the BVH's build (or refit), mostly */
} clrt_loaded_frame;

/* What the command line changes in every frame's scene (sizes, samples),
 * as in a still. */
typedef void (*clrt_scene_adjust)(const void *context, clrt_scene *scene);

typedef struct clrt_sequence_loader clrt_sequence_loader;

/* Starts the thread on the frames of `run` (NULL: all of `sequence`, over
 * which camera paths run); `facts` (from clrt_scene_check_sequence) must
 * outlive the loader. With `refit`, a
 * frame of as many spheres as the one before refits its BVH
 * (clrt_flatten_refit) rather than build one, until that makes the tree
 * half as costly again as the last one built. */
clrt_status clrt_sequence_loader_start(const char *scene_path, const clrt_sequence *sequence,
                                       const clrt_sequence_facts *facts, clrt_scene_adjust adjust,
                                       const void *adjust_context, const clrt_sequence *run, bool refit,
                                       clrt_sequence_loader **loader, clrt_error *err);

/* The next frame, waiting for it if need be; the frame handed out before
 * is freed. A frame that could not be made is its error. */
clrt_status clrt_sequence_loader_next(clrt_sequence_loader *loader, const clrt_loaded_frame **frame, clrt_error *err);

/* Stops the thread and frees every frame. NULL is fine. */
void clrt_sequence_loader_stop(clrt_sequence_loader *loader);

#endif /* CLRT_SEQUENCE_LOADER_H */
