/* Scene file parsing (JSON through jansson) and validation.
 *
 * Every value is checked where it is read, and every message carries the
 * file and the key path (`spheres[3].radius: must be > 0`), so a typo or a
 * bad value never passes silently. Key paths are kept as a chain of keys
 * and indexes and written out only for a message: a scene of a million
 * spheres formats none. Numbers that reach the device are checked in its
 * single precision. */
#include "clrt_scene.h"

#include <float.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clrt_array.h"
#include "clrt_file.h"
#include "clrt_integrators.h"
#include "clrt_json_arena.h"
#include "clrt_ply.h"

/* More spheres than this cannot be indexed by the device's 32-bit BVH.
 * The fuzzing build (tests/fuzz) lowers it: a valid field of a billion
 * spheres is no bug, but would exhaust the fuzzer's memory. */
#ifndef CLRT_MAX_SPHERES
#define CLRT_MAX_SPHERES 1000000000u
#endif

enum { KEY_PATH_SIZE = 256 };

/* Where a value sits in the file: a key of its parent object, or an index
 * of its parent array (key NULL). The root's path is NULL. */
typedef struct key_path {
  const struct key_path *parent;
  const char *key;
  size_t index;
} key_path;

static key_path child_of(const key_path *parent, const char *key) { return (key_path){parent, key, 0}; }
static key_path element_of(const key_path *parent, size_t index) { return (key_path){parent, NULL, index}; }

/* "spheres[3].radius"; cut at KEY_PATH_SIZE (it only labels a message). */
static size_t format_path(const key_path *path, char *out, size_t size) {
  if (!path) {
    out[0] = '\0';
    return 0;
  }
  size_t used = format_path(path->parent, out, size);
  if (used >= size)
    return used;
  int added = path->key ? snprintf(out + used, size - used, "%s%s", path->parent ? "." : "", path->key)
                        : snprintf(out + used, size - used, "[%zu]", path->index);
  return used + (added > 0 ? (size_t)added : 0);
}

typedef struct parser {
  const char *source;   /* file name, for messages */
  const char *base_dir; /* where file paths in the scene start from */
  clrt_error *err;
  json_t *material_indexes; /* material name -> index into the scene's materials */
  size_t sphere_capacity;
} parser;

typedef struct key_list {
  const char *const *names;
  size_t count;
} key_list;

#define KEY_LIST(array) ((key_list){(array), sizeof(array) / sizeof((array)[0])})

static clrt_status fail_at(const parser *p, const key_path *path, const char *problem) {
  char where[KEY_PATH_SIZE];
  format_path(path, where, sizeof where);
  return clrt_fail(p->err, CLRT_ERR_INPUT, "%s: %s: %s", p->source, where, problem);
}

static clrt_status out_of_memory(const parser *p) {
  return clrt_fail(p->err, CLRT_ERR_RUNTIME, "%s: out of memory", p->source);
}

static bool key_allowed(const char *key, key_list allowed) {
  for (size_t i = 0; i < allowed.count; ++i)
    if (strcmp(key, allowed.names[i]) == 0)
      return true;
  return false;
}

/* Rejects keys outside `allowed`, listing what is allowed. */
static clrt_status check_keys(const parser *p, json_t *object, const key_path *path, key_list allowed) {
  const char *key;
  json_t *value;
  json_object_foreach(object, key, value) {
    if (key_allowed(key, allowed))
      continue;
    char names[512] = "";
    for (size_t i = 0; i < allowed.count; ++i) {
      strncat(names, i ? ", " : "", sizeof names - strlen(names) - 1);
      strncat(names, allowed.names[i], sizeof names - strlen(names) - 1);
    }
    char problem[640];
    snprintf(problem, sizeof problem, "unknown key (allowed here: %s)", names);
    key_path key_at = child_of(path, key);
    return fail_at(p, &key_at, problem);
  }
  return CLRT_OK;
}

static clrt_status expect_object(const parser *p, json_t *value, const key_path *path, key_list allowed) {
  if (!json_is_object(value))
    return fail_at(p, path, "must be an object");
  return check_keys(p, value, path, allowed);
}

/* Looks up a key; a missing required key is an error. */
static clrt_status lookup(const parser *p, json_t *object, const key_path *path, const char *key, bool required,
                          json_t **out) {
  *out = json_object_get(object, key);
  if (*out || !required)
    return CLRT_OK;
  key_path key_at = child_of(path, key);
  return fail_at(p, &key_at, "missing (this key is required)");
}

static clrt_status range_error(const parser *p, const key_path *path, const char *rule, double got) {
  char problem[256];
  snprintf(problem, sizeof problem, "must be %s (got %g)", rule, got);
  return fail_at(p, path, problem);
}

