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
  bool focus_given;      /* else it follows look_from and look_at along a path */
} clrt_camera_settings;

/* A camera path (clrt_camera_path_at): the camera of a sequence's frame. */
typedef enum clrt_camera_path_kind {
  CLRT_CAMERA_PATH_NONE,  /* the camera stays */
  CLRT_CAMERA_PATH_ORBIT, /* around a centre, about vup */
  CLRT_CAMERA_PATH_KEYS,  /* through key cameras, centripetal Catmull-Rom */
} clrt_camera_path_kind;

/* "orbit": look_at is the centre; look_from turns about the axis through
 * it along vup, `turns` times over the sequence, at `radius` from the
 * axis and `height` above the centre, from the azimuth of the still
 * camera's look_from. */
typedef struct clrt_camera_orbit {
  double center[3];
  double radius, height;
  double turns;
} clrt_camera_orbit;

/* One key of "keys": the camera at `frame`. */
typedef struct clrt_camera_key {
  long frame;
  double look_from[3], look_at[3];
  double vfov_degrees;
} clrt_camera_key;

typedef struct clrt_camera_path {
  clrt_camera_path_kind kind;
  clrt_camera_orbit orbit;
  clrt_camera_key *keys; /* by frame, at least two */
  size_t key_count;
} clrt_camera_path;

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
  uint32_t clip_group; /* the clipping planes that apply to it: a group's number plus one; 0 for none */
} clrt_scene_sphere;

/* A clipping plane: a unit normal and an offset; what it keeps is where
 * dot(normal, p) + offset >= 0. */
typedef struct clrt_clip_plane {
  double normal[3];
  double offset;
} clrt_clip_plane;

/* The planes that clip a sphere: the scene's "clip", and its set's. */
typedef struct clrt_clip_group {
  size_t first, count; /* in the scene's clip_planes */
} clrt_clip_group;

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
  clrt_camera_path camera_path;
  clrt_clip_plane *clip_planes;
  size_t clip_plane_count;
  clrt_clip_group *clip_groups; /* a sphere's clip_group - 1 indexes them */
  size_t clip_group_count;
  bool has_frame_files; /* a sphere set's file is a frame pattern: the spheres change between frames */
} clrt_scene;

/* A sequence of frames: first to last (inclusive) by step (--frames). */
typedef struct clrt_sequence {
  long first, last, step;
} clrt_sequence;

/* The frames of a sequence. */
static inline long clrt_sequence_length(const clrt_sequence *s) { return (s->last - s->first) / s->step + 1; }

/* What checking a sequence learned for every frame: the colour range of
 * each "spheres" entry whose "color_map" asks for "range": "sequence"
 * (the least and largest value over every frame), by entry. */
typedef struct clrt_sequence_facts {
  clrt_image_settings image; /* the scene's */
  size_t entry_count;
  double (*ranges)[2];
  bool *known; /* whether an entry's range was gathered */
} clrt_sequence_facts;

/* The frame a scene is read for. */
typedef struct clrt_scene_frame {
  long number;
  clrt_sequence sequence;
  const clrt_sequence_facts *facts; /* from clrt_scene_check_sequence */
} clrt_scene_frame;

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

/* The scene for one frame of a sequence: sphere files with a frame
 * pattern read for that frame. (The camera stays the still one:
 * clrt_camera_path_at moves it.) A still read (clrt_scene_load) refuses
 * frame patterns. */
clrt_status clrt_scene_load_frame(const char *path, const clrt_scene_frame *frame, clrt_scene *scene, clrt_error *err);

/* Before the first frame renders: every frame's files there and sound
 * (each PLY header, and a binary file's size), and the sequence-wide
 * colour ranges gathered. Errors name the file. */
clrt_status clrt_scene_check_sequence(const char *path, const clrt_sequence *sequence, clrt_sequence_facts *facts,
                                      clrt_error *err);

void clrt_sequence_facts_free(clrt_sequence_facts *facts);

/* The camera of `frame` in `sequence`: the still camera moved along the
 * path (a key's frame gives exactly that key's camera). */
void clrt_camera_path_at(const clrt_camera_path *path, const clrt_camera_settings *still, long frame,
                         const clrt_sequence *sequence, clrt_camera_settings *out);

void clrt_scene_free(clrt_scene *scene);

#endif /* CLRT_SCENE_H */
