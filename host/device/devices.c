/* OpenCL platform and device discovery, listing and selection. */
#include "clrt_devices.h"

#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clrt_number.h"
#include "clrt_stop.h"

#define CLRT_POCL_PACKAGE "pocl-opencl-icd"

/* Whether a driver is registered at `where`: a .icd file, or a folder
 * holding one (OCL_ICD_VENDORS may name either). */
static bool driver_registered(const char *where) {
  struct stat info;
  if (stat(where, &info) != 0)
    return false;
  if (S_ISREG(info.st_mode))
    return true;
  DIR *folder = opendir(where);
  bool found = false;
  for (struct dirent *entry; folder && !found && (entry = readdir(folder));) {
    size_t length = strlen(entry->d_name);
    found = length > 4 && strcmp(entry->d_name + length - 4, ".icd") == 0;
  }
  if (folder)
    closedir(folder);
  return found;
}

/* Drivers are registered but none loaded: most often a limit on the
 * process's memory (a driver maps hundreds of MB as it loads), else a
 * driver whose library is missing or broken. */
static void failed_driver_hint(const char *where, char *out, size_t size) {
  char limit[256];
  if (clrt_address_space_hint(limit, sizeof limit))
    snprintf(out, size,
             "drivers are registered in %s but none loaded, and an OpenCL driver maps hundreds of MB as it loads: %s",
             where, limit);
  else
    snprintf(out, size,
             "drivers are registered in %s but none loaded: a driver's library is missing or broken (reinstall "
             "it; clinfo shows what the ICD loader sees)",
             where);
}

/* Why the ICD loader found no driver, and what to install: where it
 * looked (OCL_ICD_VENDORS replaces /etc/OpenCL/vendors when set), and the
 * install line (sudo only for a user who is not root); or, where drivers
 * are registered, why they did not load. */
static void no_driver_hint(char *out, size_t size) {
  const char *vendors = getenv("OCL_ICD_VENDORS");
  const char *looked_in = vendors && *vendors ? vendors : "/etc/OpenCL/vendors";
  if (driver_registered(looked_in)) {
    failed_driver_hint(looked_in, out, size);
    return;
  }
  char where[600];
  if (vendors && *vendors)
    snprintf(where, sizeof where,
             "OCL_ICD_VENDORS=%s, where the ICD loader looks instead of /etc/OpenCL/vendors (unset it to use the "
             "drivers installed there)",
             vendors);
  else
    snprintf(where, sizeof where, "/etc/OpenCL/vendors");
  snprintf(out, size,
           "this is an OpenCL ICD loader/driver matter, not a clrt bug: no driver is registered in %s. For the CPU "
           "install POCL (%sapt-get install " CLRT_POCL_PACKAGE "); for a GPU install its vendor's OpenCL driver",
           where, geteuid() == 0 ? "" : "sudo ");
}

static const double BYTES_PER_GIB = 1024.0 * 1024.0 * 1024.0;

const char *clrt_device_type_name(cl_device_type type) {
  if (type & CL_DEVICE_TYPE_GPU)
    return "gpu";
  if (type & CL_DEVICE_TYPE_CPU)
    return "cpu";
  if (type & CL_DEVICE_TYPE_ACCELERATOR)
    return "accelerator";
  return "other";
}

/* A string of the device, cut to `size` when longer (names only label). */
static clrt_status query_text(cl_device_id id, cl_device_info what, const char *what_name, char *out, size_t size,
                              clrt_error *err) {
  size_t needed = 0;
  cl_int rc = clGetDeviceInfo(id, what, 0, NULL, &needed);
  char *text = rc == CL_SUCCESS ? malloc(needed + 1) : NULL;
  if (rc == CL_SUCCESS && !text)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory reading %s", what_name);
  if (rc == CL_SUCCESS)
    rc = clGetDeviceInfo(id, what, needed, text, NULL);
  if (rc == CL_SUCCESS) {
    text[needed] = '\0';
    snprintf(out, size, "%s", text);
  }
  free(text);
  return clrt_cl_check(rc, "clGetDeviceInfo", what_name, err);
}

static clrt_status query_value(cl_device_id id, cl_device_info what, const char *what_name, void *out, size_t size,
                               clrt_error *err) {
  return clrt_cl_check(clGetDeviceInfo(id, what, size, out, NULL), "clGetDeviceInfo", what_name, err);
}

