/* Whitted-style tracer shared by the OpenCL kernel and the host reference.
 *
 * Compiled as OpenCL C (embedded into the program source) and as C11 (in
 * the host library), so the reference renderer runs this exact code. No
 * recursion (OpenCL forbids it): mirror bounces are a loop that carries the
 * weight of the remaining reflection.
 */
#include "clrt_tracer.h"

/* A secondary ray starts this far off the surface, relative to the scale of
 * the coordinates involved: float positions carry a relative error of about
 * 1e-7, so 4e-6 clears it with margin (no acne) while staying far below any
 * visible gap (no light leaking where spheres touch). */
#define CLRT_SURFACE_OFFSET_RELATIVE 4e-6f

/* Hash purposes, so that different random decisions never share a stream. */
#define CLRT_PURPOSE_PIXEL_JITTER_X 0u
#define CLRT_PURPOSE_PIXEL_JITTER_Y 1u

/* 2^-24: turns the top 24 bits of a hash into a float in [0, 1). */
#define CLRT_UNIT_FLOAT_SCALE (1.0f / 16777216.0f)

clrt_uint clrt_hash_u32(clrt_uint value) {
  /* An integer finaliser with full avalanche (Wellons' "lowbias32"). */
  value ^= value >> 16;
  value *= 0x7feb352du;
  value ^= value >> 15;
  value *= 0x846ca68bu;
  value ^= value >> 16;
  return value;
}

CLRT_INTERNAL float clrt_random_unit(clrt_uint x, clrt_uint y, clrt_uint sample, clrt_uint purpose) {
  clrt_uint h = clrt_hash_u32(purpose);
  h = clrt_hash_u32(h ^ sample);
  h = clrt_hash_u32(h ^ y);
  h = clrt_hash_u32(h ^ x);
  return (float)(h >> 8) * CLRT_UNIT_FLOAT_SCALE;
}

clrt_ray clrt_camera_ray(const clrt_camera *camera, float s, float t) {
  clrt_vec3 direction = clrt_vec3_add(clrt_vec3_add(clrt_vec3_from4(camera->lower_left),
                                                    clrt_vec3_scale(clrt_vec3_from4(camera->horizontal), s)),
                                      clrt_vec3_scale(clrt_vec3_from4(camera->vertical), t));
  clrt_ray ray;
  ray.origin = clrt_vec3_from4(camera->origin);
  ray.direction = clrt_vec3_normalize(direction);
  return ray;
}

float clrt_ray_sphere(clrt_ray ray, clrt_float4 center_radius) {
  clrt_vec3 oc = clrt_vec3_sub(ray.origin, clrt_vec3_from4(center_radius));
  float radius = center_radius.w;
  float b = clrt_vec3_dot(oc, ray.direction);
  /* Discriminant from the ray's closest approach to the center: far more
   * precise than b*b - c when the sphere is small and distant. */
  clrt_vec3 closest = clrt_vec3_sub(oc, clrt_vec3_scale(ray.direction, b));
  float discriminant = radius * radius - clrt_vec3_dot(closest, closest);
  if (discriminant < 0.0f)
    return CLRT_INFINITY;
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
  return CLRT_INFINITY;
}

/* Nearest sphere along the ray; its index goes to *hit_index. */
CLRT_INTERNAL float clrt_nearest_hit(const clrt_scene_view *scene, clrt_ray ray, clrt_uint *hit_index) {
  float nearest = CLRT_INFINITY;
  for (clrt_uint i = 0; i < scene->params->sphere_count; ++i) {
    float t = clrt_ray_sphere(ray, scene->spheres[i].center_radius);
    if (t < nearest) {
      nearest = t;
      *hit_index = i;
    }
  }
  return nearest;
}

/* Whether any sphere blocks the segment from origin to distance max_t. */
CLRT_INTERNAL int clrt_occluded(const clrt_scene_view *scene, clrt_ray ray, float max_t) {
  for (clrt_uint i = 0; i < scene->params->sphere_count; ++i) {
    if (clrt_ray_sphere(ray, scene->spheres[i].center_radius) < max_t)
      return 1;
  }
  return 0;
}

/* Moves a surface point off the surface, to the side the normal faces. */
CLRT_INTERNAL clrt_vec3 clrt_offset_from_surface(clrt_vec3 point, clrt_vec3 normal, float radius) {
  float scale = clrt_fmax(1.0f, clrt_fmax(radius, clrt_max_abs_component(point)));
  return clrt_vec3_add(point, clrt_vec3_scale(normal, CLRT_SURFACE_OFFSET_RELATIVE * scale));
}

/* Light arriving from one light: diffuse + specular, or nothing when the
 * light is behind the surface or (with shadows on) occluded. */
