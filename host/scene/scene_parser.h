/* What the parts of the scene parser share (scene.c, scene_values.c,
 * sphere_sets.c, camera_path.c): where a value sits in the file, the
 * parser's state, and the readers that check a value where it is read.
 * Private to host/scene. */
#ifndef CLRT_SCENE_PARSER_H
#define CLRT_SCENE_PARSER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clrt_error.h"
#include "clrt_scene.h"

/* More spheres than this cannot be indexed by the device's 32-bit BVH.
 * The fuzzing build (tests/fuzz) lowers it: a valid field of a billion
 * spheres is no bug, but would exhaust the fuzzer's memory. */
#ifndef CLRT_MAX_SPHERES
#define CLRT_MAX_SPHERES 1000000000u
#endif

enum { KEY_PATH_SIZE = 256 };

/* Where a value sits in the file: a key of its parent object, or an index
 * of its parent array (key NULL). The root's path is NULL. */
typedef struct scene_key_path {
  const struct scene_key_path *parent;
  const char *key;
  size_t index;
} scene_key_path;

static inline scene_key_path scene_child_of(const scene_key_path *parent, const char *key) {
  return (scene_key_path){parent, key, 0};
}
static inline scene_key_path scene_element_of(const scene_key_path *parent, size_t index) {
  return (scene_key_path){parent, NULL, index};
}

/* The room of the scene's clipping arrays while they grow. */
typedef struct clip_lists {
  size_t plane_capacity, group_capacity;
} clip_lists;

typedef struct scene_parser {
  const char *source;   /* file name, for messages */
  const char *base_dir; /* where file paths in the scene start from */
  clrt_error *err;
  json_t *material_indexes; /* material name -> index into the scene's materials */
  size_t sphere_capacity;
  const clrt_scene_frame *frame; /* the frame of a sequence read; NULL for a still */
  clrt_sequence_facts *checking; /* checking a sequence (clrt_scene_check_sequence): files opened, not read */
  clip_lists *clip_capacity;     /* the clip arrays' room (clipping.c) */
  uint32_t scene_clip;           /* the scene's "clip" group (0: none) */
  size_t entry;                  /* the "spheres" entry being read */
} scene_parser;

typedef struct scene_key_list {
  const char *const *names;
  size_t count;
} scene_key_list;

#define KEY_LIST(array) ((scene_key_list){(array), sizeof(array) / sizeof((array)[0])})

/* A number >= min (inclusive) or > min (exclusive), optionally <= max. */
typedef struct scene_number_rule {
  double min;
  bool min_exclusive;
  double max; /* INFINITY when unbounded */
  const char *text;
} scene_number_rule;

extern const scene_number_rule SCENE_ANY, SCENE_NON_NEGATIVE, SCENE_POSITIVE, SCENE_AT_LEAST_ONE, SCENE_UNIT_INTERVAL,
    SCENE_FIELD_OF_VIEW;

/* The one-line error: "FILE: KEY.PATH: problem". */
clrt_status scene_fail_at(const scene_parser *p, const scene_key_path *path, const char *problem);
clrt_status scene_out_of_memory(const scene_parser *p);
clrt_status scene_range_error(const scene_parser *p, const scene_key_path *path, const char *rule, double got);

/* Rejects keys outside `allowed`, listing what is allowed. */
clrt_status scene_check_keys(const scene_parser *p, json_t *object, const scene_key_path *path, scene_key_list allowed);
clrt_status scene_expect_object(const scene_parser *p, json_t *value, const scene_key_path *path,
                                scene_key_list allowed);
/* Looks up a key; a missing required key is an error. */
clrt_status scene_lookup(const scene_parser *p, json_t *object, const scene_key_path *path, const char *key,
                         bool required, json_t **out);

clrt_status scene_number_value(const scene_parser *p, json_t *value, const scene_key_path *path, double *out);
clrt_status scene_read_number(const scene_parser *p, json_t *object, const scene_key_path *path, const char *key,
                              double default_value, bool required, double *out);
/* A whole number in [min, max]. */
clrt_status scene_read_count(const scene_parser *p, json_t *object, const scene_key_path *path, const char *key,
                             unsigned default_value, bool required, unsigned min, unsigned max, unsigned *out);
clrt_status scene_check_rule(const scene_parser *p, const scene_key_path *path, scene_number_rule rule, double value);
clrt_status scene_read_checked(const scene_parser *p, json_t *object, const scene_key_path *path, const char *key,
                               double default_value, bool required, scene_number_rule rule, double *out);
/* An array of 3 numbers, each following `rule`. */
clrt_status scene_vec3_value(const scene_parser *p, json_t *value, const scene_key_path *path, scene_number_rule rule,
                             double out[3]);
clrt_status scene_read_vec3(const scene_parser *p, json_t *object, const scene_key_path *path, const char *key,
                            const double *default_value, scene_number_rule rule, double out[3]);
clrt_status scene_read_bool(const scene_parser *p, json_t *object, const scene_key_path *path, const char *key,
                            bool default_value, bool *out);
/* The index of the material an entry's "material" names. */
clrt_status scene_find_material(const scene_parser *p, json_t *object, const scene_key_path *path, uint32_t *index);

/* The camera basis must not degenerate: a view direction, and an up
 * vector not parallel to it. */
clrt_status scene_check_camera_basis(const scene_parser *p, const scene_key_path *path,
                                     const clrt_camera_settings *camera);

/* "clip" of `object` (clipping.c): a group of the `base` group's planes
 * (0: none) and its own, whose number (plus one) goes to *group; without
 * "clip", *group is `base`. */
clrt_status scene_parse_clip(const scene_parser *p, json_t *object, const scene_key_path *path, uint32_t base,
                             clrt_scene *scene, uint32_t *group);

/* "spheres" (sphere_sets.c). */
clrt_status scene_parse_spheres(scene_parser *p, json_t *spheres, clrt_scene *scene);

/* "camera"'s "path" (camera_path.c), if any, around the still camera. */
clrt_status scene_parse_camera_path(const scene_parser *p, json_t *camera, const scene_key_path *path,
                                    const clrt_camera_settings *still, clrt_camera_path *out);

#endif /* CLRT_SCENE_PARSER_H */
