/* The denoiser (host/denoise, kernels/denoise.c): it takes noise away and
 * keeps edges; the device's filter equals the host's; and the bands it is
 * cut into change nothing. */
#include "test_support.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clrt_denoise.h"
#include "clrt_tracer.h"

enum { W = 96, H = 150 }; /* taller than a band of 5 rows plus both margins, many times over */

/* A picture to denoise: two flat halves (left dark, right bright, on
 * surfaces of different albedo and normal), each with noise of known
 * variance; the guides say where the edge is. */
typedef struct noisy_picture {
  float linear[W * H * 3];
  float clean[W * H * 3];
  float variance[W * H];
  clrt_pixel_aux aux[W * H];
} noisy_picture;

static float noise(uint32_t *state) {
  *state = *state * 1664525u + 1013904223u;
  return (float)(*state >> 8) / 16777216.0f - 0.5f; /* in [-0.5, 0.5): variance 1/12 */
}

static noisy_picture *make_noisy_picture(void) {
  noisy_picture *p = calloc(1, sizeof *p);
  assert_non_null(p);
  uint32_t state = 7;
  for (unsigned i = 0; i < W * H; ++i) {
    bool right = i % W >= W / 2;
    float value = right ? 0.8f : 0.2f, amplitude = 0.4f;
    for (int c = 0; c < 3; ++c) {
      p->clean[3 * i + c] = value;
      p->linear[3 * i + c] = value + amplitude * noise(&state);
    }
    p->variance[i] = amplitude * amplitude / 12.0f;
    p->aux[i].albedo = right ? (clrt_float4){0.9f, 0.9f, 0.9f, 1.0f} : (clrt_float4){0.3f, 0.3f, 0.3f, 1.0f};
    p->aux[i].normal_depth = right ? (clrt_float4){1.0f, 0.0f, 0.0f, 5.0f} : (clrt_float4){0.0f, 0.0f, 1.0f, 4.0f};
  }
  return p;
}

static clrt_denoise_picture denoise_input(noisy_picture *p) {
  return (clrt_denoise_picture){W, H, p->linear, p->variance, p->aux};
}

static double error_against_clean(const noisy_picture *p, bool near_edge_only) {
  double squares = 0.0;
  size_t count = 0;
  for (unsigned i = 0; i < W * H; ++i) {
    int x = (int)(i % W);
    if (near_edge_only && abs(x - W / 2) > 2)
      continue;
    for (int c = 0; c < 3; ++c) {
      double d = p->linear[3 * i + c] - p->clean[3 * i + c];
      squares += d * d;
      ++count;
    }
  }
  return sqrt(squares / (double)count);
}

/* The noise falls many times; the edge does not blur. */
static void test_noise_goes_and_the_edge_stays(void **state) {
  (void)state;
  noisy_picture *p = make_noisy_picture();
  double before = error_against_clean(p, false);
  clrt_denoise_picture input = denoise_input(p);
  clrt_error err;
  assert_int_equal(clrt_denoise_on_host(&input, &err), CLRT_OK);
  double after = error_against_clean(p, false), edge = error_against_clean(p, true);
  printf("noise %.4f before, %.4f after, %.4f beside the edge\n", before, after, edge);
  assert_true(after < before / 5.0);
  assert_true(edge < before / 3.0); /* a blurred edge would be off by 0.3 */
  free(p);
}

/* Without sample variance (Whitted), the neighbourhood's stands in. */
static void test_without_variance_it_still_denoises(void **state) {
  (void)state;
  noisy_picture *p = make_noisy_picture();
  double before = error_against_clean(p, false);
  clrt_denoise_picture input = denoise_input(p);
  input.variance = NULL;
  clrt_error err;
  assert_int_equal(clrt_denoise_on_host(&input, &err), CLRT_OK);
  assert_true(error_against_clean(p, false) < before / 3.0);
  free(p);
}

/* On the device, in bands of 5 rows (most of a band's reads are its
 * margins) and in one band: the same floats, and those of the host to
 * within float rounding (exp2 and sqrt may differ in the last bits). */
static void test_the_device_equals_the_host_whatever_the_bands(void **state) {
  (void)state;
  clrt_device device;
  test_require_device(&device);
  clrt_flat_scene flat;
  test_flatten_file("scenes/bench/room.json", 8, 8, &flat); /* names the program */
  noisy_picture *host = make_noisy_picture(), *banded = make_noisy_picture(), *whole = make_noisy_picture();
  clrt_error err;
  clrt_denoise_picture input = denoise_input(host);
  assert_int_equal(clrt_denoise_on_host(&input, &err), CLRT_OK);
  input = denoise_input(banded);
  if (clrt_denoise_on_device(&device, &flat, &input, 5, stderr, &err) != CLRT_OK)
    fail_msg("%s", err.message);
  input = denoise_input(whole);
  if (clrt_denoise_on_device(&device, &flat, &input, 0, stderr, &err) != CLRT_OK)
    fail_msg("%s", err.message);
  assert_memory_equal(banded->linear, whole->linear, sizeof whole->linear);
  for (unsigned i = 0; i < W * H * 3; ++i)
    if (!(fabsf(host->linear[i] - whole->linear[i]) <= 1e-4f))
      fail_msg("value %u: host %g, device %g", i, (double)host->linear[i], (double)whole->linear[i]);
  free(host);
  free(banded);
  free(whole);
  clrt_flat_scene_free(&flat);
}

/* A device that cannot run the filter (here one that does not exist)
 * hands it to the next; where none can, the host runs it, and says so. */
static void test_a_failing_device_hands_the_filter_on(void **state) {
  (void)state;
  clrt_device real;
  test_require_device(&real);
  clrt_device devices[2] = {real, real};
  devices[0].id = NULL; /* clCreateContext refuses it */
  clrt_flat_scene flat;
  test_flatten_file("scenes/bench/room.json", 8, 8, &flat);
  noisy_picture *reference = make_noisy_picture(), *next = make_noisy_picture(), *host = make_noisy_picture();
  clrt_error err;
  clrt_denoise_picture input = denoise_input(reference);
  assert_int_equal(clrt_denoise_on_device(&real, &flat, &input, 0, stderr, &err), CLRT_OK);
  FILE *log = tmpfile();
  input = denoise_input(next);
  assert_int_equal(clrt_denoise(devices, 2, &flat, &input, log, &err), CLRT_OK);
  assert_memory_equal(next->linear, reference->linear, sizeof reference->linear);
  assert_null(strstr(test_read_log(log), "warning"));
  input = denoise_input(host);
  assert_int_equal(clrt_denoise(devices, 1, &flat, &input, log, &err), CLRT_OK);
  assert_non_null(strstr(test_read_log(log), "clrt: warning: denoising on the host instead: "));
  for (unsigned i = 0; i < W * H * 3; ++i)
    if (!(fabsf(host->linear[i] - reference->linear[i]) <= 1e-4f))
      fail_msg("value %u: host %g, device %g", i, (double)host->linear[i], (double)reference->linear[i]);
  fclose(log);
  free(reference);
  free(next);
  free(host);
  clrt_flat_scene_free(&flat);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_noise_goes_and_the_edge_stays),
      cmocka_unit_test(test_without_variance_it_still_denoises),
      cmocka_unit_test(test_the_device_equals_the_host_whatever_the_bands),
      cmocka_unit_test(test_a_failing_device_hands_the_filter_on),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
