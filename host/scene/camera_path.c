/* Camera paths: "camera": {..., "path": {"orbit": {...}} or {"keys":
 * [...]}}, read with the scene, and the camera of a sequence's frame. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clrt_vec.h"
#include "scene_parser.h"

static const double TWO_PI = 6.28318530717958647692;

/* A key frame as far as the parser reads frame numbers. */
#define CLRT_MAX_KEY_FRAME 1e9

/* Centripetal knots closer than this (relative to the segment's) are
 * moved apart, so that repeated key positions divide by no zero. */
#define CLRT_KNOT_MIN_SHARE 1e-6

/* ---- parsing ---- */

/* The still camera's look_from relative to the orbit's centre, split
 * along the axis (height) and across it (radius). */
static void orbit_defaults(const clrt_camera_settings *still, const double center[3], double *radius, double *height) {
  clrt_dvec3 axis = clrt_dvec3_normalize(clrt_dvec3_load(still->vup));
  clrt_dvec3 offset = clrt_dvec3_sub(clrt_dvec3_load(still->look_from), clrt_dvec3_load(center));
  *height = clrt_dvec3_dot(offset, axis);
  *radius = clrt_dvec3_length(clrt_dvec3_sub(offset, clrt_dvec3_scale(axis, *height)));
}

static clrt_status parse_orbit(const scene_parser *p, json_t *value, const scene_key_path *path,
                               const clrt_camera_settings *still, clrt_camera_orbit *out) {
  static const char *const keys[] = {"center", "radius", "height", "turns"};
  clrt_status status;
  double radius, height;
  if ((status = scene_expect_object(p, value, path, KEY_LIST(keys))) ||
      (status = scene_read_vec3(p, value, path, "center", still->look_at, SCENE_ANY, out->center)))
    return status;
  orbit_defaults(still, out->center, &radius, &height);
  if ((status = scene_read_number(p, value, path, "height", height, false, &out->height)) ||
      (status = scene_read_number(p, value, path, "turns", 1.0, false, &out->turns)) ||
      (status = scene_read_number(p, value, path, "radius", radius, false, &out->radius)))
    return status;
  scene_key_path radius_path = scene_child_of(path, "radius");
  if (!(out->radius > 0.0))
    return scene_fail_at(p, &radius_path,
                         json_object_get(value, "radius")
                             ? "must be > 0"
                             : "must be given: the still camera's look_from is on the axis (along vup) through the "
                               "centre");
  return CLRT_OK;
}

static clrt_status parse_key(const scene_parser *p, json_t *value, const scene_key_path *path,
                             const clrt_camera_settings *still, clrt_camera_key *out) {
  static const char *const keys[] = {"frame", "look_from", "look_at", "vfov"};
  clrt_status status;
  double frame;
  scene_key_path frame_path = scene_child_of(path, "frame");
  if ((status = scene_expect_object(p, value, path, KEY_LIST(keys))) ||
      (status = scene_read_number(p, value, path, "frame", 0.0, true, &frame)) ||
      (status = scene_read_vec3(p, value, path, "look_from", NULL, SCENE_ANY, out->look_from)) ||
      (status = scene_read_vec3(p, value, path, "look_at", NULL, SCENE_ANY, out->look_at)) ||
      (status = scene_read_checked(p, value, path, "vfov", still->vfov_degrees, false, SCENE_FIELD_OF_VIEW,
                                   &out->vfov_degrees)))
    return status;
  if (frame != floor(frame) || fabs(frame) > CLRT_MAX_KEY_FRAME)
    return scene_range_error(p, &frame_path, "a whole frame number", frame);
  out->frame = (long)frame;
  if (out->vfov_degrees >= 180.0) {
    scene_key_path vfov = scene_child_of(path, "vfov");
    return scene_range_error(p, &vfov, SCENE_FIELD_OF_VIEW.text, out->vfov_degrees);
  }
  clrt_camera_settings camera = *still;
  memcpy(camera.look_from, out->look_from, sizeof camera.look_from);
  memcpy(camera.look_at, out->look_at, sizeof camera.look_at);
  return scene_check_camera_basis(p, path, &camera);
}

