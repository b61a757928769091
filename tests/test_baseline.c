/* clrt bench's host baselines (host/bench/baseline.c): the host reference
 * on one thread, whose picture every device is checked against, and on
 * all cores. */
#include "test_support.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "bench_baseline.h"
#include "clrt_reference.h"

static void test_baselines_on_one_thread_and_on_all_cores(void **state) {
  (void)state;
  clrt_bench_options options = {.runs = 2};
  clrt_bench_results results;
  memset(&results, 0, sizeof results);
  bench_context b = {.options = &options, .results = &results, .log = stderr};
  bench_scene s;
  memset(&s, 0, sizeof s);
  test_flatten_file("scenes/default.json", 96, 54, &s.flat);
  snprintf(s.name, sizeof s.name, "default");
  clrt_error err;
  assert_int_equal(bench_host_baselines(&b, &s, &err), CLRT_OK);
  int cores = omp_get_num_procs();
  assert_int_equal(results.baseline_count, cores > 1 ? 2 : 1);
  const clrt_host_baseline *one = &results.baselines[0];
  assert_int_equal(one->threads, 1);
  assert_string_equal(one->scene, "default");
  assert_int_equal(one->frames, 2);
  assert_true(one->samples_per_frame == 96.0 * 54 * s.flat.params.samples);
  assert_true(one->mrays.min > 0 && one->mrays.min <= one->mrays.median && one->mrays.median <= one->mrays.max);
  assert_true(s.host_mrays == one->mrays.median);
  if (cores > 1) {
    assert_int_equal(results.baselines[1].threads, cores);
    assert_true(results.baselines[1].all_cores);
    assert_true(s.cores_mrays == results.baselines[1].mrays.median);
    assert_true(clrt_rays_total(&results.baselines[1].rays) ==
                clrt_rays_total(&one->rays)); /* the same work, on more threads */
  }
  /* The picture is the reference renderer's, and the rays its tally's. */
  clrt_film film;
  assert_int_equal(clrt_film_init(&film, 96, 54, CLRT_FILM_LEVELS, s.flat.tone_levels, &err), CLRT_OK);
  clrt_tally tally;
  assert_true(clrt_reference_render(&s.flat, &film, 1, NULL, &tally));
  assert_non_null(s.reference_rgb);
  assert_memory_equal(s.reference_rgb, film.rgb, (size_t)96 * 54 * 3);
  assert_true(clrt_rays_total(&one->rays) == clrt_tally_rays(&tally));
  clrt_film_free(&film);
  free(s.reference_rgb);
  clrt_flat_scene_free(&s.flat);
  clrt_bench_results_free(&results);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_baselines_on_one_thread_and_on_all_cores),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
