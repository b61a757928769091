/* OpenCL through the ICD loader, written against the 1.2 API, and the
 * checking of every call: the error names the call, the CL error by name
 * and what was being done. */
#ifndef CLRT_OPENCL_H
#define CLRT_OPENCL_H

#ifndef CL_TARGET_OPENCL_VERSION
#define CL_TARGET_OPENCL_VERSION 120
#endif
#include <CL/cl.h>

#include "clrt_error.h"

/* "CL_OUT_OF_RESOURCES" for -5, or "CL error -9999" for unknown codes. */
const char *clrt_cl_error_name(cl_int code);

/* CLRT_OK when code is CL_SUCCESS; otherwise a runtime error reading
 * "<what>: <call> failed with <CL_NAME>". */
clrt_status clrt_cl_check(cl_int code, const char *call, const char *what, clrt_error *err);

#endif /* CLRT_OPENCL_H */