static clrt_status number_value(const parser *p, json_t *value, const key_path *path, double *out) {
  if (!json_is_number(value))
    return fail_at(p, path, "must be a number");
  *out = json_number_value(value);
  if (!isfinite(*out))
    return fail_at(p, path, "must be a finite number");
  return CLRT_OK;
}

/* A number that reaches the device as a float must be one: not beyond
 * FLT_MAX, and, when it must be > 0, not rounded to 0. */
static clrt_status check_single(const parser *p, const key_path *path, double value, bool positive) {
  if (fabs(value) > FLT_MAX)
    return range_error(p, path, "within single precision, at most 3.4e38 in size", value);
  if (positive && !((float)value > 0.0f))
    return range_error(p, path, "> 0 in single precision, at least 1.4e-45", value);
  return CLRT_OK;
}

static clrt_status read_number(const parser *p, json_t *object, const key_path *path, const char *key,
                               double default_value, bool required, double *out) {
  json_t *value;
  clrt_status status = lookup(p, object, path, key, required, &value);
  if (status != CLRT_OK)
    return status;
  if (!value) {
    *out = default_value;
    return CLRT_OK;
  }
  key_path key_at = child_of(path, key);
  return number_value(p, value, &key_at, out);
}

/* A whole number in [min, max]. */
static clrt_status read_count(const parser *p, json_t *object, const key_path *path, const char *key,
                              unsigned default_value, bool required, unsigned min, unsigned max, unsigned *out) {
  double number = 0.0;
  clrt_status status = read_number(p, object, path, key, default_value, required, &number);
  if (status != CLRT_OK)
    return status;
  if (number != floor(number) || number < min || number > max) {
    char rule[96];
    snprintf(rule, sizeof rule, "a whole number in %u..%u", min, max);
    key_path key_at = child_of(path, key);
    return range_error(p, &key_at, rule, number);
  }
  *out = (unsigned)number;
  return CLRT_OK;
}

/* A number >= min (inclusive) or > min (exclusive), optionally <= max. */
typedef struct number_rule {
  double min;
  bool min_exclusive;
  double max; /* INFINITY when unbounded */
  const char *text;
} number_rule;

static const number_rule ANY = {-INFINITY, false, INFINITY, "a number"};
static const number_rule NON_NEGATIVE = {0.0, false, INFINITY, ">= 0"};
static const number_rule POSITIVE = {0.0, true, INFINITY, "> 0"};
static const number_rule AT_LEAST_ONE = {1.0, false, INFINITY, ">= 1 for a transparent material"};
static const number_rule UNIT_INTERVAL = {0.0, false, 1.0, "in [0, 1]"};
static const number_rule FIELD_OF_VIEW = {0.0, true, 180.0, "in (0, 180) degrees"};

static clrt_status check_rule(const parser *p, const key_path *path, number_rule rule, double value) {
  bool below = rule.min_exclusive ? value <= rule.min : value < rule.min;
  if (below || value > rule.max)
    return range_error(p, path, rule.text, value);
  return check_single(p, path, value, rule.min_exclusive && rule.min == 0.0);
}

static clrt_status read_checked(const parser *p, json_t *object, const key_path *path, const char *key,
                                double default_value, bool required, number_rule rule, double *out) {
  clrt_status status = read_number(p, object, path, key, default_value, required, out);
  if (status != CLRT_OK || !json_object_get(object, key))
    return status;
  key_path key_at = child_of(path, key);
  return check_rule(p, &key_at, rule, *out);
}

/* An array of 3 numbers, each following `rule`. */
static clrt_status vec3_value(const parser *p, json_t *value, const key_path *path, number_rule rule, double out[3]) {
  if (!json_is_array(value) || json_array_size(value) != 3)
    return fail_at(p, path, "must be an array of 3 numbers");
  for (size_t i = 0; i < 3; ++i) {
    key_path item = element_of(path, i);
    clrt_status status = number_value(p, json_array_get(value, i), &item, &out[i]);
    if (status == CLRT_OK)
      status = check_rule(p, &item, rule, out[i]);
    if (status != CLRT_OK)
      return status;
  }
  return CLRT_OK;
}

static clrt_status read_vec3(const parser *p, json_t *object, const key_path *path, const char *key,
                             const double *default_value, number_rule rule, double out[3]) {
  json_t *value;
  clrt_status status = lookup(p, object, path, key, default_value == NULL, &value);
  if (status != CLRT_OK)
    return status;
  if (!value) {
    memcpy(out, default_value, 3 * sizeof out[0]);
    return CLRT_OK;
  }
  key_path key_at = child_of(path, key);
  return vec3_value(p, value, &key_at, rule, out);
}

static clrt_status read_bool(const parser *p, json_t *object, const key_path *path, const char *key, bool default_value,
                             bool *out) {
  json_t *value = json_object_get(object, key);
  *out = value ? json_is_true(value) : default_value;
  if (!value || json_is_boolean(value))
    return CLRT_OK;
  key_path key_at = child_of(path, key);
  return fail_at(p, &key_at, "must be true or false");
}

