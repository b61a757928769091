/* Stop requests from signals (host/util/stop.c). */
#include "test_support.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clrt_stop.h"

static void test_a_signal_sets_the_flag_and_the_status(void **state) {
  (void)state;
  clrt_error err;
  clrt_stop_catch();
  assert_int_equal(clrt_stop_signal(), 0);
  assert_int_equal(*clrt_stop_flag(), 0);
  assert_int_equal(clrt_stop_check("reading the scene", &err), CLRT_OK);
  raise(SIGTERM); /* caught: the test goes on */
  assert_int_equal(clrt_stop_signal(), SIGTERM);
  assert_int_not_equal(*clrt_stop_flag(), 0);
  assert_int_equal(clrt_stop_check("reading the scene", &err), CLRT_ERR_INTERRUPTED);
  assert_string_equal(err.message, "interrupted (SIGTERM) while reading the scene; no file written");
  assert_int_equal(clrt_stop_exit_code(CLRT_ERR_INTERRUPTED), 128 + SIGTERM);
  clrt_stop_catch(); /* a new start clears it */
  assert_int_equal(clrt_stop_signal(), 0);
}

static void test_ctrl_c_and_hangup_are_named(void **state) {
  (void)state;
  clrt_error err;
  clrt_stop_catch();
  raise(SIGINT);
  assert_int_equal(clrt_stop_check("rendering", &err), CLRT_ERR_INTERRUPTED);
  assert_string_equal(err.message, "interrupted (Ctrl-C) while rendering; no file written");
  assert_int_equal(clrt_stop_exit_code(CLRT_ERR_INTERRUPTED), 130);
  clrt_stop_catch();
  raise(SIGHUP);
  assert_int_equal(clrt_stop_check("writing", &err), CLRT_ERR_INTERRUPTED);
  assert_string_equal(err.message, "interrupted (SIGHUP) while writing; no file written");
  assert_int_equal(clrt_stop_exit_code(CLRT_ERR_INTERRUPTED), 129);
  clrt_stop_catch();
}

/* Other statuses are their own exit codes. */
static void test_exit_codes_of_other_statuses(void **state) {
  (void)state;
  clrt_stop_catch();
  assert_int_equal(clrt_stop_exit_code(CLRT_OK), 0);
  assert_int_equal(clrt_stop_exit_code(CLRT_ERR_RUNTIME), 1);
  assert_int_equal(clrt_stop_exit_code(CLRT_ERR_INPUT), 2);
  /* Interrupted without a signal seen (another process's, under MPI): Ctrl-C's code. */
  assert_int_equal(clrt_stop_exit_code(CLRT_ERR_INTERRUPTED), 130);
}

/* The handler itself removes the temporary file named to it; a path
 * forgotten (NULL) is left alone. */
static void test_the_named_temporary_goes_with_the_signal(void **state) {
  (void)state;
  char doomed[1024], kept[1024];
  snprintf(doomed, sizeof doomed, "%s", test_write_temp("partial", "out.png.tmp-1"));
  snprintf(kept, sizeof kept, "%s", test_write_temp("partial", "out.png.tmp-2"));
  clrt_stop_catch();
  clrt_stop_remove_on_signal(kept);
  clrt_stop_remove_on_signal(NULL);
  raise(SIGTERM);
  assert_int_equal(access(kept, F_OK), 0);
  clrt_stop_catch();
  clrt_stop_remove_on_signal(doomed);
  raise(SIGTERM);
  assert_int_not_equal(access(doomed, F_OK), 0);
  clrt_stop_remove_on_signal(NULL);
  clrt_stop_catch();
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_a_signal_sets_the_flag_and_the_status),
      cmocka_unit_test(test_ctrl_c_and_hangup_are_named),
      cmocka_unit_test(test_exit_codes_of_other_statuses),
      cmocka_unit_test(test_the_named_temporary_goes_with_the_signal),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
