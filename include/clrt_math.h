/* 3-vector math that compiles as C11 (host) and as OpenCL C (kernel).
 *
 * The tracer (the device code of kernels/) is written against these names
 * only, so the host reference renderer and the device run the very same
 * arithmetic, in the same order. Dot products are spelled out (no builtin dot, which may
 * fuse multiply-adds) and contraction is off on both sides, so host and
 * device agree to the last bit wherever their sqrt/pow agree.
 */
#ifndef CLRT_MATH_H
#define CLRT_MATH_H

#include "clrt_types.h"

/* The distance of a ray that hits nothing: the largest finite float, not
 * infinity, which -cl-fast-relaxed-math (finite math only) lets the
 * compiler assume never occurs, folding every comparison with it. */
#define CLRT_NO_HIT 0x1.fffffep127f

#ifdef __OPENCL_C_VERSION__

#pragma OPENCL FP_CONTRACT OFF

/* The address space of the flat arrays: __constant when the host found
 * that they fit the device's constant memory (cached and broadcast on
 * GPUs), __global otherwise. */
#ifdef CLRT_ARRAYS_IN_CONSTANT
#define CLRT_ARRAY_SPACE __constant
#else
#define CLRT_ARRAY_SPACE __global
#endif
/* The address space of each array of the list (clrt_flat_arrays.h):
 * `scene`, the flat arrays' (above); `global`, __global always, for an
 * array that must not take one of the few constant arguments a device
 * has (POCL's eight). */
#define CLRT_SPACE_scene CLRT_ARRAY_SPACE
#define CLRT_SPACE_global __global
#define CLRT_INLINE inline
#define CLRT_INTERNAL static inline __attribute__((always_inline))
/* A rare branch of a hot loop, kept out of line so that its registers are
 * not held across the whole loop (ptxas allocates a callee's apart). */
#define CLRT_OUT_OF_LINE static __attribute__((noinline))
#define CLRT_TESTABLE CLRT_INTERNAL
/* A table of constants at file scope (program scope on the device). */
#define CLRT_TABLE __constant
/* The trace parameters' address space: the kernel reads them where the
 * host put them, in constant memory (cached and broadcast on GPUs), not
 * from a private copy, which would cost every work-item 176 bytes of
 * stack and the registers to load it. */
#define CLRT_PARAMS_SPACE __constant
/* Buffers a kernel reads that are not the flat arrays (the denoiser's). */
#define CLRT_BUFFER_SPACE __global
/* What a work-item keeps in the work-group's local memory (clrt_work_item). */
#define CLRT_ITEM_SPACE __local
/* On a GPU (a program built with -DCLRT_FOR_GPU), a fence: values of
 * local memory are stored before it and loaded again after it, never
 * carried across it in registers (the compiler may not). The path
 * integrator's loop has one before each ray's traversal, so that what it
 * keeps in clrt_path_state stays there while the ray is traced. Nothing
 * on a CPU, whose compiler spills what it must at no cost in threads, and
 * where Mesa's llvmpipe (rusticl) computes wrong pixels with a fence in
 * divergent control flow (tests/test_kernel.c holds the GPU form to the
 * same pixels on POCL). */
#ifdef CLRT_FOR_GPU
#define clrt_keep_in_memory() mem_fence(CLK_LOCAL_MEM_FENCE)
#else
#define clrt_keep_in_memory() ((void)0)
#endif
typedef float3 clrt_vec3;

#define clrt_vec3_make(x, y, z) ((float3)((x), (y), (z)))
#define clrt_vec3_from4(v) ((v).xyz)
#define clrt_vec3_add(a, b) ((a) + (b))
#define clrt_vec3_sub(a, b) ((a) - (b))
#define clrt_vec3_mul(a, b) ((a) * (b))
#define clrt_vec3_scale(a, s) ((a) * (s))
#define clrt_vec3_div(a, s) ((a) / (s))
/* Component-wise min and max of vectors without NaN (a vector compare and
 * select, which becomes the machine's vector min and max). */
#define clrt_vec3_min(a, b) ((a) < (b) ? (a) : (b))
#define clrt_vec3_max(a, b) ((a) > (b) ? (a) : (b))

