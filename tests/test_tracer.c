/* Host math of the shared tracer: camera rays, ray-sphere hits, shading. */
#include "test_support.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clrt_film.h"
#include "clrt_flat_scene.h"
#include "clrt_reference.h"
#include "clrt_tracer.h"

#define EPSILON 1e-5f
#define TEST_SEED 12345u

static clrt_ray make_ray(float ox, float oy, float oz, float dx, float dy, float dz) {
  clrt_ray ray = {clrt_vec3_make(ox, oy, oz), clrt_vec3_normalize(clrt_vec3_make(dx, dy, dz))};
  return ray;
}

static clrt_float4 sphere_at(float x, float y, float z, float radius) { return (clrt_float4){x, y, z, radius}; }

static void test_ray_hits_sphere_in_front(void **state) {
  (void)state;
  float t = clrt_ray_sphere(make_ray(0, 0, 0, 0, 0, -1), sphere_at(0, 0, -5, 1));
  assert_float_equal(t, 4.0f, EPSILON);
}

static void test_ray_from_inside_hits_far_side(void **state) {
  (void)state;
  float t = clrt_ray_sphere(make_ray(0, 0, -5, 0, 0, -1), sphere_at(0, 0, -5, 2));
  assert_float_equal(t, 2.0f, EPSILON);
}

static void test_tangent_ray_touches_sphere(void **state) {
  (void)state;
  float t = clrt_ray_sphere(make_ray(1, 0, 0, 0, 0, -1), sphere_at(0, 0, -3, 1));
  assert_float_equal(t, 3.0f, 1e-3f);
}

static void test_sphere_behind_ray_is_missed(void **state) {
  (void)state;
  assert_true(clrt_ray_sphere(make_ray(0, 0, 0, 0, 0, -1), sphere_at(0, 0, 5, 1)) == CLRT_NO_HIT);
}

static void test_ray_passing_beside_sphere_misses(void **state) {
  (void)state;
  assert_true(clrt_ray_sphere(make_ray(1.01f, 0, 0, 0, 0, -1), sphere_at(0, 0, -3, 1)) == CLRT_NO_HIT);
}

static void test_huge_sphere_hit_is_precise(void **state) {
  (void)state;
  /* A floor made of a sphere of radius 1000, seen from 1.2 above it. */
  float t = clrt_ray_sphere(make_ray(0, 1.2f, 0, 0, -1, 0), sphere_at(0, -1000, 0, 1000));
  assert_float_equal(t, 1.2f, 1e-4f);
}

static clrt_camera test_camera(double aspect) {
  clrt_camera_settings settings = {{0, 0.5, 1.5}, {0, 0, -1}, {0, 1, 0}, 60.0, 0.0, 1.0, true};
  return clrt_flatten_camera(&settings, aspect);
}

static void test_camera_center_ray_looks_at_target(void **state) {
  (void)state;
  clrt_camera camera = test_camera(1.5);
  clrt_ray ray = clrt_camera_ray(&camera, 0.5f, 0.5f, 0.0f, 0.0f);
  clrt_vec3 expected = clrt_vec3_normalize(clrt_vec3_make(0, -0.5f, -2.5f));
  assert_float_equal(ray.direction.x, expected.x, EPSILON);
  assert_float_equal(ray.direction.y, expected.y, EPSILON);
  assert_float_equal(ray.direction.z, expected.z, EPSILON);
  assert_float_equal(ray.origin.y, 0.5f, EPSILON);
}

static void test_camera_corners_span_the_field_of_view(void **state) {
  (void)state;
  clrt_camera camera = test_camera(2.0);
  clrt_ray top = clrt_camera_ray(&camera, 0.5f, 1.0f, 0.0f, 0.0f);
  clrt_ray bottom = clrt_camera_ray(&camera, 0.5f, 0.0f, 0.0f, 0.0f);
  clrt_ray left = clrt_camera_ray(&camera, 0.0f, 0.5f, 0.0f, 0.0f);
  clrt_ray right = clrt_camera_ray(&camera, 1.0f, 0.5f, 0.0f, 0.0f);
  float vertical = acosf(clrt_vec3_dot(top.direction, bottom.direction)) * 180.0f / 3.14159265f;
  assert_float_equal(vertical, 60.0f, 1e-3f);
  assert_true(top.direction.y > bottom.direction.y); /* t grows upwards */
  assert_true(right.direction.x > 0.0f && left.direction.x < 0.0f);
  float half_width = tanf(acosf(clrt_vec3_dot(left.direction, right.direction)) / 2.0f);
  assert_float_equal(half_width, 2.0f * tanf(30.0f * 3.14159265f / 180.0f), 1e-4f);
}

