/* `clrt devices`: every platform and device, as --device names them. */
#include "clrt_commands.h"

#include "clrt_devices.h"

clrt_status clrt_devices_command(FILE *out, clrt_error *err) {
  clrt_device_list list;
  clrt_status status = clrt_devices_discover(&list, err);
  if (status != CLRT_OK)
    return status;
  clrt_devices_print(&list, out);
  clrt_devices_free(&list);
  return CLRT_OK;
}