/* Four lanes, one per child of a BVH node. */
typedef float4 clrt_vec4;
#define clrt_vec4_splat(x) ((float4)(x))
#define clrt_vec4_make(x, y, z, w) ((float4)((x), (y), (z), (w)))
#define clrt_vec4_sub(a, b) ((a) - (b))
#define clrt_vec4_mul(a, b) ((a) * (b))
#define clrt_vec4_min(a, b) ((a) < (b) ? (a) : (b))
#define clrt_vec4_max(a, b) ((a) > (b) ? (a) : (b))
/* enter where enter <= leave, CLRT_NO_HIT elsewhere. */
#define clrt_vec4_entered(enter, leave) select((float4)(CLRT_NO_HIT), (enter), (enter) <= (leave))
#define clrt_sqrt(x) sqrt(x)
#define clrt_exp2(x) exp2(x)
#define clrt_log2(x) log2(x)
#define clrt_floor(x) floor(x)
#define clrt_fmax(a, b) fmax((a), (b))
#define clrt_fmin(a, b) fmin((a), (b))
/* min and max of numbers known not to be NaN: a compare, which compilers
 * turn into the machine's min and max (fmin and fmax must handle NaN). */
#define clrt_min(a, b) ((a) < (b) ? (a) : (b))
#define clrt_max(a, b) ((a) > (b) ? (a) : (b))
#define clrt_fabs(x) fabs(x)
#define clrt_clz(x) clz(x)

#else /* host C11 */

#include <math.h>

#define CLRT_ARRAY_SPACE
#define CLRT_SPACE_scene
#define CLRT_SPACE_global
#define CLRT_INLINE static inline
/* Functions of the shared tracer that only it calls: file-local on the host;
 * those the tests also call directly have external linkage there. */
#define CLRT_INTERNAL static inline
#define CLRT_OUT_OF_LINE static
#define CLRT_TESTABLE
#define CLRT_TABLE static const
#define CLRT_PARAMS_SPACE
#define CLRT_BUFFER_SPACE
#define CLRT_ITEM_SPACE
#define clrt_keep_in_memory() ((void)0)
typedef struct clrt_vec3 {
  float x, y, z;
} clrt_vec3;

static inline clrt_vec3 clrt_vec3_make(float x, float y, float z) {
  clrt_vec3 v = {x, y, z};
  return v;
}
static inline clrt_vec3 clrt_vec3_from4(clrt_float4 v) { return clrt_vec3_make(v.x, v.y, v.z); }
static inline clrt_vec3 clrt_vec3_add(clrt_vec3 a, clrt_vec3 b) {
  return clrt_vec3_make(a.x + b.x, a.y + b.y, a.z + b.z);
}
static inline clrt_vec3 clrt_vec3_sub(clrt_vec3 a, clrt_vec3 b) {
  return clrt_vec3_make(a.x - b.x, a.y - b.y, a.z - b.z);
}
static inline clrt_vec3 clrt_vec3_mul(clrt_vec3 a, clrt_vec3 b) {
  return clrt_vec3_make(a.x * b.x, a.y * b.y, a.z * b.z);
}
static inline clrt_vec3 clrt_vec3_scale(clrt_vec3 a, float s) { return clrt_vec3_make(a.x * s, a.y * s, a.z * s); }
static inline clrt_vec3 clrt_vec3_div(clrt_vec3 a, float s) { return clrt_vec3_make(a.x / s, a.y / s, a.z / s); }
static inline clrt_vec3 clrt_vec3_min(clrt_vec3 a, clrt_vec3 b) {
  return clrt_vec3_make(a.x < b.x ? a.x : b.x, a.y < b.y ? a.y : b.y, a.z < b.z ? a.z : b.z);
}
static inline clrt_vec3 clrt_vec3_max(clrt_vec3 a, clrt_vec3 b) {
  return clrt_vec3_make(a.x > b.x ? a.x : b.x, a.y > b.y ? a.y : b.y, a.z > b.z ? a.z : b.z);
}
/* Four lanes, one per child of a BVH node. */
typedef clrt_float4 clrt_vec4;
static inline clrt_vec4 clrt_vec4_splat(float x) { return (clrt_vec4){x, x, x, x}; }
static inline clrt_vec4 clrt_vec4_make(float x, float y, float z, float w) { return (clrt_vec4){x, y, z, w}; }
static inline clrt_vec4 clrt_vec4_sub(clrt_vec4 a, clrt_vec4 b) {
  return (clrt_vec4){a.x - b.x, a.y - b.y, a.z - b.z, a.w - b.w};
}
static inline clrt_vec4 clrt_vec4_mul(clrt_vec4 a, clrt_vec4 b) {
  return (clrt_vec4){a.x * b.x, a.y * b.y, a.z * b.z, a.w * b.w};
}
static inline float clrt_lane_min(float a, float b) { return a < b ? a : b; }
static inline float clrt_lane_max(float a, float b) { return a > b ? a : b; }
static inline clrt_vec4 clrt_vec4_min(clrt_vec4 a, clrt_vec4 b) {
  return (clrt_vec4){clrt_lane_min(a.x, b.x), clrt_lane_min(a.y, b.y), clrt_lane_min(a.z, b.z),
                     clrt_lane_min(a.w, b.w)};
}
static inline clrt_vec4 clrt_vec4_max(clrt_vec4 a, clrt_vec4 b) {
  return (clrt_vec4){clrt_lane_max(a.x, b.x), clrt_lane_max(a.y, b.y), clrt_lane_max(a.z, b.z),
                     clrt_lane_max(a.w, b.w)};
}
static inline float clrt_lane_entered(float enter, float leave) { return enter <= leave ? enter : CLRT_NO_HIT; }
static inline clrt_vec4 clrt_vec4_entered(clrt_vec4 enter, clrt_vec4 leave) {
  return (clrt_vec4){clrt_lane_entered(enter.x, leave.x), clrt_lane_entered(enter.y, leave.y),
                     clrt_lane_entered(enter.z, leave.z), clrt_lane_entered(enter.w, leave.w)};
}

