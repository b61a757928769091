/* The path integrator: global illumination by Monte Carlo path tracing,
 * one path per camera ray and one ray at a time: what a work-item keeps is
 * one path's state, not a stack of branches.
 *
 * The model (docs/picture.md): at a hit, emission Le, the local
 * share (1-kr-kt) of the lights' direct terms D_j and of the light
 * scattered by f_local from every direction, a mirror share kr and a
 * glass share kt (Schlick's F reflected, 1-F refracted). The estimator:
 *  - D_j at every vertex, with one shadow ray per light (to the centre of
 *    a point light, to a point of a sphere light's disc);
 *  - next-event estimation toward one emissive sphere, picked uniformly
 *    and sampled uniformly over the cone it subtends, combined with the
 *    local lobe's sampling by multiple importance sampling (balance
 *    heuristic), so that small bright spheres and large dim ones both
 *    converge fast;
 *  - one continuation per vertex: local, mirror or glass picked by their
 *    shares (glass then reflects with probability F), the local direction
 *    drawn from a mixture of the cosine (diffuse) and normalised Phong
 *    (specular) lobes weighted by their albedos;
 *  - Russian roulette from vertex CLRT_ROULETTE_FIRST_VERTEX;
 *  - the random numbers are Owen-scrambled Sobol points for the camera ray
 *    and vertices 0 and 1 (sampling.c), hashed numbers beyond.
 * Every choice is unbiased for the model; the tests hold it to the exact
 * cases (furnaces, invisible glass, the Whitted picture at depth 0). */
#include "bvh.h"
#include "camera.h"
#include "clrt_tracer.h"
#include "material.h"
#include "sampling.h"
#include "sphere.h"

/* Russian roulette plays from this vertex on (the camera ray's hit is
 * vertex 0): earlier vertices carry most of the picture. A path survives
 * with the largest channel of its throughput, at most this. */
#define CLRT_ROULETTE_FIRST_VERTEX 3u
#define CLRT_ROULETTE_MAX_SURVIVAL 0.95f

/* The Sobol sets (4 numbers each) of a sample: set 0 places the camera
 * ray (pixel x, y, lens x, y); vertex k then has its own sets, numbered
 * from 1 + k * (CLRT_PATH_SETS_BESIDES_LIGHTS + light_count). */
#define CLRT_PATH_SET_CAMERA 0u
#define CLRT_PATH_SET_BOUNCE 0u      /* share, lobe, direction x, y */
#define CLRT_PATH_SET_EMITTER 1u     /* which emitter, direction x, y */
#define CLRT_PATH_SET_ROULETTE 1u    /* its fourth number: Russian roulette */
#define CLRT_PATH_SET_FIRST_LIGHT 2u /* light j: disc x, y */
#define CLRT_PATH_SETS_BESIDES_LIGHTS 2u
/* The last vertex whose numbers are Sobol points (clrt_path_numbers). */
#define CLRT_SOBOL_LAST_VERTEX 1u

/* Which ray of a path is in flight (clrt_path_state's step): the path's
 * own (camera or bounce), then, at each vertex it finds, a shadow ray per
 * light (step j for light j) and one toward an emitter (step
 * light_count).
 *
 * Every ray of a sample goes through the one traversal of
 * clrt_trace_sample's loop; between two rays, the path is in
 * clrt_path_state (the work-group's local memory on a device, fenced
 * there on a GPU: clrt_keep_in_memory), so that a GPU thread's registers
 * hold one ray's traversal or the shading between two, never both: a
 * traversal inlined in several places, or values kept across one, would
 * hold registers of every thread for the whole kernel (docs/gpu.md). */
#define CLRT_STEP_PATH 0xffffffffu

/* A path's state, where it is kept. */
typedef CLRT_ITEM_SPACE clrt_path_state clrt_kept_path;

/* The surface at a path's vertex. What follows from it (the material, the
 * colour, the mirror direction, where rays leave) is looked up or
 * computed where it is used. */
