/* The trace kernel on a device (kernels/, run through sessions) against
 * the host reference: scenes, every tiling giving identical bytes, the
 * PymoniK picture against the Python program's, and the device's tone
 * mapping against the host's formula. */
#include "test_support.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stb_image.h>

#include "clrt_image.h"
#include "clrt_program.h"
#include "clrt_tone_map.h"

static void check_against_reference(const char *scene_name, unsigned width, unsigned height, unsigned samples) {
  clrt_device device;
  test_require_device(&device);
  clrt_scene scene;
  test_load_scene(scene_name, width, height, &scene);
  if (samples)
    scene.sampling.samples = samples;
  picture on_device = test_render_device(&device, &scene, 0, 64, 64, CLRT_FILM_LEVELS);
  picture reference = test_render_reference(&scene);
  test_assert_not_flat(&on_device);
  test_assert_matches_reference(&on_device, &reference, &scene);
  test_picture_free(&on_device);
  test_picture_free(&reference);
  clrt_scene_free(&scene);
}

static void test_pymonik_matches_reference(void **state) {
  (void)state;
  check_against_reference("scenes/pymonik.json", 240, 160, 0);
}

static void test_showcase_matches_reference(void **state) {
  (void)state;
  check_against_reference("scenes/showcase.json", 192, 108, 2);
}

static void test_default_scene_matches_reference(void **state) {
  (void)state;
  check_against_reference("scenes/default.json", 160, 90, 0);
}

/* The throughput reference scene (tests/data, from the shared reference
 * scenes): ten spheres, three lights, mirrors. */
static void test_whitted_hard_matches_reference(void **state) {
  (void)state;
  check_against_reference("tests/data/whitted_hard.json", 200, 150, 0);
}

/* Twenty thousand spheres of their own colours, some glass: the BVH on the
 * device against the host reference. */
static void test_many_spheres_match_reference(void **state) {
  (void)state;
  check_against_reference("tests/data/particles.json", 160, 90, 0);
}

/* The path integrator on the device: the room of the bench, lit by a
 * glowing sphere, with a mirror, glass and a glossy ball. */
static void test_path_traced_room_matches_reference(void **state) {
  (void)state;
  check_against_reference("scenes/bench/room.json", 64, 48, 4);
}

/* The path integrator's samples are the same whatever the tiling. */
static void test_path_tracing_is_the_same_in_every_tiling(void **state) {
  (void)state;
  clrt_device device;
  test_require_device(&device);
  clrt_scene scene;
  test_load_scene("scenes/bench/sky_particles.json", 101, 57, &scene);
  scene.sampling.samples = 3;
  picture one_tile = test_render_device(&device, &scene, 1, 0, 0, CLRT_FILM_LINEAR);
  picture squares = test_render_device(&device, &scene, 0, 16, 16, CLRT_FILM_LINEAR);
  test_assert_not_flat(&one_tile);
  assert_memory_equal(one_tile.linear, squares.linear, (size_t)101 * 57 * 3 * sizeof(float));
  test_picture_free(&one_tile);
  test_picture_free(&squares);
  clrt_scene_free(&scene);
}

/* The path integrator's form for a GPU (-DCLRT_FOR_GPU: its state fenced
 * into local memory between rays) computes the very pixels of the CPU's
 * form: run on POCL by telling clrt the device is a GPU. Not on rusticl,
 * whose llvmpipe computes wrong pixels with a fence in divergent control
 * flow (the reason a CPU's form has none). */
static void test_path_tracing_for_a_gpu_gives_the_same_pixels(void **state) {
  (void)state;
  test_require_pocl("the GPU form's fences are miscompiled by llvmpipe");
  clrt_device device;
  test_require_device(&device);
  clrt_device as_gpu = device;
  as_gpu.type = CL_DEVICE_TYPE_GPU;
  clrt_scene scene;
  test_load_scene("scenes/bench/room.json", 64, 48, &scene);
  scene.sampling.samples = 6;
  picture cpu = test_render_device(&device, &scene, 1, 0, 0, CLRT_FILM_LINEAR);
  picture gpu = test_render_device(&as_gpu, &scene, 1, 0, 0, CLRT_FILM_LINEAR);
  test_assert_not_flat(&cpu);
  if (!test_fast_math())
    assert_memory_equal(cpu.linear, gpu.linear, (size_t)64 * 48 * 3 * sizeof(float));
  else /* each program rounded its own way: close, not equal */
    for (size_t i = 0; i < (size_t)64 * 48 * 3; ++i)
      assert_true(fabsf(cpu.linear[i] - gpu.linear[i]) <= 1e-3f * (1.0f + fabsf(cpu.linear[i])));
  test_picture_free(&cpu);
  test_picture_free(&gpu);
  clrt_scene_free(&scene);
}

