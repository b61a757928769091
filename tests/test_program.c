/* Building the trace program (host/device/program.c): a failed build's
 * log, every variant without a warning, and the program-binary cache. */
#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "clrt_cache.h"
#include "clrt_integrators.h"
#include "clrt_program.h"

static void test_kernel_build_failure_prints_log(void **state) {
  (void)state;
  clrt_device device;
  test_require_device(&device);
  cl_int rc;
  cl_context context = clCreateContext(NULL, 1, &device.id, NULL, NULL, &rc);
  assert_int_equal(rc, CL_SUCCESS);
  FILE *log = tmpfile();
  assert_non_null(log);
  cl_program program;
  clrt_error err;
  clrt_status status = clrt_program_build_source(
      context, &device, "__kernel void broken(__global float *x) { x[0] = undeclared_name; }", "", log, &program, &err);
  assert_int_equal(status, CLRT_ERR_RUNTIME);
  assert_non_null(strstr(err.message, "failed to build"));
  assert_non_null(strstr(err.message, device.name));
  assert_non_null(strstr(test_read_log(log), "undeclared_name"));
  fclose(log);
  clReleaseContext(context);
}

/* NVIDIA's compiler is asked to hold the path integrator's rendering
 * kernel to 64 registers (what it needs without spilling, by
 * scripts/gpu-check.sh); no other kernel, and no other device. A GPU
 * gets the kernels' GPU form, a CPU not. */
static void test_path_kernel_asks_nvidia_for_its_registers(void **state) {
  (void)state;
  clrt_device nvidia = {.type = CL_DEVICE_TYPE_GPU, .nv_compiler_options = true}, other = {.exact_divide_sqrt = true};
  clrt_program_kind path = {.integrator = CLRT_INTEGRATOR_path, .tile_form = CLRT_TILE_SUMS};
  clrt_program_kind path_aux = {.integrator = CLRT_INTEGRATOR_path, .tile_form = CLRT_TILE_AUX};
  clrt_program_kind whitted = {.integrator = CLRT_INTEGRATOR_whitted, .tile_form = CLRT_TILE_LEVELS};
  clrt_build_facts facts = {0};
  char options[256];
  clrt_program_options(&nvidia, &path, &facts, options, sizeof options);
  assert_non_null(strstr(options, " -cl-nv-maxrregcount=64"));
  assert_non_null(strstr(options, " -DCLRT_FOR_GPU")); /* the path's state fenced into local memory */
  clrt_program_options(&nvidia, &path_aux, &facts, options, sizeof options);
  assert_null(strstr(options, "maxrregcount"));
  clrt_program_options(&nvidia, &whitted, &facts, options, sizeof options);
  assert_null(strstr(options, "maxrregcount"));
  clrt_program_options(&other, &path, &facts, options, sizeof options);
  assert_null(strstr(options, "maxrregcount"));
  assert_null(strstr(options, "CLRT_FOR_GPU"));
  assert_non_null(strstr(options, "-DCLRT_SUM_OUTPUT"));
}

/* Builds the program of `kind`: the status, and the facts and error it
 * leaves. A program built must give the kernel (a cached binary too). */
static clrt_status build_with(const clrt_device *device, const clrt_program_kind *kind, clrt_build_facts *facts,
                              clrt_error *err) {
  cl_int rc;
  cl_context context = clCreateContext(NULL, 1, &device->id, NULL, NULL, &rc);
  assert_int_equal(rc, CL_SUCCESS);
  cl_program program = NULL;
  clrt_status status = clrt_program_build(context, device, kind, stderr, &program, facts, err);
  if (status == CLRT_OK) {
    cl_kernel kernel = clCreateKernel(program, CLRT_TRACE_KERNEL_NAME, &rc);
    assert_int_equal(rc, CL_SUCCESS);
    clReleaseKernel(kernel);
    clReleaseProgram(program);
  }
  clReleaseContext(context);
  return status;
}

/* --arrays: auto puts a scene that fits in constant memory on a CPU,
 * global always in global memory, constant refuses a scene too big. */
static void test_arrays_go_where_asked(void **state) {
  (void)state;
  clrt_device device;
  test_require_device(&device);
  clrt_build_facts facts;
  clrt_error err;
  clrt_program_kind kind = {.integrator = CLRT_INTEGRATOR_whitted, .scene_bytes = 1024};
  assert_int_equal(build_with(&device, &kind, &facts, &err), CLRT_OK);
  assert_int_equal(facts.arrays_in_constant, (device.type & CL_DEVICE_TYPE_GPU) == 0);
  kind.array_memory = CLRT_ARRAYS_GLOBAL;
  assert_int_equal(build_with(&device, &kind, &facts, &err), CLRT_OK);
  assert_false(facts.arrays_in_constant);
  kind.array_memory = CLRT_ARRAYS_CONSTANT;
  assert_int_equal(build_with(&device, &kind, &facts, &err), CLRT_OK);
  assert_true(facts.arrays_in_constant);
  kind.scene_bytes = (size_t)device.constant_memory + 1;
  assert_int_equal(build_with(&device, &kind, &facts, &err), CLRT_ERR_INPUT);
  assert_non_null(strstr(err.message, "--arrays constant: the scene's arrays"));
  assert_non_null(strstr(err.message, device.name));
}