/* A scene with one sphere at the origin, seen from +z, lit from +z: the
 * host form, and its flat form that the tracer reads. Tests change the
 * flat params, materials and lights in place; spheres through the host
 * form and world_flatten (they live in the BVH). */
typedef struct world {
  clrt_scene scene;
  clrt_scene_material materials[2];
  clrt_scene_sphere spheres[3];
  clrt_scene_light light;
  clrt_flat_scene flat;
  clrt_flat_view view;
} world;

static void world_flatten(world *w) {
  clrt_flat_scene_free(&w->flat);
  clrt_error err;
  if (clrt_flatten(&w->scene, &w->flat, &err) != CLRT_OK)
    fail_msg("%s", err.message);
  w->view = clrt_flat_view_of(&w->flat);
}

static clrt_scene_sphere sphere_of(float x, float y, float z, float radius, uint32_t material) {
  clrt_scene_sphere sphere = {{x, y, z}, radius, material, false, {0, 0, 0}, 0};
  return sphere;
}

static void world_init(world *w, double reflectivity) {
  memset(w, 0, sizeof *w);
  clrt_scene *scene = &w->scene;
  scene->image.width = scene->image.height = 1;
  scene->sampling = (clrt_sampling_settings){CLRT_INTEGRATOR_whitted, 1, 4, 16, {CLRT_DEFAULT_MAX_TREE_RAYS, 0, 0.0}};
  scene->camera = (clrt_camera_settings){{0, 0, 5}, {0, 0, 0}, {0, 1, 0}, 60.0, 0.0, 5.0, true};
  scene->background[0] = 0.25, scene->background[1] = 0.5, scene->background[2] = 0.75;
  scene->shadows = true;
  w->materials[0] =
      (clrt_scene_material){NULL, {0.5, 0.25, 1.0}, 0.1, 0.9, 0.0, 32.0, reflectivity, 0.0, 1.5, {0, 0, 0}};
  w->spheres[0] = sphere_of(0, 0, 0, 1, 0);
  w->light = (clrt_scene_light){{0, 0, 10}, {1, 1, 1}, 0.5, 0.0};
  scene->materials = w->materials;
  scene->material_count = 1;
  scene->spheres = w->spheres;
  scene->sphere_count = 1;
  scene->lights = &w->light;
  scene->light_count = 1;
  world_flatten(w);
}

static void world_free(world *w) { clrt_flat_scene_free(&w->flat); }

static clrt_vec3 trace(const world *w, clrt_ray ray, clrt_uint *rays) {
  clrt_tally tally = {0, 0, 0, 0, 0};
  clrt_vec3 color = clrt_whitted_trace(&w->view, TEST_SEED, ray, &tally);
  assert_int_equal(tally.cut_short_samples, 0);
  *rays += (clrt_uint)clrt_tally_rays(&tally);
  return color;
}

static void test_head_on_light_gives_ambient_plus_diffuse(void **state) {
  (void)state;
  world w;
  clrt_uint rays = 0;
  world_init(&w, 0.0);
  clrt_vec3 c = trace(&w, make_ray(0, 0, 5, 0, 0, -1), &rays);
  /* n.l = 1: color * (ambient + diffuse * intensity) */
  assert_float_equal(c.x, 0.5f * (0.1f + 0.9f * 0.5f), EPSILON);
  assert_float_equal(c.y, 0.25f * (0.1f + 0.9f * 0.5f), EPSILON);
  assert_float_equal(c.z, 1.0f * (0.1f + 0.9f * 0.5f), EPSILON);
  world_free(&w);
}

