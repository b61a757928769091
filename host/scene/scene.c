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
#include "scene_parser.h"

/* ---- image and camera ---- */

/* "gamma": a positive number, or "srgb" for the exact sRGB curve. */
static clrt_status parse_gamma(const scene_parser *p, json_t *image, const scene_key_path *path,
                               clrt_image_settings *out) {
  json_t *value = json_object_get(image, "gamma");
  out->tone.transfer = CLRT_TRANSFER_GAMMA;
  out->tone.gamma = CLRT_DEFAULT_GAMMA;
  if (value && json_is_string(value)) {
    scene_key_path key_at = scene_child_of(path, "gamma");
    if (strcmp(json_string_value(value), "srgb") != 0)
      return scene_fail_at(p, &key_at, "must be a number > 0 or \"srgb\"");
    out->tone.transfer = CLRT_TRANSFER_SRGB;
    return CLRT_OK;
  }
  return scene_read_checked(p, image, path, "gamma", CLRT_DEFAULT_GAMMA, false, SCENE_POSITIVE, &out->tone.gamma);
}

/* "integrator": a name from the list (clrt_integrators.h). */
static clrt_status parse_integrator(const scene_parser *p, json_t *image, const scene_key_path *path, unsigned *out) {
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
  scene_key_path key_at = scene_child_of(path, "integrator");
  return scene_fail_at(p, &key_at, problem);
}

/* "ambient_occlusion": {"samples": rays a hit, "distance": how near a
 * sphere closes a direction}; absent, none. */
static clrt_status parse_ambient_occlusion(const scene_parser *p, json_t *image, const scene_key_path *path,
                                           clrt_whitted_settings *out) {
  static const char *const keys[] = {"samples", "distance"};
  json_t *value = json_object_get(image, "ambient_occlusion");
  out->occlusion_rays = 0;
  out->occlusion_distance = 0.0;
  if (!value)
    return CLRT_OK;
  scene_key_path at = scene_child_of(path, "ambient_occlusion");
  clrt_status status;
  if ((status = scene_expect_object(p, value, &at, KEY_LIST(keys))) ||
      (status = scene_read_count(p, value, &at, "samples", 0, true, 1, CLRT_MAX_OCCLUSION_RAYS, &out->occlusion_rays)))
    return status;
  return scene_read_checked(p, value, &at, "distance", 0.0, true, SCENE_POSITIVE, &out->occlusion_distance);
}

static clrt_status parse_sampling(const scene_parser *p, json_t *image, const scene_key_path *path,
                                  clrt_sampling_settings *out) {
  clrt_status status;
  if ((status = scene_read_count(p, image, path, "samples", CLRT_DEFAULT_SAMPLES, false, 1, CLRT_MAX_SAMPLES,
                                 &out->samples)) ||
      (status = scene_read_count(p, image, path, "max_depth", CLRT_DEFAULT_MAX_DEPTH, false, 0, CLRT_MAX_DEPTH_LIMIT,
                                 &out->max_depth)))
    return status;
  if ((status = scene_read_count(p, image, path, "shadow_samples", CLRT_DEFAULT_SHADOW_SAMPLES, false, 1,
                                 CLRT_MAX_SHADOW_SAMPLES, &out->shadow_samples)))
    return status;
  if ((status = parse_integrator(p, image, path, &out->integrator)))
    return status;
  if ((status = scene_read_count(p, image, path, "max_tree_rays", CLRT_DEFAULT_MAX_TREE_RAYS, false, 1,
                                 CLRT_MAX_TREE_RAYS_LIMIT, &out->whitted.max_tree_rays)))
    return status;
  return parse_ambient_occlusion(p, image, path, &out->whitted);
}

