/* Scene file parsing (JSON through jansson) and validation.
 *
 * Every value is checked where it is read, and every message carries the
 * file and the key path (`spheres[3].radius: must be > 0`), so a typo or a
 * bad value never passes silently. */
#include "clrt_scene.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clrt_file.h"

enum { KEY_PATH_SIZE = 256 };

typedef struct parser {
  const char *source; /* file name, for messages */
  clrt_error *err;
  json_t *material_indexes; /* material name -> index into the scene's materials */
} parser;

typedef struct key_list {
  const char *const *names;
  size_t count;
} key_list;

#define KEY_LIST(array) ((key_list){(array), sizeof(array) / sizeof((array)[0])})

static clrt_status fail_at(const parser *p, const char *path, const char *problem) {
  return clrt_fail(p->err, CLRT_ERR_INPUT, "%s: %s: %s", p->source, path, problem);
}

/* Key paths longer than KEY_PATH_SIZE are cut: they only label messages. */
static void format_path(char *out, const char *format, ...) __attribute__((format(printf, 2, 3)));
static void format_path(char *out, const char *format, ...) {
  va_list args;
  va_start(args, format);
  vsnprintf(out, KEY_PATH_SIZE, format, args);
  va_end(args);
}

static void child_path(char *out, const char *parent, const char *key) {
  if (parent[0] == '\0')
    format_path(out, "%s", key);
  else
    format_path(out, "%s.%s", parent, key);
}

static void element_path(char *out, const char *parent, size_t index) { format_path(out, "%s[%zu]", parent, index); }

static bool key_allowed(const char *key, key_list allowed) {
  for (size_t i = 0; i < allowed.count; ++i)
    if (strcmp(key, allowed.names[i]) == 0)
      return true;
  return false;
}

/* Rejects keys outside `allowed`, listing what is allowed. */
static clrt_status check_keys(const parser *p, json_t *object, const char *path, key_list allowed) {
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
    char key_path[KEY_PATH_SIZE], problem[640];
    child_path(key_path, path, key);
    snprintf(problem, sizeof problem, "unknown key (allowed here: %s)", names);
    return fail_at(p, key_path, problem);
  }
  return CLRT_OK;
}

static clrt_status expect_object(const parser *p, json_t *value, const char *path) {
  return json_is_object(value) ? CLRT_OK : fail_at(p, path, "must be an object");
}

/* Looks up a key; *found says whether it was there. Missing required keys
 * are an error. */
static clrt_status lookup(const parser *p, json_t *object, const char *path, const char *key, bool required,
                          json_t **out) {
  *out = json_object_get(object, key);
  if (*out || !required)
    return CLRT_OK;
  char key_path[KEY_PATH_SIZE];
  child_path(key_path, path, key);
  return fail_at(p, key_path, "missing (this key is required)");
}

static clrt_status number_value(const parser *p, json_t *value, const char *path, double *out) {
  if (!json_is_number(value))
    return fail_at(p, path, "must be a number");
  *out = json_number_value(value);
  if (!isfinite(*out))
    return fail_at(p, path, "must be a finite number");
  return CLRT_OK;
}

/* A number in [min, max]; the bounds' openness is in the message text. */
static clrt_status read_number(const parser *p, json_t *object, const char *path, const char *key, double default_value,
                               bool required, double *out) {
  char key_path[KEY_PATH_SIZE];
  child_path(key_path, path, key);
  json_t *value;
  clrt_status status = lookup(p, object, path, key, required, &value);
  if (status != CLRT_OK)
    return status;
  if (!value) {
    *out = default_value;
    return CLRT_OK;
  }
  return number_value(p, value, key_path, out);
}

static clrt_status range_error(const parser *p, const char *path, const char *rule, double got) {
  char problem[256];
  snprintf(problem, sizeof problem, "must be %s (got %g)", rule, got);
  return fail_at(p, path, problem);
}

