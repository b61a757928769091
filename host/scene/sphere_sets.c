/* "spheres": single spheres, and sets of them from PLY files (a frame
 * pattern's file per frame of a sequence) or random fields, whose
 * attributes may set their colours through a colour map and their radii. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clrt_array.h"
#include "clrt_colormap.h"
#include "clrt_pattern.h"
#include "clrt_ply.h"
#include "scene_parser.h"

/* Room for `more` spheres after those already read. */
static clrt_status reserve_spheres(scene_parser *p, clrt_scene *scene, size_t more, const scene_key_path *path) {
  if (more > CLRT_MAX_SPHERES - scene->sphere_count) {
    char problem[128];
    snprintf(problem, sizeof problem, "more than %u spheres in all", CLRT_MAX_SPHERES);
    return scene_fail_at(p, path, problem);
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

static clrt_status parse_sphere(scene_parser *p, json_t *value, const scene_key_path *path, clrt_scene *scene) {
  static const char *const keys[] = {"center", "radius", "material", "color"};
  double center[3], radius, color[3];
  uint32_t material;
  clrt_status status;
  if ((status = scene_check_keys(p, value, path, KEY_LIST(keys))) ||
      (status = scene_read_vec3(p, value, path, "center", NULL, SCENE_ANY, center)) ||
      (status = scene_read_checked(p, value, path, "radius", 0.0, true, SCENE_POSITIVE, &radius)) ||
      (status = scene_find_material(p, value, path, &material)))
    return status;
  bool own_color = json_object_get(value, "color") != NULL;
  if (own_color && (status = scene_read_vec3(p, value, path, "color", NULL, SCENE_NON_NEGATIVE, color)))
    return status;
  set_sphere(&scene->spheres[scene->sphere_count++], center, radius, material, own_color ? color : NULL);
  return CLRT_OK;
}

/* The file's path as the scene names it, relative to the scene's folder;
 * false when it would not fit `size` (PATH_MAX): never cut short. */
static bool resolve_path(const scene_parser *p, const char *name, char *out, size_t size) {
  int length = name[0] == '/' || !p->base_dir[0] ? snprintf(out, size, "%s", name)
                                                 : snprintf(out, size, "%s/%s", p->base_dir, name);
  return length >= 0 && (size_t)length < size;
}

/* ---- attributes: colour maps and radii ---- */

enum { PROPERTY_NAME_SIZE = 64 };

/* Where a colour map's range comes from. */
typedef enum range_source {
  RANGE_GIVEN,    /* "range": [lower, upper] */
  RANGE_FRAME,    /* omitted: the set's values in this frame */
  RANGE_SEQUENCE, /* "sequence": the set's values in every frame */
} range_source;

/* How a set's spheres take colours and radii from their attributes. */
typedef struct attribute_rules {
  bool colors; /* "color_map" */
  char color_property[PROPERTY_NAME_SIZE];
  clrt_colormap map;
  range_source range_source;
  double range[2];
  bool radii; /* "radius": {"property", "scale"} */
  char radius_property[PROPERTY_NAME_SIZE];
  double radius_scale;
} attribute_rules;

static clrt_status read_property_name(const scene_parser *p, json_t *object, const scene_key_path *path,
                                      char out[PROPERTY_NAME_SIZE]) {
  json_t *value;
  clrt_status status = scene_lookup(p, object, path, "property", true, &value);
  scene_key_path at = scene_child_of(path, "property");
  if (status == CLRT_OK && (!json_is_string(value) || !json_string_value(value)[0] ||
                            strlen(json_string_value(value)) >= PROPERTY_NAME_SIZE))
    status = scene_fail_at(p, &at, "must name a vertex property of the file (x, y, z for a random field)");
  if (status == CLRT_OK)
    snprintf(out, PROPERTY_NAME_SIZE, "%s", json_string_value(value));
  return status;
}

/* "map": a built-in map's name or a map file's path. */
static clrt_status read_map(const scene_parser *p, json_t *object, const scene_key_path *path, clrt_colormap *map) {
  json_t *value = json_object_get(object, "map");
  scene_key_path at = scene_child_of(path, "map");
  char names[256], problem[512], resolved[4096];
  clrt_colormap_builtin_names(names, sizeof names);
  if (!value)
    return clrt_colormap_builtin("viridis", map) ? CLRT_OK : scene_fail_at(p, &at, "viridis is missing");
  if (!json_is_string(value) || !json_string_value(value)[0]) {
    snprintf(problem, sizeof problem, "must be a built-in map (%s) or a map file's path", names);
    return scene_fail_at(p, &at, problem);
  }
  const char *name = json_string_value(value);
  if (clrt_colormap_builtin(name, map))
    return CLRT_OK;
  if (!strchr(name, '.') && !strchr(name, '/')) {
    snprintf(problem, sizeof problem,
             "no built-in map is called \"%.64s\" (there are %s); a map file's name has a "
             "'.' or a '/'",
             name, names);
    return scene_fail_at(p, &at, problem);
  }
  if (!resolve_path(p, name, resolved, sizeof resolved))
    return scene_fail_at(p, &at, "the path is longer than 4095 bytes (with the scene file's folder)");
  return clrt_colormap_read(resolved, map, p->err);
}

/* "range": [lower, upper] with lower < upper, "sequence", or omitted. */
static clrt_status read_range(const scene_parser *p, json_t *object, const scene_key_path *path,
                              attribute_rules *rules) {
  json_t *value = json_object_get(object, "range");
  scene_key_path at = scene_child_of(path, "range");
  rules->range_source = !value ? RANGE_FRAME : json_is_string(value) ? RANGE_SEQUENCE : RANGE_GIVEN;
  if (rules->range_source == RANGE_SEQUENCE && strcmp(json_string_value(value), "sequence") != 0)
    return scene_fail_at(p, &at, "must be [lower, upper], \"sequence\", or left out for this frame's least and most");
  if (rules->range_source != RANGE_GIVEN)
    return CLRT_OK;
  if (!json_is_array(value) || json_array_size(value) != 2)
    return scene_fail_at(p, &at, "must be [lower, upper], \"sequence\", or left out for this frame's least and most");
  for (size_t i = 0; i < 2; ++i) {
    scene_key_path item = scene_element_of(&at, i);
    clrt_status status = scene_number_value(p, json_array_get(value, i), &item, &rules->range[i]);
    if (status != CLRT_OK)
      return status;
  }
  if (!(rules->range[0] < rules->range[1]))
    return scene_fail_at(p, &at, "is empty: lower must be below upper");
  return CLRT_OK;
}

/* "color_map": {"property", "map", "range"}. */
static clrt_status parse_color_map(const scene_parser *p, json_t *entry, const scene_key_path *path,
                                   attribute_rules *rules) {
  static const char *const keys[] = {"property", "map", "range"};
  json_t *value = json_object_get(entry, "color_map");
  scene_key_path at = scene_child_of(path, "color_map");
  if (!value)
    return CLRT_OK;
  clrt_status status;
  if ((status = scene_expect_object(p, value, &at, KEY_LIST(keys))) ||
      (status = read_property_name(p, value, &at, rules->color_property)) ||
      (status = read_range(p, value, &at, rules)) || (status = read_map(p, value, &at, &rules->map)))
    return status;
  rules->colors = true;
  return CLRT_OK;
}

/* "radius": {"property", "scale"} (a number is the set's one radius:
 * read by the caller). */
static clrt_status parse_radius_rule(const scene_parser *p, json_t *entry, const scene_key_path *path,
                                     attribute_rules *rules) {
  static const char *const keys[] = {"property", "scale"};
  json_t *value = json_object_get(entry, "radius");
  scene_key_path at = scene_child_of(path, "radius");
  if (!json_is_object(value))
    return CLRT_OK;
  clrt_status status;
  if ((status = scene_expect_object(p, value, &at, KEY_LIST(keys))) ||
      (status = read_property_name(p, value, &at, rules->radius_property)) ||
      (status = scene_read_checked(p, value, &at, "scale", 1.0, false, SCENE_POSITIVE, &rules->radius_scale)))
    return status;
  rules->radii = true;
  return CLRT_OK;
}

static clrt_status parse_attribute_rules(const scene_parser *p, json_t *entry, const scene_key_path *path,
                                         attribute_rules *rules) {
  memset(rules, 0, sizeof *rules);
  clrt_status status = parse_radius_rule(p, entry, path, rules);
  return status == CLRT_OK ? parse_color_map(p, entry, path, rules) : status;
}

/* A radius from an attribute: scale·value, > 0 in single precision. */
static clrt_status mapped_radius(const scene_parser *p, const scene_key_path *path, const attribute_rules *rules,
                                 double value, size_t index, double *radius) {
  *radius = rules->radius_scale * value;
  if ((float)*radius > 0.0f && isfinite((float)*radius))
    return CLRT_OK;
  char problem[256];
  snprintf(problem, sizeof problem, "sphere %zu of this set: its radius, %s %g times scale %g, must be > 0", index,
           rules->radius_property, value, rules->radius_scale);
  scene_key_path at = scene_child_of(path, "radius");
  return scene_fail_at(p, &at, problem);
}

/* The values a set's colours are mapped from, one per sphere. */
typedef struct color_values {
  double *values;
  size_t count;
  double least, most;
} color_values;

static clrt_status color_values_init(const scene_parser *p, color_values *v, size_t count) {
  v->values = malloc((count ? count : 1) * sizeof *v->values);
  v->count = 0;
  v->least = INFINITY;
  v->most = -INFINITY;
  return v->values ? CLRT_OK : scene_out_of_memory(p);
}

static void color_values_add(color_values *v, double value) {
  v->values[v->count++] = value;
  v->least = value < v->least ? value : v->least;
  v->most = value > v->most ? value : v->most;
}

/* The range the set's colours span in this frame. An empty one (every
 * value the same) maps all of them to the map's lower end, as matplotlib
 * does. */
static void color_range(const scene_parser *p, const attribute_rules *rules, const color_values *v, double range[2]) {
  const clrt_sequence_facts *facts = p->frame ? p->frame->facts : NULL;
  if (rules->range_source == RANGE_GIVEN) {
    range[0] = rules->range[0], range[1] = rules->range[1];
  } else if (rules->range_source == RANGE_SEQUENCE && facts && p->entry < facts->entry_count &&
             facts->known[p->entry]) {
    range[0] = facts->ranges[p->entry][0], range[1] = facts->ranges[p->entry][1];
  } else {
    range[0] = v->least, range[1] = v->most;
  }
}

/* The set's spheres (the last v->count of the scene's) coloured. */
static clrt_status apply_colors(const scene_parser *p, attribute_rules *rules, const color_values *v,
                                clrt_scene *scene) {
  double range[2];
  color_range(p, rules, v, range);
  clrt_scene_sphere *spheres = scene->spheres + scene->sphere_count - v->count;
  for (size_t i = 0; i < v->count; ++i) {
    double linear[3];
    if (!clrt_colormap_linear(&rules->map, v->values[i], range[0], range[1], linear))
      return scene_out_of_memory(p);
    for (int c = 0; c < 3; ++c)
      spheres[i].color[c] = (float)linear[c];
    spheres[i].has_color = true;
  }
  return CLRT_OK;
}

/* ---- sets from PLY files ---- */

/* A file set's entry, as read from the scene. */
typedef struct file_set {
  const char *name; /* as the scene gives it: a frame pattern, or a file */
  bool pattern;
  uint32_t material;
  double radius; /* for files without radii; 0 when not given */
  bool radius_given;
  attribute_rules rules;
} file_set;

/* The vertex properties the rules name, found in the file. */
typedef struct set_properties {
  int color, radius; /* -1: none */
} set_properties;

static clrt_status find_property(const scene_parser *p, const scene_key_path *path, const clrt_ply_reader *reader,
                                 const char *name, int *index) {
  *index = clrt_ply_find_property(reader, name);
  if (*index >= 0)
    return CLRT_OK;
  char names[512];
  clrt_ply_property_names(reader, names, sizeof names);
  char problem[1024];
  snprintf(problem, sizeof problem, "%s has no vertex property \"%s\" (it has %s)", reader->path, name, names);
  return scene_fail_at(p, path, problem);
}

static clrt_status find_set_properties(const scene_parser *p, const scene_key_path *path, const file_set *set,
                                       const clrt_ply_reader *reader, set_properties *found) {
  found->color = found->radius = -1;
  clrt_status status = CLRT_OK;
  scene_key_path color_path = scene_child_of(path, "color_map"), radius_path = scene_child_of(path, "radius");
  if (set->rules.colors)
    status = find_property(p, &color_path, reader, set->rules.color_property, &found->color);
  if (status == CLRT_OK && set->rules.radii)
    status = find_property(p, &radius_path, reader, set->rules.radius_property, &found->radius);
  if (status == CLRT_OK && !reader->has_radius && !set->radius_given && !set->rules.radii)
    status = scene_fail_at(p, path, "the PLY file has no radius property: give \"radius\" for all its spheres");
  return status;
}

/* One vertex into the next sphere (and its colour value). */
static clrt_status add_vertex(scene_parser *p, const scene_key_path *path, const file_set *set,
                              const set_properties *found, clrt_ply_reader *reader, size_t index, color_values *colors,
                              clrt_scene *scene) {
  clrt_ply_vertex vertex;
  clrt_status status = clrt_ply_next(reader, &vertex, p->err);
  double radius = reader->has_radius ? vertex.radius : set->radius, value;
  if (status == CLRT_OK && found->radius >= 0 &&
      (status = clrt_ply_value(reader, found->radius, &value, p->err)) == CLRT_OK)
    status = mapped_radius(p, path, &set->rules, value, index, &radius);
  if (status == CLRT_OK && found->color >= 0 &&
      (status = clrt_ply_value(reader, found->color, &value, p->err)) == CLRT_OK)
    color_values_add(colors, value);
  if (status == CLRT_OK)
    set_sphere(&scene->spheres[scene->sphere_count++], vertex.position, radius, set->material,
               reader->has_color ? vertex.color : NULL);
  return status;
}

/* The spheres of an open PLY file: radii from the rule, the file, or the
 * entry; colours from the map, the file, or the material. */
static clrt_status read_file_spheres(scene_parser *p, const scene_key_path *path, file_set *set,
                                     clrt_ply_reader *reader, clrt_scene *scene) {
  set_properties found;
  color_values colors = {0};
  clrt_status status = find_set_properties(p, path, set, reader, &found);
  if (status == CLRT_OK)
    status = reserve_spheres(p, scene, reader->vertex_count, path);
  if (status == CLRT_OK && set->rules.colors)
    status = color_values_init(p, &colors, reader->vertex_count);
  for (size_t i = 0; status == CLRT_OK && i < reader->vertex_count; ++i)
    status = add_vertex(p, path, set, &found, reader, i, &colors, scene);
  if (status == CLRT_OK)
    status = clrt_ply_finish(reader, p->err);
  if (status == CLRT_OK && set->rules.colors)
    status = apply_colors(p, &set->rules, &colors, scene);
  free(colors.values);
  return status;
}

/* The file a set reads for `frame` (its name, when it is no pattern). */
static clrt_status set_file(const scene_parser *p, const scene_key_path *path, const file_set *set, long frame,
                            char *out, size_t size) {
  char name[4096];
  scene_key_path at = scene_child_of(path, "file");
  if (!clrt_pattern_format(set->name, frame, name, sizeof name) || !resolve_path(p, name, out, size))
    return scene_fail_at(p, &at, "the path is longer than 4095 bytes (with the scene file's folder)");
  return CLRT_OK;
}

static clrt_status parse_file_set(scene_parser *p, json_t *value, const scene_key_path *path, file_set *set) {
  static const char *const keys[] = {"file", "material", "radius", "color_map", "clip"};
  json_t *file;
  scene_key_path file_path = scene_child_of(path, "file");
  clrt_status status;
  memset(set, 0, sizeof *set);
  if ((status = scene_check_keys(p, value, path, KEY_LIST(keys))) ||
      (status = scene_lookup(p, value, path, "file", true, &file)))
    return status;
  if (!json_is_string(file) || !json_string_value(file)[0])
    return scene_fail_at(p, &file_path, "must be the path of a PLY file, relative to the scene file's folder");
  set->name = json_string_value(file);
  clrt_pattern_kind kind = clrt_pattern_kind_of(set->name);
  if (kind == CLRT_PATTERN_INVALID)
    return scene_fail_at(p, &file_path,
                         "holds a '%' that is not a frame pattern: one %d, %04d or the like for the frame's number "
                         "(%% for a '%')");
  set->pattern = kind == CLRT_PATTERN_ONE;
  json_t *radius = json_object_get(value, "radius");
  set->radius_given = radius && !json_is_object(radius);
  if ((status = scene_find_material(p, value, path, &set->material)) ||
      (set->radius_given &&
       (status = scene_read_checked(p, value, path, "radius", 0.0, false, SCENE_POSITIVE, &set->radius))))
    return status;
  return parse_attribute_rules(p, value, path, &set->rules);
}

/* A file's spheres for the frame the scene is read for. */
static clrt_status load_file_set(scene_parser *p, const scene_key_path *path, file_set *set, clrt_scene *scene) {
  scene_key_path file_path = scene_child_of(path, "file");
  if (set->pattern && !p->frame)
    return scene_fail_at(p, &file_path,
                         "is a frame pattern: render the frames with --frames FIRST..LAST (and -o with a pattern "
                         "or a movie)");
  scene->has_frame_files = scene->has_frame_files || set->pattern;
  char resolved[4096];
  clrt_ply_reader reader;
  clrt_status status = set_file(p, path, set, p->frame ? p->frame->number : 0, resolved, sizeof resolved);
  if (status == CLRT_OK && (status = clrt_ply_open(resolved, &reader, p->err)) == CLRT_OK) {
    status = read_file_spheres(p, path, set, &reader, scene);
    clrt_ply_close(&reader);
  }
  return status;
}

/* Checking a sequence: one frame's file opened (its header and size), its
 * properties found, and when the range spans the sequence, its colour
 * values' least and most taken in. */
static clrt_status check_frame_file(scene_parser *p, const scene_key_path *path, const file_set *set, long frame,
                                    double range[2]) {
  char resolved[4096];
  clrt_ply_reader reader;
  clrt_status status = set_file(p, path, set, frame, resolved, sizeof resolved);
  if (status != CLRT_OK || (status = clrt_ply_open(resolved, &reader, p->err)) != CLRT_OK)
    return status;
  set_properties found;
  status = find_set_properties(p, path, set, &reader, &found);
  bool gather = set->rules.colors && set->rules.range_source == RANGE_SEQUENCE;
  for (size_t i = 0; status == CLRT_OK && gather && i < reader.vertex_count; ++i) {
    clrt_ply_vertex vertex;
    double value;
    if ((status = clrt_ply_next(&reader, &vertex, p->err)) == CLRT_OK &&
        (status = clrt_ply_value(&reader, found.color, &value, p->err)) == CLRT_OK) {
      range[0] = value < range[0] ? value : range[0];
      range[1] = value > range[1] ? value : range[1];
    }
  }
  clrt_ply_close(&reader);
  return status;
}

/* Checking a sequence: every frame's file of a pattern; a plain file's
 * header once. */
static clrt_status check_file_set(scene_parser *p, const scene_key_path *path, const file_set *set) {
  const clrt_sequence *sequence = &p->frame->sequence;
  double range[2] = {INFINITY, -INFINITY};
  clrt_status status = CLRT_OK;
  for (long f = sequence->first; status == CLRT_OK && f <= sequence->last; f += sequence->step) {
    status = check_frame_file(p, path, set, f, range);
    if (!set->pattern)
      break;
  }
  clrt_sequence_facts *facts = p->checking;
  if (status == CLRT_OK && set->pattern && set->rules.colors && set->rules.range_source == RANGE_SEQUENCE) {
    facts->ranges[p->entry][0] = range[0], facts->ranges[p->entry][1] = range[1];
    facts->known[p->entry] = true;
  }
  return status;
}

/* {"file": "atoms.ply" or "traj/frame_%04d.ply", "material": "atom",
 * "radius": 0.5 or {"property", "scale"}, "color_map": {...}}. */
static clrt_status parse_sphere_file(scene_parser *p, json_t *value, const scene_key_path *path, clrt_scene *scene) {
  file_set set;
  clrt_status status = parse_file_set(p, value, path, &set);
  if (status == CLRT_OK)
    status = p->checking ? check_file_set(p, path, &set) : load_file_set(p, path, &set, scene);
  clrt_colormap_free(&set.rules.map);
  return status;
}

/* ---- random fields ---- */

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

static clrt_status parse_random_radius(const scene_parser *p, json_t *value, const scene_key_path *path,
                                       random_field *out) {
  scene_key_path radius_path = scene_child_of(path, "radius");
  json_t *radius = json_object_get(value, "radius");
  clrt_status status;
  if (!json_is_array(radius) || json_array_size(radius) != 2)
    return scene_fail_at(p, &radius_path, "must be [smallest, largest], both > 0");
  for (size_t i = 0; i < 2; ++i) {
    scene_key_path item = scene_element_of(&radius_path, i);
    if ((status = scene_number_value(p, json_array_get(radius, i), &item, &out->radius[i])) ||
        (status = scene_check_rule(p, &item, SCENE_POSITIVE, out->radius[i])))
      return status;
  }
  if (out->radius[0] > out->radius[1])
    return scene_fail_at(p, &radius_path, "the smallest radius must come first");
  return CLRT_OK;
}

/* "random": {...}; its "radius" may be left out when the entry's radius
 * comes from a property (the field then draws radii of 1, unused, so that
 * its centres are the same as with any "radius"). */
static clrt_status parse_random_field(const scene_parser *p, json_t *value, const scene_key_path *path,
                                      bool radius_mapped, random_field *out) {
  static const char *const keys[] = {"count", "seed", "min", "max", "radius", "colors"};
  clrt_status status;
  json_t *radius;
  out->radius[0] = out->radius[1] = 1.0;
  if ((status = scene_expect_object(p, value, path, KEY_LIST(keys))) ||
      (status = scene_read_count(p, value, path, "count", 0, true, 1, CLRT_MAX_SPHERES, &out->count)) ||
      (status = scene_read_count(p, value, path, "seed", 1, false, 0, 4294967295u, &out->seed)) ||
      (status = scene_read_vec3(p, value, path, "min", NULL, SCENE_ANY, out->lower)) ||
      (status = scene_read_vec3(p, value, path, "max", NULL, SCENE_ANY, out->upper)) ||
      (status = scene_lookup(p, value, path, "radius", !radius_mapped, &radius)) ||
      (status = scene_read_bool(p, value, path, "colors", false, &out->colors)) ||
      (radius && (status = parse_random_radius(p, value, path, out))))
    return status;
  for (int a = 0; a < 3; ++a)
    if (out->lower[a] > out->upper[a])
      return scene_fail_at(p, path, "min must not exceed max on any axis");
  return CLRT_OK;
}

/* A random field's properties are its centres' coordinates. */
static clrt_status field_property(const scene_parser *p, const scene_key_path *path, const char *name, int *axis) {
  static const char *const axes[] = {"x", "y", "z"};
  for (*axis = 0; *axis < 3; ++*axis)
    if (!strcmp(name, axes[*axis]))
      return CLRT_OK;
  char problem[160];
  snprintf(problem, sizeof problem, "a random field has no property \"%s\" (it has x, y, z)", name);
  return scene_fail_at(p, path, problem);
}

/* The axes a random field's rules read (-1: none). */
static clrt_status field_axes(const scene_parser *p, const scene_key_path *path, const attribute_rules *rules,
                              int *color_axis, int *radius_axis) {
  scene_key_path color_path = scene_child_of(path, "color_map"), radius_path = scene_child_of(path, "radius");
  clrt_status status = CLRT_OK;
  *color_axis = *radius_axis = -1;
  if (rules->colors)
    status = field_property(p, &color_path, rules->color_property, color_axis);
  if (status == CLRT_OK && rules->radii)
    status = field_property(p, &radius_path, rules->radius_property, radius_axis);
  return status;
}

static clrt_status generate_field(scene_parser *p, const scene_key_path *path, const random_field *field,
                                  uint32_t material, attribute_rules *rules, clrt_scene *scene) {
  int color_axis, radius_axis;
  color_values colors = {0};
  clrt_status status = field_axes(p, path, rules, &color_axis, &radius_axis);
  if (status == CLRT_OK && (status = reserve_spheres(p, scene, field->count, path)) == CLRT_OK && rules->colors)
    status = color_values_init(p, &colors, field->count);
  uint64_t state = field->seed;
  for (unsigned i = 0; status == CLRT_OK && i < field->count; ++i) {
    double center[3], color[3];
    for (int a = 0; a < 3; ++a)
      center[a] = field->lower[a] + random_unit(&state) * (field->upper[a] - field->lower[a]);
    double radius = field->radius[0] + random_unit(&state) * (field->radius[1] - field->radius[0]);
    for (int c = 0; c < 3; ++c)
      color[c] = random_unit(&state);
    if (radius_axis >= 0)
      status = mapped_radius(p, path, rules, center[radius_axis], i, &radius);
    if (color_axis >= 0)
      color_values_add(&colors, center[color_axis]);
    set_sphere(&scene->spheres[scene->sphere_count++], center, radius, material, field->colors ? color : NULL);
  }
  if (status == CLRT_OK && rules->colors)
    status = apply_colors(p, rules, &colors, scene);
  free(colors.values);
  return status;
}

/* {"random": {...}, "material": "name", "radius": {...}, "color_map":
 * {...}}: a reproducible field of random spheres (centres uniform in the
 * box, radii uniform in the range, random colours when asked), the same
 * on every machine. Checking a sequence, it is only read. */
static clrt_status parse_sphere_field(scene_parser *p, json_t *value, const scene_key_path *path, clrt_scene *scene) {
  static const char *const keys[] = {"random", "material", "radius", "color_map", "clip"};
  random_field field;
  uint32_t material;
  attribute_rules rules;
  scene_key_path field_path = scene_child_of(path, "random");
  clrt_status status;
  memset(&rules, 0, sizeof rules);
  json_t *radius = json_object_get(value, "radius");
  if (radius && !json_is_object(radius)) {
    scene_key_path at = scene_child_of(path, "radius");
    return scene_fail_at(p, &at, "must be {\"property\": \"x\", \"scale\": s} (the field's radii are random.radius)");
  }
  if ((status = scene_check_keys(p, value, path, KEY_LIST(keys))) ||
      (status = parse_random_field(p, json_object_get(value, "random"), &field_path, radius != NULL, &field)) ||
      (status = scene_find_material(p, value, path, &material)) ||
      (status = parse_attribute_rules(p, value, path, &rules)))
    goto done;
  if (!p->checking)
    status = generate_field(p, path, &field, material, &rules, scene);
done:
  clrt_colormap_free(&rules.map);
  return status;
}

/* ---- the list ---- */

/* One entry of "spheres": a sphere, or a set of them from a file or a
 * random field. */
static clrt_status parse_sphere_kind(scene_parser *p, json_t *value, const scene_key_path *path, clrt_scene *scene) {
  if (json_object_get(value, "file"))
    return parse_sphere_file(p, value, path, scene);
  if (json_object_get(value, "random"))
    return parse_sphere_field(p, value, path, scene);
  clrt_status status = reserve_spheres(p, scene, 1, path);
  return status == CLRT_OK ? parse_sphere(p, value, path, scene) : status;
}

/* The entry's spheres, clipped by the scene's planes and a set's own. */
static clrt_status parse_sphere_entry(scene_parser *p, json_t *value, const scene_key_path *path, clrt_scene *scene) {
  if (!json_is_object(value))
    return scene_fail_at(p, path, "must be an object");
  size_t first = scene->sphere_count;
  uint32_t group = p->scene_clip;
  clrt_status status = parse_sphere_kind(p, value, path, scene);
  if (status == CLRT_OK && (json_object_get(value, "file") || json_object_get(value, "random")))
    status = scene_parse_clip(p, value, path, p->scene_clip, scene, &group);
  for (size_t i = first; status == CLRT_OK && i < scene->sphere_count; ++i)
    scene->spheres[i].clip_group = group;
  return status;
}

/* Checking a sequence: room for what it learns of each entry. */
static clrt_status allocate_facts(const scene_parser *p, size_t entries) {
  clrt_sequence_facts *facts = p->checking;
  facts->entry_count = entries;
  facts->ranges = calloc(entries ? entries : 1, sizeof *facts->ranges);
  facts->known = calloc(entries ? entries : 1, sizeof *facts->known);
  return facts->ranges && facts->known ? CLRT_OK : scene_out_of_memory(p);
}

clrt_status scene_parse_spheres(scene_parser *p, json_t *spheres, clrt_scene *scene) {
  scene_key_path path = scene_child_of(NULL, "spheres");
  if (!json_is_array(spheres))
    return scene_fail_at(p, &path, "must be an array");
  size_t count = json_array_size(spheres);
  clrt_status status = reserve_spheres(p, scene, count ? count : 1, &path);
  if (status == CLRT_OK && p->checking)
    status = allocate_facts(p, count);
  for (p->entry = 0; status == CLRT_OK && p->entry < count; ++p->entry) {
    scene_key_path entry = scene_element_of(&path, p->entry);
    status = parse_sphere_entry(p, json_array_get(spheres, p->entry), &entry, scene);
  }
  return status;
}