/* "image" holds the picture's settings and the sampling settings. */
static clrt_status parse_image(const scene_parser *p, json_t *image, clrt_image_settings *out,
                               clrt_sampling_settings *sampling) {
  static const char *const keys[] = {"width", "height",   "samples",       "max_depth",  "shadow_samples",
                                     "gamma", "exposure", "max_tree_rays", "integrator", "ambient_occlusion"};
  scene_key_path path = scene_child_of(NULL, "image");
  clrt_status status;
  if ((status = scene_expect_object(p, image, &path, KEY_LIST(keys))) ||
      (status = scene_read_count(p, image, &path, "width", 0, true, 1, CLRT_MAX_IMAGE_SIDE, &out->width)) ||
      (status = scene_read_count(p, image, &path, "height", 0, true, 1, CLRT_MAX_IMAGE_SIDE, &out->height)) ||
      (status = parse_sampling(p, image, &path, sampling)) || (status = parse_gamma(p, image, &path, out)))
    return status;
  return scene_read_checked(p, image, &path, "exposure", CLRT_DEFAULT_EXPOSURE, false, SCENE_POSITIVE,
                            &out->tone.exposure);
}

/* The camera basis must not degenerate: a view direction and an up vector
 * that is not parallel to it. */
clrt_status scene_check_camera_basis(const scene_parser *p, const scene_key_path *path,
                                     const clrt_camera_settings *camera) {
  clrt_dvec3 u, v, w;
  scene_key_path look_at = scene_child_of(path, "look_at"), vup = scene_child_of(path, "vup");
  switch (clrt_camera_basis(camera, &u, &v, &w)) {
  case CLRT_CAMERA_NO_DIRECTION:
    return scene_fail_at(p, &look_at, "must differ from camera.look_from (the camera needs a view direction)");
  case CLRT_CAMERA_BAD_UP:
    return scene_fail_at(p, &vup, "must not be zero or parallel to the view direction (look_at - look_from)");
  case CLRT_CAMERA_OK:
    break;
  }
  return CLRT_OK;
}

static clrt_status parse_lens(const scene_parser *p, json_t *camera, const scene_key_path *path,
                              clrt_camera_settings *out) {
  double default_focus =
      clrt_dvec3_length(clrt_dvec3_sub(clrt_dvec3_load(out->look_from), clrt_dvec3_load(out->look_at)));
  clrt_status status =
      scene_read_checked(p, camera, path, "aperture", CLRT_DEFAULT_APERTURE, false, SCENE_NON_NEGATIVE, &out->aperture);
  if (status != CLRT_OK)
    return status;
  out->focus_given = json_object_get(camera, "focus_distance") != NULL;
  return scene_read_checked(p, camera, path, "focus_distance", default_focus, false, SCENE_POSITIVE,
                            &out->focus_distance);
}

static clrt_status parse_camera(const scene_parser *p, json_t *camera, clrt_scene *scene) {
  static const char *const keys[] = {"look_from", "look_at", "vup", "vfov", "aperture", "focus_distance", "path"};
  clrt_camera_settings *out = &scene->camera;
  static const double default_vup[3] = {0.0, 1.0, 0.0};
  scene_key_path path = scene_child_of(NULL, "camera");
  clrt_status status;
  if ((status = scene_expect_object(p, camera, &path, KEY_LIST(keys))) ||
      (status = scene_read_vec3(p, camera, &path, "look_from", NULL, SCENE_ANY, out->look_from)) ||
      (status = scene_read_vec3(p, camera, &path, "look_at", NULL, SCENE_ANY, out->look_at)) ||
      (status = scene_read_vec3(p, camera, &path, "vup", default_vup, SCENE_ANY, out->vup)) ||
      (status = scene_read_checked(p, camera, &path, "vfov", 0.0, true, SCENE_FIELD_OF_VIEW, &out->vfov_degrees)))
    return status;
  if (out->vfov_degrees >= 180.0) {
    scene_key_path vfov = scene_child_of(&path, "vfov");
    return scene_range_error(p, &vfov, SCENE_FIELD_OF_VIEW.text, out->vfov_degrees);
  }
  if ((status = scene_check_camera_basis(p, &path, out)) || (status = parse_lens(p, camera, &path, out)))
    return status;
  return scene_parse_camera_path(p, camera, &path, out, &scene->camera_path);
}