typedef struct clrt_vertex {
  clrt_surface surface;
  clrt_vec3 incoming; /* the ray's direction: w_o is its opposite */
  clrt_uint sphere;
} clrt_vertex;

/* What shading a vertex reads of its material: the Phong lobes. */
typedef struct clrt_lobes {
  clrt_vec3 color;  /* the sphere's own, or its material's */
  clrt_vec3 mirror; /* r = 2(n.w_o)n - w_o */
  clrt_vec3 normal;
  float diffuse, specular, shininess;
  float local_share;  /* 1 - kr - kt */
  float diffuse_odds; /* the cosine lobe's share of local sampling; < 0: nothing to sample */
} clrt_lobes;

CLRT_INTERNAL clrt_uint clrt_path_set(const clrt_flat_view *flat, clrt_uint vertex, clrt_uint set) {
  return 1u + vertex * (CLRT_PATH_SETS_BESIDES_LIGHTS + flat->params->light_count) + set;
}

/* The four numbers of set `set` at vertex `vertex`: Sobol points up to
 * CLRT_SOBOL_LAST_VERTEX, where most of the picture is decided; beyond,
 * where a path's share is small and its integrand rough, hashed ones,
 * which cost far less (bench/RESULTS.md: Sobol points at every vertex
 * made the Cornell room's kernel 1.2x slower than at vertices 0 and 1). */
CLRT_INTERNAL clrt_vec4 clrt_path_numbers(const clrt_flat_view *flat, clrt_pixel_sample sample, clrt_uint vertex,
                                          clrt_uint set) {
  clrt_uint number = clrt_path_set(flat, vertex, set);
  if (vertex <= CLRT_SOBOL_LAST_VERTEX)
    return clrt_sobol_point(sample.pixel_seed, sample.index, number);
  return clrt_random_point(sample.seed, number);
}

CLRT_INTERNAL float clrt_max_channel(clrt_vec3 v) { return clrt_max(v.x, clrt_max(v.y, v.z)); }

CLRT_INTERNAL CLRT_ARRAY_SPACE const clrt_material *clrt_vertex_material(const clrt_flat_view *flat,
                                                                         const clrt_vertex *v) {
  return clrt_material_of(flat, v->sphere);
}

/* Where rays leaving on the normal's side start. */
CLRT_INTERNAL clrt_vec3 clrt_vertex_outside(const clrt_vertex *v) {
  return clrt_offset_from_surface(v->surface.point, v->surface.normal, v->surface.radius);
}

/* 1 - kr - kt: the share of the local terms. */
CLRT_INTERNAL float clrt_local_share(CLRT_ARRAY_SPACE const clrt_material *m) {
  return 1.0f - m->reflectivity - m->transparency;
}

CLRT_INTERNAL clrt_lobes clrt_lobes_at(const clrt_flat_view *flat, const clrt_vertex *v) {
  CLRT_ARRAY_SPACE const clrt_material *m = clrt_vertex_material(flat, v);
  clrt_lobes lobes;
  lobes.color = clrt_surface_color(flat, v->sphere, m);
  lobes.mirror = clrt_vec3_reflect(v->incoming, v->surface.normal);
  lobes.normal = v->surface.normal;
  lobes.diffuse = m->diffuse;
  lobes.specular = m->specular;
  lobes.shininess = m->shininess;
  lobes.local_share = clrt_local_share(m);
  float diffuse_albedo = m->diffuse * clrt_max_channel(lobes.color);
  float albedo = diffuse_albedo + m->specular;
  lobes.diffuse_odds = albedo > 0.0f ? diffuse_albedo / albedo : -1.0f;
  return lobes;
}

/* Whether the local terms count at all: a local share and a lobe. */
CLRT_INTERNAL int clrt_has_local(const clrt_lobes *lobes) {
  return lobes->local_share > 0.0f && lobes->diffuse_odds >= 0.0f;
}

/* (r . w)^s where positive, else 0. */
CLRT_INTERNAL float clrt_phong_lobe(const clrt_lobes *lobes, clrt_vec3 w) {
  float r_dot_w = clrt_vec3_dot(lobes->mirror, w);
  return r_dot_w > 0.0f ? clrt_pow_positive(r_dot_w, lobes->shininess) : 0.0f;
}