/* ---- image and camera ---- */

/* "gamma": a positive number, or "srgb" for the exact sRGB curve. */
static clrt_status parse_gamma(const parser *p, json_t *image, const key_path *path, clrt_image_settings *out) {
  json_t *value = json_object_get(image, "gamma");
  out->tone.transfer = CLRT_TRANSFER_GAMMA;
  out->tone.gamma = CLRT_DEFAULT_GAMMA;
  if (value && json_is_string(value)) {
    key_path key_at = child_of(path, "gamma");
    if (strcmp(json_string_value(value), "srgb") != 0)
      return fail_at(p, &key_at, "must be a number > 0 or \"srgb\"");
    out->tone.transfer = CLRT_TRANSFER_SRGB;
    return CLRT_OK;
  }
  return read_checked(p, image, path, "gamma", CLRT_DEFAULT_GAMMA, false, POSITIVE, &out->tone.gamma);
}

/* "integrator": a name from the list (clrt_integrators.h). */
static clrt_status parse_integrator(const parser *p, json_t *image, const key_path *path, unsigned *out) {
#define CLRT_INTEGRATOR_NAME(name) #name,
  static const char *const names[] = {CLRT_INTEGRATORS(CLRT_INTEGRATOR_NAME)};
#undef CLRT_INTEGRATOR_NAME
  json_t *value = json_object_get(image, "integrator");
  *out = CLRT_DEFAULT_INTEGRATOR;
  if (!value)
    return CLRT_OK;
  for (unsigned id = 0; json_is_string(value) && id < CLRT_INTEGRATOR_COUNT; ++id)
    if (strcmp(json_string_value(value), names[id]) == 0) {
      *out = id;
      return CLRT_OK;
    }
  char problem[256] = "must be the name of an integrator:";
  for (unsigned id = 0; id < CLRT_INTEGRATOR_COUNT; ++id)
    snprintf(problem + strlen(problem), sizeof problem - strlen(problem), "%s \"%s\"", id ? "," : "", names[id]);
  key_path key_at = child_of(path, "integrator");
  return fail_at(p, &key_at, problem);
}

/* "ambient_occlusion": {"samples": rays a hit, "distance": how near a
 * sphere closes a direction}; absent, none. */
static clrt_status parse_ambient_occlusion(const parser *p, json_t *image, const key_path *path,
                                           clrt_whitted_settings *out) {
  static const char *const keys[] = {"samples", "distance"};
  json_t *value = json_object_get(image, "ambient_occlusion");
  out->occlusion_rays = 0;
  out->occlusion_distance = 0.0;
  if (!value)
    return CLRT_OK;
  key_path at = child_of(path, "ambient_occlusion");
  clrt_status status;
  if ((status = expect_object(p, value, &at, KEY_LIST(keys))) ||
      (status = read_count(p, value, &at, "samples", 0, true, 1, CLRT_MAX_OCCLUSION_RAYS, &out->occlusion_rays)))
    return status;
  return read_checked(p, value, &at, "distance", 0.0, true, POSITIVE, &out->occlusion_distance);
}

static clrt_status parse_sampling(const parser *p, json_t *image, const key_path *path, clrt_sampling_settings *out) {
  clrt_status status;
  if ((status =
           read_count(p, image, path, "samples", CLRT_DEFAULT_SAMPLES, false, 1, CLRT_MAX_SAMPLES, &out->samples)) ||
      (status = read_count(p, image, path, "max_depth", CLRT_DEFAULT_MAX_DEPTH, false, 0, CLRT_MAX_DEPTH_LIMIT,
                           &out->max_depth)))
    return status;
  if ((status = read_count(p, image, path, "shadow_samples", CLRT_DEFAULT_SHADOW_SAMPLES, false, 1,
                           CLRT_MAX_SHADOW_SAMPLES, &out->shadow_samples)))
    return status;
  if ((status = parse_integrator(p, image, path, &out->integrator)))
    return status;
  if ((status = read_count(p, image, path, "max_tree_rays", CLRT_DEFAULT_MAX_TREE_RAYS, false, 1,
                           CLRT_MAX_TREE_RAYS_LIMIT, &out->whitted.max_tree_rays)))
    return status;
  return parse_ambient_occlusion(p, image, path, &out->whitted);
}

/* "image" holds the picture's settings and the sampling settings. */
static clrt_status parse_image(const parser *p, json_t *image, clrt_image_settings *out,
                               clrt_sampling_settings *sampling) {
  static const char *const keys[] = {"width", "height",   "samples",       "max_depth",  "shadow_samples",
                                     "gamma", "exposure", "max_tree_rays", "integrator", "ambient_occlusion"};
  key_path path = child_of(NULL, "image");
  clrt_status status;
  if ((status = expect_object(p, image, &path, KEY_LIST(keys))) ||
      (status = read_count(p, image, &path, "width", 0, true, 1, CLRT_MAX_IMAGE_SIDE, &out->width)) ||
      (status = read_count(p, image, &path, "height", 0, true, 1, CLRT_MAX_IMAGE_SIDE, &out->height)) ||
      (status = parse_sampling(p, image, &path, sampling)) || (status = parse_gamma(p, image, &path, out)))
    return status;
  return read_checked(p, image, &path, "exposure", CLRT_DEFAULT_EXPOSURE, false, POSITIVE, &out->tone.exposure);
}