/* ---- materials ---- */

/* Glass: transparency kt with an index of refraction; kr + kt <= 1. */
static clrt_status parse_glass(const scene_parser *p, json_t *value, const scene_key_path *path,
                               clrt_scene_material *out) {
  clrt_status status = scene_read_checked(p, value, path, "transparency", CLRT_DEFAULT_TRANSPARENCY, false,
                                          SCENE_UNIT_INTERVAL, &out->transparency);
  if (status != CLRT_OK)
    return status;
  if ((status = scene_read_checked(p, value, path, "ior", CLRT_DEFAULT_IOR, false,
                                   out->transparency > 0.0 ? SCENE_AT_LEAST_ONE : SCENE_POSITIVE, &out->ior)))
    return status;
  if (out->reflectivity + out->transparency <= 1.0)
    return CLRT_OK;
  char problem[160];
  snprintf(problem, sizeof problem, "reflectivity + transparency must be <= 1 (got %g + %g)", out->reflectivity,
           out->transparency);
  return scene_fail_at(p, path, problem);
}

static clrt_status parse_material(const scene_parser *p, json_t *value, const scene_key_path *path,
                                  clrt_scene_material *out) {
  static const char *const keys[] = {"color",        "ambient",      "diffuse", "specular", "shininess",
                                     "reflectivity", "transparency", "ior",     "emission"};
  static const double no_emission[3] = {0.0, 0.0, 0.0};
  clrt_status status;
  if ((status = scene_expect_object(p, value, path, KEY_LIST(keys))) ||
      (status = scene_read_vec3(p, value, path, "color", NULL, SCENE_NON_NEGATIVE, out->color)) ||
      (status = scene_read_checked(p, value, path, "ambient", CLRT_DEFAULT_AMBIENT, false, SCENE_NON_NEGATIVE,
                                   &out->ambient)) ||
      (status = scene_read_checked(p, value, path, "diffuse", CLRT_DEFAULT_DIFFUSE, false, SCENE_NON_NEGATIVE,
                                   &out->diffuse)) ||
      (status = scene_read_checked(p, value, path, "specular", CLRT_DEFAULT_SPECULAR, false, SCENE_NON_NEGATIVE,
                                   &out->specular)) ||
      (status = scene_read_checked(p, value, path, "shininess", CLRT_DEFAULT_SHININESS, false, SCENE_NON_NEGATIVE,
                                   &out->shininess)) ||
      (status = scene_read_checked(p, value, path, "reflectivity", CLRT_DEFAULT_REFLECTIVITY, false,
                                   SCENE_UNIT_INTERVAL, &out->reflectivity)) ||
      (status = scene_read_vec3(p, value, path, "emission", no_emission, SCENE_NON_NEGATIVE, out->emission)))
    return status;
  return parse_glass(p, value, path, out);
}

/* Materials keep their names; the scene_parser indexes them by name, so that a
 * sphere finds its material in constant time. */
static clrt_status parse_materials(const scene_parser *p, json_t *materials, clrt_scene *scene) {
  scene_key_path path = scene_child_of(NULL, "materials");
  if (!json_is_object(materials))
    return scene_fail_at(p, &path, "must be an object");
  size_t count = json_object_size(materials);
  scene->materials = calloc(count ? count : 1, sizeof *scene->materials);
  if (!scene->materials)
    return clrt_fail(p->err, CLRT_ERR_RUNTIME, "%s: out of memory reading %zu materials", p->source, count);
  const char *name;
  json_t *value;
  json_object_foreach(materials, name, value) {
    scene_key_path material_path = scene_child_of(&path, name);
    clrt_scene_material *material = &scene->materials[scene->material_count];
    clrt_status status = parse_material(p, value, &material_path, material);
    if (status != CLRT_OK)
      return status;
    material->name = strdup(name);
    if (!material->name ||
        json_object_set_new(p->material_indexes, name, json_integer((json_int_t)scene->material_count++)) != 0)
      return scene_out_of_memory(p);
  }
  return CLRT_OK;
}

