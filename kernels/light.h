/* Lights (light.c): how much of a light reaches a point. Lights have no
 * geometry: a point, or a disc of the light's radius facing the point. */
#ifndef CLRT_LIGHT_H
#define CLRT_LIGHT_H

#include "clrt_tracer.h"

/* The share of light `light_index` that reaches `origin`, per channel
 * (1 with shadows off): `to_light` is the unit direction to its centre,
 * `distance` the distance there. Shadow rays count in key->shadow_rays. */
CLRT_INTERNAL clrt_vec3 clrt_light_visibility(const clrt_flat_view *flat, clrt_trace_key *key, clrt_uint light_index,
                                              clrt_vec3 origin, clrt_vec3 to_light, float distance);

#endif /* CLRT_LIGHT_H */
