/* The auxiliary passes of a pixel (--passes, --denoise): the albedo and
 * normal of the first non-specular surface its camera rays see, and the
 * camera rays' depth, averaged over the pixel's samples as its colour is.
 *
 * A sample walks from its camera ray (the integrator's own, so that the
 * passes line up with the colour): at a hit whose local share (1 - kr -
 * kt) is below one half, it follows the larger of the mirror share and the
 * glass share (glass: the refracted ray, or the mirror one under total
 * internal reflection), at most max_depth times; the surface where it
 * stops gives the albedo (the local lobes' reflectance c diffuse +
 * specular, at most 1) and the normal (facing the ray, world space). A
 * walk that escapes sees the background (at most 1) and no normal. The
 * walk makes no random choice: beyond the camera ray's place in the
 * pixel, the passes have no noise, which is what a denoiser needs of its
 * guides. */
#include "camera.h"
#include "clrt_tracer.h"
#include "material.h"
#include "sphere.h"

/* The camera ray the integrator traces for this sample. */
CLRT_INTERNAL clrt_ray clrt_aux_camera_ray(const clrt_flat_view *flat, clrt_pixel_sample sample) {
  if (CLRT_CHOSEN_INTEGRATOR(flat->params) == CLRT_INTEGRATOR_path)
    return clrt_path_camera_ray(flat->params, sample);
  return clrt_camera_sample_ray(flat->params, sample.x, sample.y, sample.index, sample.seed);
}

CLRT_INTERNAL clrt_vec3 clrt_at_most_one(clrt_vec3 v) {
  return clrt_vec3_make(clrt_min(v.x, 1.0f), clrt_min(v.y, 1.0f), clrt_min(v.z, 1.0f));
}

/* Where the walk goes on from a specular surface: the mirror ray, or
 * through the glass. */
CLRT_INTERNAL clrt_ray clrt_aux_specular_ray(CLRT_ARRAY_SPACE const clrt_material *m, clrt_ray ray,
                                             clrt_surface surface) {
  clrt_ray next;
  next.origin = clrt_offset_from_surface(surface.point, surface.normal, surface.radius);
  next.direction = clrt_vec3_reflect(ray.direction, surface.normal);
  if (m->transparency > m->reflectivity) {
    clrt_vec3 refracted = next.direction;
    if (clrt_refract(ray.direction, surface.normal, surface.entering, m->ior, &refracted) < 1.0f) {
      next.origin = clrt_offset_from_surface(surface.point, clrt_vec3_scale(surface.normal, -1.0f), surface.radius);
      next.direction = refracted;
    }
  }
  return next;
}

/* One sample's walk, added to the pixel's sums; *depth gets the camera
 * ray's distance to its hit (CLRT_NO_HIT when it escapes). */
CLRT_INTERNAL void clrt_aux_walk(const clrt_flat_view *flat, clrt_ray ray, clrt_vec3 *albedo, clrt_vec3 *normal,
                                 float *depth, CLRT_ITEM_SPACE clrt_tally *tally) {
  *depth = CLRT_NO_HIT;
  ++tally->camera_rays;
  for (clrt_uint bounce = 0u;; ++bounce) {
    clrt_uint sphere = 0u;
    float t = clrt_nearest_hit(flat, ray, &sphere);
    if (bounce == 0u)
      *depth = t;
    if (t == CLRT_NO_HIT) {
      *albedo = clrt_vec3_add(*albedo, clrt_at_most_one(clrt_vec3_from4(flat->params->background)));
      return;
    }
    clrt_surface surface = clrt_surface_at(flat, sphere, ray, t);
    CLRT_ARRAY_SPACE const clrt_material *m = clrt_material_of(flat, sphere);
    if (1.0f - m->reflectivity - m->transparency < 0.5f && bounce < flat->params->max_depth) {
      ray = clrt_aux_specular_ray(m, ray, surface);
      ++tally->bounce_rays;
      continue;
    }
    clrt_vec3 color = clrt_vec3_scale(clrt_surface_color(flat, sphere, m), m->diffuse);
    *albedo = clrt_vec3_add(
        *albedo, clrt_at_most_one(clrt_vec3_add(color, clrt_vec3_make(m->specular, m->specular, m->specular))));
    *normal = clrt_vec3_add(*normal, surface.normal);
    return;
  }
}

CLRT_TESTABLE clrt_pixel_aux clrt_trace_pixel_aux(const clrt_flat_view *flat, clrt_uint x, clrt_uint y,
                                                  clrt_uint sample_count, CLRT_ITEM_SPACE clrt_tally *tally) {
  clrt_vec3 albedo = clrt_vec3_make(0.0f, 0.0f, 0.0f), normal = albedo;
  float depth_sum = 0.0f, hits = 0.0f;
  for (clrt_uint index = 0u; index < sample_count; ++index) {
    float depth;
    clrt_aux_walk(flat, clrt_aux_camera_ray(flat, clrt_pixel_sample_of(x, y, index)), &albedo, &normal, &depth, tally);
    if (depth != CLRT_NO_HIT) {
      depth_sum += depth;
      hits += 1.0f;
    }
  }
  float n = (float)sample_count;
  clrt_pixel_aux aux;
  aux.albedo = clrt_vec4_make(albedo.x / n, albedo.y / n, albedo.z / n, hits / n);
  aux.normal_depth =
      clrt_vec4_make(normal.x / n, normal.y / n, normal.z / n, hits > 0.0f ? depth_sum / hits : CLRT_NO_HIT);
  return aux;
}