static void test_own_color_replaces_the_material_color(void **state) {
  (void)state;
  world w;
  clrt_uint rays = 0;
  world_init(&w, 0.0);
  w.spheres[0].has_color = true;
  w.spheres[0].color[0] = 0.0f, w.spheres[0].color[1] = 1.0f, w.spheres[0].color[2] = 0.5f;
  world_flatten(&w);
  clrt_vec3 c = trace(&w, make_ray(0, 0, 5, 0, 0, -1), &rays);
  assert_float_equal(c.x, 0.0f, EPSILON);
  assert_float_equal(c.y, 1.0f * (0.1f + 0.9f * 0.5f), EPSILON);
  assert_float_equal(c.z, 0.5f * (0.1f + 0.9f * 0.5f), EPSILON);
  world_free(&w);
}

static void test_miss_returns_background(void **state) {
  (void)state;
  world w;
  clrt_uint rays = 0;
  world_init(&w, 0.0);
  clrt_vec3 c = trace(&w, make_ray(0, 0, 5, 0, 1, 0), &rays);
  assert_float_equal(c.x, 0.25f, 0.0f);
  assert_float_equal(c.z, 0.75f, 0.0f);
  world_free(&w);
}

static void test_occluder_leaves_only_ambient(void **state) {
  (void)state;
  world w;
  clrt_uint rays = 0;
  world_init(&w, 0.0);
  w.spheres[1] = sphere_of(0, 0, 5, 0.5f, 0); /* between the sphere and the light */
  w.scene.sphere_count = 2;
  world_flatten(&w);
  clrt_vec3 shadowed = trace(&w, make_ray(0, 3, 1.5f, 0, -3, -0.5f), &rays);
  clrt_vec3 hit_point_ambient = clrt_vec3_scale(clrt_vec3_make(0.5f, 0.25f, 1.0f), 0.1f);
  assert_float_equal(shadowed.x, hit_point_ambient.x, EPSILON);
  w.flat.params.shadows = 0;
  clrt_vec3 unshadowed = trace(&w, make_ray(0, 3, 1.5f, 0, -3, -0.5f), &rays);
  assert_true(unshadowed.x > shadowed.x + 0.1f);
  world_free(&w);
}

static void test_lit_side_is_not_self_shadowed(void **state) {
  (void)state;
  world w;
  clrt_uint rays = 0;
  world_init(&w, 0.0);
  /* Grazing hits on the lit half must still see the light (no acne). */
  for (int i = 1; i < 100; ++i) {
    float x = 0.99f * (float)i / 100.0f;
    clrt_vec3 c = trace(&w, make_ray(x, 0, 5, 0, 0, -1), &rays);
    assert_true(c.z > 0.1f + 1e-4f);
  }
  world_free(&w);
}

static void test_dark_side_is_self_shadowed(void **state) {
  (void)state;
  world w;
  clrt_uint rays = 0;
  world_init(&w, 0.0);
  w.flat.lights[0].position = (clrt_float4){0, 0, -10, 0}; /* behind the sphere */
  w.flat.materials[0].specular = 1.0f;
  clrt_vec3 c = trace(&w, make_ray(0.3f, 0, 5, 0, 0, -1), &rays);
  assert_float_equal(c.z, 0.1f, EPSILON); /* ambient only */
  world_free(&w);
}

static void test_perfect_mirror_reflects_background(void **state) {
  (void)state;
  world w;
  clrt_uint rays = 0;
  world_init(&w, 1.0);
  clrt_vec3 c = trace(&w, make_ray(0, 0, 5, 0, 0, -1), &rays);
  assert_float_equal(c.x, 0.25f, EPSILON);
  assert_float_equal(c.y, 0.5f, EPSILON);
  w.flat.params.max_depth = 0; /* at the bound the mirror ray contributes black */
  c = trace(&w, make_ray(0, 0, 5, 0, 0, -1), &rays);
  assert_float_equal(c.x, 0.0f, EPSILON);
  world_free(&w);
}

/* A clear glass ball (kt = 1) seen head-on: the ray through the center
 * goes straight through, so the pixel shows the background behind it
 * scaled by (1 - F) twice... plus what the mirror branches see. */
