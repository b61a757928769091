/* The progress of a render (host/render/progress.c): each device's tiles
 * in flight count in proportion to the time they have run, so the bar and
 * its ETA move steadily. */
#include "test_support.h"

#include "clrt_progress.h"

/* While one heavy tile runs, the ETA falls steadily with the time it has
 * run at its device's speed, instead of waiting for it and then jumping. */
static void test_progress_eta_is_steady_during_a_heavy_tile(void **state) {
  (void)state;
  clrt_progress p;
  clrt_progress_init(&p, stderr, false, 1000);
  clrt_progress_label(&p, 0, "0:0");
  clrt_progress_tile_started(&p, 0, 100);
  clrt_progress_tile_done(&p, 0, 100, 5000);
  clrt_progress_tile_started(&p, 0, 900);
  /* as if the first tile had taken 1 s (0.1 pixel/ms) and the second had
   * started at t0 */
  double t0 = p.devices[0].busy_since_ms;
  p.devices[0].busy_ms = 1000.0;
  clrt_progress_estimate early = clrt_progress_estimate_at(&p, t0 + 1000.0);
  clrt_progress_estimate later = clrt_progress_estimate_at(&p, t0 + 5000.0);
  assert_float_equal(early.fraction, 0.2, 1e-9);
  assert_float_equal(early.eta_s, 8.0, 1e-9);
  assert_float_equal(later.fraction, 0.6, 1e-9);
  assert_float_equal(later.eta_s, 4.0, 1e-9);
  assert_true(later.mrays_per_s > 0.0);
  clrt_progress_estimate overdue = clrt_progress_estimate_at(&p, t0 + 60000.0);
  assert_true(overdue.fraction < 1.0);    /* a tile in flight is never all done */
  clrt_progress_tile_dropped(&p, 0, 900); /* it failed: back to what is finished */
  assert_float_equal(clrt_progress_estimate_at(&p, t0 + 6000.0).fraction, 0.1, 1e-9);
  clrt_progress_device_gone(&p, 0);
  assert_true(clrt_progress_estimate_at(&p, t0 + 6000.0).eta_s < 0.0); /* no device left with a speed */
  clrt_progress_destroy(&p);
}

/* Heavier tiles finishing after light ones lower the speed: the ETA shown
 * still counts down, and is replaced only once it has run out. */
static void test_progress_eta_does_not_climb_while_tiles_finish(void **state) {
  (void)state;
  clrt_progress p;
  clrt_progress_init(&p, stderr, false, 1000);
  clrt_progress_label(&p, 0, "0:0");
  clrt_progress_tile_started(&p, 0, 100);
  clrt_progress_tile_done(&p, 0, 100, 0);
  double t0 = p.devices[0].busy_since_ms;
  p.devices[0].busy_ms = 1000.0; /* 0.1 pixel/ms: 900 pixels left, 9 s */
  assert_float_equal(clrt_progress_estimate_at(&p, t0).eta_s, 9.0, 1e-9);
  clrt_progress_tile_started(&p, 0, 100);
  clrt_progress_tile_done(&p, 0, 100, 0);
  p.devices[0].busy_ms = 4000.0; /* the second tile took 3 s: 0.05 pixel/ms, 800 left, 16 s */
  assert_float_equal(clrt_progress_estimate_at(&p, t0 + 3000.0).eta_s, 6.0, 1e-9); /* 9 s less 3 */
  /* once the shown ETA has run out with work left, the estimate takes over */
  assert_float_equal(clrt_progress_estimate_at(&p, t0 + 9000.0).eta_s, 16.0, 1e-9);
  clrt_progress_destroy(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_progress_eta_is_steady_during_a_heavy_tile),
      cmocka_unit_test(test_progress_eta_does_not_climb_while_tiles_finish),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
