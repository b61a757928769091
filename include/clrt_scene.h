/* The scene file: parsing and validation of the JSON format into the host
 * form of a scene (settings, plus the flat arrays the device will read). */
#ifndef CLRT_SCENE_H
#define CLRT_SCENE_H

#include <stdbool.h>
#include <stddef.h>

#include "clrt_error.h"
#include "clrt_image.h"
#include "clrt_types.h"

enum {
  CLRT_MAX_IMAGE_SIDE = 16384,
  CLRT_MAX_SAMPLES = 4096,
  CLRT_MAX_DEPTH_LIMIT = 64,
  CLRT_MAX_SHADOW_SAMPLES = 1024,
};

/* Defaults of keys the scene file may leave out. */
#define CLRT_DEFAULT_SAMPLES 1
#define CLRT_DEFAULT_MAX_DEPTH 4
#define CLRT_DEFAULT_GAMMA 2.2
#define CLRT_DEFAULT_EXPOSURE 1.0
#define CLRT_DEFAULT_SHADOW_SAMPLES 16
#define CLRT_DEFAULT_APERTURE 0.0
#define CLRT_DEFAULT_TRANSPARENCY 0.0
#define CLRT_DEFAULT_IOR 1.5
#define CLRT_DEFAULT_LIGHT_RADIUS 0.0
#define CLRT_DEFAULT_AMBIENT 0.1
#define CLRT_DEFAULT_DIFFUSE 0.9
#define CLRT_DEFAULT_SPECULAR 0.3
#define CLRT_DEFAULT_SHININESS 32.0
#define CLRT_DEFAULT_REFLECTIVITY 0.0
#define CLRT_DEFAULT_LIGHT_INTENSITY 1.0

typedef struct clrt_image_settings {
  unsigned width;
  unsigned height;
  unsigned samples;
  unsigned max_depth;
  unsigned shadow_samples;
  clrt_tone tone; /* gamma or sRGB, and exposure */
} clrt_image_settings;

typedef struct clrt_camera_settings {
  double look_from[3];
  double look_at[3];
  double vup[3];
  double vfov_degrees;
  double aperture;       /* lens diameter; 0 for a pinhole */
  double focus_distance; /* defaults to |look_at - look_from| */
} clrt_camera_settings;

typedef struct clrt_scene {
  clrt_image_settings image;
  clrt_camera_settings camera;
  double background[3];
  bool shadows;
  size_t material_count;
  char **material_names;
  clrt_material *materials;
  size_t sphere_count;
  clrt_sphere *spheres; /* material holds an index into materials */
  size_t light_count;
  clrt_light *lights;
} clrt_scene;

/* Reads and validates a scene file. On failure the message names the file,
 * the line:column (for JSON syntax errors) or the key path. */
clrt_status clrt_scene_load(const char *path, clrt_scene *scene, clrt_error *err);

/* The same from a string; `source_name` stands for the file in messages. */
clrt_status clrt_scene_parse(const char *text, const char *source_name, clrt_scene *scene, clrt_error *err);

void clrt_scene_free(clrt_scene *scene);

#endif /* CLRT_SCENE_H */
