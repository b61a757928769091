/* Building the embedded kernel sources into a program for a device, with a
 * persistent cache of program binaries (keyed by device, driver version,
 * build options and source), so that the second run does not recompile. */
#include "clrt_program.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "clrt_cache.h"
#include "clrt_clock.h"
#include "clrt_flat_arrays.h"
#include "clrt_hash.h"
#include "clrt_integrators.h"
#include "clrt_stop.h"

/* Exact by default: no -cl-fast-relaxed-math or -cl-mad-enable, since the
 * picture must match the host reference. Where the device can, division
 * and sqrt are correctly rounded, as on the host (OpenCL otherwise allows
 * errors of a few ulp, and GPUs use them). */
#define CLRT_EXACT_DIVIDE_SQRT_OPTION " -cl-fp32-correctly-rounded-divide-sqrt"
#define CLRT_FAST_MATH_OPTION " -cl-fast-relaxed-math"
#define CLRT_ARRAYS_IN_CONSTANT_OPTION " -DCLRT_ARRAYS_IN_CONSTANT"
#define CLRT_LINEAR_OUTPUT_OPTION " -DCLRT_LINEAR_OUTPUT"
#define CLRT_SUM_OUTPUT_OPTION " -DCLRT_SUM_OUTPUT"
#define CLRT_AUX_OUTPUT_OPTION " -DCLRT_AUX_OUTPUT"
#define CLRT_CLIPPING_OPTION " -DCLRT_CLIPPING"
/* The kernels' form for a GPU (clrt_keep_in_memory in clrt_math.h). */
#define CLRT_FOR_GPU_OPTION " -DCLRT_FOR_GPU"
/* The registers a work-item of the path integrator's trace kernel may
 * use, asked of NVIDIA's compiler: what its state needs without spilling
 * (docs/gpu.md, "Kernels on a GPU"; scripts/gpu-check.sh reads this line
 * and holds the kernel to it), for half the SM's threads resident. */
#define CLRT_PATH_REGISTERS 64
#define CLRT_REGISTER_CAP_OPTION " -cl-nv-maxrregcount=%d"
/* The program holds one integrator's code (kernels/pixel.c says why). */
#define CLRT_INTEGRATOR_OPTION " -DCLRT_INTEGRATOR=%u"

/* The kernel's __constant arguments: the parameters and the flat arrays of the
 * `scene` space. */
#define CLRT_CONSTANT_ARGUMENTS (1 + CLRT_SCENE_SPACE_ARRAY_COUNT)

/* Constant memory kept free besides the flat arrays: the parameters and
 * what a compiler may place there itself. */
#define CLRT_CONSTANT_RESERVE_BYTES 4096u

enum { CLRT_PATH_SIZE = 1024 };

/* Whether every flat array fits the device's constant memory at once
 * (some devices share one constant bank between all arguments). */
static bool arrays_fit_constant(const clrt_device *device, size_t scene_bytes) {
  return device->max_constant_args >= CLRT_CONSTANT_ARGUMENTS &&
         scene_bytes + CLRT_CONSTANT_RESERVE_BYTES <= device->constant_memory;
}

const char *clrt_array_memory_name(clrt_array_memory memory) {
  return memory == CLRT_ARRAYS_CONSTANT ? "constant" : memory == CLRT_ARRAYS_GLOBAL ? "global" : "auto";
}

clrt_status clrt_program_check_arrays(const clrt_device *device, size_t scene_bytes, clrt_array_memory memory,
                                      clrt_error *err) {
  if (memory != CLRT_ARRAYS_CONSTANT || arrays_fit_constant(device, scene_bytes))
    return CLRT_OK;
  char title[CLRT_DEVICE_TITLE_SIZE];
  clrt_device_title(device, title, sizeof title);
  return clrt_fail(err, CLRT_ERR_INPUT,
                   "--arrays constant: the scene's arrays (%zu bytes) do not fit the constant memory of %s (%llu "
                   "bytes, %u constant arguments; clrt needs %zu bytes more and %d arguments); use --arrays global "
                   "or auto",
                   scene_bytes, title, (unsigned long long)device->constant_memory, device->max_constant_args,
                   (size_t)CLRT_CONSTANT_RESERVE_BYTES, CLRT_CONSTANT_ARGUMENTS);
}