static void test_glass_ball_passes_the_central_ray(void **state) {
  (void)state;
  world w;
  clrt_uint rays = 0;
  world_init(&w, 0.0);
  w.flat.materials[0].transparency = 1.0f;
  w.flat.materials[0].ior = 1.5f;
  w.flat.materials[0].ambient = 0.0f;
  w.flat.lights[0].intensity = 0.0f;
  w.flat.params.background = (clrt_float4){1, 1, 1, 0};
  clrt_vec3 c = trace(&w, make_ray(0, 0, 5, 0, 0, -1), &rays);
  /* No light and no ambient: everything seen is white background, and no
   * energy is lost when depth allows both branches (F + (1 - F) = 1). */
  assert_float_equal(c.x, 1.0f, 1e-4f);
  world_free(&w);
}

/* Off-center, a glass ball inverts the world behind it: a ray entering
 * above the center leaves heading downwards and sees the floor. */
static void test_glass_ball_inverts_the_world_behind_it(void **state) {
  (void)state;
  world w;
  clrt_uint rays = 0;
  world_init(&w, 0.0);
  w.materials[0] = (clrt_scene_material){NULL, {1, 1, 1}, 0.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.5, {0, 0, 0}};
  w.materials[1] = (clrt_scene_material){NULL, {0.5, 0.5, 0.5}, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.5, {0, 0, 0}};
  w.scene.material_count = 2;
  w.spheres[1] = sphere_of(0, -1003, 0, 1000, 1); /* a floor below */
  w.scene.sphere_count = 2;
  w.light.intensity = 0.0;
  w.scene.sampling.max_depth = 2; /* in and out of the ball */
  w.scene.background[0] = w.scene.background[1] = w.scene.background[2] = 0.0;
  world_flatten(&w);
  clrt_vec3 above_center = trace(&w, make_ray(0, 0.6f, 5, 0, 0, -1), &rays);
  assert_true(above_center.x > 0.25f); /* mostly the grey floor, through the ball */
  w.scene.spheres = &w.spheres[1];
  w.scene.sphere_count = 1;
  world_flatten(&w);
  clrt_vec3 no_ball = trace(&w, make_ray(0, 0.6f, 5, 0, 0, -1), &rays);
  assert_true(no_ball.x == 0.0f); /* without the ball that ray sees black sky */
  world_free(&w);
}

static void test_refraction_follows_snell_and_fresnel(void **state) {
  (void)state;
  clrt_vec3 up = clrt_vec3_make(0, 1, 0), refracted = clrt_vec3_make(0, 0, 0);
  /* head-on into glass: straight through, reflectance r0 = 0.04 */
  float f = clrt_refract(clrt_vec3_make(0, -1, 0), up, 1, 1.5f, &refracted);
  assert_float_equal(f, 0.04f, 1e-6f);
  assert_float_equal(refracted.y, -1.0f, 1e-6f);
  /* 45 degrees into glass: sin(t) = sin(i) / 1.5 */
  clrt_vec3 oblique = clrt_vec3_normalize(clrt_vec3_make(1, -1, 0));
  f = clrt_refract(oblique, up, 1, 1.5f, &refracted);
  assert_float_equal(refracted.x, 0.70710678f / 1.5f, 1e-5f);
  assert_true(f > 0.04f && f < 0.1f);
  /* leaving glass beyond the critical angle (sin > 1/1.5): total reflection */
  clrt_vec3 steep = clrt_vec3_normalize(clrt_vec3_make(0.9f, -0.43588989f, 0));
  assert_float_equal(clrt_refract(steep, up, 0, 1.5f, &refracted), 1.0f, 0.0f);
  /* leaving just below it: refracted, and reflectance rises towards 1 */
  clrt_vec3 shallow = clrt_vec3_normalize(clrt_vec3_make(0.6f, -0.8f, 0));
  f = clrt_refract(shallow, up, 0, 1.5f, &refracted);
  assert_float_equal(refracted.x, 0.9f, 1e-5f);
  assert_true(f > 0.04f && f < 1.0f);
}

