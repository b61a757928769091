/* The BVH: its invariants, closest hits and shadow transmission equal to a
 * brute-force scan of every sphere, the same bytes on any number of
 * threads, and coincident spheres that no split can separate. */
#include "test_support.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clrt_bvh.h"
#include "clrt_film.h"
#include "clrt_flat_scene.h"
#include "clrt_reference.h"
#include "clrt_tracer.h"

/* A reproducible stream of numbers in [0, 1). */
static double uniform(uint64_t *state) {
  *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
  return (double)(*state >> 11) * 0x1p-53;
}

/* Radii spread over eight orders of magnitude, 1e-4 to 1e4. */
static float wide_radius(uint64_t *state) { return (float)pow(10.0, -4.0 + 8.0 * uniform(state)); }

/* A hard scene: spheres of every size, some overlapping, some nested in
 * others, some coincident; a third of the materials glass. */
typedef struct test_scene {
  clrt_scene scene;
  clrt_scene_material materials[3];
  clrt_flat_scene flat;
} test_scene;

static void add_sphere(clrt_scene *scene, float x, float y, float z, float radius, uint32_t material) {
  clrt_scene_sphere *s = &scene->spheres[scene->sphere_count++];
  *s = (clrt_scene_sphere){{x, y, z}, radius, material, false, {0, 0, 0}, 0};
}

static void make_scene(test_scene *t, size_t count, uint64_t seed) {
  memset(t, 0, sizeof *t);
  clrt_scene *scene = &t->scene;
  scene->image.width = scene->image.height = 1;
  scene->image.tone = (clrt_tone){CLRT_TRANSFER_GAMMA, 1.0, 1.0};
  scene->sampling = (clrt_sampling_settings){CLRT_INTEGRATOR_whitted, 1, 4, 1, {CLRT_DEFAULT_MAX_TREE_RAYS, 0, 0.0}};
  scene->camera = (clrt_camera_settings){{0, 0, 10}, {0, 0, 0}, {0, 1, 0}, 60.0, 0.0, 10.0, true};
  t->materials[0] = (clrt_scene_material){NULL, {0.8, 0.2, 0.2}, 0.1, 0.9, 0.3, 32, 0, 0, 1.5, {0, 0, 0}};
  t->materials[1] = (clrt_scene_material){NULL, {0.9, 0.8, 0.7}, 0.1, 0.9, 0.3, 32, 0, 0.7, 1.5, {0, 0, 0}};
  t->materials[2] = (clrt_scene_material){NULL, {0.5, 0.9, 0.5}, 0.1, 0.9, 0.3, 32, 0, 0.4, 1.3, {0, 0, 0}};
  scene->materials = t->materials;
  scene->material_count = 3;
  scene->spheres = calloc(count, sizeof *scene->spheres);
  assert_non_null(scene->spheres);
  while (scene->sphere_count < count) {
    float x = (float)(uniform(&seed) * 200 - 100), y = (float)(uniform(&seed) * 200 - 100);
    float z = (float)(uniform(&seed) * 200 - 100), r = wide_radius(&seed);
    uint32_t material = (uint32_t)(uniform(&seed) * 3);
    add_sphere(scene, x, y, z, r, material);
    double kind = uniform(&seed);
    if (kind < 0.1 && scene->sphere_count < count) /* a coincident twin */
      add_sphere(scene, x, y, z, r, (material + 1) % 3);
    else if (kind < 0.2 && scene->sphere_count < count) /* nested inside */
      add_sphere(scene, x, y, z, r * 0.5f, material);
    else if (kind < 0.3 && scene->sphere_count < count) /* overlapping */
      add_sphere(scene, x + r * 0.5f, y, z, r, material);
  }
  clrt_error err;
  if (clrt_flatten(scene, &t->flat, &err) != CLRT_OK)
    fail_msg("%s", err.message);
  assert_int_equal(t->flat.params.scan_spheres, 0);
}

static void free_scene(test_scene *t) {
  clrt_flat_scene_free(&t->flat);
  free(t->scene.spheres);
}

/* ---- invariants ---- */

