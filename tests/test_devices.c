/* Choosing devices from a --device spec, on a made-up device list: no
 * OpenCL call is involved. */
#include "test_support.h"

#include <stdlib.h>
#include <string.h>

#include "clrt_devices.h"
#include "clrt_session.h"

/* Two platforms: a GPU and a CPU on the first, a CPU on the second. */
static clrt_device_list fake_list(clrt_device devices[3]) {
  memset(devices, 0, 3 * sizeof *devices);
  const struct {
    unsigned platform, index;
    cl_device_type type;
    const char *name;
  } facts[3] = {{0, 0, CL_DEVICE_TYPE_CPU, "pthread-skylake"},
                {0, 1, CL_DEVICE_TYPE_GPU, "NVIDIA H200"},
                {1, 0, CL_DEVICE_TYPE_CPU, "Intel Xeon"}};
  for (int i = 0; i < 3; ++i) {
    devices[i].id = (cl_device_id)(uintptr_t)(i + 1);
    devices[i].platform_index = facts[i].platform;
    devices[i].device_index = facts[i].index;
    devices[i].type = facts[i].type;
    snprintf(devices[i].name, sizeof devices[i].name, "%s", facts[i].name);
  }
  clrt_device_list list = {.platform_count = 2, .devices = devices, .count = 3};
  return list;
}

static const char *chosen_name(const clrt_device_list *list, const char *spec) {
  static clrt_device chosen;
  clrt_error err;
  if (clrt_devices_select(list, spec, &chosen, &err) != CLRT_OK)
    fail_msg("--device %s: %s", spec ? spec : "(none)", err.message);
  return chosen.name;
}

static void test_default_is_the_first_gpu(void **state) {
  (void)state;
  clrt_device devices[3];
  clrt_device_list list = fake_list(devices);
  assert_string_equal(chosen_name(&list, NULL), "NVIDIA H200");
  devices[1].type = CL_DEVICE_TYPE_ACCELERATOR; /* no GPU: the first CPU */
  assert_string_equal(chosen_name(&list, NULL), "pthread-skylake");
}

static void test_specs_by_index_type_and_name(void **state) {
  (void)state;
  clrt_device devices[3];
  clrt_device_list list = fake_list(devices);
  assert_string_equal(chosen_name(&list, "1:0"), "Intel Xeon");
  assert_string_equal(chosen_name(&list, "gpu"), "NVIDIA H200");
  assert_string_equal(chosen_name(&list, "CPU"), "pthread-skylake");
  assert_string_equal(chosen_name(&list, "xeon"), "Intel Xeon"); /* any part, any case */
  clrt_device chosen;
  clrt_error err;
  assert_int_equal(clrt_devices_select(&list, "2:0", &chosen, &err), CLRT_ERR_INPUT);
  assert_non_null(strstr(err.message, "--device 2:0: no such device"));
  assert_int_equal(clrt_devices_select(&list, "radeon", &chosen, &err), CLRT_ERR_INPUT);
}

/* An index spec is digits, a colon, digits: nothing else picks a device
 * by index, and an empty name is not "the first device". */
static void test_specs_are_strict(void **state) {
  (void)state;
  clrt_device devices[3];
  clrt_device_list list = fake_list(devices);
  const char *bad[] = {"", " ", " 1:0", "1: 0", "+1:0", "1:0 ", "1:-0", "1:4294967296", "4294967297:0", "1:0x0", ":0"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
    clrt_device chosen;
    clrt_error err;
    if (clrt_devices_select(&list, bad[i], &chosen, &err) != CLRT_ERR_INPUT)
      fail_msg("--device '%s' picked %s", bad[i], chosen.name);
  }
  const char *bad_lists[] = {"gpu,", ",gpu", "gpu,,cpu", ","};
  for (size_t i = 0; i < sizeof bad_lists / sizeof bad_lists[0]; ++i) {
    clrt_device *chosen = NULL;
    size_t count = 0;
    clrt_error err;
    if (clrt_devices_select_many(&list, bad_lists[i], &chosen, &count, &err) != CLRT_ERR_INPUT)
      fail_msg("--device '%s' was accepted with %zu devices", bad_lists[i], count);
    assert_non_null(strstr(err.message, "an empty name"));
    free(chosen);
  }
}

static void test_several_devices(void **state) {
  (void)state;
  clrt_device devices[3];
  clrt_device_list list = fake_list(devices);
  clrt_device *chosen;
  size_t count;
  clrt_error err;
  assert_int_equal(clrt_devices_select_many(&list, "all", &chosen, &count, &err), CLRT_OK);
  assert_int_equal(count, 3);
  free(chosen);
  assert_int_equal(clrt_devices_select_many(&list, "gpu,1:0", &chosen, &count, &err), CLRT_OK);
  assert_int_equal(count, 2);
  assert_string_equal(chosen[0].name, "NVIDIA H200");
  assert_string_equal(chosen[1].name, "Intel Xeon");
  free(chosen);
  assert_int_equal(clrt_devices_select_many(&list, "gpu,0:1", &chosen, &count, &err), CLRT_ERR_INPUT);
  assert_non_null(strstr(err.message, "already listed"));
}

static void test_no_devices_is_a_clear_error(void **state) {
  (void)state;
  clrt_device_list empty = {.platform_count = 1};
  snprintf(empty.platform_names[0], sizeof empty.platform_names[0], "Portable Computing Language");
  clrt_device chosen;
  clrt_error err;
  assert_int_equal(clrt_devices_select(&empty, NULL, &chosen, &err), CLRT_ERR_RUNTIME);
  assert_non_null(strstr(err.message, "but no device"));
}

/* A scene bigger than the device: the error names the array and sizes. */
int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_default_is_the_first_gpu),
      cmocka_unit_test(test_specs_by_index_type_and_name),
      cmocka_unit_test(test_specs_are_strict),
      cmocka_unit_test(test_several_devices),
      cmocka_unit_test(test_no_devices_is_a_clear_error),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
