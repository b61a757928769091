/* Flattening: the host form of a scene to the parameters the device reads.
 * (Spheres, materials and lights are already flat arrays after parsing.) */
#ifndef CLRT_FLATTEN_H
#define CLRT_FLATTEN_H

#include "clrt_scene.h"
#include "clrt_tracer.h"
#include "clrt_types.h"

/* The camera basis, computed in double precision as in the PymoniK
 * example: w = normalize(look_from - look_at), u = normalize(vup x w),
 * v = w x u, a viewport 2*tan(vfov/2) high at distance 1. */
clrt_camera clrt_flatten_camera(const clrt_camera_settings *settings, double aspect_ratio);

clrt_render_params clrt_flatten_params(const clrt_scene *scene);

/* The tracer's view of a scene: its arrays and the given parameters. */
clrt_scene_view clrt_flatten_view(const clrt_scene *scene, const clrt_render_params *params);

#endif /* CLRT_FLATTEN_H */