/* The camera basis must not degenerate: a view direction and an up vector
 * that is not parallel to it. */
static clrt_status check_camera_basis(const parser *p, const key_path *path, const clrt_camera_settings *camera) {
  clrt_dvec3 u, v, w;
  key_path look_at = child_of(path, "look_at"), vup = child_of(path, "vup");
  switch (clrt_camera_basis(camera, &u, &v, &w)) {
  case CLRT_CAMERA_NO_DIRECTION:
    return fail_at(p, &look_at, "must differ from camera.look_from (the camera needs a view direction)");
  case CLRT_CAMERA_BAD_UP:
    return fail_at(p, &vup, "must not be zero or parallel to the view direction (look_at - look_from)");
  case CLRT_CAMERA_OK:
    break;
  }
  return CLRT_OK;
}

static clrt_status parse_lens(const parser *p, json_t *camera, const key_path *path, clrt_camera_settings *out) {
  double default_focus =
      clrt_dvec3_length(clrt_dvec3_sub(clrt_dvec3_load(out->look_from), clrt_dvec3_load(out->look_at)));
  clrt_status status =
      read_checked(p, camera, path, "aperture", CLRT_DEFAULT_APERTURE, false, NON_NEGATIVE, &out->aperture);
  if (status != CLRT_OK)
    return status;
  return read_checked(p, camera, path, "focus_distance", default_focus, false, POSITIVE, &out->focus_distance);
}

static clrt_status parse_camera(const parser *p, json_t *camera, clrt_camera_settings *out) {
  static const char *const keys[] = {"look_from", "look_at", "vup", "vfov", "aperture", "focus_distance"};
  static const double default_vup[3] = {0.0, 1.0, 0.0};
  key_path path = child_of(NULL, "camera");
  clrt_status status;
  if ((status = expect_object(p, camera, &path, KEY_LIST(keys))) ||
      (status = read_vec3(p, camera, &path, "look_from", NULL, ANY, out->look_from)) ||
      (status = read_vec3(p, camera, &path, "look_at", NULL, ANY, out->look_at)) ||
      (status = read_vec3(p, camera, &path, "vup", default_vup, ANY, out->vup)) ||
      (status = read_checked(p, camera, &path, "vfov", 0.0, true, FIELD_OF_VIEW, &out->vfov_degrees)))
    return status;
  if (out->vfov_degrees >= 180.0) {
    key_path vfov = child_of(&path, "vfov");
    return range_error(p, &vfov, FIELD_OF_VIEW.text, out->vfov_degrees);
  }
  if ((status = check_camera_basis(p, &path, out)))
    return status;
  return parse_lens(p, camera, &path, out);
}

/* ---- materials ---- */

/* Glass: transparency kt with an index of refraction; kr + kt <= 1. */
static clrt_status parse_glass(const parser *p, json_t *value, const key_path *path, clrt_scene_material *out) {
  clrt_status status =
      read_checked(p, value, path, "transparency", CLRT_DEFAULT_TRANSPARENCY, false, UNIT_INTERVAL, &out->transparency);
  if (status != CLRT_OK)
    return status;
  if ((status = read_checked(p, value, path, "ior", CLRT_DEFAULT_IOR, false,
                             out->transparency > 0.0 ? AT_LEAST_ONE : POSITIVE, &out->ior)))
    return status;
  if (out->reflectivity + out->transparency <= 1.0)
    return CLRT_OK;
  char problem[160];
  snprintf(problem, sizeof problem, "reflectivity + transparency must be <= 1 (got %g + %g)", out->reflectivity,
           out->transparency);
  return fail_at(p, path, problem);
}

