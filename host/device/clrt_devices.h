/* Discovering OpenCL platforms and devices, listing them, and choosing one
 * from a user's --device spec. */
#ifndef CLRT_DEVICES_H
#define CLRT_DEVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "clrt_error.h"
#include "clrt_opencl.h"

enum { CLRT_DEVICE_NAME_SIZE = 256, CLRT_DEVICE_VERSION_SIZE = 128, CLRT_MAX_PLATFORMS = 16 };

/* A device and what clrt needs to know of it, queried once at discovery
 * (every query checked). */
typedef struct clrt_device {
  cl_platform_id platform;
  cl_device_id id;
  unsigned platform_index;
  unsigned device_index; /* within its platform */
  cl_device_type type;
  char name[CLRT_DEVICE_NAME_SIZE];
  char platform_name[CLRT_DEVICE_NAME_SIZE];
  char driver_version[CLRT_DEVICE_VERSION_SIZE];
  char device_version[CLRT_DEVICE_VERSION_SIZE]; /* "OpenCL 1.2 ..." */
  char c_version[CLRT_DEVICE_VERSION_SIZE];      /* "OpenCL C 1.2 ..." */
  cl_uint compute_units;
  cl_ulong global_memory;   /* bytes */
  cl_ulong max_allocation;  /* the largest single buffer, bytes */
  cl_ulong constant_memory; /* the largest __constant buffer, bytes */
  cl_uint max_constant_args;
  size_t max_work_group;
  bool exact_divide_sqrt;   /* can build with -cl-fp32-correctly-rounded-divide-sqrt */
  bool nv_compiler_options; /* NVIDIA's build options (-cl-nv-maxrregcount) */
} clrt_device;

typedef struct clrt_device_list {
  unsigned platform_count;
  char platform_names[CLRT_MAX_PLATFORMS][CLRT_DEVICE_NAME_SIZE];
  clrt_device *devices; /* every device of every platform, in P:D order */
  size_t count;
} clrt_device_list;

/* Finds every platform and device, and queries each device's facts. No platform at all is an error whose
 * message says it is an ICD loader / driver matter and how to install POCL;
 * platforms without devices are kept (listed, never chosen). */
clrt_status clrt_devices_discover(clrt_device_list *list, clrt_error *err);

/* One line per platform, then one per device: index, type, name, compute
 * units, memory, max work-group size, OpenCL C version. */
void clrt_devices_print(const clrt_device_list *list, FILE *out);

/* spec: NULL (first GPU, else first CPU, else the first device), "P:D",
 * "gpu", "cpu", or a case-insensitive substring of the device name. */
clrt_status clrt_devices_select(const clrt_device_list *list, const char *spec, clrt_device *out, clrt_error *err);

/* Several devices: spec "all", or a comma list of the forms above
 * ("0:0,0:1", "gpu,cpu"); a single spec or NULL gives one device. Naming a
 * device twice is an error. *devices is allocated (free it). */
clrt_status clrt_devices_select_many(const clrt_device_list *list, const char *spec, clrt_device **devices,
                                     size_t *count, clrt_error *err);

/* Discovers the devices and selects those `spec` names
 * (clrt_devices_select_many): what render and bench start with. */
clrt_status clrt_devices_choose(const char *spec, clrt_device **devices, size_t *count, clrt_error *err);

/* "P:D", for messages. */
void clrt_device_label(const clrt_device *device, char *out, size_t size);

/* Room for a title: the label, the name and what joins them. */
#define CLRT_DEVICE_TITLE_SIZE (CLRT_DEVICE_NAME_SIZE + 32)

/* "P:D (name)": how messages name a device, since two of one model share
 * a name. */
void clrt_device_title(const clrt_device *device, char *out, size_t size);

const char *clrt_device_type_name(cl_device_type type);

void clrt_devices_free(clrt_device_list *list);

#endif /* CLRT_DEVICES_H */
