/* The structs that cross from host to device, defined once for both sides.
 *
 * This header compiles as C11 (host) and as OpenCL C (kernel). Only 32-bit
 * scalars, 4-float vectors and (in the tally and the pixel sums) 64-bit
 * counts are used,
 * with explicit padding, because a 3-float vector is 16 bytes on the device
 * and struct layout must agree byte for byte. The host side asserts every
 * size and offset at compile time.
 */
#ifndef CLRT_TYPES_H
#define CLRT_TYPES_H

#ifdef __OPENCL_C_VERSION__
typedef float4 clrt_float4;
typedef uint clrt_uint;
typedef ulong clrt_ulong;
typedef uchar clrt_uchar;
#else
#include <assert.h> /* static_assert */
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
/* Same size, alignment and member names (.x .y .z .w) as OpenCL's float4. */
typedef struct clrt_float4 {
  alignas(16) float x;
  float y, z, w;
} clrt_float4;
typedef uint32_t clrt_uint;
typedef uint64_t clrt_ulong;
typedef uint8_t clrt_uchar;
#endif

/* A sphere as intersection reads it: center in xyz, radius in w. The
 * spheres are stored in the order of the BVH's leaves. */
typedef struct clrt_sphere {
  clrt_float4 center_radius;
} clrt_sphere;

/* What shading reads of the sphere at the same position: its material, its
 * own colour (color.w = 1) or none (color.w = 0: the material's), and its
 * index in the scene file. Between equally near spheres the lower index
 * wins, so that the picture does not depend on the BVH. A sphere cut by
 * clipping planes has clip_count of them, from clip_first in the
 * clip_planes array (kernels/sphere.c); 0 for a whole sphere. */
typedef struct clrt_sphere_shading {
  clrt_float4 color;
  clrt_uint material;
  clrt_uint scene_index;
  clrt_uint clip_first, clip_count;
} clrt_sphere_shading;

/* The BVH over the spheres, built on the host (host/flatten/bvh.c): four
 * children to a node, their boxes side by side (lane c of each vector is
 * child c), so that one node is tested with a few vector operations.
 * count[c] is a leaf's sphere count, 0 for an interior node; first[c] is a
 * leaf's first sphere or an interior node's index. Unused children have
 * their box at +infinity, where no ray enters. Nodes are in depth-first
 * order; the root is node 0. */
#define CLRT_BVH_WIDTH 4
typedef struct clrt_bvh_node {
  clrt_float4 lower_x, lower_y, lower_z;
  clrt_float4 upper_x, upper_y, upper_z;
  clrt_uint first[CLRT_BVH_WIDTH];
  clrt_uint count[CLRT_BVH_WIDTH];
} clrt_bvh_node;

/* No path from the root to a leaf passes more nodes than this: the
 * builder makes a leaf rather than go deeper. A balanced tree of 10^9
 * spheres is 15 such nodes deep; SAH trees of uneven scenes run deeper. */
#define CLRT_BVH_MAX_DEPTH 18
/* The traversal's stack: a node visit leaves at most three of its
 * children waiting, so it can never hold more than this. */
#define CLRT_BVH_STACK_SIZE ((CLRT_BVH_WIDTH - 1) * CLRT_BVH_MAX_DEPTH)

/* Phong material with mirror (reflectivity) and glass (transparency, ior)
 * shares, and the light it emits (on both sides); color and emission in
 * xyz (w unused). */
typedef struct clrt_material {
  clrt_float4 color;
  clrt_float4 emission;
  float ambient;
  float diffuse;
  float specular;
  float shininess;
  float reflectivity;
  float transparency;
  float ior;
  float pad0;
} clrt_material;

/* Light: a point (radius 0) or a sphere light; position and color in xyz
 * (w unused). */
typedef struct clrt_light {
  clrt_float4 position;
  clrt_float4 color;
  float intensity;
  float radius;
  float pad0, pad1;
} clrt_light;

/* Thin-lens camera, precomputed on the host. With s, t in [0, 1], a pixel
 * looks along lower_left + s*horizontal + t*vertical from origin (a plane
 * at distance 1; lower_left is relative to origin, so no large coordinate
 * is subtracted). With a lens, the ray starts at a point of the lens disk
 * (radius lens_radius in the unit_u, unit_v plane) and passes through the
 * same direction's point at focus_distance. */