clrt_status clrt_program_array_space(const clrt_device *device, const clrt_program_kind *kind, bool *in_constant,
                                     clrt_error *err) {
  switch (kind->array_memory) {
  case CLRT_ARRAYS_CONSTANT:
    *in_constant = true;
    return clrt_program_check_arrays(device, kind->scene_bytes, kind->array_memory, err);
  case CLRT_ARRAYS_GLOBAL:
    *in_constant = false;
    return CLRT_OK;
  case CLRT_ARRAYS_AUTO:
    break;
  }
  *in_constant = arrays_fit_constant(device, kind->scene_bytes) && !(device->type & CL_DEVICE_TYPE_GPU);
  return CLRT_OK;
}

/* What the kernel writes: 8-bit levels unless told otherwise. */
static const char *output_option(clrt_tile_form tile_form) {
  return tile_form == CLRT_TILE_LINEAR ? CLRT_LINEAR_OUTPUT_OPTION
         : tile_form == CLRT_TILE_SUMS ? CLRT_SUM_OUTPUT_OPTION
         : tile_form == CLRT_TILE_AUX  ? CLRT_AUX_OUTPUT_OPTION
                                       : "";
}

void clrt_program_options(const clrt_device *device, const clrt_program_kind *kind, const clrt_build_facts *facts,
                          char *out, size_t size) {
  int written = snprintf(out, size, "%s%s%s%s%s%s" CLRT_INTEGRATOR_OPTION, kind->fast_math ? CLRT_FAST_MATH_OPTION : "",
                         !kind->fast_math && device->exact_divide_sqrt ? CLRT_EXACT_DIVIDE_SQRT_OPTION : "",
                         facts->arrays_in_constant ? CLRT_ARRAYS_IN_CONSTANT_OPTION : "",
                         output_option(kind->tile_form), kind->clipping ? CLRT_CLIPPING_OPTION : "",
                         device->type & CL_DEVICE_TYPE_GPU ? CLRT_FOR_GPU_OPTION : "", kind->integrator);
  /* The path integrator's rendering kernel, not its auxiliary passes'
   * (which trace camera rays their own way). */
  if (device->nv_compiler_options && kind->integrator == CLRT_INTEGRATOR_path && kind->tile_form == CLRT_TILE_SUMS &&
      written > 0 && (size_t)written < size)
    snprintf(out + written, size - (size_t)written, CLRT_REGISTER_CAP_OPTION, CLRT_PATH_REGISTERS);
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
    char title[CLRT_DEVICE_TITLE_SIZE];
    clrt_device_title(device, title, sizeof title);
    fprintf(log, "clrt: build log for %s:\n%s\n", title, text);
  }
  free(text);
}

clrt_status clrt_program_build_source(cl_context context, const clrt_device *device, const char *source,
                                      const char *options, FILE *log, cl_program *program, clrt_error *err) {
  const char *sources[] = {source};
  char title[CLRT_DEVICE_TITLE_SIZE];
  clrt_device_title(device, title, sizeof title);
  cl_int rc;
  *program = clCreateProgramWithSource(context, 1, sources, NULL, &rc);
  clrt_status status = clrt_cl_check(rc, "clCreateProgramWithSource", title, err);
  if (status != CLRT_OK)
    return status;
  rc = clBuildProgram(*program, 1, &device->id, options, NULL, NULL);
  if (rc == CL_SUCCESS)
    return CLRT_OK;
  if (rc == CL_BUILD_PROGRAM_FAILURE)
    print_build_log(*program, device, log);
  clReleaseProgram(*program);
  *program = NULL;
  return clrt_fail(err, CLRT_ERR_RUNTIME,
                   "the trace kernel failed to build for %s: clBuildProgram returned %s (build log above; "
                   "try another device with --device, or update its OpenCL driver)",
                   title, clrt_cl_error_name(rc));
}

/* The cache entry for this program: its key covers everything that
 * changes the binary. */
static uint64_t cache_key(const clrt_device *device, const char *options, char *name, size_t size) {
  uint64_t key = clrt_hash_string(CLRT_HASH_START, clrt_kernel_source);
  key = clrt_hash_string(key, options);
  key = clrt_hash_string(key, device->name);
  key = clrt_hash_string(key, device->platform_name);
  key = clrt_hash_string(key, device->driver_version);
  key = clrt_hash_string(key, device->device_version);
  snprintf(name, size, "program-%016llx.bin", (unsigned long long)key);
  return key;
}