/* Whether the device's extension list names `extension` (a whole word). */
static clrt_status query_extension(cl_device_id id, const char *extension, bool *has, clrt_error *err) {
  size_t needed = 0;
  cl_int rc = clGetDeviceInfo(id, CL_DEVICE_EXTENSIONS, 0, NULL, &needed);
  char *text = rc == CL_SUCCESS ? malloc(needed + 1) : NULL;
  if (rc == CL_SUCCESS && !text)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory reading CL_DEVICE_EXTENSIONS");
  if (rc == CL_SUCCESS)
    rc = clGetDeviceInfo(id, CL_DEVICE_EXTENSIONS, needed, text, NULL);
  *has = false;
  if (rc == CL_SUCCESS) {
    text[needed] = '\0';
    size_t length = strlen(extension);
    for (const char *at = strstr(text, extension); at && !*has; at = strstr(at + 1, extension))
      *has = (at == text || at[-1] == ' ') && (at[length] == ' ' || at[length] == '\0');
  }
  free(text);
  return clrt_cl_check(rc, "clGetDeviceInfo", "CL_DEVICE_EXTENSIONS", err);
}

#define QUERY_VALUE(field, info) query_value(device->id, info, #info, &device->field, sizeof device->field, err)
#define QUERY_TEXT(field, info) query_text(device->id, info, #info, device->field, sizeof device->field, err)

/* Everything clrt reads of a device, once. */
static clrt_status describe_device(clrt_device *device, clrt_error *err) {
  cl_device_fp_config single = 0;
  clrt_status status;
  if ((status = QUERY_VALUE(type, CL_DEVICE_TYPE)) || (status = QUERY_TEXT(name, CL_DEVICE_NAME)) ||
      (status = QUERY_TEXT(driver_version, CL_DRIVER_VERSION)) ||
      (status = QUERY_TEXT(device_version, CL_DEVICE_VERSION)) ||
      (status = QUERY_TEXT(c_version, CL_DEVICE_OPENCL_C_VERSION)) ||
      (status = QUERY_VALUE(compute_units, CL_DEVICE_MAX_COMPUTE_UNITS)) ||
      (status = QUERY_VALUE(global_memory, CL_DEVICE_GLOBAL_MEM_SIZE)) ||
      (status = QUERY_VALUE(max_allocation, CL_DEVICE_MAX_MEM_ALLOC_SIZE)) ||
      (status = QUERY_VALUE(constant_memory, CL_DEVICE_MAX_CONSTANT_BUFFER_SIZE)) ||
      (status = QUERY_VALUE(max_constant_args, CL_DEVICE_MAX_CONSTANT_ARGS)) ||
      (status = QUERY_VALUE(max_work_group, CL_DEVICE_MAX_WORK_GROUP_SIZE)) ||
      (status = query_value(device->id, CL_DEVICE_SINGLE_FP_CONFIG, "CL_DEVICE_SINGLE_FP_CONFIG", &single,
                            sizeof single, err)) ||
      (status = query_extension(device->id, "cl_nv_compiler_options", &device->nv_compiler_options, err)))
    return status;
  device->exact_divide_sqrt = (single & CL_FP_CORRECTLY_ROUNDED_DIVIDE_SQRT) != 0;
  return CLRT_OK;
}

static clrt_status platform_devices(cl_platform_id platform, cl_device_id **ids, cl_uint *count, clrt_error *err) {
  *ids = NULL;
  *count = 0;
  cl_int rc = clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 0, NULL, count);
  if (rc == CL_DEVICE_NOT_FOUND || *count == 0) {
    *count = 0;
    return CLRT_OK; /* a platform with no devices is not an error */
  }
  if (rc != CL_SUCCESS)
    return clrt_cl_check(rc, "clGetDeviceIDs", "listing devices", err);
  *ids = calloc(*count, sizeof **ids);
  if (!*ids)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory listing devices");
  return clrt_cl_check(clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, *count, *ids, NULL), "clGetDeviceIDs",
                       "listing devices", err);
}