/* The Phong lobe (r.w)^s at a direction, when the material has one (0
 * without: no pow to pay). Computed once, it serves both the BSDF and the
 * pdf at that direction. */
CLRT_INTERNAL float clrt_glossy_at(const clrt_lobes *lobes, clrt_vec3 w) {
  return lobes->specular > 0.0f ? clrt_phong_lobe(lobes, w) : 0.0f;
}

/* f_local(w) = c diffuse / pi + specular (s+2)/(2 pi) (r.w)^s, without the
 * local share; `glossy` is clrt_glossy_at(w). */
CLRT_INTERNAL clrt_vec3 clrt_local_bsdf(const clrt_lobes *lobes, float glossy) {
  float specular = lobes->specular * (lobes->shininess + 2.0f) * (0.5f / CLRT_PI) * glossy;
  clrt_vec3 diffuse = clrt_vec3_scale(lobes->color, lobes->diffuse / CLRT_PI);
  return clrt_vec3_add(diffuse, clrt_vec3_make(specular, specular, specular));
}

/* The density (over solid angle) of the local lobes' mixture at a
 * direction of cosine `cosine` to the normal; `glossy` as above. */
CLRT_INTERNAL float clrt_local_pdf(const clrt_lobes *lobes, float cosine, float glossy) {
  if (cosine <= 0.0f || lobes->diffuse_odds < 0.0f)
    return 0.0f;
  float pdf = lobes->diffuse_odds * cosine / CLRT_PI;
  if (lobes->diffuse_odds < 1.0f)
    pdf += (1.0f - lobes->diffuse_odds) * (lobes->shininess + 1.0f) * (0.5f / CLRT_PI) * glossy;
  return pdf;
}

/* A direction of the local lobes' mixture, from three numbers in [0, 1):
 * the lobe, then a point of the unit square. Cosine-weighted by Malley's
 * method; the Phong lobe's cos^s around r by cos = u^(1/(s+1)), with u
 * the disk point's squared radius. */
CLRT_INTERNAL clrt_vec3 clrt_sample_local(const clrt_lobes *lobes, float lobe, float u, float w) {
  float dx, dy;
  clrt_square_to_disk(u, w, &dx, &dy);
  float rho2 = dx * dx + dy * dy;
  if (lobe < lobes->diffuse_odds)
    return clrt_cosine_direction(lobes->normal, dx, dy);
  float cos_theta = rho2 > 0.0f ? clrt_pow_positive(rho2, 1.0f / (lobes->shininess + 1.0f)) : 0.0f;
  return clrt_direction_around(lobes->mirror, cos_theta, dx, dy);
}

/* The cone of directions from `point` to emissive sphere `sphere`: its
 * axis, and 1 - cos of its half-angle. False from inside the sphere. */
CLRT_INTERNAL int clrt_emitter_cone(const clrt_flat_view *flat, clrt_vec3 point, clrt_uint sphere, clrt_vec3 *axis,
                                    float *one_minus_cos) {
  clrt_float4 center_radius = flat->spheres[sphere].center_radius;
  clrt_vec3 toward = clrt_vec3_sub(clrt_vec3_from4(center_radius), point);
  float distance2 = clrt_vec3_dot(toward, toward), radius2 = center_radius.w * center_radius.w;
  if (distance2 <= radius2)
    return 0;
  *axis = clrt_vec3_div(toward, clrt_sqrt(distance2));
  float sin2 = radius2 / distance2;
  *one_minus_cos = sin2 / (1.0f + clrt_sqrt(1.0f - sin2)); /* 1 - sqrt(1 - sin2), without cancellation */
  return *one_minus_cos > 0.0f;
}

/* The density (over solid angle) with which emitter sampling from `point`
 * (off sphere `from_sphere`) picks a direction toward `sphere`. */