/* A cached binary, built; false (and nothing to release) on any failure,
 * so the caller compiles from source instead. Only an entry whose header
 * checks out reaches the driver. */
static bool load_cached(cl_context context, const clrt_device *device, const char *directory, const char *name,
                        uint64_t key, const char *options, cl_program *program) {
  size_t size = 0;
  char *binary;
  if (!clrt_cache_load(directory, name, key, &binary, &size) || size == 0) {
    free(binary);
    return false;
  }
  const unsigned char *binaries[] = {(const unsigned char *)binary};
  cl_int status, rc;
  *program = clCreateProgramWithBinary(context, 1, &device->id, &size, binaries, &status, &rc);
  free(binary);
  if (rc != CL_SUCCESS || status != CL_SUCCESS)
    return false;
  if (clBuildProgram(*program, 1, &device->id, options, NULL, NULL) == CL_SUCCESS)
    return true;
  clReleaseProgram(*program);
  *program = NULL;
  return false;
}

/* Stores the program's binary; failures only cost a rebuild next time. */
static void store_cached(cl_program program, const char *directory, const char *name, uint64_t key) {
  size_t size = 0;
  if (clGetProgramInfo(program, CL_PROGRAM_BINARY_SIZES, sizeof size, &size, NULL) != CL_SUCCESS || size == 0)
    return;
  unsigned char *binary = malloc(size);
  unsigned char *binaries[] = {binary};
  if (binary && clGetProgramInfo(program, CL_PROGRAM_BINARIES, sizeof binaries, binaries, NULL) == CL_SUCCESS)
    clrt_cache_store(directory, name, key, binary, size);
  free(binary);
}

/* How often a process waiting for another's build looks again. */
#define CLRT_BUILD_LOCK_POLL_MS 50

/* Holds <directory>/<name>.lock while this program is compiled and
 * stored, so that renders started together on a cold cache compile it
 * once: the others wait, then load the binary the first one stored.
 * Waits in steps, so that Ctrl-C still stops a waiting process (-2). -1
 * where no lock can be had: the build goes on without one. */
static int lock_cache_entry(const char *directory, const char *name) {
  char path[CLRT_PATH_SIZE + 80];
  snprintf(path, sizeof path, "%s/%s.lock", directory, name);
  int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return -1;
  struct timespec pause = {0, CLRT_BUILD_LOCK_POLL_MS * 1000000L};
  while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK || clrt_stop_signal()) {
      close(fd);
      return clrt_stop_signal() ? -2 : -1;
    }
    nanosleep(&pause, NULL);
  }
  return fd;
}

clrt_status clrt_program_build(cl_context context, const clrt_device *device, const clrt_program_kind *kind, FILE *log,
                               cl_program *program, clrt_build_facts *facts, clrt_error *err) {
  char options[256], directory[CLRT_PATH_SIZE], name[64];
  memset(facts, 0, sizeof *facts);
  clrt_status chosen = clrt_program_array_space(device, kind, &facts->arrays_in_constant, err);
  if (chosen != CLRT_OK)
    return chosen;
  clrt_program_options(device, kind, facts, options, sizeof options);
  double start = clrt_now_ms();
  bool cacheable = clrt_cache_dir(directory, sizeof directory, log);
  uint64_t key = cache_key(device, options, name, sizeof name);
  facts->from_cache = cacheable && load_cached(context, device, directory, name, key, options, program);
  int lock = facts->from_cache || !cacheable ? -1 : lock_cache_entry(directory, name);
  if (lock == -2)
    return clrt_stop_check("waiting for another process's kernel build", err);
  if (lock >= 0) /* another process may have stored it while this one waited */
    facts->from_cache = load_cached(context, device, directory, name, key, options, program);
  clrt_status status = CLRT_OK;
  if (!facts->from_cache) {
    status = clrt_program_build_source(context, device, clrt_kernel_source, options, log, program, err);
    if (status == CLRT_OK && cacheable)
      store_cached(*program, directory, name, key);
  }
  if (lock >= 0)
    close(lock); /* and with it the lock */
  facts->build_ms = clrt_now_ms() - start;
  return status;
}
