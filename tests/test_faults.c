/* Injected faults (host/device/faults.c): the rules of CLRT_INJECT_FAULT,
 * checked like user input, and which tile of which device they hit. */
#include "test_support.h"

#include <stdio.h>
#include <string.h>

#include "clrt_faults.h"

static void test_fault_rules_are_checked(void **state) {
  (void)state;
  clrt_error err;
  clrt_fault_rules rules;
  assert_int_equal(clrt_faults_parse("0:1/2,x", &rules, &err), CLRT_ERR_INPUT);
  assert_non_null(strstr(err.message, "CLRT_INJECT_FAULT=0:1/2,x"));
  assert_int_equal(clrt_faults_parse("0:1/all/explode", &rules, &err), CLRT_ERR_INPUT);
  assert_int_equal(clrt_faults_parse("0:0/2,5/hang;0:1/all", &rules, &err), CLRT_OK);
  clrt_device device = {.platform_index = 0, .device_index = 0};
  assert_int_equal(clrt_faults_for(&rules, &device, 5), CLRT_FAULT_HANG);
  assert_int_equal(clrt_faults_for(&rules, &device, 3), CLRT_FAULT_NONE);
  device.device_index = 1;
  assert_int_equal(clrt_faults_for(&rules, &device, 3), CLRT_FAULT_FAIL);
  clrt_faults_free(&rules);
  assert_int_equal(clrt_faults_parse(NULL, &rules, &err), CLRT_OK);
  assert_int_equal(clrt_faults_for(&rules, &device, 1), CLRT_FAULT_NONE);
}

/* A long rule list is read whole: the last rule still counts. */
static void test_long_fault_rules_are_read_whole(void **state) {
  (void)state;
  char text[8192] = "0:0/";
  for (unsigned ordinal = 1; ordinal <= 1000; ++ordinal)
    snprintf(text + strlen(text), sizeof text - strlen(text), "%u,", 2 * ordinal);
  snprintf(text + strlen(text) - 1, sizeof text - strlen(text) + 1, "/hang;0:1/3");
  assert_true(strlen(text) > 4000);
  clrt_fault_rules rules;
  clrt_error err;
  assert_int_equal(clrt_faults_parse(text, &rules, &err), CLRT_OK);
  clrt_device device = {.platform_index = 0, .device_index = 0};
  assert_int_equal(clrt_faults_for(&rules, &device, 2000), CLRT_FAULT_HANG);
  assert_int_equal(clrt_faults_for(&rules, &device, 1999), CLRT_FAULT_NONE);
  device.device_index = 1;
  assert_int_equal(clrt_faults_for(&rules, &device, 3), CLRT_FAULT_FAIL);
  clrt_faults_free(&rules);
  text[strlen(text) - 1] = 'x'; /* a bad last rule spoils the whole list */
  assert_int_equal(clrt_faults_parse(text, &rules, &err), CLRT_ERR_INPUT);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fault_rules_are_checked),
      cmocka_unit_test(test_long_fault_rules_are_read_whole),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