static float lane(clrt_float4 v, int c) {
  const float lanes[4] = {v.x, v.y, v.z, v.w};
  return lanes[c];
}

typedef struct box3 {
  float lower[3], upper[3];
} box3;

static box3 lane_box(const clrt_bvh_node *node, int c) {
  box3 b = {{lane(node->lower_x, c), lane(node->lower_y, c), lane(node->lower_z, c)},
            {lane(node->upper_x, c), lane(node->upper_y, c), lane(node->upper_z, c)}};
  return b;
}

static void assert_contains(const box3 *outer, const box3 *inner) {
  for (int a = 0; a < 3; ++a)
    if (!(outer->lower[a] <= inner->lower[a] && inner->upper[a] <= outer->upper[a]))
      fail_msg("a box does not contain what it should on axis %d", a);
}

static void check_leaf(const clrt_flat_scene *flat, const box3 *bounds, uint32_t first, uint32_t count,
                       unsigned char *seen) {
  for (uint32_t i = first; i < first + count; ++i) {
    assert_true(i < flat->spheres_count);
    assert_int_equal(seen[i], 0);
    seen[i] = 1;
    clrt_float4 s = flat->spheres[i].center_radius;
    box3 sphere = {{s.x - s.w, s.y - s.w, s.z - s.w}, {s.x + s.w, s.y + s.w, s.z + s.w}};
    assert_contains(bounds, &sphere);
  }
}

/* Walks node `index` (reached through `bounds`) at depth `depth`. */
static void check_node(const clrt_flat_scene *flat, uint32_t index, const box3 *bounds, unsigned depth,
                       unsigned char *seen) {
  assert_true(index < flat->bvh_nodes_count);
  assert_true(depth <= CLRT_BVH_MAX_DEPTH);
  const clrt_bvh_node *node = &flat->bvh_nodes[index];
  for (int c = 0; c < CLRT_BVH_WIDTH; ++c) {
    box3 child = lane_box(node, c);
    if (isinf(child.lower[0])) { /* an unused lane */
      assert_int_equal(node->count[c], 0);
      continue;
    }
    if (bounds)
      assert_contains(bounds, &child);
    if (node->count[c] > 0) {
      check_leaf(flat, &child, node->first[c], node->count[c], seen);
    } else {
      assert_true(node->first[c] > index); /* depth-first: children after their parent */
      check_node(flat, node->first[c], &child, depth + 1, seen);
    }
  }
}

static void assert_bvh_invariants(const clrt_flat_scene *flat) {
  unsigned char *seen = calloc(flat->spheres_count + 1, 1);
  assert_non_null(seen);
  check_node(flat, 0, NULL, 1, seen);
  for (size_t i = 0; i < flat->spheres_count; ++i)
    if (seen[i] != 1)
      fail_msg("sphere %zu is in no leaf", i);
  free(seen);
}

static void test_every_sphere_in_one_leaf_and_boxes_nest(void **state) {
  (void)state;
  const size_t sizes[] = {5, 6, 17, 1000, 50000};
  for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; ++k) {
    test_scene t;
    make_scene(&t, sizes[k], 11 + k);
    assert_bvh_invariants(&t.flat);
    free_scene(&t);
  }
}

/* ---- against a brute-force scan ---- */

static float brute_nearest(const clrt_flat_scene *flat, clrt_ray ray, uint32_t *scene_index) {
  float nearest = CLRT_NO_HIT;
  for (size_t i = 0; i < flat->spheres_count; ++i) {
    float t = clrt_ray_sphere(ray, flat->spheres[i].center_radius);
    uint32_t index = flat->sphere_shading[i].scene_index;
    if (t < nearest || (t == nearest && t != CLRT_NO_HIT && index < *scene_index)) {
      nearest = t;
      *scene_index = index;
    }
  }
  return nearest;
}

static clrt_vec3 brute_transmission(const clrt_flat_scene *flat, clrt_ray ray, float max_t) {
  clrt_vec3 passed = clrt_vec3_make(1, 1, 1);
  for (size_t i = 0; i < flat->spheres_count; ++i) {
    if (clrt_ray_sphere(ray, flat->spheres[i].center_radius) >= max_t)
      continue;
    const clrt_material *m = &flat->materials[flat->sphere_shading[i].material];
    if (m->transparency <= 0.0f)
      return clrt_vec3_make(0, 0, 0);
    passed = clrt_vec3_mul(passed, clrt_vec3_scale(clrt_vec3_from4(m->color), m->transparency));
  }
  return passed;
}

