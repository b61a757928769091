/* Materials (material.c): a surface's colour, what glass lets through,
 * Fresnel and refraction, and the Phong terms. */
#ifndef CLRT_MATERIAL_H
#define CLRT_MATERIAL_H

#include "clrt_tracer.h"

/* The material of sphere i (its position in the arrays). */
CLRT_INTERNAL CLRT_ARRAY_SPACE const clrt_material *clrt_material_of(const clrt_flat_view *flat, clrt_uint i);

/* Sphere i's colour: its own, or its material's. */
CLRT_INTERNAL clrt_vec3 clrt_surface_color(const clrt_flat_view *flat, clrt_uint i,
                                           CLRT_ARRAY_SPACE const clrt_material *material);

/* Sphere i in the way of a shadow ray: glass multiplies the light in
 * *passed by its transparency times its colour; false when the sphere is
 * opaque and blocks the light. */
CLRT_INTERNAL int clrt_pass_through(const clrt_flat_view *flat, clrt_uint i, clrt_vec3 *passed);

/* The Phong terms of light arriving from the unit direction l (n_dot_l =
 * normal . l > 0) seen from to_eye: diffuse * color * n_dot_l, plus
 * specular * (r . to_eye)^shininess in every channel, r the mirror of -l. */
CLRT_INTERNAL clrt_vec3 clrt_phong(CLRT_ARRAY_SPACE const clrt_material *material, clrt_vec3 color, clrt_vec3 normal,
                                   clrt_vec3 l, float n_dot_l, clrt_vec3 to_eye);

#endif /* CLRT_MATERIAL_H */
