/* Error recording shared by every host module. */
#include "clrt_error.h"

#include <stdarg.h>
#include <stdio.h>

clrt_status clrt_fail(clrt_error *err, clrt_status status, const char *format, ...) {
  if (err) {
    va_list args;
    va_start(args, format);
    vsnprintf(err->message, sizeof err->message, format, args);
    va_end(args);
  }
  return status;
}