CLRT_INTERNAL clrt_vec3 clrt_shade_light(const clrt_scene_view *scene, CLRT_GLOBAL const clrt_material *material,
                                         CLRT_GLOBAL const clrt_light *light, clrt_vec3 shadow_origin,
                                         clrt_vec3 normal, clrt_vec3 to_eye) {
  clrt_vec3 zero = clrt_vec3_make(0.0f, 0.0f, 0.0f);
  clrt_vec3 to_light = clrt_vec3_sub(clrt_vec3_from4(light->position), shadow_origin);
  float distance = clrt_vec3_length(to_light);
  clrt_vec3 l = clrt_vec3_div(to_light, distance);
  float n_dot_l = clrt_vec3_dot(normal, l);
  if (n_dot_l <= 0.0f)
    return zero;
  if (scene->params->shadows) {
    clrt_ray shadow_ray;
    shadow_ray.origin = shadow_origin;
    shadow_ray.direction = l;
    if (clrt_occluded(scene, shadow_ray, distance))
      return zero;
  }
  clrt_vec3 color = clrt_vec3_from4(material->color);
  clrt_vec3 diffuse = clrt_vec3_scale(color, material->diffuse * n_dot_l);
  float r_dot_v = clrt_vec3_dot(clrt_vec3_reflect(clrt_vec3_scale(l, -1.0f), normal), to_eye);
  float specular = r_dot_v > 0.0f ? material->specular * clrt_pow(r_dot_v, material->shininess) : 0.0f;
  clrt_vec3 reflected = clrt_vec3_add(diffuse, clrt_vec3_make(specular, specular, specular));
  return clrt_vec3_scale(clrt_vec3_mul(clrt_vec3_from4(light->color), reflected), light->intensity);
}

/* Ambient plus the sum over lights, at a hit point. */
CLRT_INTERNAL clrt_vec3 clrt_shade_local(const clrt_scene_view *scene, CLRT_GLOBAL const clrt_material *material,
                                         clrt_vec3 shadow_origin, clrt_vec3 normal, clrt_vec3 to_eye) {
  clrt_vec3 local_color = clrt_vec3_scale(clrt_vec3_from4(material->color), material->ambient);
  for (clrt_uint i = 0; i < scene->params->light_count; ++i)
    local_color = clrt_vec3_add(local_color,
                          clrt_shade_light(scene, material, &scene->lights[i], shadow_origin, normal, to_eye));
  return local_color;
}

clrt_vec3 clrt_trace(const clrt_scene_view *scene, clrt_ray ray) {
  clrt_vec3 color = clrt_vec3_make(0.0f, 0.0f, 0.0f);
  float weight = 1.0f; /* share of the pixel still carried by this ray */
  for (clrt_uint depth = 0;; ++depth) {
    clrt_uint hit_index = 0;
    float t = clrt_nearest_hit(scene, ray, &hit_index);
    if (t == CLRT_INFINITY) {
      color = clrt_vec3_add(color, clrt_vec3_scale(clrt_vec3_from4(scene->params->background), weight));
      break;
    }
    CLRT_GLOBAL const clrt_sphere *sphere = &scene->spheres[hit_index];
    CLRT_GLOBAL const clrt_material *material = &scene->materials[sphere->material];
    clrt_vec3 point = clrt_vec3_add(ray.origin, clrt_vec3_scale(ray.direction, t));
    clrt_vec3 normal = clrt_vec3_normalize(clrt_vec3_sub(point, clrt_vec3_from4(sphere->center_radius)));
    if (clrt_vec3_dot(normal, ray.direction) > 0.0f)
      normal = clrt_vec3_scale(normal, -1.0f); /* seen from inside: face the ray */
    clrt_vec3 origin = clrt_offset_from_surface(point, normal, sphere->center_radius.w);
    clrt_vec3 to_eye = clrt_vec3_scale(ray.direction, -1.0f);
    float kr = material->reflectivity;
    clrt_vec3 local_color = clrt_shade_local(scene, material, origin, normal, to_eye);
    color = clrt_vec3_add(color, clrt_vec3_scale(local_color, weight * (1.0f - kr)));
    /* At max_depth the mirror ray is not traced: it contributes black. */
    if (kr <= 0.0f || depth >= scene->params->max_depth)
      break;
    weight *= kr;
    ray.origin = origin;
    ray.direction = clrt_vec3_reflect(ray.direction, normal);
  }
  return color;
}

/* Where sample `sample` of a pixel falls inside it, as offsets in [0, 1).
 * One sample: the pixel center. More: stratified jitter over a k x k grid
 * (k = floor(sqrt(samples))), samples past the grid uniformly jittered. */
CLRT_INTERNAL void clrt_sample_offset(clrt_uint x, clrt_uint y, clrt_uint sample, clrt_uint samples, float *dx,
                                      float *dy) {
  if (samples == 1u) {
    *dx = 0.5f;
    *dy = 0.5f;
    return;
  }
  float jitter_x = clrt_random_unit(x, y, sample, CLRT_PURPOSE_PIXEL_JITTER_X);
  float jitter_y = clrt_random_unit(x, y, sample, CLRT_PURPOSE_PIXEL_JITTER_Y);
  clrt_uint grid = (clrt_uint)clrt_floor(clrt_sqrt((float)samples));
  if (sample < grid * grid) {
    *dx = ((float)(sample % grid) + jitter_x) / (float)grid;
    *dy = ((float)(sample / grid) + jitter_y) / (float)grid;
  } else {
    *dx = jitter_x;
    *dy = jitter_y;
  }
}

clrt_vec3 clrt_render_pixel(const clrt_scene_view *scene, clrt_uint x, clrt_uint y) {
  const clrt_render_params *params = scene->params;
  clrt_vec3 sum = clrt_vec3_make(0.0f, 0.0f, 0.0f);
  for (clrt_uint sample = 0; sample < params->samples; ++sample) {
    float dx, dy;
    clrt_sample_offset(x, y, sample, params->samples, &dx, &dy);
    /* Viewport t runs upwards while image rows run downwards. */
    float s = ((float)x + dx) / (float)params->width;
    float t = ((float)(params->height - 1u - y) + dy) / (float)params->height;
    sum = clrt_vec3_add(sum, clrt_trace(scene, clrt_camera_ray(&params->camera, s, t)));
  }
  return clrt_vec3_div(sum, (float)params->samples);
}