/* A whole number in [min, max]. */
static clrt_status read_count(const parser *p, json_t *object, const char *path, const char *key,
                              unsigned default_value, bool required, unsigned min, unsigned max, unsigned *out) {
  char key_path[KEY_PATH_SIZE], rule[96];
  child_path(key_path, path, key);
  double number = 0.0;
  clrt_status status = read_number(p, object, path, key, default_value, required, &number);
  if (status != CLRT_OK)
    return status;
  snprintf(rule, sizeof rule, "a whole number in %u..%u", min, max);
  if (number != floor(number) || number < min || number > max)
    return range_error(p, key_path, rule, number);
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

static clrt_status read_checked(const parser *p, json_t *object, const char *path, const char *key,
                                double default_value, bool required, number_rule rule, double *out) {
  char key_path[KEY_PATH_SIZE];
  child_path(key_path, path, key);
  clrt_status status = read_number(p, object, path, key, default_value, required, out);
  if (status != CLRT_OK)
    return status;
  bool below = rule.min_exclusive ? *out <= rule.min : *out < rule.min;
  if (below || *out > rule.max)
    return range_error(p, key_path, rule.text, *out);
  return CLRT_OK;
}

static const number_rule NON_NEGATIVE = {0.0, false, INFINITY, ">= 0"};
static const number_rule POSITIVE = {0.0, true, INFINITY, "> 0"};
static const number_rule AT_LEAST_ONE = {1.0, false, INFINITY, ">= 1 for a transparent material"};
static const number_rule UNIT_INTERVAL = {0.0, false, 1.0, "in [0, 1]"};
static const number_rule FIELD_OF_VIEW = {0.0, true, 180.0, "in (0, 180) degrees"};

/* An array of 3 numbers, each >= min_component. */
static clrt_status vec3_value(const parser *p, json_t *value, const char *path, bool non_negative, double out[3]) {
  if (!json_is_array(value) || json_array_size(value) != 3)
    return fail_at(p, path, "must be an array of 3 numbers");
  for (size_t i = 0; i < 3; ++i) {
    char item_path[KEY_PATH_SIZE];
    element_path(item_path, path, i);
    clrt_status status = number_value(p, json_array_get(value, i), item_path, &out[i]);
    if (status != CLRT_OK)
      return status;
    if (non_negative && out[i] < 0.0)
      return range_error(p, item_path, ">= 0", out[i]);
  }
  return CLRT_OK;
}

static clrt_status read_vec3(const parser *p, json_t *object, const char *path, const char *key,
                             const double *default_value, bool non_negative, double out[3]) {
  char key_path[KEY_PATH_SIZE];
  child_path(key_path, path, key);
  json_t *value;
  clrt_status status = lookup(p, object, path, key, default_value == NULL, &value);
  if (status != CLRT_OK)
    return status;
  if (!value) {
    memcpy(out, default_value, 3 * sizeof out[0]);
    return CLRT_OK;
  }
  return vec3_value(p, value, key_path, non_negative, out);
}

/* "gamma": a positive number, or "srgb" for the exact sRGB curve. */
static clrt_status parse_gamma(const parser *p, json_t *image, clrt_image_settings *out) {
  json_t *value = json_object_get(image, "gamma");
  out->tone.transfer = CLRT_TRANSFER_GAMMA;
  out->tone.gamma = CLRT_DEFAULT_GAMMA;
  if (value && json_is_string(value)) {
    if (strcmp(json_string_value(value), "srgb") != 0)
      return fail_at(p, "image.gamma", "must be a number > 0 or \"srgb\"");
    out->tone.transfer = CLRT_TRANSFER_SRGB;
    return CLRT_OK;
  }
  return read_checked(p, image, "image", "gamma", CLRT_DEFAULT_GAMMA, false, POSITIVE, &out->tone.gamma);
}

static clrt_status parse_sampling(const parser *p, json_t *image, clrt_sampling_settings *out) {
  const char *path = "image";
  clrt_status status;
  if ((status =
           read_count(p, image, path, "samples", CLRT_DEFAULT_SAMPLES, false, 1, CLRT_MAX_SAMPLES, &out->samples)) ||
      (status = read_count(p, image, path, "max_depth", CLRT_DEFAULT_MAX_DEPTH, false, 0, CLRT_MAX_DEPTH_LIMIT,
                           &out->max_depth)))
    return status;
  return read_count(p, image, path, "shadow_samples", CLRT_DEFAULT_SHADOW_SAMPLES, false, 1, CLRT_MAX_SHADOW_SAMPLES,
                    &out->shadow_samples);
}

/* "image" holds the picture's settings and the sampling settings. */
static clrt_status parse_image(const parser *p, json_t *image, clrt_image_settings *out,
                               clrt_sampling_settings *sampling) {
  static const char *const keys[] = {"width", "height", "samples", "max_depth", "shadow_samples", "gamma", "exposure"};
  const char *path = "image";
  clrt_status status;
  if ((status = expect_object(p, image, path)) || (status = check_keys(p, image, path, KEY_LIST(keys))) ||
      (status = read_count(p, image, path, "width", 0, true, 1, CLRT_MAX_IMAGE_SIDE, &out->width)) ||
      (status = read_count(p, image, path, "height", 0, true, 1, CLRT_MAX_IMAGE_SIDE, &out->height)) ||
      (status = parse_sampling(p, image, sampling)) || (status = parse_gamma(p, image, out)))
    return status;
  return read_checked(p, image, path, "exposure", CLRT_DEFAULT_EXPOSURE, false, POSITIVE, &out->tone.exposure);
}

/* The camera basis must not degenerate: a view direction and an up vector
 * that is not parallel to it. */
static clrt_status check_camera_basis(const parser *p, const clrt_camera_settings *camera) {
  clrt_dvec3 u, v, w;
  switch (clrt_camera_basis(camera, &u, &v, &w)) {
  case CLRT_CAMERA_NO_DIRECTION:
    return fail_at(p, "camera.look_at", "must differ from camera.look_from (the camera needs a view direction)");
  case CLRT_CAMERA_BAD_UP:
    return fail_at(p, "camera.vup", "must not be zero or parallel to the view direction (look_at - look_from)");
  case CLRT_CAMERA_OK:
    break;
  }
  return CLRT_OK;
}

static clrt_status parse_lens(const parser *p, json_t *camera, clrt_camera_settings *out) {
  double default_focus =
      clrt_dvec3_length(clrt_dvec3_sub(clrt_dvec3_load(out->look_from), clrt_dvec3_load(out->look_at)));
  clrt_status status =
      read_checked(p, camera, "camera", "aperture", CLRT_DEFAULT_APERTURE, false, NON_NEGATIVE, &out->aperture);
  if (status != CLRT_OK)
    return status;
  return read_checked(p, camera, "camera", "focus_distance", default_focus, false, POSITIVE, &out->focus_distance);
}

static clrt_status parse_camera(const parser *p, json_t *camera, clrt_camera_settings *out) {
  static const char *const keys[] = {"look_from", "look_at", "vup", "vfov", "aperture", "focus_distance"};
  static const double default_vup[3] = {0.0, 1.0, 0.0};
  const char *path = "camera";
  clrt_status status;
  if ((status = expect_object(p, camera, path)) || (status = check_keys(p, camera, path, KEY_LIST(keys))) ||
      (status = read_vec3(p, camera, path, "look_from", NULL, false, out->look_from)) ||
      (status = read_vec3(p, camera, path, "look_at", NULL, false, out->look_at)) ||
      (status = read_vec3(p, camera, path, "vup", default_vup, false, out->vup)) ||
      (status = read_checked(p, camera, path, "vfov", 0.0, true, FIELD_OF_VIEW, &out->vfov_degrees)))
    return status;
  if (out->vfov_degrees >= 180.0)
    return range_error(p, "camera.vfov", FIELD_OF_VIEW.text, out->vfov_degrees);
  if ((status = check_camera_basis(p, out)))
    return status;
  return parse_lens(p, camera, out);
}

/* Glass: transparency kt with an index of refraction; kr + kt <= 1. */
static clrt_status parse_glass(const parser *p, json_t *value, const char *path, double reflectivity,
                               double *transparency, double *ior) {
  clrt_status status =
      read_checked(p, value, path, "transparency", CLRT_DEFAULT_TRANSPARENCY, false, UNIT_INTERVAL, transparency);
  if (status != CLRT_OK)
    return status;
  if ((status = read_checked(p, value, path, "ior", CLRT_DEFAULT_IOR, false,
                             *transparency > 0.0 ? AT_LEAST_ONE : POSITIVE, ior)))
    return status;
  if (reflectivity + *transparency <= 1.0)
    return CLRT_OK;
  char problem[160];
  snprintf(problem, sizeof problem, "reflectivity + transparency must be <= 1 (got %g + %g)", reflectivity,
           *transparency);
  return fail_at(p, path, problem);
}

static clrt_status parse_material(const parser *p, json_t *value, const char *path, clrt_scene_material *out) {
  static const char *const keys[] = {"color",     "ambient",      "diffuse",      "specular",
                                     "shininess", "reflectivity", "transparency", "ior"};
  clrt_status status;
  if ((status = expect_object(p, value, path)) || (status = check_keys(p, value, path, KEY_LIST(keys))) ||
      (status = read_vec3(p, value, path, "color", NULL, true, out->color)) ||
      (status = read_checked(p, value, path, "ambient", CLRT_DEFAULT_AMBIENT, false, NON_NEGATIVE, &out->ambient)) ||
      (status = read_checked(p, value, path, "diffuse", CLRT_DEFAULT_DIFFUSE, false, NON_NEGATIVE, &out->diffuse)) ||
      (status = read_checked(p, value, path, "specular", CLRT_DEFAULT_SPECULAR, false, NON_NEGATIVE, &out->specular)) ||
      (status =
           read_checked(p, value, path, "shininess", CLRT_DEFAULT_SHININESS, false, NON_NEGATIVE, &out->shininess)) ||
      (status = read_checked(p, value, path, "reflectivity", CLRT_DEFAULT_REFLECTIVITY, false, UNIT_INTERVAL,
                             &out->reflectivity)))
    return status;
  return parse_glass(p, value, path, out->reflectivity, &out->transparency, &out->ior);
}

/* Materials keep their names; the parser indexes them by name, so that a
 * sphere finds its material in constant time. */
static clrt_status parse_materials(const parser *p, json_t *materials, clrt_scene *scene) {
  clrt_status status = expect_object(p, materials, "materials");
  if (status != CLRT_OK)
    return status;
  size_t count = json_object_size(materials);
  scene->materials = calloc(count ? count : 1, sizeof *scene->materials);
  if (!scene->materials)
    return clrt_fail(p->err, CLRT_ERR_RUNTIME, "%s: out of memory reading %zu materials", p->source, count);
  const char *name;
  json_t *value;
  json_object_foreach(materials, name, value) {
    char path[KEY_PATH_SIZE];
    child_path(path, "materials", name);
    clrt_scene_material *material = &scene->materials[scene->material_count];
    if ((status = parse_material(p, value, path, material)))
      return status;
    material->name = strdup(name);
    if (!material->name ||
        json_object_set_new(p->material_indexes, name, json_integer((json_int_t)scene->material_count++)) != 0)
      return clrt_fail(p->err, CLRT_ERR_RUNTIME, "%s: out of memory", p->source);
  }
  return CLRT_OK;
}

static clrt_status find_material(const parser *p, json_t *value, const char *path, uint32_t *index) {
  if (!json_is_string(value))
    return fail_at(p, path, "must be a string naming a key of \"materials\"");
  const char *name = json_string_value(value);
  json_t *found = json_object_get(p->material_indexes, name);
  if (found) {
    *index = (uint32_t)json_integer_value(found);
    return CLRT_OK;
  }
  char problem[KEY_PATH_SIZE + 96];
  snprintf(problem, sizeof problem, "unknown material \"%.*s\" (define it under \"materials\")", KEY_PATH_SIZE, name);
  return fail_at(p, path, problem);
}

static clrt_status parse_sphere(const parser *p, json_t *value, const char *path, clrt_scene_sphere *out) {
  static const char *const keys[] = {"center", "radius", "material"};
  double center[3], radius;
  json_t *material;
  char material_path[KEY_PATH_SIZE];
  child_path(material_path, path, "material");
  clrt_status status;
  if ((status = expect_object(p, value, path)) || (status = check_keys(p, value, path, KEY_LIST(keys))) ||
      (status = read_vec3(p, value, path, "center", NULL, false, center)) ||
      (status = read_checked(p, value, path, "radius", 0.0, true, POSITIVE, &radius)) ||
      (status = lookup(p, value, path, "material", true, &material)))
    return status;
  for (int i = 0; i < 3; ++i)
    out->center[i] = (float)center[i];
  out->radius = (float)radius;
  return find_material(p, material, material_path, &out->material);
}

static clrt_status parse_light(const parser *p, json_t *value, const char *path, clrt_scene_light *out) {
  static const char *const keys[] = {"position", "color", "intensity", "radius"};
  static const double white[3] = {1.0, 1.0, 1.0};
  clrt_status status;
  if ((status = expect_object(p, value, path)) || (status = check_keys(p, value, path, KEY_LIST(keys))) ||
      (status = read_vec3(p, value, path, "position", NULL, false, out->position)) ||
      (status = read_vec3(p, value, path, "color", white, true, out->color)) ||
      (status = read_checked(p, value, path, "intensity", CLRT_DEFAULT_LIGHT_INTENSITY, false, NON_NEGATIVE,
                             &out->intensity)))
    return status;
  return read_checked(p, value, path, "radius", CLRT_DEFAULT_LIGHT_RADIUS, false, NON_NEGATIVE, &out->radius);
}

/* Parses one element of a scene array into `out`. */
typedef clrt_status (*element_parser)(const parser *p, json_t *value, const char *path, void *out);

/* A scene array: room for its elements (at least one, so that device
 * buffers are never of size zero), each parsed with its key path. */
static clrt_status parse_array(const parser *p, json_t *array, const char *name, size_t element_size,
                               element_parser parse_element, void **storage, size_t *count) {
  if (!json_is_array(array))
    return fail_at(p, name, "must be an array");
  size_t size = json_array_size(array);
  *storage = calloc(size ? size : 1, element_size);
  if (!*storage)
    return clrt_fail(p->err, CLRT_ERR_RUNTIME, "%s: out of memory reading %zu %s", p->source, size, name);
  for (*count = 0; *count < size; ++*count) {
    char path[KEY_PATH_SIZE];
    element_path(path, name, *count);
    clrt_status status =
        parse_element(p, json_array_get(array, *count), path, (char *)*storage + *count * element_size);
    if (status != CLRT_OK)
      return status;
  }
  return CLRT_OK;
}

static clrt_status sphere_element(const parser *p, json_t *value, const char *path, void *out) {
  return parse_sphere(p, value, path, out);
}

static clrt_status light_element(const parser *p, json_t *value, const char *path, void *out) {
  return parse_light(p, value, path, out);
}

static clrt_status parse_spheres(const parser *p, json_t *spheres, clrt_scene *scene) {
  return parse_array(p, spheres, "spheres", sizeof *scene->spheres, sphere_element, (void **)&scene->spheres,
                     &scene->sphere_count);
}

static clrt_status parse_lights(const parser *p, json_t *lights, clrt_scene *scene) {
  return parse_array(p, lights, "lights", sizeof *scene->lights, light_element, (void **)&scene->lights,
                     &scene->light_count);
}

static clrt_status parse_shadows(const parser *p, json_t *root, bool *shadows) {
  json_t *value = json_object_get(root, "shadows");
  if (!value) {
    *shadows = true;
    return CLRT_OK;
  }
  if (!json_is_boolean(value))
    return fail_at(p, "shadows", "must be true or false");
  *shadows = json_is_true(value);
  return CLRT_OK;
}

/* Optional sections default to empty: a scene may have no spheres. */
static json_t *section_or_empty(json_t *root, const char *key, json_t *empty) {
  json_t *value = json_object_get(root, key);
  return value ? value : empty;
}

static clrt_status parse_root(const parser *p, json_t *root, clrt_scene *scene) {
  static const char *const keys[] = {"image", "camera", "background", "shadows", "materials", "spheres", "lights"};
  static const double black[3] = {0.0, 0.0, 0.0};
  if (!json_is_object(root))
    return clrt_fail(p->err, CLRT_ERR_INPUT, "%s: the scene must be a JSON object", p->source);
  json_t *image, *camera;
  json_t *empty_object = json_object(), *empty_array = json_array();
  clrt_status status;
  if ((status = check_keys(p, root, "", KEY_LIST(keys))) || (status = lookup(p, root, "", "image", true, &image)) ||
      (status = parse_image(p, image, &scene->image, &scene->sampling)) ||
      (status = lookup(p, root, "", "camera", true, &camera)) || (status = parse_camera(p, camera, &scene->camera)) ||
      (status = read_vec3(p, root, "", "background", black, true, scene->background)) ||
      (status = parse_shadows(p, root, &scene->shadows)) ||
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

static clrt_status parse_document(parser *p, json_t *root, const json_error_t *error, clrt_scene *scene) {
  memset(scene, 0, sizeof *scene);
  if (!root)
    return syntax_error(p, error);
  p->material_indexes = json_object();
  clrt_status status = p->material_indexes ? parse_root(p, root, scene)
                                           : clrt_fail(p->err, CLRT_ERR_RUNTIME, "%s: out of memory", p->source);
  json_decref(p->material_indexes);
  json_decref(root);
  if (status != CLRT_OK)
    clrt_scene_free(scene);
  return status;
}

/* Duplicate keys are rejected too: the second would silently win. */
#define CLRT_JSON_FLAGS JSON_REJECT_DUPLICATES

clrt_status clrt_scene_parse(const char *text, const char *source_name, clrt_scene *scene, clrt_error *err) {
  parser p = {source_name, err, NULL};
  json_error_t error;
  json_t *root = json_loads(text, CLRT_JSON_FLAGS, &error);
  return parse_document(&p, root, &error, scene);
}

clrt_status clrt_scene_load(const char *path, clrt_scene *scene, clrt_error *err) {
  memset(scene, 0, sizeof *scene);
  char *text;
  size_t size;
  clrt_status status = clrt_file_read(path, "the scene file", &text, &size, err);
  if (status != CLRT_OK)
    return status;
  status = clrt_scene_parse(text, path, scene, err);
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
