/* Building the embedded kernel sources into a program for a device. */
#include "clrt_program.h"

#include <stdlib.h>

/* No -cl-fast-relaxed-math or -cl-mad-enable: the picture must match the
 * host reference, so the device may not trade exactness for speed. Where
 * the device can, division and sqrt are correctly rounded, as on the host
 * (OpenCL otherwise allows errors of a few ulp, and GPUs use them). */
#define CLRT_EXACT_DIVIDE_SQRT_OPTION "-cl-fp32-correctly-rounded-divide-sqrt"

static const char *build_options(const clrt_device *device) {
  cl_device_fp_config single = 0;
  clGetDeviceInfo(device->id, CL_DEVICE_SINGLE_FP_CONFIG, sizeof single, &single, NULL);
  return (single & CL_FP_CORRECTLY_ROUNDED_DIVIDE_SQRT) ? CLRT_EXACT_DIVIDE_SQRT_OPTION : "";
}

static void print_build_log(cl_program program, const clrt_device *device, FILE *log) {
  size_t size = 0;
  if (clGetProgramBuildInfo(program, device->id, CL_PROGRAM_BUILD_LOG, 0, NULL, &size) != CL_SUCCESS || size == 0)
    return;
  char *text = malloc(size + 1);
  if (!text)
    return;
  if (clGetProgramBuildInfo(program, device->id, CL_PROGRAM_BUILD_LOG, size, text, NULL) == CL_SUCCESS) {
    text[size] = '\0';
    fprintf(log, "clrt: build log for %s:\n%s\n", device->name, text);
  }
  free(text);
}

clrt_status clrt_program_build(cl_context context, const clrt_device *device, FILE *log, cl_program *program,
                               clrt_error *err) {
  return clrt_program_build_source(context, device, clrt_kernel_source, log, program, err);
}

clrt_status clrt_program_build_source(cl_context context, const clrt_device *device, const char *source, FILE *log,
                                      cl_program *program, clrt_error *err) {
  const char *sources[] = {source};
  cl_int rc;
  *program = clCreateProgramWithSource(context, 1, sources, NULL, &rc);
  clrt_status status = clrt_cl_check(rc, "clCreateProgramWithSource", device->name, err);
  if (status != CLRT_OK)
    return status;
  rc = clBuildProgram(*program, 1, &device->id, build_options(device), NULL, NULL);
  if (rc == CL_SUCCESS)
    return CLRT_OK;
  if (rc == CL_BUILD_PROGRAM_FAILURE)
    print_build_log(*program, device, log);
  clReleaseProgram(*program);
  *program = NULL;
  return clrt_fail(err, CLRT_ERR_RUNTIME,
                   "the trace kernel failed to build for %s: clBuildProgram returned %s (build log above; "
                   "try another device with --device, or update its OpenCL driver)",
                   device->name, clrt_cl_error_name(rc));
}