static clrt_status parse_material(const parser *p, json_t *value, const key_path *path, clrt_scene_material *out) {
  static const char *const keys[] = {"color",        "ambient",      "diffuse", "specular", "shininess",
                                     "reflectivity", "transparency", "ior",     "emission"};
  static const double no_emission[3] = {0.0, 0.0, 0.0};
  clrt_status status;
  if ((status = expect_object(p, value, path, KEY_LIST(keys))) ||
      (status = read_vec3(p, value, path, "color", NULL, NON_NEGATIVE, out->color)) ||
      (status = read_checked(p, value, path, "ambient", CLRT_DEFAULT_AMBIENT, false, NON_NEGATIVE, &out->ambient)) ||
      (status = read_checked(p, value, path, "diffuse", CLRT_DEFAULT_DIFFUSE, false, NON_NEGATIVE, &out->diffuse)) ||
      (status = read_checked(p, value, path, "specular", CLRT_DEFAULT_SPECULAR, false, NON_NEGATIVE, &out->specular)) ||
      (status =
           read_checked(p, value, path, "shininess", CLRT_DEFAULT_SHININESS, false, NON_NEGATIVE, &out->shininess)) ||
      (status = read_checked(p, value, path, "reflectivity", CLRT_DEFAULT_REFLECTIVITY, false, UNIT_INTERVAL,
                             &out->reflectivity)) ||
      (status = read_vec3(p, value, path, "emission", no_emission, NON_NEGATIVE, out->emission)))
    return status;
  return parse_glass(p, value, path, out);
}

/* Materials keep their names; the parser indexes them by name, so that a
 * sphere finds its material in constant time. */
static clrt_status parse_materials(const parser *p, json_t *materials, clrt_scene *scene) {
  key_path path = child_of(NULL, "materials");
  if (!json_is_object(materials))
    return fail_at(p, &path, "must be an object");
  size_t count = json_object_size(materials);
  scene->materials = calloc(count ? count : 1, sizeof *scene->materials);
  if (!scene->materials)
    return clrt_fail(p->err, CLRT_ERR_RUNTIME, "%s: out of memory reading %zu materials", p->source, count);
  const char *name;
  json_t *value;
  json_object_foreach(materials, name, value) {
    key_path material_path = child_of(&path, name);
    clrt_scene_material *material = &scene->materials[scene->material_count];
    clrt_status status = parse_material(p, value, &material_path, material);
    if (status != CLRT_OK)
      return status;
    material->name = strdup(name);
    if (!material->name ||
        json_object_set_new(p->material_indexes, name, json_integer((json_int_t)scene->material_count++)) != 0)
      return out_of_memory(p);
  }
  return CLRT_OK;
}

static clrt_status find_material(const parser *p, json_t *object, const key_path *path, uint32_t *index) {
  json_t *value;
  clrt_status status = lookup(p, object, path, "material", true, &value);
  if (status != CLRT_OK)
    return status;
  key_path at = child_of(path, "material");
  if (!json_is_string(value))
    return fail_at(p, &at, "must be a string naming a key of \"materials\"");
  const char *name = json_string_value(value);
  json_t *found = json_object_get(p->material_indexes, name);
  if (found) {
    *index = (uint32_t)json_integer_value(found);
    return CLRT_OK;
  }
  char problem[KEY_PATH_SIZE + 96];
  snprintf(problem, sizeof problem, "unknown material \"%.*s\" (define it under \"materials\")", KEY_PATH_SIZE, name);
  return fail_at(p, &at, problem);
}

/* ---- spheres ---- */

/* Room for `more` spheres after those already read. */
static clrt_status reserve_spheres(parser *p, clrt_scene *scene, size_t more, const key_path *path) {
  if (more > CLRT_MAX_SPHERES - scene->sphere_count) {
    char problem[128];
    snprintf(problem, sizeof problem, "more than %u spheres in all", CLRT_MAX_SPHERES);
    return fail_at(p, path, problem);
  }
  clrt_scene_sphere *grown =
      clrt_array_reserve(scene->spheres, &p->sphere_capacity, scene->sphere_count + more, sizeof *grown);
  if (!grown)
    return clrt_fail(p->err, CLRT_ERR_RUNTIME, "%s: out of memory for %zu spheres", p->source,
                     scene->sphere_count + more);
  scene->spheres = grown;
  return CLRT_OK;
}

static void set_sphere(clrt_scene_sphere *out, const double center[3], double radius, uint32_t material,
                       const double *color) {
  memset(out, 0, sizeof *out); /* padding too: scenes compare byte for byte */
  for (int i = 0; i < 3; ++i) {
    out->center[i] = (float)center[i];
    out->color[i] = color ? (float)color[i] : 0.0f;
  }
  out->radius = (float)radius;
  out->material = material;
  out->has_color = color != NULL;
}

static clrt_status parse_sphere(parser *p, json_t *value, const key_path *path, clrt_scene *scene) {
  static const char *const keys[] = {"center", "radius", "material", "color"};
  double center[3], radius, color[3];
  uint32_t material;
  clrt_status status;
  if ((status = check_keys(p, value, path, KEY_LIST(keys))) ||
      (status = read_vec3(p, value, path, "center", NULL, ANY, center)) ||
      (status = read_checked(p, value, path, "radius", 0.0, true, POSITIVE, &radius)) ||
      (status = find_material(p, value, path, &material)))
    return status;
  bool own_color = json_object_get(value, "color") != NULL;
  if (own_color && (status = read_vec3(p, value, path, "color", NULL, NON_NEGATIVE, color)))
    return status;
  set_sphere(&scene->spheres[scene->sphere_count++], center, radius, material, own_color ? color : NULL);
  return CLRT_OK;
}

