/* The scene file: parsing and validation of the JSON format into the host
 * form of a scene, which keeps the file's names (materials) and its
 * settings as written. host/flatten turns it into the device's arrays. */
#ifndef CLRT_SCENE_H
#define CLRT_SCENE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clrt_error.h"
#include "clrt_vec.h"

enum {
  CLRT_MAX_IMAGE_SIDE = 16384,
  CLRT_MAX_SAMPLES = 4096,
  CLRT_MAX_DEPTH_LIMIT = 64,
  CLRT_MAX_SHADOW_SAMPLES = 1024,
  CLRT_MAX_TREE_RAYS_LIMIT = 1 << 20,
  CLRT_MAX_OCCLUSION_RAYS = 1024,
};

/* Defaults of keys the scene file may leave out. */
#define CLRT_DEFAULT_SAMPLES 1
#define CLRT_DEFAULT_MAX_DEPTH 4
#define CLRT_DEFAULT_GAMMA 2.2
#define CLRT_DEFAULT_EXPOSURE 1.0
#define CLRT_DEFAULT_SHADOW_SAMPLES 16
/* A full tree of 9 bounces through glass (1023 rays) fits: only runaway
 * trees are cut. */
#define CLRT_DEFAULT_MAX_TREE_RAYS 1024
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

/* How linear colour becomes an 8-bit level (host/flatten/tone_map.c). */
typedef enum clrt_transfer {
  CLRT_TRANSFER_GAMMA, /* v^(1/gamma) */
  CLRT_TRANSFER_SRGB,  /* the exact sRGB curve */
} clrt_transfer;

typedef struct clrt_tone {
  clrt_transfer transfer;
  double gamma;    /* for CLRT_TRANSFER_GAMMA */
  double exposure; /* linear colour is multiplied by this first */
} clrt_tone;

/* "image": the picture's size and how linear colour becomes its levels. */
typedef struct clrt_image_settings {
  unsigned width;
  unsigned height;
  clrt_tone tone; /* gamma or sRGB, and exposure */
} clrt_image_settings;

/* "image" too: the Whitted integrator's own settings
 * (host/integrator/whitted.c). */
typedef struct clrt_whitted_settings {
  unsigned max_tree_rays; /* per camera ray: the rays its tree may trace, shadow rays aside */
  /* "ambient_occlusion": {"samples", "distance"}: the ambient term scaled
   * by the share of the hemisphere open within `distance`, measured by
   * `samples` rays a hit (0: no ambient occlusion). */
  unsigned occlusion_rays;
  double occlusion_distance;
} clrt_whitted_settings;

/* "image" too: how much tracing a pixel gets, and by which integrator. */
typedef struct clrt_sampling_settings {
  unsigned integrator;     /* its id in the list (clrt_integrators.h) */
  unsigned samples;        /* per pixel */
  unsigned max_depth;      /* mirror and refraction bounces */
  unsigned shadow_samples; /* shadow rays per sphere light */
  clrt_whitted_settings whitted;
} clrt_sampling_settings;

typedef struct clrt_camera_settings {
  double look_from[3];
  double look_at[3];
  double vup[3];
  double vfov_degrees;
  double aperture;       /* lens diameter; 0 for a pinhole */
  double focus_distance; /* defaults to |look_at - look_from| */
} clrt_camera_settings;

/* A material under its name: Phong terms, mirror and glass shares. */
typedef struct clrt_scene_material {
  char *name;
  double color[3];
  double ambient, diffuse, specular, shininess;
  double reflectivity, transparency, ior;
  double emission[3]; /* light it emits, on both sides */
} clrt_scene_material;

/* A sphere, in the device's single precision (validated in it). */
typedef struct clrt_scene_sphere {
  float center[3];
  float radius;
  uint32_t material; /* index into the scene's materials */
  bool has_color;    /* its own colour replaces its material's */
  float color[3];
} clrt_scene_sphere;

typedef struct clrt_scene_light {
  double position[3];
  double color[3];
  double intensity;
  double radius; /* 0: a point light */
} clrt_scene_light;

typedef struct clrt_scene {
  clrt_image_settings image;
  clrt_sampling_settings sampling;
  clrt_camera_settings camera;
  double background[3];
  bool shadows;
  clrt_scene_material *materials;
  size_t material_count;
  clrt_scene_sphere *spheres;
  size_t sphere_count;
  clrt_scene_light *lights;
  size_t light_count;
} clrt_scene;

/* Why a camera has no basis. */
typedef enum clrt_camera_problem {
  CLRT_CAMERA_OK,
  CLRT_CAMERA_NO_DIRECTION, /* look_at on look_from */
  CLRT_CAMERA_BAD_UP,       /* vup zero, or parallel to the view direction */
} clrt_camera_problem;

/* The camera's orthonormal basis as the PymoniK example computes it, in
 * double precision: w = normalize(look_from - look_at),
 * u = normalize(vup x w), v = w x u. */
clrt_camera_problem clrt_camera_basis(const clrt_camera_settings *camera, clrt_dvec3 *u, clrt_dvec3 *v, clrt_dvec3 *w);

/* Reads and validates a scene file. On failure the message names the file,
 * the line:column (for JSON syntax errors) or the key path. */
clrt_status clrt_scene_load(const char *path, clrt_scene *scene, clrt_error *err);

/* The same from a string; `source_name` stands for the file in messages. */
clrt_status clrt_scene_parse(const char *text, const char *source_name, clrt_scene *scene, clrt_error *err);

/* The same from `size` bytes, which may hold anything (a NUL is an error,
 * as in a file): what clrt_scene_load parses, and what the fuzzer feeds. */
clrt_status clrt_scene_parse_bytes(const char *data, size_t size, const char *source_name, clrt_scene *scene,
                                   clrt_error *err);

void clrt_scene_free(clrt_scene *scene);

#endif /* CLRT_SCENE_H */