/* ---- lights and the rest ---- */

static clrt_status parse_light(const scene_parser *p, json_t *value, const scene_key_path *path,
                               clrt_scene_light *out) {
  static const char *const keys[] = {"position", "color", "intensity", "radius"};
  static const double white[3] = {1.0, 1.0, 1.0};
  clrt_status status;
  if ((status = scene_expect_object(p, value, path, KEY_LIST(keys))) ||
      (status = scene_read_vec3(p, value, path, "position", NULL, SCENE_ANY, out->position)) ||
      (status = scene_read_vec3(p, value, path, "color", white, SCENE_NON_NEGATIVE, out->color)) ||
      (status = scene_read_checked(p, value, path, "intensity", CLRT_DEFAULT_LIGHT_INTENSITY, false, SCENE_NON_NEGATIVE,
                                   &out->intensity)))
    return status;
  return scene_read_checked(p, value, path, "radius", CLRT_DEFAULT_LIGHT_RADIUS, false, SCENE_NON_NEGATIVE,
                            &out->radius);
}

static clrt_status parse_lights(const scene_parser *p, json_t *lights, clrt_scene *scene) {
  scene_key_path path = scene_child_of(NULL, "lights");
  if (!json_is_array(lights))
    return scene_fail_at(p, &path, "must be an array");
  size_t count = json_array_size(lights);
  scene->lights = calloc(count ? count : 1, sizeof *scene->lights);
  if (!scene->lights)
    return clrt_fail(p->err, CLRT_ERR_RUNTIME, "%s: out of memory reading %zu lights", p->source, count);
  for (; scene->light_count < count; ++scene->light_count) {
    scene_key_path entry = scene_element_of(&path, scene->light_count);
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

static clrt_status parse_root(scene_parser *p, json_t *root, clrt_scene *scene) {
  static const char *const keys[] = {"image",     "camera",  "background", "shadows",
                                     "materials", "spheres", "lights",     "clip"};
  static const double black[3] = {0.0, 0.0, 0.0};
  if (!json_is_object(root))
    return clrt_fail(p->err, CLRT_ERR_INPUT, "%s: the scene must be a JSON object", p->source);
  json_t *image, *camera;
  json_t *empty_object = json_object(), *empty_array = json_array();
  clrt_status status;
  if ((status = scene_check_keys(p, root, NULL, KEY_LIST(keys))) ||
      (status = scene_lookup(p, root, NULL, "image", true, &image)) ||
      (status = parse_image(p, image, &scene->image, &scene->sampling)) ||
      (status = scene_lookup(p, root, NULL, "camera", true, &camera)) || (status = parse_camera(p, camera, scene)) ||
      (status = scene_read_vec3(p, root, NULL, "background", black, SCENE_NON_NEGATIVE, scene->background)) ||
      (status = scene_read_bool(p, root, NULL, "shadows", true, &scene->shadows)) ||
      (status = parse_materials(p, section_or_empty(root, "materials", empty_object), scene)) ||
      (status = scene_parse_clip(p, root, NULL, 0, scene, &p->scene_clip)) ||
      (status = scene_parse_spheres(p, section_or_empty(root, "spheres", empty_array), scene)))
    goto done;
  status = parse_lights(p, section_or_empty(root, "lights", empty_array), scene);
done:
  json_decref(empty_object);
  json_decref(empty_array);
  return status;
}

static clrt_status syntax_error(const scene_parser *p, const json_error_t *error) {
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

/* How a scene file is read: for a still (frame NULL), for one frame of a
 * sequence, or to check a sequence (`checking`). */
typedef struct read_purpose {
  const clrt_scene_frame *frame;
  clrt_sequence_facts *checking;
} read_purpose;

static const read_purpose STILL = {NULL, NULL};

static clrt_status parse_text(const char *text, size_t length, const char *source_name, read_purpose purpose,
                              clrt_scene *scene, clrt_error *err) {
  memset(scene, 0, sizeof *scene);
  char base_dir[4096];
  folder_of(source_name, base_dir, sizeof base_dir);
  clrt_json_arena arena; /* every JSON value below is released before it ends */
  clrt_json_arena_begin(&arena);
  clip_lists clip_room = {0, 0};
  scene_parser p = {.source = source_name,
                    .base_dir = base_dir,
                    .err = err,
                    .material_indexes = json_object(),
                    .frame = purpose.frame,
                    .checking = purpose.checking,
                    .clip_capacity = &clip_room};
  json_error_t error;
  json_t *root = json_loadb(text, length, CLRT_JSON_FLAGS, &error);
  clrt_status status;
  if (!p.material_indexes)
    status = scene_out_of_memory(&p);
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
  return parse_text(text, strlen(text), source_name, STILL, scene, err);
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

static clrt_status parse_bytes(const char *data, size_t size, const char *source_name, read_purpose purpose,
                               clrt_scene *scene, clrt_error *err) {
  memset(scene, 0, sizeof *scene);
  clrt_status status = reject_nul(source_name, data, size, err);
  return status == CLRT_OK ? parse_text(data, size, source_name, purpose, scene, err) : status;
}

clrt_status clrt_scene_parse_bytes(const char *data, size_t size, const char *source_name, clrt_scene *scene,
                                   clrt_error *err) {
  return parse_bytes(data, size, source_name, STILL, scene, err);
}

static clrt_status load_file(const char *path, read_purpose purpose, clrt_scene *scene, clrt_error *err) {
  memset(scene, 0, sizeof *scene);
  char *text;
  size_t size;
  clrt_status status = clrt_file_read(path, "the scene file", &text, &size, err);
  if (status != CLRT_OK)
    return status;
  status = parse_bytes(text, size, path, purpose, scene, err);
  free(text);
  return status;
}

clrt_status clrt_scene_load(const char *path, clrt_scene *scene, clrt_error *err) {
  return load_file(path, STILL, scene, err);
}

clrt_status clrt_scene_load_frame(const char *path, const clrt_scene_frame *frame, clrt_scene *scene, clrt_error *err) {
  return load_file(path, (read_purpose){frame, NULL}, scene, err);
}

/* The scene read once, its sphere sets checked frame by frame. */
clrt_status clrt_scene_check_sequence(const char *path, const clrt_sequence *sequence, clrt_sequence_facts *facts,
                                      clrt_error *err) {
  memset(facts, 0, sizeof *facts);
  char *text;
  size_t size;
  clrt_status status = clrt_file_read(path, "the scene file", &text, &size, err);
  if (status != CLRT_OK)
    return status;
  clrt_scene_frame frame = {sequence->first, *sequence, NULL};
  clrt_scene scene;
  status = parse_bytes(text, size, path, (read_purpose){&frame, facts}, &scene, err);
  if (status == CLRT_OK) {
    facts->image = scene.image;
    clrt_scene_free(&scene);
  } else {
    clrt_sequence_facts_free(facts);
  }
  free(text);
  return status;
}

void clrt_sequence_facts_free(clrt_sequence_facts *facts) {
  free(facts->ranges);
  free(facts->known);
  memset(facts, 0, sizeof *facts);
}

void clrt_scene_free(clrt_scene *scene) {
  for (size_t i = 0; scene->materials && i < scene->material_count; ++i)
    free(scene->materials[i].name);
  free(scene->materials);
  free(scene->spheres);
  free(scene->lights);
  free(scene->camera_path.keys);
  free(scene->clip_planes);
  free(scene->clip_groups);
  memset(scene, 0, sizeof *scene);
}
