/* Materials: surface colour, transmission through glass, Fresnel and
 * Snell, and Phong's local terms. */
#include "material.h"

CLRT_INTERNAL CLRT_ARRAY_SPACE const clrt_material *clrt_material_of(const clrt_flat_view *flat, clrt_uint i) {
  return &flat->materials[flat->sphere_shading[i].material];
}

CLRT_INTERNAL clrt_vec3 clrt_surface_color(const clrt_flat_view *flat, clrt_uint i,
                                           CLRT_ARRAY_SPACE const clrt_material *material) {
  clrt_float4 own = flat->sphere_shading[i].color;
  return own.w > 0.0f ? clrt_vec3_from4(own) : clrt_vec3_from4(material->color);
}

CLRT_INTERNAL int clrt_pass_through(const clrt_flat_view *flat, clrt_uint i, clrt_vec3 *passed) {
  CLRT_ARRAY_SPACE const clrt_material *blocker = clrt_material_of(flat, i);
  if (blocker->transparency <= 0.0f)
    return 0;
  *passed = clrt_vec3_mul(*passed, clrt_vec3_scale(clrt_surface_color(flat, i, blocker), blocker->transparency));
  return 1;
}

CLRT_TESTABLE float clrt_refract(clrt_vec3 direction, clrt_vec3 normal, int entering, float ior, clrt_vec3 *refracted) {
  float eta = entering ? 1.0f / ior : ior;
  float cos_incident = -clrt_vec3_dot(direction, normal);
  float sin2_transmitted = eta * eta * (1.0f - cos_incident * cos_incident);
  if (sin2_transmitted >= 1.0f)
    return 1.0f;
  float cos_transmitted = clrt_sqrt(1.0f - sin2_transmitted);
  *refracted = clrt_vec3_normalize(
      clrt_vec3_add(clrt_vec3_scale(direction, eta), clrt_vec3_scale(normal, eta * cos_incident - cos_transmitted)));
  float r0 = (1.0f - ior) / (1.0f + ior);
  r0 = r0 * r0;
  /* Schlick's cosine is the one on the optically thinner side. */
  float cosine = entering ? cos_incident : cos_transmitted;
  float grazing = 1.0f - cosine;
  return r0 + (1.0f - r0) * grazing * grazing * grazing * grazing * grazing;
}

CLRT_INTERNAL clrt_vec3 clrt_phong(CLRT_ARRAY_SPACE const clrt_material *material, clrt_vec3 color, clrt_vec3 normal,
                                   clrt_vec3 l, float n_dot_l, clrt_vec3 to_eye) {
  clrt_vec3 diffuse = clrt_vec3_scale(color, material->diffuse * n_dot_l);
  float r_dot_v = clrt_vec3_dot(clrt_vec3_reflect(clrt_vec3_scale(l, -1.0f), normal), to_eye);
  float specular = 0.0f;
  if (r_dot_v > 0.0f && material->specular > 0.0f)
    specular = material->specular * clrt_pow_positive(r_dot_v, material->shininess);
  return clrt_vec3_add(diffuse, clrt_vec3_make(specular, specular, specular));
}
