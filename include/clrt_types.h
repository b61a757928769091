/* The structs that cross from host to device, defined once for both sides.
 *
 * This header compiles as C11 (host) and as OpenCL C (kernel). Only 32-bit
 * scalars and 4-float vectors are used, with explicit padding, because a
 * 3-float vector is 16 bytes on the device and struct layout must agree
 * byte for byte. The host side asserts every size and offset at compile time.
 */
#ifndef CLRT_TYPES_H
#define CLRT_TYPES_H

#ifdef __OPENCL_C_VERSION__
typedef float4 clrt_float4;
typedef uint clrt_uint;
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
#endif

/* A sphere: center in xyz, radius in w, and the index of its material. */
typedef struct clrt_sphere {
  clrt_float4 center_radius;
  clrt_uint material;
  clrt_uint pad0, pad1, pad2;
} clrt_sphere;

/* Phong material; color in xyz (w unused). */
typedef struct clrt_material {
  clrt_float4 color;
  float ambient;
  float diffuse;
  float specular;
  float shininess;
  float reflectivity;
  float pad0, pad1, pad2;
} clrt_material;

/* Point light; position and color in xyz (w unused). */
typedef struct clrt_light {
  clrt_float4 position;
  clrt_float4 color;
  float intensity;
  float pad0, pad1, pad2;
} clrt_light;

/* Pinhole camera, precomputed on the host: a pixel's ray leaves origin in
 * direction lower_left + s*horizontal + t*vertical, with s, t in [0, 1].
 * lower_left is relative to origin, so no large coordinate is subtracted. */
typedef struct clrt_camera {
  clrt_float4 origin;
  clrt_float4 lower_left;
  clrt_float4 horizontal;
  clrt_float4 vertical;
} clrt_camera;

/* Everything a work-item needs besides the scene arrays. */
typedef struct clrt_render_params {
  clrt_camera camera;
  clrt_float4 background;
  clrt_uint width;
  clrt_uint height;
  clrt_uint samples;
  clrt_uint max_depth;
  clrt_uint sphere_count;
  clrt_uint light_count;
  clrt_uint shadows;
  clrt_uint pad0;
} clrt_render_params;

#ifndef __OPENCL_C_VERSION__
#define CLRT_ASSERT_LAYOUT(type, size)                                                             \
  static_assert(sizeof(type) == (size), #type " must be " #size " bytes to match the device");     \
  static_assert(alignof(type) == 16, #type " must be 16-byte aligned to match the device")

CLRT_ASSERT_LAYOUT(clrt_float4, 16);
CLRT_ASSERT_LAYOUT(clrt_sphere, 32);
CLRT_ASSERT_LAYOUT(clrt_material, 48);
CLRT_ASSERT_LAYOUT(clrt_light, 48);
CLRT_ASSERT_LAYOUT(clrt_camera, 64);
CLRT_ASSERT_LAYOUT(clrt_render_params, 112);
static_assert(offsetof(clrt_sphere, material) == 16, "clrt_sphere.material offset");
static_assert(offsetof(clrt_material, ambient) == 16, "clrt_material.ambient offset");
static_assert(offsetof(clrt_material, reflectivity) == 32, "clrt_material.reflectivity offset");
static_assert(offsetof(clrt_light, intensity) == 32, "clrt_light.intensity offset");
static_assert(offsetof(clrt_render_params, background) == 64, "render_params.background offset");
static_assert(offsetof(clrt_render_params, width) == 80, "render_params.width offset");
static_assert(offsetof(clrt_render_params, shadows) == 104, "render_params.shadows offset");
#endif

#endif /* CLRT_TYPES_H */