static clrt_status add_platform(clrt_device_list *list, cl_platform_id platform, unsigned platform_index,
                                clrt_error *err) {
  char platform_name[CLRT_DEVICE_NAME_SIZE];
  clrt_status status =
      clrt_cl_check(clGetPlatformInfo(platform, CL_PLATFORM_NAME, sizeof platform_name - 1, platform_name, NULL),
                    "clGetPlatformInfo", "CL_PLATFORM_NAME", err);
  if (status != CLRT_OK)
    return status;
  platform_name[sizeof platform_name - 1] = '\0';
  if (platform_index < CLRT_MAX_PLATFORMS)
    snprintf(list->platform_names[platform_index], CLRT_DEVICE_NAME_SIZE, "%s", platform_name);
  cl_device_id *ids;
  cl_uint count;
  status = platform_devices(platform, &ids, &count, err);
  if (status != CLRT_OK || count == 0) {
    free(ids);
    return status;
  }
  clrt_device *grown = realloc(list->devices, (list->count + count) * sizeof *grown);
  if (!grown) {
    free(ids);
    return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory listing devices");
  }
  list->devices = grown;
  for (cl_uint i = 0; status == CLRT_OK && i < count; ++i) {
    clrt_device *device = &list->devices[list->count++];
    memset(device, 0, sizeof *device);
    device->platform = platform;
    device->id = ids[i];
    device->platform_index = platform_index;
    device->device_index = i;
    snprintf(device->platform_name, sizeof device->platform_name, "%s", platform_name);
    status = describe_device(device, err);
  }
  free(ids);
  return status;
}

/* Address space an OpenCL driver takes as it loads, starts its threads
 * and builds a kernel: POCL with its LLVM, measured, about 510 MB beside
 * what clrt holds; with less left it aborts inside its own start (a
 * thread it cannot create, an allocation that throws), where clrt cannot
 * catch it. */
#define CLRT_DRIVER_ADDRESS_SPACE_MB 512ull

/* The address space this process has mapped, in MB; 0 when unknown. */
static unsigned long long mapped_mb(void) {
  FILE *statm = fopen("/proc/self/statm", "r");
  unsigned long long pages = 0;
  if (statm && fscanf(statm, "%llu", &pages) != 1)
    pages = 0;
  if (statm)
    fclose(statm);
  return pages * (unsigned long long)sysconf(_SC_PAGESIZE) >> 20;
}

/* Before the drivers load: under a limit on the address space (ulimit -v)
 * that leaves less than a driver takes, a clear error now rather than an
 * abort inside the driver. */