CLRT_INTERNAL float clrt_emitter_pdf(const clrt_flat_view *flat, clrt_vec3 point, clrt_uint from_sphere,
                                     clrt_uint sphere) {
  clrt_vec3 axis;
  float one_minus_cos;
  if (sphere == from_sphere || !clrt_emitter_cone(flat, point, sphere, &axis, &one_minus_cos))
    return 0.0f;
  return 1.0f / (2.0f * CLRT_PI * one_minus_cos * (float)flat->params->emitter_count);
}

/* The pixel sample the path traces. */
CLRT_INTERNAL clrt_pixel_sample clrt_path_sample(clrt_kept_path *path) {
  clrt_pixel_sample sample;
  sample.x = path->x;
  sample.y = path->y;
  sample.index = path->sample;
  sample.seed = path->seed;
  sample.pixel_seed = path->pixel_seed;
  return sample;
}

/* Adds light to the sample's radiance. */
CLRT_INTERNAL void clrt_gather(clrt_kept_path *path, clrt_vec3 light) {
  path->radiance = clrt_vec3_pack(clrt_vec3_add(clrt_vec3_unpack(path->radiance), light));
}

/* The vertex the path's ray found, from what the path keeps of it. */
CLRT_INTERNAL clrt_vertex clrt_path_vertex(const clrt_flat_view *flat, clrt_kept_path *path) {
  clrt_vertex v;
  v.sphere = path->sphere;
  v.incoming = clrt_vec3_unpack(path->incoming);
  v.surface = clrt_surface_seen(clrt_vec3_unpack(path->point), clrt_vec3_unpack(path->outward), v.incoming,
                                flat->spheres[v.sphere].center_radius.w);
  return v;
}

/* Light j's direct term D_j = pi f_local(l) color intensity (n.l) V_j,
 * l toward its centre, times the local share and the throughput, as the
 * path's pending light; V_j by a shadow ray (to the centre, or to a point
 * of the disc of a sphere light facing the vertex), *ray up to *limit.
 * False when the light adds nothing here. */
CLRT_INTERNAL int clrt_light_ray(const clrt_flat_view *flat, clrt_kept_path *path, const clrt_vertex *v,
                                 clrt_uint light_index, clrt_ray *ray, float *limit) {
  CLRT_ARRAY_SPACE const clrt_light *light = &flat->lights[light_index];
  clrt_vec3 center = clrt_vec3_from4(light->position), outside = clrt_vertex_outside(v);
  clrt_vec3 to_center = clrt_vec3_sub(center, outside);
  float distance = clrt_vec3_length(to_center);
  clrt_vec3 l = clrt_vec3_div(to_center, distance);
  float n_dot_l = clrt_vec3_dot(v->surface.normal, l);
  if (n_dot_l <= 0.0f)
    return 0;
  clrt_lobes lobes = clrt_lobes_at(flat, v);
  clrt_vec3 reflected = clrt_vec3_scale(clrt_local_bsdf(&lobes, clrt_glossy_at(&lobes, l)),
                                        CLRT_PI * light->intensity * n_dot_l * lobes.local_share);
  if (clrt_max_channel(reflected) <= 0.0f)
    return 0;
  clrt_vec3 light_color = clrt_vec3_mul(clrt_vec3_from4(light->color), reflected);
  path->pending = clrt_vec3_pack(clrt_vec3_mul(clrt_vec3_unpack(path->throughput), light_color));
  ray->origin = outside;
  ray->direction = l;
  if (light->radius > 0.0f) {
    clrt_vec4 u =
        clrt_path_numbers(flat, clrt_path_sample(path), path->vertex, CLRT_PATH_SET_FIRST_LIGHT + light_index);
    float dx, dy;
    clrt_square_to_disk(u.x, u.y, &dx, &dy);
    clrt_vec3 a, b;
    clrt_basis_around(l, &a, &b);
    clrt_vec3 target = clrt_vec3_add(
        center, clrt_vec3_scale(clrt_vec3_add(clrt_vec3_scale(a, dx), clrt_vec3_scale(b, dy)), light->radius));
    clrt_vec3 toward = clrt_vec3_sub(target, outside);
    distance = clrt_vec3_length(toward);
    ray->direction = clrt_vec3_div(toward, distance);
  }
  *limit = distance;
  return 1;
}