static void test_shadow_through_glass_is_tinted(void **state) {
  (void)state;
  world w;
  clrt_uint rays = 0;
  world_init(&w, 0.0);
  w.materials[1] = (clrt_scene_material){NULL, {1.0, 0.5, 0.25}, 0.0, 0.0, 0.0, 1.0, 0.0, 0.8, 1.5, {0, 0, 0}};
  w.scene.material_count = 2;
  w.spheres[1] = sphere_of(0, 0, 5, 0.5f, 1);
  w.scene.sphere_count = 2;
  world_flatten(&w);
  clrt_vec3 shadowed = trace(&w, make_ray(0, 3, 1.5f, 0, -3, -0.5f), &rays);
  w.scene.sphere_count = 1;
  world_flatten(&w);
  clrt_vec3 lit = trace(&w, make_ray(0, 3, 1.5f, 0, -3, -0.5f), &rays);
  float ambient = 0.1f;
  /* the direct part is scaled by transparency x colour of the glass */
  assert_float_equal((shadowed.x / 0.5f - ambient), (lit.x / 0.5f - ambient) * 0.8f * 1.0f, 1e-3f);
  assert_float_equal((shadowed.z / 1.0f - ambient), (lit.z / 1.0f - ambient) * 0.8f * 0.25f, 1e-3f);
  /* a glass sphere of its own colour tints with that instead */
  w.spheres[1].has_color = true;
  w.spheres[1].color[0] = 0.5f, w.spheres[1].color[1] = 0.5f, w.spheres[1].color[2] = 1.0f;
  w.scene.sphere_count = 2;
  world_flatten(&w);
  clrt_vec3 own = trace(&w, make_ray(0, 3, 1.5f, 0, -3, -0.5f), &rays);
  assert_float_equal((own.z / 1.0f - ambient), (lit.z / 1.0f - ambient) * 0.8f * 1.0f, 1e-3f);
  world_free(&w);
}

static void test_sphere_light_gives_penumbra(void **state) {
  (void)state;
  world w;
  clrt_uint rays = 0;
  world_init(&w, 0.0);
  w.light.radius = 2.0;
  w.spheres[1] = sphere_of(0, 0, 5, 0.5f, 0); /* covers part of the big light */
  w.scene.sphere_count = 2;
  world_flatten(&w);
  clrt_vec3 c = trace(&w, make_ray(0, 3, 1.5f, 0, -3, -0.5f), &rays);
  float ambient = 0.1f * 1.0f, full = (0.1f + 0.9f * 0.5f);
  assert_true(c.z > ambient + 0.01f); /* partly lit */
  assert_true(c.z < full - 0.01f);    /* partly shadowed */
  clrt_vec3 again = trace(&w, make_ray(0, 3, 1.5f, 0, -3, -0.5f), &rays);
  assert_true(again.z == c.z); /* the same seed gives the same samples */
  world_free(&w);
}

static void test_thin_lens_rays_meet_at_focus(void **state) {
  (void)state;
  clrt_camera_settings settings = {{0, 0, 0}, {0, 0, -1}, {0, 1, 0}, 60.0, 0.5, 4.0, true};
  clrt_camera camera = clrt_flatten_camera(&settings, 1.0);
  clrt_ray center = clrt_camera_ray(&camera, 0.3f, 0.6f, 0.0f, 0.0f);
  clrt_ray edge = clrt_camera_ray(&camera, 0.3f, 0.6f, 0.7f, -0.7f);
  assert_true(edge.origin.x != center.origin.x);
  /* both pass through the same point of the focus plane z = -4 */
  float t_center = -4.0f / center.direction.z, t_edge = (-4.0f - edge.origin.z) / edge.direction.z;
  assert_float_equal(center.origin.x + t_center * center.direction.x, edge.origin.x + t_edge * edge.direction.x, 1e-4f);
  assert_float_equal(center.origin.y + t_center * center.direction.y, edge.origin.y + t_edge * edge.direction.y, 1e-4f);
}