static clrt_status parse_keys(const scene_parser *p, json_t *value, const scene_key_path *path,
                              const clrt_camera_settings *still, clrt_camera_path *out) {
  if (!json_is_array(value) || json_array_size(value) < 2)
    return scene_fail_at(p, path, "must be an array of at least two keys {\"frame\", \"look_from\", \"look_at\"}");
  out->key_count = json_array_size(value);
  out->keys = calloc(out->key_count, sizeof *out->keys);
  if (!out->keys)
    return scene_out_of_memory(p);
  for (size_t i = 0; i < out->key_count; ++i) {
    scene_key_path item = scene_element_of(path, i);
    clrt_status status = parse_key(p, json_array_get(value, i), &item, still, &out->keys[i]);
    if (status != CLRT_OK)
      return status;
    if (i && out->keys[i].frame <= out->keys[i - 1].frame) {
      scene_key_path frame = scene_child_of(&item, "frame");
      return scene_fail_at(p, &frame, "must come after the previous key's frame (keys go in frame order)");
    }
  }
  return CLRT_OK;
}

clrt_status scene_parse_camera_path(const scene_parser *p, json_t *camera, const scene_key_path *camera_path,
                                    const clrt_camera_settings *still, clrt_camera_path *out) {
  static const char *const keys[] = {"orbit", "keys"};
  json_t *value = json_object_get(camera, "path");
  scene_key_path path = scene_child_of(camera_path, "path");
  memset(out, 0, sizeof *out);
  if (!value)
    return CLRT_OK;
  clrt_status status = scene_expect_object(p, value, &path, KEY_LIST(keys));
  json_t *orbit = json_object_get(value, "orbit"), *key_list = json_object_get(value, "keys");
  if (status == CLRT_OK && (orbit != NULL) == (key_list != NULL))
    status = scene_fail_at(p, &path, "must hold one of \"orbit\" and \"keys\"");
  if (status != CLRT_OK)
    return status;
  scene_key_path orbit_path = scene_child_of(&path, "orbit"), keys_path = scene_child_of(&path, "keys");
  out->kind = orbit ? CLRT_CAMERA_PATH_ORBIT : CLRT_CAMERA_PATH_KEYS;
  return orbit ? parse_orbit(p, orbit, &orbit_path, still, &out->orbit)
               : parse_keys(p, key_list, &keys_path, still, out);
}

/* ---- the camera of a frame ---- */

/* The orbit's camera `turns` of the way round at frame's share of the
 * sequence: frame `first` at the start, the last frame one step short of
 * the end, so that a sequence of whole turns loops. */
static void orbit_at(const clrt_camera_orbit *orbit, const clrt_camera_settings *still, long frame,
                     const clrt_sequence *sequence, clrt_camera_settings *out) {
  clrt_dvec3 axis = clrt_dvec3_normalize(clrt_dvec3_load(still->vup));
  clrt_dvec3 center = clrt_dvec3_load(orbit->center);
  clrt_dvec3 start = clrt_dvec3_sub(clrt_dvec3_load(still->look_from), center);
  start = clrt_dvec3_sub(start, clrt_dvec3_scale(axis, clrt_dvec3_dot(start, axis)));
  if (clrt_dvec3_length(start) < 1e-12 * orbit->radius) { /* look_from on the axis: any side will do */
    clrt_dvec3 u, v, w;
    clrt_camera_basis(still, &u, &v, &w);
    start = clrt_dvec3_cross(axis, u);
  }
  clrt_dvec3 across = clrt_dvec3_normalize(start), side = clrt_dvec3_cross(axis, across);
  double share = (double)(frame - sequence->first) / (double)(sequence->step * clrt_sequence_length(sequence));
  double angle = TWO_PI * orbit->turns * share;
  clrt_dvec3 position = clrt_dvec3_add(center, clrt_dvec3_scale(axis, orbit->height));
  position = clrt_dvec3_add(position, clrt_dvec3_scale(across, orbit->radius * cos(angle)));
  position = clrt_dvec3_add(position, clrt_dvec3_scale(side, orbit->radius * sin(angle)));
  clrt_dvec3_store(position, out->look_from);
  clrt_dvec3_store(center, out->look_at);
}

/* One quantity of `n` numbers (a point, a field of view) on a centripetal
 * Catmull-Rom segment from b to c, with a before and d after, at share u
 * in [0, 1] of it (Barry and Goldman's pyramid). */
static double knot_gap(const double *from, const double *to, int n) {
  double squared = 0.0;
  for (int i = 0; i < n; ++i)
    squared += (to[i] - from[i]) * (to[i] - from[i]);
  return sqrt(sqrt(squared));
}