/* Next-event estimation toward one emissive sphere, weighted against
 * finding it by a local bounce (balance heuristic): its light, times the
 * throughput, as the path's pending light, and *ray toward it, which must
 * reach that sphere first. `u`: which emitter, the direction's square
 * point. False when it adds nothing. */
CLRT_INTERNAL int clrt_emitter_ray(const clrt_flat_view *flat, clrt_kept_path *path, const clrt_vertex *v, clrt_vec4 u,
                                   clrt_ray *ray) {
  if (clrt_local_share(clrt_vertex_material(flat, v)) <= 0.0f)
    return 0; /* no local terms (checked in full below) */
  clrt_uint count = flat->params->emitter_count;
  clrt_uint pick = clrt_min((clrt_uint)(u.x * (float)count), count - 1u);
  clrt_uint sphere = flat->emitters[pick];
  clrt_vec3 axis, outside = clrt_vertex_outside(v);
  float one_minus_cos;
  if (sphere == v->sphere || !clrt_emitter_cone(flat, outside, sphere, &axis, &one_minus_cos))
    return 0;
  float dx, dy;
  clrt_square_to_disk(u.y, u.z, &dx, &dy);
  clrt_vec3 direction = clrt_direction_around(axis, 1.0f - (dx * dx + dy * dy) * one_minus_cos, dx, dy);
  float cosine = clrt_vec3_dot(v->surface.normal, direction);
  if (cosine <= 0.0f)
    return 0;
  clrt_lobes lobes = clrt_lobes_at(flat, v);
  if (!clrt_has_local(&lobes))
    return 0;
  float glossy = clrt_glossy_at(&lobes, direction);
  clrt_vec3 f = clrt_local_bsdf(&lobes, glossy);
  float emitter_pdf = 1.0f / (2.0f * CLRT_PI * one_minus_cos * (float)count);
  float local_pdf = lobes.local_share * clrt_local_pdf(&lobes, cosine, glossy);
  float weight = emitter_pdf / (emitter_pdf + local_pdf);
  clrt_vec3 emission = clrt_vec3_from4(clrt_material_of(flat, sphere)->emission);
  clrt_vec3 light = clrt_vec3_scale(clrt_vec3_mul(f, emission), lobes.local_share * cosine * weight / emitter_pdf);
  path->pending = clrt_vec3_pack(clrt_vec3_mul(clrt_vec3_unpack(path->throughput), light));
  path->target = sphere;
  ray->origin = outside;
  ray->direction = direction;
  return 1;
}

/* Le at `sphere`, found by the path's ray from `origin`, weighted against
 * having sampled it as an emitter from the previous vertex (path->sphere)
 * when a local bounce found it. */
CLRT_INTERNAL clrt_vec3 clrt_emission_found(const clrt_flat_view *flat, clrt_kept_path *path, clrt_vec3 origin,
                                            clrt_uint sphere) {
  clrt_vec3 emission = clrt_vec3_from4(clrt_material_of(flat, sphere)->emission);
  float local_pdf = path->local_pdf;
  if (clrt_max_channel(emission) <= 0.0f || local_pdf <= 0.0f)
    return emission;
  float emitter_pdf = clrt_emitter_pdf(flat, origin, path->sphere, sphere);
  return clrt_vec3_scale(emission, local_pdf / (local_pdf + emitter_pdf));
}

/* Glass: the mirror direction with probability F (Schlick), else the
 * refracted one; `u` in [0, 1) decides. */
CLRT_INTERNAL clrt_ray clrt_through_glass(const clrt_vertex *v, float ior, float u) {
  clrt_vec3 refracted = v->incoming;
  float reflectance = clrt_refract(v->incoming, v->surface.normal, v->surface.entering, ior, &refracted);
  clrt_ray next;
  if (u < reflectance) {
    next.origin = clrt_vertex_outside(v);
    next.direction = clrt_vec3_reflect(v->incoming, v->surface.normal);
  } else {
    next.origin =
        clrt_offset_from_surface(v->surface.point, clrt_vec3_scale(v->surface.normal, -1.0f), v->surface.radius);
    next.direction = refracted;
  }
  return next;
}

