/* The sphere: ray intersection without cancellation, and the surface at a
 * hit. */
#include "sphere.h"

/* A secondary ray starts this far off the surface, relative to the scale of
 * the coordinates involved: float positions carry a relative error of about
 * 1e-7, so 4e-6 clears it with margin (no acne) while staying far below any
 * visible gap (no light leaking where spheres touch). */
#define CLRT_SURFACE_OFFSET_RELATIVE 4e-6f

CLRT_TESTABLE float clrt_ray_sphere(clrt_ray ray, clrt_float4 center_radius) {
  clrt_vec3 oc = clrt_vec3_sub(ray.origin, clrt_vec3_from4(center_radius));
  float radius = center_radius.w;
  float b = clrt_vec3_dot(oc, ray.direction);
  /* Discriminant from the ray's closest approach to the center: far more
   * precise than b*b - c when the sphere is small and distant. */
  clrt_vec3 closest = clrt_vec3_sub(oc, clrt_vec3_scale(ray.direction, b));
  float discriminant = radius * radius - clrt_vec3_dot(closest, closest);
  if (discriminant < 0.0f)
    return CLRT_NO_HIT;
  float c = clrt_vec3_dot(oc, oc) - radius * radius;
  /* q and c/q are the two roots, computed without cancellation. */
  float h = clrt_sqrt(discriminant);
  float q = b > 0.0f ? -b - h : -b + h;
  float t_q = q;
  float t_c = q != 0.0f ? c / q : 0.0f;
  float t_near = t_q < t_c ? t_q : t_c;
  float t_far = t_q < t_c ? t_c : t_q;
  if (t_near > 0.0f)
    return t_near;
  if (t_far > 0.0f)
    return t_far;
  return CLRT_NO_HIT;
}

CLRT_INTERNAL clrt_surface clrt_surface_at(CLRT_ARRAY_SPACE const clrt_sphere *sphere, clrt_ray ray, float t) {
  clrt_surface surface;
  surface.point = clrt_vec3_add(ray.origin, clrt_vec3_scale(ray.direction, t));
  surface.normal = clrt_vec3_normalize(clrt_vec3_sub(surface.point, clrt_vec3_from4(sphere->center_radius)));
  surface.entering = clrt_vec3_dot(surface.normal, ray.direction) < 0.0f;
  if (!surface.entering)
    surface.normal = clrt_vec3_scale(surface.normal, -1.0f); /* seen from inside: face the ray */
  surface.radius = sphere->center_radius.w;
  return surface;
}

CLRT_INTERNAL clrt_vec3 clrt_offset_from_surface(clrt_vec3 point, clrt_vec3 normal, float radius) {
  float scale = clrt_fmax(1.0f, clrt_fmax(radius, clrt_max_abs_component(point)));
  return clrt_vec3_add(point, clrt_vec3_scale(normal, CLRT_SURFACE_OFFSET_RELATIVE * scale));
}