/* The file's path as the scene names it, relative to the scene's folder;
 * false when it would not fit `size` (PATH_MAX): never cut short. */
static bool resolve_path(const parser *p, const char *name, char *out, size_t size) {
  int length = name[0] == '/' || !p->base_dir[0] ? snprintf(out, size, "%s", name)
                                                 : snprintf(out, size, "%s/%s", p->base_dir, name);
  return length >= 0 && (size_t)length < size;
}

/* The spheres of an open PLY file: its radius, else the entry's. */
static clrt_status read_ply_spheres(parser *p, clrt_ply_reader *reader, const key_path *path, uint32_t material,
                                    double entry_radius, clrt_scene *scene) {
  clrt_status status = reserve_spheres(p, scene, reader->vertex_count, path);
  for (size_t i = 0; status == CLRT_OK && i < reader->vertex_count; ++i) {
    clrt_ply_vertex vertex;
    status = clrt_ply_next(reader, &vertex, p->err);
    if (status == CLRT_OK)
      set_sphere(&scene->spheres[scene->sphere_count++], vertex.position,
                 reader->has_radius ? vertex.radius : entry_radius, material, reader->has_color ? vertex.color : NULL);
  }
  return status == CLRT_OK ? clrt_ply_finish(reader, p->err) : status;
}

/* {"file": "atoms.ply", "material": "atom", "radius": 0.5}: spheres from a
 * PLY file, whose radius property wins over the entry's. */
static clrt_status parse_sphere_file(parser *p, json_t *value, const key_path *path, clrt_scene *scene) {
  static const char *const keys[] = {"file", "material", "radius"};
  json_t *file;
  uint32_t material;
  double radius = 0.0;
  clrt_status status;
  key_path file_path = child_of(path, "file");
  if ((status = check_keys(p, value, path, KEY_LIST(keys))) || (status = lookup(p, value, path, "file", true, &file)))
    return status;
  if (!json_is_string(file) || !json_string_value(file)[0])
    return fail_at(p, &file_path, "must be the path of a PLY file, relative to the scene file's folder");
  if ((status = find_material(p, value, path, &material)) ||
      (status = read_checked(p, value, path, "radius", 0.0, false, POSITIVE, &radius)))
    return status;
  char resolved[4096];
  if (!resolve_path(p, json_string_value(file), resolved, sizeof resolved))
    return fail_at(p, &file_path, "the path is longer than 4095 bytes (with the scene file's folder)");
  clrt_ply_reader reader;
  if ((status = clrt_ply_open(resolved, &reader, p->err)))
    return status;
  if (!reader.has_radius && !json_object_get(value, "radius"))
    status = fail_at(p, path, "the PLY file has no radius property: give \"radius\" for all its spheres");
  if (status == CLRT_OK)
    status = read_ply_spheres(p, &reader, path, material, radius, scene);
  clrt_ply_close(&reader);
  return status;
}

/* A generator of reproducible random numbers in [0, 1): SplitMix64. */
static double random_unit(uint64_t *state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return (double)(z >> 11) * 0x1p-53;
}

typedef struct random_field {
  unsigned count, seed;
  double lower[3], upper[3];
  double radius[2];
  bool colors;
} random_field;

static clrt_status parse_random_field(const parser *p, json_t *value, const key_path *path, random_field *out) {
  static const char *const keys[] = {"count", "seed", "min", "max", "radius", "colors"};
  clrt_status status;
  key_path radius_path = child_of(path, "radius");
  json_t *radius;
  if ((status = expect_object(p, value, path, KEY_LIST(keys))) ||
      (status = read_count(p, value, path, "count", 0, true, 1, CLRT_MAX_SPHERES, &out->count)) ||
      (status = read_count(p, value, path, "seed", 1, false, 0, 4294967295u, &out->seed)) ||
      (status = read_vec3(p, value, path, "min", NULL, ANY, out->lower)) ||
      (status = read_vec3(p, value, path, "max", NULL, ANY, out->upper)) ||
      (status = lookup(p, value, path, "radius", true, &radius)) ||
      (status = read_bool(p, value, path, "colors", false, &out->colors)))
    return status;
  if (!json_is_array(radius) || json_array_size(radius) != 2)
    return fail_at(p, &radius_path, "must be [smallest, largest], both > 0");
  for (size_t i = 0; i < 2; ++i) {
    key_path item = element_of(&radius_path, i);
    if ((status = number_value(p, json_array_get(radius, i), &item, &out->radius[i])) ||
        (status = check_rule(p, &item, POSITIVE, out->radius[i])))
      return status;
  }
  if (out->radius[0] > out->radius[1])
    return fail_at(p, &radius_path, "the smallest radius must come first");
  for (int a = 0; a < 3; ++a)
    if (out->lower[a] > out->upper[a])
      return fail_at(p, path, "min must not exceed max on any axis");
  return CLRT_OK;
}