typedef struct clrt_camera {
  clrt_float4 origin;
  clrt_float4 lower_left;
  clrt_float4 horizontal;
  clrt_float4 vertical;
  clrt_float4 unit_u; /* w: lens radius (aperture / 2); 0 for a pinhole */
  clrt_float4 unit_v; /* w: focus distance along the view direction */
} clrt_camera;

/* The Whitted integrator's own parameters (kernels/integrators/whitted.c,
 * host/integrator/whitted.c): the bounds of a camera ray's tree, the most
 * rays it traces besides shadow rays, and the weight the branches too
 * light to trace may add up to. */
typedef struct clrt_whitted_params {
  clrt_uint max_tree_rays;
  float max_dropped_weight;
  clrt_uint occlusion_rays; /* ambient occlusion: rays per hit (0: none) */
  float occlusion_distance; /* ... blocked by what they meet this near */
} clrt_whitted_params;

/* Pending branches of one camera ray's tree (depth-first: a level adds at
 * most one entry, so max_depth + 1 entries are ever needed). A branch
 * that finds the stack full is not traced and contributes black, and its
 * sample counts as cut short: only past 7 bounces through glass, each
 * leaving a refraction branch heavy enough to trace waiting. Eight, so
 * that with the BVH stack a GPU work-item keeps under 512 bytes in memory
 * (scripts/gpu-check.sh; docs/gpu.md, "Kernels on a GPU"). */
#define CLRT_WHITTED_STACK_SIZE 8

/* Each integrator's own parameters: the member of the integrator the
 * params name (clrt_integrators.h). */
typedef union clrt_integrator_params {
  clrt_whitted_params whitted;
} clrt_integrator_params;

/* The trace kernel's parameters: everything a work-item reads besides the
 * flat arrays. */
typedef struct clrt_trace_params {
  clrt_camera camera;
  clrt_float4 background;
  clrt_uint width;
  clrt_uint height;
  clrt_uint samples;
  clrt_uint max_depth;
  clrt_uint sphere_count;
  clrt_uint light_count;
  clrt_uint shadows;
  clrt_uint shadow_samples; /* shadow rays per sphere light */
  clrt_uint scan_spheres;   /* 1: test every sphere in turn, not the BVH (few spheres) */
  clrt_uint integrator;     /* which one computes a sample's colour (clrt_integrators.h) */
  clrt_uint emitter_count;  /* spheres whose material emits light (the emitters array) */
  clrt_uint pad0;
  clrt_integrator_params integrator_params;
} clrt_trace_params;

/* What tracing a pixel, a work-group or a tile cost: rays traced by kind
 * (camera rays; bounce rays: mirror, refraction and scattered; shadow
 * rays: toward lights, emitters and for ambient occlusion), and the
 * samples the integrator cut short: left unfinished at the bounds of its
 * work (Whitted: a ray tree that outgrew max_tree_rays or its stack),
 * which the integrator warns of. */
typedef struct clrt_tally {
  clrt_ulong camera_rays;
  clrt_ulong bounce_rays;
  clrt_ulong shadow_rays;
  clrt_uint cut_short_samples;
  clrt_uint pad0;
} clrt_tally;

/* A pixel's samples summed exactly, for progressive rendering: colour in
 * fixed point (CLRT_SUM_SCALE units of 1, exact whatever order passes of
 * samples are added in, so that passes give the same picture as one go),
 * and the sum of the squares of the samples' luminance, for the noise
 * estimate. */
#define CLRT_SUM_SCALE 16777216.0f /* 2^24 */
/* A sample's channel is clamped to this before it is summed: 2^20
 * samples of it still fit the 64-bit sum. */
#define CLRT_MAX_SAMPLE_RADIANCE 524288.0f
typedef struct clrt_pixel_sum {
  clrt_ulong channel[3];
  float luminance_squares;
  clrt_uint pad0;
} clrt_pixel_sum;

