/* Clipping planes applied while flattening (clip.c): which spheres stay,
 * and the planes that cut them. */
#ifndef CLRT_CLIP_H
#define CLRT_CLIP_H

#include <stddef.h>

#include "clrt_error.h"
#include "clrt_scene.h"
#include "clrt_types.h"

typedef struct clrt_clip_result {
  size_t *kept; /* the scene indexes of the spheres left, in order */
  size_t kept_count;
  clrt_uint *first, *count; /* per sphere left: its cutting planes in `planes` */
  clrt_float4 *planes;      /* unit normal in xyz, offset in w (at least one element) */
  size_t plane_count;
} clrt_clip_result;

clrt_status clrt_clip_spheres(const clrt_scene *scene, clrt_clip_result *result, clrt_error *err);

void clrt_clip_result_free(clrt_clip_result *result);

#endif /* CLRT_CLIP_H */