/* A ray from somewhere in (or near) the scene in a random direction; now
 * and then one grazing a sphere, or starting at a sphere's centre. */
static clrt_ray random_ray(const clrt_flat_scene *flat, uint64_t *state) {
  clrt_vec3 d =
      clrt_vec3_make((float)(uniform(state) * 2 - 1), (float)(uniform(state) * 2 - 1), (float)(uniform(state) * 2 - 1));
  clrt_ray ray = {clrt_vec3_make((float)(uniform(state) * 240 - 120), (float)(uniform(state) * 240 - 120),
                                 (float)(uniform(state) * 240 - 120)),
                  clrt_vec3_normalize(d)};
  double kind = uniform(state);
  clrt_float4 s = flat->spheres[(size_t)(uniform(state) * (double)flat->spheres_count)].center_radius;
  if (kind < 0.1) /* from the centre of a sphere: hits it from inside */
    ray.origin = clrt_vec3_from4(s);
  else if (kind < 0.2) { /* aimed at a sphere's rim */
    clrt_vec3 aim = clrt_vec3_add(clrt_vec3_from4(s), clrt_vec3_make(s.w, 0, 0));
    ray.direction = clrt_vec3_normalize(clrt_vec3_sub(aim, ray.origin));
  }
  return ray;
}

static void assert_close(float a, float b) {
  if (fabsf(a - b) > 1e-5f * fmaxf(fabsf(a), fabsf(b)))
    fail_msg("transmission %.9g against %.9g", a, b);
}

static void compare_with_brute_force(const test_scene *t, size_t rays, uint64_t seed) {
  clrt_flat_view view = clrt_flat_view_of(&t->flat);
  size_t hits = 0, blocked = 0;
  for (size_t k = 0; k < rays; ++k) {
    clrt_ray ray = random_ray(&t->flat, &seed);
    clrt_uint hit = 0;
    uint32_t expected_index = UINT32_MAX;
    float t_bvh = clrt_nearest_hit(&view, ray, &hit);
    float t_brute = brute_nearest(&t->flat, ray, &expected_index);
    if (memcmp(&t_bvh, &t_brute, sizeof t_bvh) != 0)
      fail_msg("ray %zu: BVH hit at %.9g, brute force at %.9g", k, t_bvh, t_brute);
    if (t_bvh != CLRT_NO_HIT) {
      assert_int_equal(t->flat.sphere_shading[hit].scene_index, expected_index);
      ++hits;
    }
    float max_t = (float)(uniform(&seed) * 300);
    clrt_trace_key key = {0, 0, 0};
    clrt_vec3 through = clrt_transmission(&view, &key, ray, max_t);
    clrt_vec3 expected = brute_transmission(&t->flat, ray, max_t);
    assert_close(through.x, expected.x);
    assert_close(through.y, expected.y);
    assert_close(through.z, expected.z);
    blocked += expected.x == 0.0f;
  }
  assert_true(hits > rays / 10 && blocked > rays / 20); /* the rays did meet spheres */
}

static void test_bvh_equals_brute_force_on_random_rays(void **state) {
  (void)state;
  test_scene t;
  make_scene(&t, 1000, 7);
  compare_with_brute_force(&t, 100000, 99);
  free_scene(&t);
  make_scene(&t, 20, 8); /* a few spheres of very different sizes */
  compare_with_brute_force(&t, 20000, 98);
  free_scene(&t);
}

/* ---- determinism ---- */

