/* Building the trace program for one device from the kernel sources that
 * are embedded in the binary, through a persistent program-binary cache
 * (clrt_cache.h). */
#ifndef CLRT_PROGRAM_H
#define CLRT_PROGRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "clrt_devices.h"
#include "clrt_error.h"
#include "clrt_opencl.h"

/* The kernel sources (the shared headers of include/, the C files of kernels/,
 * kernels/trace.cl) concatenated at build time by
 * cmake/embed_kernels.cmake. */
extern const char clrt_kernel_source[];

/* The trace kernel's name in kernels/trace.cl. */
#define CLRT_TRACE_KERNEL_NAME "clrt_trace_tile"
/* The denoiser's two kernels, in the same program. */
#define CLRT_DENOISE_KEYS_KERNEL_NAME "clrt_denoise_keys"
#define CLRT_DENOISE_KERNEL_NAME "clrt_denoise_step"

typedef struct clrt_build_facts {
  double build_ms;
  bool from_cache; /* loaded from the program-binary cache, not compiled */
  bool arrays_in_constant;
} clrt_build_facts;

/* The form of the pixels a tile comes back in. */
typedef enum clrt_tile_form {
  CLRT_TILE_LEVELS, /* 8-bit RGB, tone-mapped on the device: 3 bytes a pixel */
  CLRT_TILE_LINEAR, /* linear colour (for .hdr): a clrt_float4 a pixel */
  CLRT_TILE_SUMS,   /* exact sums of a pass of samples (progressive rendering): a clrt_pixel_sum a pixel */
  CLRT_TILE_AUX,    /* the auxiliary passes (albedo, normal, depth): a clrt_pixel_aux a pixel */
} clrt_tile_form;

/* Where the flat arrays live on the device (--arrays). */
typedef enum clrt_array_memory {
  /* __constant where they all fit on a CPU (on POCL, no slower than
   * __global, and broadcast); __global on a GPU: its constant cache
   * serves the threads of a warp that read different addresses (rays
   * through different BVH nodes) one address at a time, while __global
   * reads go through the L1 cache at any address. */
  CLRT_ARRAYS_AUTO,
  CLRT_ARRAYS_CONSTANT, /* __constant, refused where they do not fit */
  CLRT_ARRAYS_GLOBAL,   /* __global */
} clrt_array_memory;

/* The --arrays word of each (auto, constant, global). */
const char *clrt_array_memory_name(clrt_array_memory memory);

/* What the program is built for. */
typedef struct clrt_program_kind {
  unsigned integrator;            /* the only one it holds (clrt_integrators.h) */
  size_t scene_bytes;             /* the flat arrays' bytes */
  clrt_array_memory array_memory; /* where they live */
  bool fast_math;                 /* -cl-fast-relaxed-math: faster on some GPUs, not exact */
  clrt_tile_form tile_form;       /* what the kernel writes */
  bool clipping;                  /* the scene cuts spheres with planes (kernels/sphere.c) */
} clrt_program_kind;

/* Whether `device` can hold a scene's arrays (scene_bytes) where `memory`
 * asks: only --arrays constant can be refused, with the one-line error
 * (checked before rendering as well as at the build). */
clrt_status clrt_program_check_arrays(const clrt_device *device, size_t scene_bytes, clrt_array_memory memory,
                                      clrt_error *err);

/* Where a program of `kind` reads the flat arrays from on `device`
 * (clrt_array_memory): true for __constant. */
clrt_status clrt_program_array_space(const clrt_device *device, const clrt_program_kind *kind, bool *in_constant,
                                     clrt_error *err);

/* The build options of a program of `kind` for `device`, where the facts
 * say its arrays live. */
void clrt_program_options(const clrt_device *device, const clrt_program_kind *kind, const clrt_build_facts *facts,
                          char *out, size_t size);

/* Builds (or loads from the cache) the program for `device`. On a build
 * failure the compiler's log goes to `log` and the error names the device;
 * so does a warning about a cache folder that is not safe to use. */
clrt_status clrt_program_build(cl_context context, const clrt_device *device, const clrt_program_kind *kind, FILE *log,
                               cl_program *program, clrt_build_facts *facts, clrt_error *err);

/* Compiles any source text, without the cache (tests build broken ones). */
clrt_status clrt_program_build_source(cl_context context, const clrt_device *device, const char *source,
                                      const char *options, FILE *log, cl_program *program, clrt_error *err);

#endif /* CLRT_PROGRAM_H */