/* Three floats packed (12 bytes, where an OpenCL float3 takes 16): a
 * colour or a vector kept in memory (clrt_path_state). */
typedef struct clrt_packed3 {
  float x, y, z;
} clrt_packed3;

/* The path integrator's state of one pixel's path between two of its rays
 * (kernels/integrators/path.c): on a device, in the work-group's local
 * memory, so that a work-item's registers hold the traversal of one ray
 * and only that (docs/gpu.md, "Kernels on a GPU"). */
typedef struct clrt_path_state {
  clrt_pixel_sum sum;           /* the pixel's samples done */
  clrt_packed3 throughput;      /* what the light found next is multiplied by */
  clrt_packed3 radiance;        /* the sample's light gathered so far */
  clrt_packed3 pending;         /* a shadow or emitter ray's light, if it gets through */
  clrt_packed3 point;           /* the vertex: where the path's ray hit, */
  clrt_packed3 outward;         /* ... the surface's normal there, out of the solid, */
  clrt_packed3 incoming;        /* ... and the ray's direction */
  float local_pdf;              /* the density of the local bounce that left the previous vertex (0: none) */
  clrt_uint x, y;               /* the pixel */
  clrt_uint sample, end_sample; /* the sample traced, and the first not to trace */
  clrt_uint seed, pixel_seed;   /* the sample's seeds (clrt_pixel_sample) */
  clrt_uint step;               /* which ray of the vertex is in flight (path.c) */
  clrt_uint vertex;             /* the vertex shaded (0: the camera ray's hit) */
  clrt_uint target;             /* an emitter ray's sphere, which it must reach first */
  clrt_uint sphere;             /* the vertex's sphere */
} clrt_path_state;

/* What a work-item of the trace kernel keeps in the work-group's local
 * memory (the host sizes it): its tally, which the work-group's reduction
 * then sums where it is, and the path integrator's state. */
typedef struct clrt_work_item {
  clrt_tally tally;
  clrt_path_state path;
} clrt_work_item;
/* The host sizes the local memory by its own sizeof: both sides must agree,
 * checked on both (an array of size -1 does not compile). */
#define CLRT_WORK_ITEM_SIZE 184
typedef char clrt_work_item_size_check[sizeof(clrt_work_item) == CLRT_WORK_ITEM_SIZE ? 1 : -1];

/* A pixel's auxiliary passes (kernels/aux.c), averaged over its samples:
 * the albedo of the first non-specular surface (xyz; w: the share of
 * samples whose camera ray hit something), its normal (xyz, world space,
 * the mean of unit normals: shorter than 1 where they differ) and the
 * camera rays' mean distance to their hits (w; CLRT_NO_HIT where none
 * hit). */
typedef struct clrt_pixel_aux {
  clrt_float4 albedo;
  clrt_float4 normal_depth;
} clrt_pixel_aux;

/* How a linear value becomes an 8-bit level, precomputed on the host from
 * the tone settings (host/output/tone_map.c): the level of v is the largest
 * k with v >= thresholds[k] (0 when there is none, NaN included).
 * thresholds[0] is unused; thresholds[1..255] rise. For a first guess,
 * guesses[i] is the level where the exposed value v * exposure is
 * i / CLRT_TONE_GUESSES: the thresholds then correct it by a level or two. */
#define CLRT_TONE_LEVELS 256
#define CLRT_TONE_GUESSES 4096
typedef struct clrt_tone_levels {
  float thresholds[CLRT_TONE_LEVELS];
  float exposure;
  clrt_uint pad0, pad1, pad2;
  clrt_uchar guesses[CLRT_TONE_GUESSES];
} clrt_tone_levels;