static double lerp_at(double t, double t0, double t1, double a, double b) {
  return ((t1 - t) * a + (t - t0) * b) / (t1 - t0);
}

static void catmull_rom(const double *a, const double *b, const double *c, const double *d, int n, double u,
                        double *out) {
  double gap = knot_gap(b, c, n);
  if (gap == 0.0) {
    memcpy(out, b, (size_t)n * sizeof *out);
    return;
  }
  double least = gap * CLRT_KNOT_MIN_SHARE;
  double t0 = 0.0, t1 = t0 + fmax(knot_gap(a, b, n), least), t2 = t1 + gap, t3 = t2 + fmax(knot_gap(c, d, n), least);
  double t = t1 + u * (t2 - t1);
  for (int i = 0; i < n; ++i) {
    double a1 = lerp_at(t, t0, t1, a[i], b[i]), a2 = lerp_at(t, t1, t2, b[i], c[i]),
           a3 = lerp_at(t, t2, t3, c[i], d[i]);
    double b1 = lerp_at(t, t0, t2, a1, a2), b2 = lerp_at(t, t1, t3, a2, a3);
    out[i] = lerp_at(t, t1, t2, b1, b2);
  }
}

/* The key before `first` or after `last` of a path's ends: `near`
 * mirrored through `end`, so that the curve leaves the end straight. */
static void mirrored(const double *end, const double *near, int n, double *out) {
  for (int i = 0; i < n; ++i)
    out[i] = 2.0 * end[i] - near[i];
}

/* Quantity `offset` (n numbers into a key) between keys k and k + 1. */
static void key_segment(const clrt_camera_path *path, size_t k, size_t offset, int n, double u, double *out) {
#define CLRT_KEY_VALUE(index) ((const double *)((const char *)&path->keys[index] + offset))
  double before[3], after[3];
  const double *b = CLRT_KEY_VALUE(k), *c = CLRT_KEY_VALUE(k + 1);
  if (k > 0)
    memcpy(before, CLRT_KEY_VALUE(k - 1), (size_t)n * sizeof(double));
  else
    mirrored(b, c, n, before);
  if (k + 2 < path->key_count)
    memcpy(after, CLRT_KEY_VALUE(k + 2), (size_t)n * sizeof(double));
  else
    mirrored(c, b, n, after);
#undef CLRT_KEY_VALUE
  catmull_rom(before, b, c, after, n, u, out);
}

static void set_key(const clrt_camera_key *key, clrt_camera_settings *out) {
  memcpy(out->look_from, key->look_from, sizeof out->look_from);
  memcpy(out->look_at, key->look_at, sizeof out->look_at);
  out->vfov_degrees = key->vfov_degrees;
}

/* Before the first key and after the last, the camera stays there; on a
 * key's frame it is exactly that key's. */
static void keys_at(const clrt_camera_path *path, long frame, clrt_camera_settings *out) {
  size_t k = 0;
  while (k + 1 < path->key_count && path->keys[k + 1].frame <= frame)
    ++k;
  if (frame <= path->keys[0].frame || k + 1 == path->key_count || path->keys[k].frame == frame) {
    set_key(&path->keys[frame <= path->keys[0].frame ? 0 : k], out);
    return;
  }
  double u = (double)(frame - path->keys[k].frame) / (double)(path->keys[k + 1].frame - path->keys[k].frame);
  key_segment(path, k, offsetof(clrt_camera_key, look_from), 3, u, out->look_from);
  key_segment(path, k, offsetof(clrt_camera_key, look_at), 3, u, out->look_at);
  key_segment(path, k, offsetof(clrt_camera_key, vfov_degrees), 1, u, &out->vfov_degrees);
}

void clrt_camera_path_at(const clrt_camera_path *path, const clrt_camera_settings *still, long frame,
                         const clrt_sequence *sequence, clrt_camera_settings *out) {
  *out = *still;
  if (path->kind == CLRT_CAMERA_PATH_ORBIT)
    orbit_at(&path->orbit, still, frame, sequence, out);
  else if (path->kind == CLRT_CAMERA_PATH_KEYS)
    keys_at(path, frame, out);
  if (path->kind != CLRT_CAMERA_PATH_NONE && !still->focus_given)
    out->focus_distance =
        clrt_dvec3_length(clrt_dvec3_sub(clrt_dvec3_load(out->look_from), clrt_dvec3_load(out->look_at)));
}
