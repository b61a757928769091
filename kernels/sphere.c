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

#ifdef CLRT_HAS_CLIPPING
/* No face: the hit is on the sphere's own surface. */
#define CLRT_SPHERE_FACE (-1)

/* The two distances where the line of the ray crosses the sphere (near,
 * far, either may be behind the origin), as clrt_ray_sphere finds them;
 * false when it misses. clrt_ray_sphere keeps its own copy of these
 * lines: written through this function, every kernel took 40 registers
 * more in ptxas (scripts/gpu-check.sh: Whitted 184 without spilling
 * against 144). */
CLRT_INTERNAL int clrt_sphere_roots(clrt_ray ray, clrt_float4 center_radius, float *t_near, float *t_far) {
  clrt_vec3 oc = clrt_vec3_sub(ray.origin, clrt_vec3_from4(center_radius));
  float radius = center_radius.w;
  float b = clrt_vec3_dot(oc, ray.direction);
  clrt_vec3 closest = clrt_vec3_sub(oc, clrt_vec3_scale(ray.direction, b));
  float discriminant = radius * radius - clrt_vec3_dot(closest, closest);
  if (discriminant < 0.0f)
    return 0;
  float c = clrt_vec3_dot(oc, oc) - radius * radius;
  float h = clrt_sqrt(discriminant);
  float q = b > 0.0f ? -b - h : -b + h;
  float t_c = q != 0.0f ? c / q : 0.0f;
  *t_near = q < t_c ? q : t_c;
  *t_far = q < t_c ? t_c : q;
  return 1;
}

/* Where a ray meets a cut sphere: the distance, and the surface there
 * (a plane's number, or CLRT_SPHERE_FACE). */
typedef struct clrt_cut_hit {
  float t;
  int face;
} clrt_cut_hit;

/* The solid of a cut sphere: the stretch of the ray inside the ball and on
 * the kept side of each of its `count` planes, [enter, leave]; the nearest
 * of its ends in front of the origin is the hit, on the surface that
 * bounds it there. Out of line, and handed values rather than the scene,
 * so that the traversal around it keeps its registers. */
CLRT_OUT_OF_LINE clrt_cut_hit clrt_ray_cut_sphere(clrt_ray ray, clrt_float4 center_radius,
                                                  CLRT_SPACE_global const clrt_float4 *planes, clrt_uint count) {
  clrt_cut_hit miss = {CLRT_NO_HIT, CLRT_SPHERE_FACE};
  float enter, leave;
  if (!clrt_sphere_roots(ray, center_radius, &enter, &leave))
    return miss;
  int enter_face = CLRT_SPHERE_FACE, leave_face = CLRT_SPHERE_FACE;
  for (clrt_uint k = 0u; k < count; ++k) {
    clrt_float4 plane = planes[k];
    clrt_vec3 normal = clrt_vec3_from4(plane);
    float side = clrt_vec3_dot(normal, ray.origin) + plane.w, slope = clrt_vec3_dot(normal, ray.direction);
    if (slope == 0.0f && side < 0.0f)
      return miss; /* along the plane, on the side cut away */
    float crossing = slope != 0.0f ? -side / slope : 0.0f;
    if (slope > 0.0f && crossing > enter) {
      enter = crossing;
      enter_face = (int)k;
    } else if (slope < 0.0f && crossing < leave) {
      leave = crossing;
      leave_face = (int)k;
    }
  }
  clrt_cut_hit hit = {enter > 0.0f ? enter : leave, enter > 0.0f ? enter_face : leave_face};
  return enter > leave || !(hit.t > 0.0f) ? miss : hit;
}

/* Sphere i's cut solid against the ray. */
CLRT_INTERNAL clrt_cut_hit clrt_ray_cut_scene_sphere(const clrt_flat_view *flat, clrt_uint i, clrt_ray ray) {
  CLRT_ARRAY_SPACE const clrt_sphere_shading *shading = &flat->sphere_shading[i];
  return clrt_ray_cut_sphere(ray, flat->spheres[i].center_radius, flat->clip_planes + shading->clip_first,
                             shading->clip_count);
}
#endif

CLRT_INTERNAL float clrt_ray_scene_sphere(const clrt_flat_view *flat, clrt_uint i, clrt_ray ray) {
  float t = clrt_ray_sphere(ray, flat->spheres[i].center_radius);
#ifdef CLRT_HAS_CLIPPING
  /* The solid lies within the ball: a ray that misses the ball misses it. */
  if (t != CLRT_NO_HIT && flat->sphere_shading[i].clip_count != 0u)
    t = clrt_ray_cut_scene_sphere(flat, i, ray).t;
#endif
  return t;
}

/* The normal of the surface hit: the sphere's, or a cut face's, which
 * faces away from the solid (toward the side cut away). */
CLRT_INTERNAL clrt_vec3 clrt_outward_normal(const clrt_flat_view *flat, clrt_uint i, clrt_ray ray, clrt_vec3 point) {
#ifdef CLRT_HAS_CLIPPING
  int face = flat->sphere_shading[i].clip_count != 0u ? clrt_ray_cut_scene_sphere(flat, i, ray).face : CLRT_SPHERE_FACE;
  if (face != CLRT_SPHERE_FACE)
    return clrt_vec3_scale(clrt_vec3_from4(flat->clip_planes[flat->sphere_shading[i].clip_first + (clrt_uint)face]),
                           -1.0f);
#else
  (void)ray;
#endif
  return clrt_vec3_normalize(clrt_vec3_sub(point, clrt_vec3_from4(flat->spheres[i].center_radius)));
}

CLRT_INTERNAL clrt_surface clrt_surface_seen(clrt_vec3 point, clrt_vec3 outward, clrt_vec3 direction, float radius) {
  clrt_surface surface;
  surface.point = point;
  surface.entering = clrt_vec3_dot(outward, direction) < 0.0f;
  surface.normal = surface.entering ? outward : clrt_vec3_scale(outward, -1.0f); /* seen from inside: face the ray */
  surface.radius = radius;
  return surface;
}

CLRT_INTERNAL clrt_surface clrt_surface_at(const clrt_flat_view *flat, clrt_uint i, clrt_ray ray, float t) {
  clrt_vec3 point = clrt_vec3_add(ray.origin, clrt_vec3_scale(ray.direction, t));
  return clrt_surface_seen(point, clrt_outward_normal(flat, i, ray, point), ray.direction,
                           flat->spheres[i].center_radius.w);
}

CLRT_INTERNAL clrt_vec3 clrt_offset_from_surface(clrt_vec3 point, clrt_vec3 normal, float radius) {
  float scale = clrt_fmax(1.0f, clrt_fmax(radius, clrt_max_abs_component(point)));
  return clrt_vec3_add(point, clrt_vec3_scale(normal, CLRT_SURFACE_OFFSET_RELATIVE * scale));
}