static void test_same_bytes_on_any_number_of_threads(void **state) {
  (void)state;
  test_scene t;
  make_scene(&t, 200000, 5);
  clrt_float4 *spheres = malloc(t.scene.sphere_count * sizeof *spheres);
  assert_non_null(spheres);
  for (size_t i = 0; i < t.scene.sphere_count; ++i) {
    const clrt_scene_sphere *s = &t.scene.spheres[i];
    spheres[i] = (clrt_float4){s->center[0], s->center[1], s->center[2], s->radius};
  }
  clrt_bvh one, many, again;
  clrt_error err;
  assert_int_equal(clrt_bvh_build(spheres, t.scene.sphere_count, 1, &one, &err), CLRT_OK);
  assert_int_equal(clrt_bvh_build(spheres, t.scene.sphere_count, 4, &many, &err), CLRT_OK);
  assert_int_equal(clrt_bvh_build(spheres, t.scene.sphere_count, 4, &again, &err), CLRT_OK);
  assert_true(one.node_count > 1000);
  assert_int_equal(one.node_count, many.node_count);
  assert_memory_equal(one.nodes, many.nodes, one.node_count * sizeof *one.nodes);
  assert_memory_equal(one.order, many.order, t.scene.sphere_count * sizeof *one.order);
  assert_memory_equal(many.nodes, again.nodes, one.node_count * sizeof *one.nodes);
  clrt_bvh_free(&one);
  clrt_bvh_free(&many);
  clrt_bvh_free(&again);
  free(spheres);
  free_scene(&t);
}

/* ---- coincident spheres ---- */

static void test_coincident_spheres_stay_in_one_leaf_and_render(void **state) {
  (void)state;
  test_scene t;
  make_scene(&t, 5, 3);
  free(t.scene.spheres);
  clrt_flat_scene_free(&t.flat);
  t.scene.spheres = calloc(20000, sizeof *t.scene.spheres);
  assert_non_null(t.scene.spheres);
  t.scene.sphere_count = 0;
  while (t.scene.sphere_count < 20000)
    add_sphere(&t.scene, 0, 0, 0, 1, (uint32_t)(t.scene.sphere_count % 3));
  t.scene.image.width = t.scene.image.height = 24;
  clrt_error err;
  assert_int_equal(clrt_flatten(&t.scene, &t.flat, &err), CLRT_OK);
  assert_int_equal(t.flat.stats.bvh_depth, 1);
  assert_int_equal(t.flat.bvh_nodes_count, 1);
  clrt_film film;
  assert_int_equal(clrt_film_init(&film, 24, 24, CLRT_FILM_LEVELS, t.flat.tone_levels, &err), CLRT_OK);
  clrt_tally tally;
  assert_true(clrt_reference_render(&t.flat, &film, 1, NULL, &tally));
  assert_true(clrt_tally_rays(&tally) >= 24 * 24);
  /* the sphere first in the file is the one seen: material 0, red */
  size_t centre = (12 * 24 + 12) * 3;
  assert_true(film.rgb[centre] > film.rgb[centre + 1]);
  clrt_film_free(&film);
  free_scene(&t);
}

/* A scene small enough to be scanned gives what the BVH gives. */
static void test_scan_and_bvh_agree(void **state) {
  (void)state;
  test_scene t;
  make_scene(&t, 200, 21);
  clrt_flat_view view = clrt_flat_view_of(&t.flat);
  uint64_t seed = 5;
  for (int k = 0; k < 20000; ++k) {
    clrt_ray ray = random_ray(&t.flat, &seed);
    clrt_uint by_bvh = 0, by_scan = 0;
    t.flat.params.scan_spheres = 0;
    float a = clrt_nearest_hit(&view, ray, &by_bvh);
    t.flat.params.scan_spheres = 1;
    float b = clrt_nearest_hit(&view, ray, &by_scan);
    assert_true(a == b);
    if (a != CLRT_NO_HIT)
      assert_int_equal(t.flat.sphere_shading[by_bvh].scene_index, t.flat.sphere_shading[by_scan].scene_index);
  }
  free_scene(&t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_every_sphere_in_one_leaf_and_boxes_nest),
      cmocka_unit_test(test_bvh_equals_brute_force_on_random_rays),
      cmocka_unit_test(test_same_bytes_on_any_number_of_threads),
      cmocka_unit_test(test_coincident_spheres_stay_in_one_leaf_and_render),
      cmocka_unit_test(test_scan_and_bvh_agree),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