static void test_rays_are_counted(void **state) {
  (void)state;
  world w;
  world_init(&w, 0.0);
  clrt_uint rays = 0;
  trace(&w, make_ray(0, 0, 5, 0, 0, -1), &rays);
  assert_int_equal(rays, 2); /* camera + shadow */
  rays = 0;
  trace(&w, make_ray(0, 5, 5, 0, 0, -1), &rays);
  assert_int_equal(rays, 1); /* a miss: the camera ray only */
  w.flat.materials[0].reflectivity = 0.5f;
  rays = 0;
  trace(&w, make_ray(0, 0, 5, 0, 0, -1), &rays);
  assert_int_equal(rays, 3); /* camera + shadow + mirror (which misses) */
  w.flat.materials[0].reflectivity = 0.0f;
  w.flat.lights[0].radius = 1.0f;
  rays = 0;
  trace(&w, make_ray(0, 0, 5, 0, 0, -1), &rays);
  assert_int_equal(rays, 1 + 16); /* camera + one shadow ray per light sample */
  w.flat.params.shadows = 0;
  rays = 0;
  trace(&w, make_ray(0, 0, 5, 0, 0, -1), &rays);
  assert_int_equal(rays, 1);
  world_free(&w);
}

/* A flat scene of a scene file, at width x height. */

/* Glass in glass in a mirror, 64 bounces deep: the tree would double at
 * every bounce. It stops at max_tree_rays, the same way every time, and
 * says the sample was cut short. */
static void test_runaway_tree_is_bounded(void **state) {
  (void)state;
  clrt_flat_scene flat;
  test_flatten_file("tests/data/runaway.json", 0, 0, &flat);
  clrt_flat_view view = clrt_flat_view_of(&flat);
  assert_int_equal(flat.params.integrator_params.whitted.max_tree_rays, CLRT_DEFAULT_MAX_TREE_RAYS);
  assert_int_equal(flat.most_rays_per_sample, CLRT_DEFAULT_MAX_TREE_RAYS * 2u); /* one shadow ray a hit */
  for (clrt_uint budget = 1; budget <= 4096; budget *= 8) {
    flat.params.integrator_params.whitted.max_tree_rays = budget;
    clrt_work_item first = {0}, again = {0};
    clrt_vec3 color = clrt_trace_pixel(&view, 0, 0, &first);
    clrt_vec3 same = clrt_trace_pixel(&view, 0, 0, &again);
    assert_int_equal(first.tally.cut_short_samples, 1);
    assert_true(clrt_tally_rays(&first.tally) > budget && clrt_tally_rays(&first.tally) <= 2u * budget);
    assert_true(clrt_tally_rays(&first.tally) == clrt_tally_rays(&again.tally) && color.x == same.x &&
                color.y == same.y && color.z == same.z);
  }
  flat.params.max_depth = 8; /* a tree of 511 rays at most: it fits */
  flat.params.integrator_params.whitted.max_tree_rays = 1024;
  clrt_work_item whole = {0};
  clrt_trace_pixel(&view, 0, 0, &whole);
  assert_int_equal(whole.tally.cut_short_samples, 0);
  clrt_flat_scene_free(&flat);
}

/* The host reference is bounded the same way. */
static void test_reference_of_a_runaway_tree_is_bounded(void **state) {
  (void)state;
  clrt_flat_scene flat;
  test_flatten_file("tests/data/runaway.json", 16, 16, &flat);
  clrt_film film;
  clrt_error err;
  assert_int_equal(clrt_film_init(&film, 16, 16, CLRT_FILM_LEVELS, flat.tone_levels, &err), CLRT_OK);
  clrt_tally tally;
  assert_true(clrt_reference_render(&flat, &film, 2, NULL, &tally));
  assert_int_equal(tally.cut_short_samples, 16 * 16);
  assert_true(clrt_tally_rays(&tally) <= 16u * 16u * flat.most_rays_per_sample);
  clrt_film_free(&film);
  clrt_flat_scene_free(&flat);
}

/* Light branches left out add up, in a sample, to less than half the
 * smallest step between levels: the picture moves a level at most, in few
 * pixels, for a good share of the rays saved. */