#define clrt_sqrt(x) sqrtf(x)
#define clrt_exp2(x) exp2f(x)
#define clrt_log2(x) log2f(x)
#define clrt_floor(x) floorf(x)
#define clrt_fmax(a, b) fmaxf((a), (b))
#define clrt_fmin(a, b) fminf((a), (b))
/* min and max of numbers known not to be NaN: a compare, where fminf and
 * fmaxf are library calls (for NaN's sake) that took a quarter of a BVH
 * traversal. For such numbers both sides agree. */
#define clrt_min(a, b) ((a) < (b) ? (a) : (b))
#define clrt_max(a, b) ((a) > (b) ? (a) : (b))
#define clrt_fabs(x) fabsf(x)
/* Leading zero bits of a 32-bit number (32 for 0, as OpenCL's clz). */
static inline clrt_uint clrt_clz(clrt_uint x) { return x ? (clrt_uint)__builtin_clz(x) : 32u; }

#endif

/* Shared by both sides: written once in terms of the primitives above. */

CLRT_INLINE clrt_vec3 clrt_vec3_unpack(clrt_packed3 p) { return clrt_vec3_make(p.x, p.y, p.z); }
CLRT_INLINE clrt_packed3 clrt_vec3_pack(clrt_vec3 v) {
  clrt_packed3 p;
  p.x = v.x;
  p.y = v.y;
  p.z = v.z;
  return p;
}

#define CLRT_PI 3.14159265358979323846f

CLRT_INLINE float clrt_vec3_dot(clrt_vec3 a, clrt_vec3 b) { return a.x * b.x + a.y * b.y + a.z * b.z; }

CLRT_INLINE clrt_vec3 clrt_vec3_cross(clrt_vec3 a, clrt_vec3 b) {
  return clrt_vec3_make(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x);
}

CLRT_INLINE float clrt_vec3_length(clrt_vec3 a) { return clrt_sqrt(clrt_vec3_dot(a, a)); }

CLRT_INLINE clrt_vec3 clrt_vec3_normalize(clrt_vec3 a) { return clrt_vec3_div(a, clrt_vec3_length(a)); }

CLRT_INLINE float clrt_max_abs_component(clrt_vec3 a) {
  return clrt_fmax(clrt_fabs(a.x), clrt_fmax(clrt_fabs(a.y), clrt_fabs(a.z)));
}

/* base^exponent for base > 0, as exp2(exponent * log2(base)): the general
 * pow() also handles negative bases and exact integer results, and on POCL
 * that made it a third of a whole frame's time (bench/RESULTS.md). */
CLRT_INLINE float clrt_pow_positive(float base, float exponent) { return clrt_exp2(exponent * clrt_log2(base)); }

/* sin and cos of an angle in [-pi/4, pi/4] by Taylor polynomials (errors
 * below 2e-9 there). The library sin/cos reduce any argument first, and on
 * POCL that reduction alone took a sixth of a soft-shadowed frame; these
 * are also the same operations on host and device. */
CLRT_INLINE void clrt_sin_cos_quarter(float angle, float *sine, float *cosine) {
  float a2 = angle * angle;
  *sine =
      angle * (1.0f + a2 * (-1.0f / 6.0f + a2 * (1.0f / 120.0f + a2 * (-1.0f / 5040.0f + a2 * (1.0f / 362880.0f)))));
  *cosine =
      1.0f +
      a2 * (-0.5f + a2 * (1.0f / 24.0f + a2 * (-1.0f / 720.0f + a2 * (1.0f / 40320.0f + a2 * (-1.0f / 3628800.0f)))));
}

/* Mirror direction of d about the unit normal n. */
CLRT_INLINE clrt_vec3 clrt_vec3_reflect(clrt_vec3 d, clrt_vec3 n) {
  return clrt_vec3_sub(d, clrt_vec3_scale(n, 2.0f * clrt_vec3_dot(d, n)));
}

#endif /* CLRT_MATH_H */
