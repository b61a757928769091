/* The scene parser's readers: every value checked where it is read, every
 * message with the file and the key path (scene_parser.h). */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "scene_parser.h"

/* "spheres[3].radius"; cut at KEY_PATH_SIZE (it only labels a message). */
static size_t scene_format_path(const scene_key_path *path, char *out, size_t size) {
  if (!path) {
    out[0] = '\0';
    return 0;
  }
  size_t used = scene_format_path(path->parent, out, size);
  if (used >= size)
    return used;
  int added = path->key ? snprintf(out + used, size - used, "%s%s", path->parent ? "." : "", path->key)
                        : snprintf(out + used, size - used, "[%zu]", path->index);
  return used + (added > 0 ? (size_t)added : 0);
}

clrt_status scene_fail_at(const scene_parser *p, const scene_key_path *path, const char *problem) {
  char where[KEY_PATH_SIZE];
  scene_format_path(path, where, sizeof where);
  return clrt_fail(p->err, CLRT_ERR_INPUT, "%s: %s: %s", p->source, where, problem);
}

clrt_status scene_out_of_memory(const scene_parser *p) {
  return clrt_fail(p->err, CLRT_ERR_RUNTIME, "%s: out of memory", p->source);
}

static bool scene_key_allowed(const char *key, scene_key_list allowed) {
  for (size_t i = 0; i < allowed.count; ++i)
    if (strcmp(key, allowed.names[i]) == 0)
      return true;
  return false;
}

/* Rejects keys outside `allowed`, listing what is allowed. */
clrt_status scene_check_keys(const scene_parser *p, json_t *object, const scene_key_path *path,
                             scene_key_list allowed) {
  const char *key;
  json_t *value;
  json_object_foreach(object, key, value) {
    if (scene_key_allowed(key, allowed))
      continue;
    char names[512] = "";
    for (size_t i = 0; i < allowed.count; ++i) {
      strncat(names, i ? ", " : "", sizeof names - strlen(names) - 1);
      strncat(names, allowed.names[i], sizeof names - strlen(names) - 1);
    }
    char problem[640];
    snprintf(problem, sizeof problem, "unknown key (allowed here: %s)", names);
    scene_key_path key_at = scene_child_of(path, key);
    return scene_fail_at(p, &key_at, problem);
  }
  return CLRT_OK;
}

clrt_status scene_expect_object(const scene_parser *p, json_t *value, const scene_key_path *path,
                                scene_key_list allowed) {
  if (!json_is_object(value))
    return scene_fail_at(p, path, "must be an object");
  return scene_check_keys(p, value, path, allowed);
}

/* Looks up a key; a missing required key is an error. */
clrt_status scene_lookup(const scene_parser *p, json_t *object, const scene_key_path *path, const char *key,
                         bool required, json_t **out) {
  *out = json_object_get(object, key);
  if (*out || !required)
    return CLRT_OK;
  scene_key_path key_at = scene_child_of(path, key);
  return scene_fail_at(p, &key_at, "missing (this key is required)");
}

clrt_status scene_range_error(const scene_parser *p, const scene_key_path *path, const char *rule, double got) {
  char problem[256];
  snprintf(problem, sizeof problem, "must be %s (got %g)", rule, got);
  return scene_fail_at(p, path, problem);
}

clrt_status scene_number_value(const scene_parser *p, json_t *value, const scene_key_path *path, double *out) {
  if (!json_is_number(value))
    return scene_fail_at(p, path, "must be a number");
  *out = json_number_value(value);
  if (!isfinite(*out))
    return scene_fail_at(p, path, "must be a finite number");
  return CLRT_OK;
}

/* A number that reaches the device as a float must be one: not beyond
 * FLT_MAX, and, when it must be > 0, not rounded to 0. */
static clrt_status scene_check_single(const scene_parser *p, const scene_key_path *path, double value, bool positive) {
  if (fabs(value) > FLT_MAX)
    return scene_range_error(p, path, "within single precision, at most 3.4e38 in size", value);
  if (positive && !((float)value > 0.0f))
    return scene_range_error(p, path, "> 0 in single precision, at least 1.4e-45", value);
  return CLRT_OK;
}

clrt_status scene_read_number(const scene_parser *p, json_t *object, const scene_key_path *path, const char *key,
                              double default_value, bool required, double *out) {
  json_t *value;
  clrt_status status = scene_lookup(p, object, path, key, required, &value);
  if (status != CLRT_OK)
    return status;
  if (!value) {
    *out = default_value;
    return CLRT_OK;
  }
  scene_key_path key_at = scene_child_of(path, key);
  return scene_number_value(p, value, &key_at, out);
}