static void test_light_branches_cannot_change_a_level(void **state) {
  (void)state;
  clrt_flat_scene flat;
  test_flatten_file("scenes/showcase.json", 96, 54, &flat);
  flat.params.samples = 2;
  assert_true(flat.params.integrator_params.whitted.max_dropped_weight > 0.0f &&
              flat.params.integrator_params.whitted.max_dropped_weight < 1e-3f);
  clrt_film pruned, whole;
  clrt_error err;
  assert_int_equal(clrt_film_init(&pruned, 96, 54, CLRT_FILM_LEVELS, flat.tone_levels, &err), CLRT_OK);
  assert_int_equal(clrt_film_init(&whole, 96, 54, CLRT_FILM_LEVELS, flat.tone_levels, &err), CLRT_OK);
  clrt_tally pruned_tally, whole_tally;
  assert_true(clrt_reference_render(&flat, &pruned, 2, NULL, &pruned_tally));
  flat.params.integrator_params.whitted.max_dropped_weight = 0.0f;
  assert_true(clrt_reference_render(&flat, &whole, 2, NULL, &whole_tally));
  size_t changed = 0;
  for (size_t i = 0; i < 96 * 54 * 3; ++i) {
    int difference = abs((int)pruned.rgb[i] - (int)whole.rgb[i]);
    assert_true(difference <= 1);
    changed += difference != 0;
  }
  assert_true(changed < 96 * 54 * 3 / 100);
  assert_true(clrt_tally_rays(&pruned_tally) < clrt_tally_rays(&whole_tally) * 9 / 10);
  clrt_film_free(&pruned);
  clrt_film_free(&whole);
  clrt_flat_scene_free(&flat);
}

static void test_quarter_sin_cos_match_the_library(void **state) {
  (void)state;
  float worst = 0.0f;
  for (int i = -1000; i <= 1000; ++i) {
    float angle = 0.78539816f * (float)i / 1000.0f, sine, cosine;
    clrt_sin_cos_quarter(angle, &sine, &cosine);
    worst = fmaxf(worst, fmaxf(fabsf(sine - sinf(angle)), fabsf(cosine - cosf(angle))));
  }
  assert_true(worst < 1e-6f);
}

static void test_hash_is_deterministic_and_mixes(void **state) {
  (void)state;
  assert_int_equal(clrt_hash_u32(12345u), clrt_hash_u32(12345u));
  assert_int_not_equal(clrt_hash_u32(1u), clrt_hash_u32(2u));
  /* One flipped input bit flips about half of the output bits. */
  int total = 0;
  for (clrt_uint i = 0; i < 256; ++i)
    total += __builtin_popcount(clrt_hash_u32(i) ^ clrt_hash_u32(i ^ 1u));
  assert_in_range(total / 256, 12, 20);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_ray_hits_sphere_in_front),
      cmocka_unit_test(test_ray_from_inside_hits_far_side),
      cmocka_unit_test(test_tangent_ray_touches_sphere),
      cmocka_unit_test(test_sphere_behind_ray_is_missed),
      cmocka_unit_test(test_ray_passing_beside_sphere_misses),
      cmocka_unit_test(test_huge_sphere_hit_is_precise),
      cmocka_unit_test(test_camera_center_ray_looks_at_target),
      cmocka_unit_test(test_camera_corners_span_the_field_of_view),
      cmocka_unit_test(test_head_on_light_gives_ambient_plus_diffuse),
      cmocka_unit_test(test_own_color_replaces_the_material_color),
      cmocka_unit_test(test_miss_returns_background),
      cmocka_unit_test(test_occluder_leaves_only_ambient),
      cmocka_unit_test(test_lit_side_is_not_self_shadowed),
      cmocka_unit_test(test_dark_side_is_self_shadowed),
      cmocka_unit_test(test_perfect_mirror_reflects_background),
      cmocka_unit_test(test_glass_ball_passes_the_central_ray),
      cmocka_unit_test(test_glass_ball_inverts_the_world_behind_it),
      cmocka_unit_test(test_refraction_follows_snell_and_fresnel),
      cmocka_unit_test(test_shadow_through_glass_is_tinted),
      cmocka_unit_test(test_sphere_light_gives_penumbra),
      cmocka_unit_test(test_thin_lens_rays_meet_at_focus),
      cmocka_unit_test(test_rays_are_counted),
      cmocka_unit_test(test_runaway_tree_is_bounded),
      cmocka_unit_test(test_reference_of_a_runaway_tree_is_bounded),
      cmocka_unit_test(test_light_branches_cannot_change_a_level),
      cmocka_unit_test(test_quarter_sin_cos_match_the_library),
      cmocka_unit_test(test_hash_is_deterministic_and_mixes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