static clrt_build_facts build_once(const clrt_device *device, bool fast_math) {
  clrt_build_facts facts;
  clrt_error err;
  clrt_program_kind kind = {.integrator = CLRT_INTEGRATOR_whitted, .scene_bytes = 1024, .fast_math = fast_math};
  if (build_with(device, &kind, &facts, &err) != CLRT_OK)
    fail_msg("%s", err.message);
  return facts;
}

static void test_second_build_comes_from_the_cache(void **state) {
  (void)state;
  clrt_device device;
  test_require_device(&device);
  test_fresh_cache();
  assert_false(build_once(&device, false).from_cache);
  assert_true(build_once(&device, false).from_cache);
  assert_false(build_once(&device, true).from_cache); /* other options, other binary */
  setenv(CLRT_CACHE_DIR_ENVIRONMENT, "off", 1);
  assert_false(build_once(&device, false).from_cache);
  unsetenv(CLRT_CACHE_DIR_ENVIRONMENT);
}

/* Runs a shell command on every cached program binary of `folder`. */
static void damage_entries(const char *folder, const char *command) {
  char line[1400];
  snprintf(line, sizeof line, "for f in %s/program-*.bin; do %s; done", folder, command);
  assert_int_equal(system(line), 0);
}

/* A damaged cached binary never reaches the driver (some crash on one):
 * it is rebuilt from source and stored again. */
static void test_damaged_cache_is_rebuilt(void **state) {
  (void)state;
  clrt_device device;
  test_require_device(&device);
  const char *folder = test_fresh_cache();
  assert_false(build_once(&device, false).from_cache);
  const char *damages[] = {
      "truncate -s -1 $f",                                                /* cut short by a byte */
      "printf 'X' | dd of=$f bs=1 seek=3 conv=notrunc status=none",       /* the header */
      "printf 'X' | dd of=$f bs=1 seek=20 conv=notrunc status=none",      /* its length */
      "printf '\\377' | dd of=$f bs=1 seek=200 conv=notrunc status=none", /* the binary */
      "truncate -s 16 $f",
      ": > $f",
      "printf 'garbage' >> $f",
  };
  for (size_t i = 0; i < sizeof damages / sizeof damages[0]; ++i) {
    assert_true(build_once(&device, false).from_cache);
    damage_entries(folder, damages[i]);
    if (build_once(&device, false).from_cache)
      fail_msg("a cached binary damaged by '%s' was used", damages[i]);
  }
  assert_true(build_once(&device, false).from_cache); /* stored again */
  unsetenv(CLRT_CACHE_DIR_ENVIRONMENT);
}

/* A cache folder that others may write is not used. */
static void test_cache_writable_by_others_is_not_used(void **state) {
  (void)state;
  clrt_device device;
  test_require_device(&device);
  const char *folder = test_fresh_cache();
  build_once(&device, false);
  assert_true(build_once(&device, false).from_cache);
  assert_int_equal(chmod(folder, 0777), 0);
  assert_false(build_once(&device, false).from_cache);
  unsetenv(CLRT_CACHE_DIR_ENVIRONMENT);
}

/* Every variant of the kernel compiles without a warning: the runtime
 * choice of integrator and the program of each one alone, with every
 * option a session may add. */
static void test_kernel_builds_without_warnings(void **state) {
  (void)state;
  clrt_device device;
  test_require_device(&device);
  const char *variants[] = {"-Werror", "-Werror -DCLRT_LINEAR_OUTPUT", "-Werror -DCLRT_ARRAYS_IN_CONSTANT",
                            "-Werror -DCLRT_ARRAYS_IN_CONSTANT -DCLRT_LINEAR_OUTPUT -cl-fast-relaxed-math"};
  cl_int rc;
  cl_context context = clCreateContext(NULL, 1, &device.id, NULL, NULL, &rc);
  assert_int_equal(rc, CL_SUCCESS);
  for (int integrator = -1; integrator < CLRT_INTEGRATOR_COUNT; ++integrator)
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; ++i) {
      char options[256];
      if (integrator < 0)
        snprintf(options, sizeof options, "%s", variants[i]);
      else
        snprintf(options, sizeof options, "%s -DCLRT_INTEGRATOR=%d", variants[i], integrator);
      cl_program program;
      clrt_error err;
      if (clrt_program_build_source(context, &device, clrt_kernel_source, options, stderr, &program, &err) != CLRT_OK)
        fail_msg("%s: %s", options, err.message);
      clReleaseProgram(program);
    }
  clReleaseContext(context);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_kernel_build_failure_prints_log),
      cmocka_unit_test(test_path_kernel_asks_nvidia_for_its_registers),
      cmocka_unit_test(test_kernel_builds_without_warnings),
      cmocka_unit_test(test_second_build_comes_from_the_cache),
      cmocka_unit_test(test_arrays_go_where_asked),
      cmocka_unit_test(test_damaged_cache_is_rebuilt),
      cmocka_unit_test(test_cache_writable_by_others_is_not_used),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