#ifndef __OPENCL_C_VERSION__
#define CLRT_ASSERT_LAYOUT(type, size)                                                                                 \
  static_assert(sizeof(type) == (size), #type " must be " #size " bytes to match the device");                         \
  static_assert(alignof(type) == 16, #type " must be 16-byte aligned to match the device")

CLRT_ASSERT_LAYOUT(clrt_float4, 16);
CLRT_ASSERT_LAYOUT(clrt_sphere, 16);
CLRT_ASSERT_LAYOUT(clrt_sphere_shading, 32);
CLRT_ASSERT_LAYOUT(clrt_bvh_node, 128);
CLRT_ASSERT_LAYOUT(clrt_material, 64);
CLRT_ASSERT_LAYOUT(clrt_light, 48);
CLRT_ASSERT_LAYOUT(clrt_camera, 96);
CLRT_ASSERT_LAYOUT(clrt_trace_params, 176);
static_assert(sizeof(clrt_tone_levels) == 5136, "clrt_tone_levels must be 5136 bytes to match the device");
static_assert(offsetof(clrt_tone_levels, guesses) == 1040, "clrt_tone_levels.guesses offset");
static_assert(offsetof(clrt_sphere_shading, material) == 16, "clrt_sphere_shading.material offset");
static_assert(offsetof(clrt_sphere_shading, scene_index) == 20, "clrt_sphere_shading.scene_index offset");
static_assert(offsetof(clrt_sphere_shading, clip_first) == 24, "clrt_sphere_shading.clip_first offset");
static_assert(offsetof(clrt_sphere_shading, clip_count) == 28, "clrt_sphere_shading.clip_count offset");
static_assert(offsetof(clrt_bvh_node, upper_x) == 48, "clrt_bvh_node.upper_x offset");
static_assert(offsetof(clrt_bvh_node, first) == 96, "clrt_bvh_node.first offset");
static_assert(offsetof(clrt_bvh_node, count) == 112, "clrt_bvh_node.count offset");
static_assert(offsetof(clrt_material, emission) == 16, "clrt_material.emission offset");
static_assert(offsetof(clrt_material, ambient) == 32, "clrt_material.ambient offset");
static_assert(offsetof(clrt_material, reflectivity) == 48, "clrt_material.reflectivity offset");
static_assert(offsetof(clrt_material, ior) == 56, "clrt_material.ior offset");
static_assert(offsetof(clrt_light, intensity) == 32, "clrt_light.intensity offset");
static_assert(offsetof(clrt_light, radius) == 36, "clrt_light.radius offset");
static_assert(offsetof(clrt_camera, unit_v) == 80, "clrt_camera.unit_v offset");
static_assert(offsetof(clrt_trace_params, background) == 96, "trace_params.background offset");
static_assert(offsetof(clrt_trace_params, width) == 112, "trace_params.width offset");
static_assert(offsetof(clrt_trace_params, shadow_samples) == 140, "trace_params.shadow_samples offset");
static_assert(offsetof(clrt_trace_params, scan_spheres) == 144, "trace_params.scan_spheres offset");
static_assert(offsetof(clrt_trace_params, integrator) == 148, "trace_params.integrator offset");
static_assert(offsetof(clrt_trace_params, integrator_params) == 160, "trace_params.integrator_params offset");
static_assert(sizeof(clrt_integrator_params) == 16, "clrt_integrator_params must be 16 bytes to match the device");
static_assert(sizeof(clrt_whitted_params) == 16, "clrt_whitted_params must be 16 bytes to match the device");
static_assert(offsetof(clrt_whitted_params, max_dropped_weight) == 4, "whitted_params.max_dropped_weight offset");
static_assert(sizeof(clrt_tally) == 32, "clrt_tally must be 32 bytes to match the device");
static_assert(offsetof(clrt_tally, shadow_rays) == 16, "clrt_tally.shadow_rays offset");
static_assert(offsetof(clrt_tally, cut_short_samples) == 24, "clrt_tally.cut_short_samples offset");
static_assert(offsetof(clrt_trace_params, emitter_count) == 152, "trace_params.emitter_count offset");
static_assert(offsetof(clrt_whitted_params, occlusion_distance) == 12, "whitted_params.occlusion_distance offset");
static_assert(sizeof(clrt_pixel_sum) == 32, "clrt_pixel_sum must be 32 bytes to match the device");
static_assert(offsetof(clrt_pixel_sum, luminance_squares) == 24, "clrt_pixel_sum.luminance_squares offset");
CLRT_ASSERT_LAYOUT(clrt_pixel_aux, 32);
#endif

#endif /* CLRT_TYPES_H */
