/* Building the trace program for one device from the kernel sources that
 * are embedded in the binary. */
#ifndef CLRT_PROGRAM_H
#define CLRT_PROGRAM_H

#include <stdio.h>

#include "clrt_devices.h"
#include "clrt_error.h"
#include "clrt_opencl.h"

/* The kernel sources (include/clrt_types.h, clrt_math.h, clrt_tracer.h,
 * kernels/tracer.c, kernels/render.cl) concatenated at build time by
 * cmake/embed_kernels.cmake. */
extern const char clrt_kernel_source[];

/* The trace kernel's name in kernels/render.cl. */
#define CLRT_TRACE_KERNEL_NAME "clrt_render_tile"

/* Builds the program for `device`. On a build failure the compiler's log
 * goes to `log` and the error names the device. */
clrt_status clrt_program_build(cl_context context, const clrt_device *device, FILE *log, cl_program *program,
                               clrt_error *err);

/* The same from any source text (tests build deliberately broken ones). */
clrt_status clrt_program_build_source(cl_context context, const clrt_device *device, const char *source, FILE *log,
                                      cl_program *program, clrt_error *err);

#endif /* CLRT_PROGRAM_H */