/* Picks how the path goes on from vertex v (local, mirror or glass, by
 * their shares) and sets *ray; false when it ends there. */
CLRT_INTERNAL int clrt_continue_path(const clrt_flat_view *flat, clrt_kept_path *path, const clrt_vertex *v,
                                     clrt_vec4 u, clrt_ray *ray) {
  CLRT_ARRAY_SPACE const clrt_material *m = clrt_vertex_material(flat, v);
  float kr = m->reflectivity, kt = m->transparency, local_share = clrt_local_share(m);
  path->local_pdf = 0.0f;
  if (u.x < local_share) {
    clrt_lobes lobes = clrt_lobes_at(flat, v);
    if (lobes.diffuse_odds < 0.0f)
      return 0;
    clrt_vec3 w = clrt_sample_local(&lobes, u.y, u.z, u.w);
    float cosine = clrt_vec3_dot(lobes.normal, w), glossy = clrt_glossy_at(&lobes, w);
    float pdf = clrt_local_pdf(&lobes, cosine, glossy);
    if (cosine <= 0.0f || !(pdf > 0.0f))
      return 0;
    clrt_vec3 weight = clrt_vec3_scale(clrt_local_bsdf(&lobes, glossy), cosine / pdf);
    path->throughput = clrt_vec3_pack(clrt_vec3_mul(clrt_vec3_unpack(path->throughput), weight));
    path->local_pdf = local_share * pdf;
    ray->origin = clrt_vertex_outside(v);
    ray->direction = w;
    return 1;
  }
  if (u.x < local_share + kr) {
    ray->origin = clrt_vertex_outside(v);
    ray->direction = clrt_vec3_reflect(v->incoming, v->surface.normal);
    return 1;
  }
  if (kt <= 0.0f)
    return 0;
  /* The share's remaining range, rescaled to [0, 1), decides Fresnel. */
  float fresnel_u = clrt_min((u.x - local_share - kr) / kt, 0.99999994f);
  *ray = clrt_through_glass(v, m->ior, fresnel_u);
  return 1;
}

/* Russian roulette: false when the path ends; else its throughput grows
 * by the odds it beat, so that the estimate stays unbiased. */
CLRT_INTERNAL int clrt_roulette(const clrt_flat_view *flat, clrt_kept_path *path) {
  if (path->vertex < CLRT_ROULETTE_FIRST_VERTEX)
    return 1;
  float u = clrt_path_numbers(flat, clrt_path_sample(path), path->vertex, CLRT_PATH_SET_ROULETTE).w;
  clrt_vec3 throughput = clrt_vec3_unpack(path->throughput);
  float survival = clrt_min(CLRT_ROULETTE_MAX_SURVIVAL, clrt_max_channel(throughput));
  if (!(u < survival))
    return 0;
  path->throughput = clrt_vec3_pack(clrt_vec3_div(throughput, survival));
  return 1;
}

/* The camera ray of the sample: one sample looks through the pixel's
 * centre (as Whitted's), more are spread over the pixel by the first Sobol
 * set, which also places the ray on the lens of a camera with an aperture. */
CLRT_INTERNAL clrt_ray clrt_path_camera_ray(CLRT_PARAMS_SPACE const clrt_trace_params *params,
                                            clrt_pixel_sample sample) {
  clrt_vec4 u = clrt_sobol_point(sample.pixel_seed, sample.index, CLRT_PATH_SET_CAMERA);
  float lens_x = 0.0f, lens_y = 0.0f;
  if (params->camera.unit_u.w > 0.0f)
    clrt_square_to_disk(u.z, u.w, &lens_x, &lens_y);
  if (params->samples == 1u)
    return clrt_camera_ray_at(params, sample.x, sample.y, 0.5f, 0.5f, lens_x, lens_y);
  return clrt_camera_ray_at(params, sample.x, sample.y, u.x, u.y, lens_x, lens_y);
}