/* {"random": {...}, "material": "name"}: a reproducible field of random
 * spheres (centres uniform in the box, radii uniform in the range, random
 * colours when asked), the same on every machine. */
static clrt_status parse_sphere_field(parser *p, json_t *value, const key_path *path, clrt_scene *scene) {
  static const char *const keys[] = {"random", "material"};
  random_field field;
  uint32_t material;
  key_path field_path = child_of(path, "random");
  clrt_status status;
  if ((status = check_keys(p, value, path, KEY_LIST(keys))) ||
      (status = parse_random_field(p, json_object_get(value, "random"), &field_path, &field)) ||
      (status = find_material(p, value, path, &material)) || (status = reserve_spheres(p, scene, field.count, path)))
    return status;
  uint64_t state = field.seed;
  for (unsigned i = 0; i < field.count; ++i) {
    double center[3], color[3];
    for (int a = 0; a < 3; ++a)
      center[a] = field.lower[a] + random_unit(&state) * (field.upper[a] - field.lower[a]);
    double radius = field.radius[0] + random_unit(&state) * (field.radius[1] - field.radius[0]);
    for (int c = 0; c < 3; ++c)
      color[c] = random_unit(&state);
    set_sphere(&scene->spheres[scene->sphere_count++], center, radius, material, field.colors ? color : NULL);
  }
  return CLRT_OK;
}

/* One entry of "spheres": a sphere, or a set of them from a file or a
 * random field. */
static clrt_status parse_sphere_entry(parser *p, json_t *value, const key_path *path, clrt_scene *scene) {
  if (!json_is_object(value))
    return fail_at(p, path, "must be an object");
  if (json_object_get(value, "file"))
    return parse_sphere_file(p, value, path, scene);
  if (json_object_get(value, "random"))
    return parse_sphere_field(p, value, path, scene);
  clrt_status status = reserve_spheres(p, scene, 1, path);
  return status == CLRT_OK ? parse_sphere(p, value, path, scene) : status;
}

static clrt_status parse_spheres(parser *p, json_t *spheres, clrt_scene *scene) {
  key_path path = child_of(NULL, "spheres");
  if (!json_is_array(spheres))
    return fail_at(p, &path, "must be an array");
  size_t count = json_array_size(spheres);
  clrt_status status = reserve_spheres(p, scene, count ? count : 1, &path);
  for (size_t i = 0; status == CLRT_OK && i < count; ++i) {
    key_path entry = element_of(&path, i);
    status = parse_sphere_entry(p, json_array_get(spheres, i), &entry, scene);
  }
  return status;
}

/* ---- lights and the rest ---- */

static clrt_status parse_light(const parser *p, json_t *value, const key_path *path, clrt_scene_light *out) {
  static const char *const keys[] = {"position", "color", "intensity", "radius"};
  static const double white[3] = {1.0, 1.0, 1.0};
  clrt_status status;
  if ((status = expect_object(p, value, path, KEY_LIST(keys))) ||
      (status = read_vec3(p, value, path, "position", NULL, ANY, out->position)) ||
      (status = read_vec3(p, value, path, "color", white, NON_NEGATIVE, out->color)) ||
      (status = read_checked(p, value, path, "intensity", CLRT_DEFAULT_LIGHT_INTENSITY, false, NON_NEGATIVE,
                             &out->intensity)))
    return status;
  return read_checked(p, value, path, "radius", CLRT_DEFAULT_LIGHT_RADIUS, false, NON_NEGATIVE, &out->radius);
}

static clrt_status parse_lights(const parser *p, json_t *lights, clrt_scene *scene) {
  key_path path = child_of(NULL, "lights");
  if (!json_is_array(lights))
    return fail_at(p, &path, "must be an array");
  size_t count = json_array_size(lights);
  scene->lights = calloc(count ? count : 1, sizeof *scene->lights);
  if (!scene->lights)
    return clrt_fail(p->err, CLRT_ERR_RUNTIME, "%s: out of memory reading %zu lights", p->source, count);
  for (; scene->light_count < count; ++scene->light_count) {
    key_path entry = element_of(&path, scene->light_count);
    clrt_status status =
        parse_light(p, json_array_get(lights, scene->light_count), &entry, &scene->lights[scene->light_count]);
    if (status != CLRT_OK)
      return status;
  }
  return CLRT_OK;
}

/* Optional sections default to empty: a scene may have no spheres. */
static json_t *section_or_empty(json_t *root, const char *key, json_t *empty) {
  json_t *value = json_object_get(root, key);
  return value ? value : empty;
}

