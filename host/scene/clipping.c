/* "clip": clipping planes and boxes, on the scene and on a sphere set. A
 * box is its six planes. A set's group holds the scene's planes and its
 * own, so that a sphere has one group. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clrt_array.h"
#include "scene_parser.h"

static clrt_status add_plane(const scene_parser *p, clrt_scene *scene, const double normal[3], double offset) {
  clrt_clip_plane *grown = clrt_array_reserve(scene->clip_planes, &p->clip_capacity->plane_capacity,
                                              scene->clip_plane_count + 1, sizeof *grown);
  if (!grown)
    return scene_out_of_memory(p);
  scene->clip_planes = grown;
  double length = sqrt(normal[0] * normal[0] + normal[1] * normal[1] + normal[2] * normal[2]);
  clrt_clip_plane *plane = &scene->clip_planes[scene->clip_plane_count++];
  for (int a = 0; a < 3; ++a)
    plane->normal[a] = normal[a] / length;
  plane->offset = offset / length;
  return CLRT_OK;
}

/* {"plane": [nx, ny, nz, d]}: keeps n·p + d >= 0. */
static clrt_status parse_plane(const scene_parser *p, json_t *value, const scene_key_path *path, clrt_scene *scene) {
  scene_key_path at = scene_child_of(path, "plane");
  double numbers[4];
  if (!json_is_array(value) || json_array_size(value) != 4)
    return scene_fail_at(p, &at, "must be [nx, ny, nz, d]: what it keeps is where nx*x + ny*y + nz*z + d >= 0");
  for (size_t i = 0; i < 4; ++i) {
    scene_key_path item = scene_element_of(&at, i);
    clrt_status status = scene_number_value(p, json_array_get(value, i), &item, &numbers[i]);
    if (status != CLRT_OK)
      return status;
  }
  if (!(numbers[0] * numbers[0] + numbers[1] * numbers[1] + numbers[2] * numbers[2] > 0.0))
    return scene_fail_at(p, &at, "needs a normal (nx, ny, nz) that is not zero");
  return add_plane(p, scene, numbers, numbers[3]);
}

/* {"box": {"min", "max"}}: keeps the inside, six planes facing in. */
static clrt_status parse_box(const scene_parser *p, json_t *value, const scene_key_path *path, clrt_scene *scene) {
  static const char *const keys[] = {"min", "max"};
  scene_key_path at = scene_child_of(path, "box");
  double lower[3], upper[3];
  clrt_status status;
  if ((status = scene_expect_object(p, value, &at, KEY_LIST(keys))) ||
      (status = scene_read_vec3(p, value, &at, "min", NULL, SCENE_ANY, lower)) ||
      (status = scene_read_vec3(p, value, &at, "max", NULL, SCENE_ANY, upper)))
    return status;
  for (int a = 0; a < 3; ++a)
    if (!(lower[a] < upper[a]))
      return scene_fail_at(p, &at, "is empty: min must be below max on every axis");
  for (int a = 0; a < 3 && status == CLRT_OK; ++a) {
    double inward[3] = {0.0, 0.0, 0.0}, outward[3] = {0.0, 0.0, 0.0};
    inward[a] = 1.0;
    outward[a] = -1.0;
    if ((status = add_plane(p, scene, inward, -lower[a])) == CLRT_OK)
      status = add_plane(p, scene, outward, upper[a]);
  }
  return status;
}

static clrt_status parse_clip_item(const scene_parser *p, json_t *value, const scene_key_path *path,
                                   clrt_scene *scene) {
  static const char *const keys[] = {"plane", "box"};
  clrt_status status = scene_expect_object(p, value, path, KEY_LIST(keys));
  if (status == CLRT_OK && json_object_size(value) != 1)
    status =
        scene_fail_at(p, path, "must be {\"plane\": [nx, ny, nz, d]} or {\"box\": {\"min\": [...], \"max\": [...]}}");
  if (status != CLRT_OK)
    return status;
  json_t *plane = json_object_get(value, "plane");
  return plane ? parse_plane(p, plane, path, scene) : parse_box(p, json_object_get(value, "box"), path, scene);
}

static clrt_status add_group(const scene_parser *p, clrt_scene *scene, size_t first, uint32_t *group) {
  clrt_clip_group *grown = clrt_array_reserve(scene->clip_groups, &p->clip_capacity->group_capacity,
                                              scene->clip_group_count + 1, sizeof *grown);
  if (!grown)
    return scene_out_of_memory(p);
  scene->clip_groups = grown;
  scene->clip_groups[scene->clip_group_count++] = (clrt_clip_group){first, scene->clip_plane_count - first};
  *group = (uint32_t)scene->clip_group_count;
  return CLRT_OK;
}

clrt_status scene_parse_clip(const scene_parser *p, json_t *object, const scene_key_path *path, uint32_t base,
                             clrt_scene *scene, uint32_t *group) {
  json_t *value = json_object_get(object, "clip");
  scene_key_path at = scene_child_of(path, "clip");
  *group = base;
  if (!value)
    return CLRT_OK;
  if (!json_is_array(value))
    return scene_fail_at(p, &at, "must be an array of {\"plane\": [...]} and {\"box\": {...}}");
  size_t first = scene->clip_plane_count;
  clrt_status status = CLRT_OK;
  if (base) { /* the scene's planes first */
    clrt_clip_group inherited = scene->clip_groups[base - 1];
    for (size_t k = 0; status == CLRT_OK && k < inherited.count; ++k) {
      clrt_clip_plane plane = scene->clip_planes[inherited.first + k];
      status = add_plane(p, scene, plane.normal, plane.offset);
    }
  }
  for (size_t i = 0; status == CLRT_OK && i < json_array_size(value); ++i) {
    scene_key_path item = scene_element_of(&at, i);
    status = parse_clip_item(p, json_array_get(value, i), &item, scene);
  }
  return status == CLRT_OK ? add_group(p, scene, first, group) : status;
}