/* Starts the path of the sample path->sample: its camera ray. */
CLRT_INTERNAL clrt_ray clrt_start_sample(const clrt_flat_view *flat, clrt_kept_path *path,
                                         CLRT_ITEM_SPACE clrt_tally *tally) {
  path->throughput = clrt_vec3_pack(clrt_vec3_make(1.0f, 1.0f, 1.0f));
  path->radiance = clrt_vec3_pack(clrt_vec3_make(0.0f, 0.0f, 0.0f));
  path->local_pdf = 0.0f;
  path->vertex = 0u;
  path->step = CLRT_STEP_PATH;
  path->sphere = 0u;
  clrt_pixel_sample sample = clrt_pixel_sample_of(path->x, path->y, path->sample);
  path->seed = sample.seed;
  path->pixel_seed = sample.pixel_seed;
  ++tally->camera_rays;
  return clrt_path_camera_ray(flat->params, sample);
}

/* The path's ray found `sphere` at distance t: its light there (Le), and
 * the vertex kept for the rays that leave it. */
CLRT_INTERNAL void clrt_arrive(const clrt_flat_view *flat, clrt_kept_path *path, clrt_ray ray, float t,
                               clrt_uint sphere) {
  clrt_vec3 emission = clrt_emission_found(flat, path, ray.origin, sphere);
  clrt_gather(path, clrt_vec3_mul(clrt_vec3_unpack(path->throughput), emission));
  clrt_surface surface = clrt_surface_at(flat, sphere, ray, t);
  path->point = clrt_vec3_pack(surface.point);
  path->outward = clrt_vec3_pack(surface.entering ? surface.normal : clrt_vec3_scale(surface.normal, -1.0f));
  path->incoming = clrt_vec3_pack(ray.direction);
  path->sphere = sphere;
}

/* The ray of step `step` of the path's vertex (a light's shadow ray, with
 * *limit, or the ray toward an emitter), when that step traces one. */
CLRT_INTERNAL int clrt_step_ray(const clrt_flat_view *flat, clrt_kept_path *path, clrt_uint step, clrt_ray *ray,
                                float *limit) {
  CLRT_PARAMS_SPACE const clrt_trace_params *params = flat->params;
  int light = step < params->light_count;
  if (!light && (path->vertex >= params->max_depth || params->emitter_count == 0u))
    return 0;
  clrt_vertex v = clrt_path_vertex(flat, path);
  if (light)
    return clrt_light_ray(flat, path, &v, step, ray, limit);
  clrt_vec4 u = clrt_path_numbers(flat, clrt_path_sample(path), path->vertex, CLRT_PATH_SET_EMITTER);
  return clrt_emitter_ray(flat, path, &v, u, ray);
}

/* The way on from the path's vertex (Russian roulette, then a bounce),
 * as *ray; false when the path ends there. */
CLRT_INTERNAL int clrt_bounce_ray(const clrt_flat_view *flat, clrt_kept_path *path, clrt_ray *ray) {
  if (path->vertex >= flat->params->max_depth || !clrt_roulette(flat, path))
    return 0;
  clrt_vertex v = clrt_path_vertex(flat, path);
  clrt_vec4 u = clrt_path_numbers(flat, clrt_path_sample(path), path->vertex, CLRT_PATH_SET_BOUNCE);
  return clrt_continue_path(flat, path, &v, u, ray) && clrt_max_channel(clrt_vec3_unpack(path->throughput)) > 0.0f;
}

/* Sets the path's next ray (*ray, and *limit for a shadow ray) after step
 * path->step of its vertex: the remaining lights' shadow rays, the ray
 * toward an emitter, then the way on. False when the path ends. Each
 * step starts again from what the path keeps (clrt_keep_in_memory), so
 * that none holds registers for the next. */