static clrt_status check_room_for_drivers(clrt_error *err) {
  static bool loaded; /* once they are, their room is taken */
  struct rlimit limit;
  if (loaded || getrlimit(RLIMIT_AS, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
    return CLRT_OK;
  loaded = true;
  unsigned long long limit_mb = (unsigned long long)(limit.rlim_cur >> 20), used_mb = mapped_mb();
  if (limit_mb >= used_mb + CLRT_DRIVER_ADDRESS_SPACE_MB)
    return CLRT_OK;
  return clrt_fail(err, CLRT_ERR_RUNTIME,
                   "not enough memory to load an OpenCL driver: this process's address space is limited to %llu MB "
                   "(ulimit -v), %llu MB are in use, and a driver maps about %llu MB more as it loads; raise the "
                   "limit (ulimit -v unlimited)",
                   limit_mb, used_mb, CLRT_DRIVER_ADDRESS_SPACE_MB);
}

static clrt_status discover_platforms(cl_platform_id **platforms, cl_uint *count, clrt_error *err) {
  *platforms = NULL;
  clrt_status status = check_room_for_drivers(err);
  if (status != CLRT_OK)
    return status;
  cl_int rc = clGetPlatformIDs(0, NULL, count);
  /* the drivers' libraries (LLVM's) take SIGABRT for their own handler,
   * which then lets an abort kill clrt silently: clrt's again */
  clrt_stop_explain_aborts();
  if (rc != CL_SUCCESS || *count == 0) {
    char hint[900];
    no_driver_hint(hint, sizeof hint);
    return clrt_fail(err, CLRT_ERR_RUNTIME, "no OpenCL platform found (clGetPlatformIDs: %s): %s",
                     rc == CL_SUCCESS ? "0 platforms" : clrt_cl_error_name(rc), hint);
  }
  *platforms = calloc(*count, sizeof **platforms);
  if (!*platforms)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory listing platforms");
  return clrt_cl_check(clGetPlatformIDs(*count, *platforms, NULL), "clGetPlatformIDs", "listing platforms", err);
}

clrt_status clrt_devices_discover(clrt_device_list *list, clrt_error *err) {
  memset(list, 0, sizeof *list);
  cl_platform_id *platforms;
  cl_uint platform_count = 0;
  clrt_status status = discover_platforms(&platforms, &platform_count, err);
  for (cl_uint p = 0; status == CLRT_OK && p < platform_count; ++p)
    status = add_platform(list, platforms[p], p, err);
  free(platforms);
  list->platform_count = platform_count < CLRT_MAX_PLATFORMS ? platform_count : CLRT_MAX_PLATFORMS;
  if (status != CLRT_OK)
    clrt_devices_free(list);
  return status;
}

static void print_device(const clrt_device *device, FILE *out) {
  fprintf(out, "  %u:%u  %-11s %-40s %4u CUs  %7.1f GiB  max work-group %5zu  %s\n", device->platform_index,
          device->device_index, clrt_device_type_name(device->type), device->name, device->compute_units,
          (double)device->global_memory / BYTES_PER_GIB, device->max_work_group, device->c_version);
}

void clrt_devices_print(const clrt_device_list *list, FILE *out) {
  for (unsigned p = 0; p < list->platform_count; ++p) {
    fprintf(out, "platform %u: %s\n", p, list->platform_names[p]);
    size_t shown = 0;
    for (size_t i = 0; i < list->count; ++i)
      if (list->devices[i].platform_index == p && ++shown)
        print_device(&list->devices[i], out);
    if (shown == 0)
      fprintf(out, "  (no devices: check its driver, or POCL_DEVICES for POCL)\n");
  }
}

/* POCL keeps its kernel cache under XDG_CACHE_HOME, and shows no device
 * when it cannot make it there: that cause named, or "". */
static void cache_home_hint(char *out, size_t size) {
  const char *home = getenv("XDG_CACHE_HOME");
  struct stat info;
  out[0] = '\0';
  if (home && *home && (stat(home, &info) != 0 || !S_ISDIR(info.st_mode)))
    snprintf(out, size,
             "; XDG_CACHE_HOME=%s is not a folder, and POCL keeps its kernel cache there (make it a folder, or "
             "unset it)",
             home);
}

/* Every platform has no device: say which, and what to check. */
static clrt_status no_device(const clrt_device_list *list, clrt_error *err) {
  char hint[700];
  cache_home_hint(hint, sizeof hint);
  return clrt_fail(err, CLRT_ERR_RUNTIME,
                   "%u OpenCL platform(s) (first: %s) but no device: check the platform's driver (for POCL, "
                   "POCL_DEVICES); 'clrt devices' lists them%s",
                   list->platform_count, list->platform_names[0], hint);
}

static bool contains_ignoring_case(const char *haystack, const char *needle) {
  size_t needle_length = strlen(needle);
  for (; *haystack; ++haystack) {
    size_t i = 0;
    while (i < needle_length && haystack[i] && tolower((unsigned char)haystack[i]) == tolower((unsigned char)needle[i]))
      ++i;
    if (i == needle_length)
      return true;
  }
  return false;
}

static const clrt_device *first_of_type(const clrt_device_list *list, cl_device_type type) {
  for (size_t i = 0; i < list->count; ++i)
    if (list->devices[i].type & type)
      return &list->devices[i];
  return NULL;
}

/* "P:D" with both parts decimal digits; false if spec has another form. */
static bool parse_index_spec(const char *spec, unsigned *platform, unsigned *device) {
  const char *colon = strchr(spec, ':');
  unsigned long long p, d;
  if (!colon || !clrt_number_whole(spec, (unsigned long)(colon - spec), UINT_MAX, &p) ||
      !clrt_number_whole(colon + 1, (unsigned long)strlen(colon + 1), UINT_MAX, &d))
    return false;
  *platform = (unsigned)p;
  *device = (unsigned)d;
  return true;
}

static const clrt_device *match_spec(const clrt_device_list *list, const char *spec) {
  unsigned platform, index;
  if (parse_index_spec(spec, &platform, &index)) {
    for (size_t i = 0; i < list->count; ++i)
      if (list->devices[i].platform_index == platform && list->devices[i].device_index == index)
        return &list->devices[i];
    return NULL;
  }
  if (strcasecmp(spec, "gpu") == 0)
    return first_of_type(list, CL_DEVICE_TYPE_GPU);
  if (strcasecmp(spec, "cpu") == 0)
    return first_of_type(list, CL_DEVICE_TYPE_CPU);
  for (size_t i = 0; i < list->count; ++i)
    if (contains_ignoring_case(list->devices[i].name, spec))
      return &list->devices[i];
  return NULL;
}

clrt_status clrt_devices_select(const clrt_device_list *list, const char *spec, clrt_device *out, clrt_error *err) {
  const clrt_device *found;
  if (list->count == 0)
    return no_device(list, err);
  if (spec == NULL) {
    found = first_of_type(list, CL_DEVICE_TYPE_GPU);
    if (!found)
      found = first_of_type(list, CL_DEVICE_TYPE_CPU);
    if (!found && list->count > 0)
      found = &list->devices[0];
    if (!found)
      return no_device(list, err);
  } else {
    if (!spec[strspn(spec, " \t")])
      return clrt_fail(err, CLRT_ERR_INPUT,
                       "--device '%s': an empty name (use P:D, gpu, cpu or part of a name; 'clrt devices' lists them)",
                       spec);
    found = match_spec(list, spec);
    if (!found)
      return clrt_fail(err, CLRT_ERR_INPUT,
                       "--device %s: no such device (use P:D, gpu, cpu or part of a name; "
                       "'clrt devices' lists them)",
                       spec);
  }
  *out = *found;
  return CLRT_OK;
}

void clrt_device_label(const clrt_device *device, char *out, size_t size) {
  snprintf(out, size, "%u:%u", device->platform_index, device->device_index);
}

void clrt_device_title(const clrt_device *device, char *out, size_t size) {
  snprintf(out, size, "%u:%u (%s)", device->platform_index, device->device_index, device->name);
}

static bool already_chosen(const clrt_device *chosen, size_t count, const clrt_device *device) {
  for (size_t i = 0; i < count; ++i)
    if (chosen[i].id == device->id)
      return true;
  return false;
}

/* One name of a --device list. */
static clrt_status select_one_listed(const clrt_device_list *list, const char *spec, const char *item,
                                     clrt_device *chosen, size_t *count, clrt_error *err) {
  clrt_device device;
  clrt_status status = clrt_devices_select(list, item, &device, err);
  if (status != CLRT_OK)
    return status;
  if (already_chosen(chosen, *count, &device))
    return clrt_fail(err, CLRT_ERR_INPUT, "--device %s: '%s' names %s, which is already listed", spec, item,
                     device.name);
  chosen[(*count)++] = device;
  return CLRT_OK;
}

/* Each comma-separated spec in turn; an empty one, or naming a device
 * twice, is an error. */
static clrt_status select_listed(const clrt_device_list *list, const char *spec, clrt_device *chosen, size_t *count,
                                 clrt_error *err) {
  char *copy = strdup(spec);
  if (!copy)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory choosing devices");
  clrt_status status = CLRT_OK;
  char *item = copy;
  for (char *next; status == CLRT_OK && item; item = next) {
    next = strchr(item, ',');
    if (next)
      *next++ = '\0';
    status = !item[0] ? clrt_fail(err, CLRT_ERR_INPUT, "--device %s: an empty name in the list", spec)
                      : select_one_listed(list, spec, item, chosen, count, err);
  }
  free(copy);
  return status;
}

/* The devices a spec names, into `chosen` (room for every device). */
static clrt_status select_into(const clrt_device_list *list, const char *spec, clrt_device *chosen, size_t *count,
                               clrt_error *err) {
  if (list->count == 0)
    return no_device(list, err);
  if (spec && strcasecmp(spec, "all") == 0) {
    memcpy(chosen, list->devices, list->count * sizeof *chosen);
    *count = list->count;
    return CLRT_OK;
  }
  if (spec && strchr(spec, ','))
    return select_listed(list, spec, chosen, count, err);
  clrt_status status = clrt_devices_select(list, spec, chosen, err);
  *count = status == CLRT_OK ? 1 : 0;
  return status;
}

clrt_status clrt_devices_select_many(const clrt_device_list *list, const char *spec, clrt_device **devices,
                                     size_t *count, clrt_error *err) {
  *count = 0;
  *devices = calloc(list->count ? list->count : 1, sizeof **devices);
  if (!*devices)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory choosing devices");
  clrt_status status = select_into(list, spec, *devices, count, err);
  if (status != CLRT_OK) {
    free(*devices);
    *devices = NULL;
  }
  return status;
}

void clrt_devices_free(clrt_device_list *list) {
  free(list->devices);
  memset(list, 0, sizeof *list);
}

clrt_status clrt_devices_choose(const char *spec, clrt_device **devices, size_t *count, clrt_error *err) {
  *devices = NULL;
  *count = 0;
  clrt_device_list list;
  clrt_status status = clrt_devices_discover(&list, err);
  if (status != CLRT_OK)
    return status;
  status = clrt_devices_select_many(&list, spec, devices, count, err);
  clrt_devices_free(&list);
  return status;
}
