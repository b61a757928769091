/* Status codes and error messages: functions return a status and fill an
 * error; only main decides what to print and how to exit. */
#ifndef CLRT_ERROR_H
#define CLRT_ERROR_H

/* The values are the process exit codes. */
typedef enum clrt_status {
  CLRT_OK = 0,
  CLRT_ERR_RUNTIME = 1,       /* a device, OpenCL or I/O failure */
  CLRT_ERR_INPUT = 2,         /* a usage or scene error: the user can fix the input */
  CLRT_ERR_INTERRUPTED = 130, /* stopped by Ctrl-C (SIGINT), as shells report it */
} clrt_status;

enum { CLRT_ERROR_MESSAGE_SIZE = 1024 };

typedef struct clrt_error {
  char message[CLRT_ERROR_MESSAGE_SIZE];
} clrt_error;

/* Records a one-line message and returns status, so callers can write
 * `return clrt_fail(err, CLRT_ERR_INPUT, "...", ...);`. */
clrt_status clrt_fail(clrt_error *err, clrt_status status, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

#endif /* CLRT_ERROR_H */