/* The PNG bytes clrt would write for this picture. */
static char *png_bytes(const picture *p, size_t *size) {
  char path[600];
  snprintf(path, sizeof path, "%s/tiling.png", test_temp_dir());
  clrt_error err;
  clrt_image_view view = {.width = p->width, .height = p->height, .rgb = p->rgb};
  assert_int_equal(clrt_image_write(path, &view, &err), CLRT_OK);
  char *bytes = test_read_file(path, size);
  remove(path);
  return bytes;
}

static void test_every_tiling_gives_identical_bytes(void **state) {
  (void)state;
  clrt_device device;
  test_require_device(&device);
  clrt_scene scene;
  test_load_scene("scenes/showcase.json", 203, 117, &scene); /* prime-ish sizes: ragged edge tiles */
  scene.sampling.samples = 4;
  picture one_tile = test_render_device(&device, &scene, 1, 0, 0, CLRT_FILM_LINEAR);
  picture strips = test_render_device(&device, &scene, 7, 0, 0, CLRT_FILM_LINEAR);
  picture squares = test_render_device(&device, &scene, 0, 16, 16, CLRT_FILM_LINEAR);
  picture large_squares = test_render_device(&device, &scene, 0, 32, 32, CLRT_FILM_LINEAR);
  picture levels = test_render_device(&device, &scene, 0, 16, 16, CLRT_FILM_LEVELS);
  size_t pixels = (size_t)203 * 117;
  test_assert_not_flat(&one_tile);
  assert_memory_equal(one_tile.linear, strips.linear, pixels * 3 * sizeof(float));
  assert_memory_equal(one_tile.linear, squares.linear, pixels * 3 * sizeof(float));
  assert_memory_equal(one_tile.linear, large_squares.linear, pixels * 3 * sizeof(float));
  test_picture_free(&large_squares);
  /* the device's tone mapping gives the levels the host's gives */
  assert_memory_equal(one_tile.rgb, levels.rgb, pixels * 3);
  test_picture_free(&levels);
  size_t size_a, size_b, size_c;
  char *a = png_bytes(&one_tile, &size_a), *b = png_bytes(&strips, &size_b), *c = png_bytes(&squares, &size_c);
  assert_int_equal(size_a, size_b);
  assert_int_equal(size_a, size_c);
  assert_memory_equal(a, b, size_a);
  assert_memory_equal(a, c, size_a);
  free(a);
  free(b);
  free(c);
  test_picture_free(&one_tile);
  test_picture_free(&strips);
  test_picture_free(&squares);
  clrt_scene_free(&scene);
}

/* The PymoniK example's own output (tests/data, made by the original
 * Python program at 600x400): every channel within 1 level. */
static void test_pymonik_matches_python_program(void **state) {
  (void)state;
  clrt_device device;
  test_require_device(&device);
  clrt_scene scene;
  test_load_scene("scenes/pymonik.json", 0, 0, &scene);
  picture on_device = test_render_device(&device, &scene, 10, 0, 0, CLRT_FILM_LEVELS);
  int width, height, channels;
  uint8_t *python = stbi_load(CLRT_SOURCE_DIR "/tests/data/pymonik_python_600x400.png", &width, &height, &channels, 3);
  assert_non_null(python);
  assert_int_equal(width, 600);
  assert_int_equal(height, 400);
  int worst = 0;
  for (size_t i = 0; i < (size_t)600 * 400 * 3; ++i) {
    int diff = abs((int)python[i] - (int)on_device.rgb[i]);
    worst = diff > worst ? diff : worst;
  }
  assert_in_range(worst, 0, 1);
  stbi_image_free(python);
  test_picture_free(&on_device);
  clrt_scene_free(&scene);
}

/* A kernel that tone-maps a list of values with the shared function, built
 * with the kernel sources clrt embeds. */
static const char TONE_TEST_KERNEL[] =
    "__kernel void tone_test(__global const float *values, __global const clrt_tone_levels *levels,\n"
    "                        __global uchar *out) {\n"
    "  size_t i = get_global_id(0);\n"
    "  out[i] = (uchar)clrt_tone_level(values[i], levels);\n"
    "}\n";