CLRT_INTERNAL int clrt_next_ray(const clrt_flat_view *flat, clrt_kept_path *path, clrt_ray *ray, float *limit,
                                CLRT_ITEM_SPACE clrt_tally *tally) {
  CLRT_PARAMS_SPACE const clrt_trace_params *params = flat->params;
  for (clrt_uint step = path->step + 1u; step <= params->light_count; ++step) {
    clrt_keep_in_memory();
    if (!clrt_step_ray(flat, path, step, ray, limit))
      continue;
    if (step < params->light_count && !params->shadows) {
      clrt_gather(path, clrt_vec3_unpack(path->pending)); /* no shadows: every light reaches the vertex */
      continue;
    }
    path->step = step;
    ++tally->shadow_rays;
    return 1;
  }
  clrt_keep_in_memory();
  if (!clrt_bounce_ray(flat, path, ray))
    return 0;
  ++tally->bounce_rays;
  ++path->vertex;
  path->step = CLRT_STEP_PATH;
  return 1;
}

/* Traces the rays of the sample path->sample, from its camera ray, and
 * leaves its light in path->radiance. */
CLRT_INTERNAL void clrt_trace_sample(const clrt_flat_view *flat, clrt_kept_path *path,
                                     CLRT_ITEM_SPACE clrt_tally *tally) {
  CLRT_PARAMS_SPACE const clrt_trace_params *params = flat->params;
  clrt_ray ray = clrt_start_sample(flat, path, tally);
  float limit = CLRT_NO_HIT;
  for (;;) {
    clrt_keep_in_memory();
    /* Every ray of the sample through this one traversal. */
    clrt_uint step = path->step, hit = 0u;
    int shadow = step < params->light_count;
    if (!shadow)
      limit = CLRT_NO_HIT;
    clrt_vec3 passed = clrt_vec3_make(1.0f, 1.0f, 1.0f);
    clrt_traverse(flat, ray, shadow, &limit, &hit, &passed);
    if (step == CLRT_STEP_PATH && limit == CLRT_NO_HIT) {
      clrt_gather(path, clrt_vec3_mul(clrt_vec3_unpack(path->throughput), clrt_vec3_from4(params->background)));
      return;
    }
    if (step == CLRT_STEP_PATH)
      clrt_arrive(flat, path, ray, limit, hit);
    else if (shadow || hit == path->target)
      clrt_gather(path, clrt_vec3_mul(clrt_vec3_unpack(path->pending), passed));
    if (!clrt_next_ray(flat, path, &ray, &limit, tally))
      return;
  }
}

CLRT_TESTABLE clrt_pixel_sum clrt_path_pixel_sum(const clrt_flat_view *flat, clrt_uint x, clrt_uint y,
                                                 clrt_uint first_sample, clrt_uint sample_count,
                                                 CLRT_ITEM_SPACE clrt_work_item *item) {
  clrt_kept_path *path = &item->path;
  path->sum.channel[0] = path->sum.channel[1] = path->sum.channel[2] = 0u;
  path->sum.luminance_squares = 0.0f;
  path->sum.pad0 = 0u;
  path->x = x;
  path->y = y;
  path->end_sample = first_sample + sample_count;
  for (path->sample = first_sample; path->sample < path->end_sample; ++path->sample) {
    clrt_trace_sample(flat, path, &item->tally);
    path->sum = clrt_pixel_sum_with(path->sum, clrt_vec3_unpack(path->radiance));
  }
  return path->sum;
}

/* One sample, as the integrators' common interface has it: the mean of
 * clrt_path_pixel_sum over that sample alone (a picture's pixels are
 * summed by clrt_path_pixel_sum itself). */
CLRT_TESTABLE clrt_vec3 clrt_path_radiance(const clrt_flat_view *flat, clrt_pixel_sample sample,
                                           CLRT_ITEM_SPACE clrt_work_item *item) {
  clrt_pixel_sum sum = clrt_path_pixel_sum(flat, sample.x, sample.y, sample.index, 1u, item);
  return clrt_pixel_sum_mean(&sum, 1u);
}