/* A whole number in [min, max]. */
clrt_status scene_read_count(const scene_parser *p, json_t *object, const scene_key_path *path, const char *key,
                             unsigned default_value, bool required, unsigned min, unsigned max, unsigned *out) {
  double number = 0.0;
  clrt_status status = scene_read_number(p, object, path, key, default_value, required, &number);
  if (status != CLRT_OK)
    return status;
  if (number != floor(number) || number < min || number > max) {
    char rule[96];
    snprintf(rule, sizeof rule, "a whole number in %u..%u", min, max);
    scene_key_path key_at = scene_child_of(path, key);
    return scene_range_error(p, &key_at, rule, number);
  }
  *out = (unsigned)number;
  return CLRT_OK;
}

const scene_number_rule SCENE_ANY = {-INFINITY, false, INFINITY, "a number"};
const scene_number_rule SCENE_NON_NEGATIVE = {0.0, false, INFINITY, ">= 0"};
const scene_number_rule SCENE_POSITIVE = {0.0, true, INFINITY, "> 0"};
const scene_number_rule SCENE_AT_LEAST_ONE = {1.0, false, INFINITY, ">= 1 for a transparent material"};
const scene_number_rule SCENE_UNIT_INTERVAL = {0.0, false, 1.0, "in [0, 1]"};
const scene_number_rule SCENE_FIELD_OF_VIEW = {0.0, true, 180.0, "in (0, 180) degrees"};

clrt_status scene_check_rule(const scene_parser *p, const scene_key_path *path, scene_number_rule rule, double value) {
  bool below = rule.min_exclusive ? value <= rule.min : value < rule.min;
  if (below || value > rule.max)
    return scene_range_error(p, path, rule.text, value);
  return scene_check_single(p, path, value, rule.min_exclusive && rule.min == 0.0);
}

clrt_status scene_read_checked(const scene_parser *p, json_t *object, const scene_key_path *path, const char *key,
                               double default_value, bool required, scene_number_rule rule, double *out) {
  clrt_status status = scene_read_number(p, object, path, key, default_value, required, out);
  if (status != CLRT_OK || !json_object_get(object, key))
    return status;
  scene_key_path key_at = scene_child_of(path, key);
  return scene_check_rule(p, &key_at, rule, *out);
}

/* An array of 3 numbers, each following `rule`. */
clrt_status scene_vec3_value(const scene_parser *p, json_t *value, const scene_key_path *path, scene_number_rule rule,
                             double out[3]) {
  if (!json_is_array(value) || json_array_size(value) != 3)
    return scene_fail_at(p, path, "must be an array of 3 numbers");
  for (size_t i = 0; i < 3; ++i) {
    scene_key_path item = scene_element_of(path, i);
    clrt_status status = scene_number_value(p, json_array_get(value, i), &item, &out[i]);
    if (status == CLRT_OK)
      status = scene_check_rule(p, &item, rule, out[i]);
    if (status != CLRT_OK)
      return status;
  }
  return CLRT_OK;
}

clrt_status scene_read_vec3(const scene_parser *p, json_t *object, const scene_key_path *path, const char *key,
                            const double *default_value, scene_number_rule rule, double out[3]) {
  json_t *value;
  clrt_status status = scene_lookup(p, object, path, key, default_value == NULL, &value);
  if (status != CLRT_OK)
    return status;
  if (!value) {
    memcpy(out, default_value, 3 * sizeof out[0]);
    return CLRT_OK;
  }
  scene_key_path key_at = scene_child_of(path, key);
  return scene_vec3_value(p, value, &key_at, rule, out);
}

clrt_status scene_read_bool(const scene_parser *p, json_t *object, const scene_key_path *path, const char *key,
                            bool default_value, bool *out) {
  json_t *value = json_object_get(object, key);
  *out = value ? json_is_true(value) : default_value;
  if (!value || json_is_boolean(value))
    return CLRT_OK;
  scene_key_path key_at = scene_child_of(path, key);
  return scene_fail_at(p, &key_at, "must be true or false");
}

clrt_status scene_find_material(const scene_parser *p, json_t *object, const scene_key_path *path, uint32_t *index) {
  json_t *value;
  clrt_status status = scene_lookup(p, object, path, "material", true, &value);
  if (status != CLRT_OK)
    return status;
  scene_key_path at = scene_child_of(path, "material");
  if (!json_is_string(value))
    return scene_fail_at(p, &at, "must be a string naming a key of \"materials\"");
  const char *name = json_string_value(value);
  json_t *found = json_object_get(p->material_indexes, name);
  if (found) {
    *index = (uint32_t)json_integer_value(found);
    return CLRT_OK;
  }
  char problem[KEY_PATH_SIZE + 96];
  snprintf(problem, sizeof problem, "unknown material \"%.*s\" (define it under \"materials\")", KEY_PATH_SIZE, name);
  return scene_fail_at(p, &at, problem);
}