static clrt_status parse_root(parser *p, json_t *root, clrt_scene *scene) {
  static const char *const keys[] = {"image", "camera", "background", "shadows", "materials", "spheres", "lights"};
  static const double black[3] = {0.0, 0.0, 0.0};
  if (!json_is_object(root))
    return clrt_fail(p->err, CLRT_ERR_INPUT, "%s: the scene must be a JSON object", p->source);
  json_t *image, *camera;
  json_t *empty_object = json_object(), *empty_array = json_array();
  clrt_status status;
  if ((status = check_keys(p, root, NULL, KEY_LIST(keys))) || (status = lookup(p, root, NULL, "image", true, &image)) ||
      (status = parse_image(p, image, &scene->image, &scene->sampling)) ||
      (status = lookup(p, root, NULL, "camera", true, &camera)) || (status = parse_camera(p, camera, &scene->camera)) ||
      (status = read_vec3(p, root, NULL, "background", black, NON_NEGATIVE, scene->background)) ||
      (status = read_bool(p, root, NULL, "shadows", true, &scene->shadows)) ||
      (status = parse_materials(p, section_or_empty(root, "materials", empty_object), scene)) ||
      (status = parse_spheres(p, section_or_empty(root, "spheres", empty_array), scene)))
    goto done;
  status = parse_lights(p, section_or_empty(root, "lights", empty_array), scene);
done:
  json_decref(empty_object);
  json_decref(empty_array);
  return status;
}

static clrt_status syntax_error(const parser *p, const json_error_t *error) {
  return clrt_fail(p->err, CLRT_ERR_INPUT, "%s:%d:%d: invalid JSON: %s", p->source, error->line, error->column,
                   error->text);
}

/* Duplicate keys are rejected too: the second would silently win. */
#define CLRT_JSON_FLAGS JSON_REJECT_DUPLICATES

/* The folder of `path` ("" when it has none). */
static void folder_of(const char *path, char *out, size_t size) {
  const char *slash = strrchr(path, '/');
  if (!slash)
    out[0] = '\0';
  else if (slash == path)
    snprintf(out, size, "/");
  else
    snprintf(out, size, "%.*s", (int)(slash - path), path);
}

static clrt_status parse_text(const char *text, size_t length, const char *source_name, clrt_scene *scene,
                              clrt_error *err) {
  memset(scene, 0, sizeof *scene);
  char base_dir[4096];
  folder_of(source_name, base_dir, sizeof base_dir);
  clrt_json_arena arena; /* every JSON value below is released before it ends */
  clrt_json_arena_begin(&arena);
  parser p = {source_name, base_dir, err, json_object(), 0};
  json_error_t error;
  json_t *root = json_loadb(text, length, CLRT_JSON_FLAGS, &error);
  clrt_status status;
  if (!p.material_indexes)
    status = out_of_memory(&p);
  else
    status = root ? parse_root(&p, root, scene) : syntax_error(&p, &error);
  json_decref(p.material_indexes);
  json_decref(root);
  clrt_json_arena_end(&arena);
  if (status != CLRT_OK)
    clrt_scene_free(scene);
  return status;
}

clrt_status clrt_scene_parse(const char *text, const char *source_name, clrt_scene *scene, clrt_error *err) {
  return parse_text(text, strlen(text), source_name, scene, err);
}

/* A NUL byte is not JSON; jansson would stop reading at one after a
 * number and take the rest for the end of the file. */
static clrt_status reject_nul(const char *path, const char *text, size_t size, clrt_error *err) {
  const char *nul = memchr(text, '\0', size);
  if (!nul)
    return CLRT_OK;
  size_t line = 1, column = 1;
  for (const char *c = text; c < nul; ++c, ++column)
    if (*c == '\n')
      ++line, column = 0;
  return clrt_fail(err, CLRT_ERR_INPUT, "%s:%zu:%zu: invalid JSON: a NUL byte (is this a text file?)", path, line,
                   column);
}

clrt_status clrt_scene_parse_bytes(const char *data, size_t size, const char *source_name, clrt_scene *scene,
                                   clrt_error *err) {
  memset(scene, 0, sizeof *scene);
  clrt_status status = reject_nul(source_name, data, size, err);
  return status == CLRT_OK ? parse_text(data, size, source_name, scene, err) : status;
}

clrt_status clrt_scene_load(const char *path, clrt_scene *scene, clrt_error *err) {
  memset(scene, 0, sizeof *scene);
  char *text;
  size_t size;
  clrt_status status = clrt_file_read(path, "the scene file", &text, &size, err);
  if (status != CLRT_OK)
    return status;
  status = clrt_scene_parse_bytes(text, size, path, scene, err);
  free(text);
  return status;
}

void clrt_scene_free(clrt_scene *scene) {
  for (size_t i = 0; scene->materials && i < scene->material_count; ++i)
    free(scene->materials[i].name);
  free(scene->materials);
  free(scene->spheres);
  free(scene->lights);
  memset(scene, 0, sizeof *scene);
}