/* Runs tone_test on the device over `count` values. */
static void tone_map_on_device(const clrt_device *device, const float *values, size_t count,
                               const clrt_tone_levels *levels, uint8_t *out) {
  cl_int rc;
  cl_context context = clCreateContext(NULL, 1, &device->id, NULL, NULL, &rc);
  assert_int_equal(rc, CL_SUCCESS);
  size_t length = strlen(clrt_kernel_source) + sizeof TONE_TEST_KERNEL;
  char *source = malloc(length);
  assert_non_null(source);
  snprintf(source, length, "%s%s", clrt_kernel_source, TONE_TEST_KERNEL);
  cl_program program;
  clrt_error err;
  if (clrt_program_build_source(context, device, source, "", stderr, &program, &err) != CLRT_OK)
    fail_msg("%s", err.message);
  cl_kernel kernel = clCreateKernel(program, "tone_test", &rc);
  assert_int_equal(rc, CL_SUCCESS);
  cl_command_queue queue = clCreateCommandQueue(context, device->id, 0, &rc);
  cl_mem in =
      clCreateBuffer(context, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, count * sizeof *values, (void *)values, &rc);
  cl_mem table = clCreateBuffer(context, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, sizeof *levels, (void *)levels, &rc);
  cl_mem result = clCreateBuffer(context, CL_MEM_WRITE_ONLY, count, NULL, &rc);
  clSetKernelArg(kernel, 0, sizeof in, &in);
  clSetKernelArg(kernel, 1, sizeof table, &table);
  clSetKernelArg(kernel, 2, sizeof result, &result);
  assert_int_equal(clEnqueueNDRangeKernel(queue, kernel, 1, NULL, &count, NULL, 0, NULL, NULL), CL_SUCCESS);
  assert_int_equal(clEnqueueReadBuffer(queue, result, CL_TRUE, 0, count, out, 0, NULL, NULL), CL_SUCCESS);
  clReleaseMemObject(in);
  clReleaseMemObject(table);
  clReleaseMemObject(result);
  clReleaseCommandQueue(queue);
  clReleaseKernel(kernel);
  clReleaseProgram(program);
  clReleaseContext(context);
  free(source);
}

/* The device's levels equal the host's formula for the floats on both
 * sides of every threshold, for gamma 1, 2.2, sRGB and exposures. */
static void test_device_tone_mapping_equals_the_host(void **state) {
  (void)state;
  clrt_device device;
  test_require_device(&device);
  const clrt_tone tones[] = {{CLRT_TRANSFER_GAMMA, 1.0, 1.0},
                             {CLRT_TRANSFER_GAMMA, 2.2, 1.0},
                             {CLRT_TRANSFER_SRGB, 2.2, 1.0},
                             {CLRT_TRANSFER_GAMMA, 2.2, 0.3},
                             {CLRT_TRANSFER_SRGB, 2.2, 4.0}};
  enum { AROUND = 6, COUNT = (CLRT_TONE_LEVELS - 1) * AROUND + 4 };
  float values[COUNT];
  uint8_t on_device[COUNT];
  for (size_t t = 0; t < sizeof tones / sizeof tones[0]; ++t) {
    clrt_tone_levels levels;
    clrt_tone_levels_make(&tones[t], &levels);
    size_t n = 0;
    for (unsigned k = 1; k < CLRT_TONE_LEVELS; ++k) {
      float v = nextafterf(nextafterf(nextafterf(levels.thresholds[k], 0.0f), 0.0f), 0.0f);
      for (int step = 0; step < AROUND; ++step, v = nextafterf(v, INFINITY))
        values[n++] = v;
    }
    values[n++] = -1.0f, values[n++] = 0.0f, values[n++] = 1e30f, values[n++] = NAN;
    tone_map_on_device(&device, values, n, &levels, on_device);
    for (size_t i = 0; i < n; ++i)
      if (on_device[i] != clrt_tone_map_exact(values[i], &tones[t]))
        fail_msg("tone %zu, %.9g: device %u, formula %u", t, values[i], on_device[i],
                 clrt_tone_map_exact(values[i], &tones[t]));
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_pymonik_matches_reference),
      cmocka_unit_test(test_showcase_matches_reference),
      cmocka_unit_test(test_default_scene_matches_reference),
      cmocka_unit_test(test_whitted_hard_matches_reference),
      cmocka_unit_test(test_many_spheres_match_reference),
      cmocka_unit_test(test_path_traced_room_matches_reference),
      cmocka_unit_test(test_path_tracing_is_the_same_in_every_tiling),
      cmocka_unit_test(test_path_tracing_for_a_gpu_gives_the_same_pixels),
      cmocka_unit_test(test_every_tiling_gives_identical_bytes),
      cmocka_unit_test(test_pymonik_matches_python_program),
      cmocka_unit_test(test_device_tone_mapping_equals_the_host),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
