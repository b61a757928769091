/* Status codes, error messages and warnings: functions return a status
 * and fill an error; only main decides what to print and how to exit.
 *
 * Messages quote input (names from scene files, paths, device names), and
 * input may hold control characters that would forge extra lines or drive
 * the terminal: every message is made printable where it is recorded. */
#ifndef CLRT_ERROR_H
#define CLRT_ERROR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* The values are the process exit codes. */
typedef enum clrt_status {
  CLRT_OK = 0,
  CLRT_ERR_RUNTIME = 1,       /* a device, OpenCL or I/O failure */
  CLRT_ERR_INPUT = 2,         /* a usage or scene error: the user can fix the input */
  CLRT_ERR_INTERRUPTED = 130, /* stopped by Ctrl-C (SIGINT), as shells report it */
} clrt_status;

/* Room for a path of PATH_MAX (4096) bytes and the reason after it: an
 * error about a long path must not lose what is wrong with it. */
enum { CLRT_ERROR_MESSAGE_SIZE = 8192 };

typedef struct clrt_error {
  char message[CLRT_ERROR_MESSAGE_SIZE];
} clrt_error;

/* Records a one-line message, made printable, and returns status, so
 * callers can write `return clrt_fail(err, CLRT_ERR_INPUT, "...", ...);`. */
clrt_status clrt_fail(clrt_error *err, clrt_status status, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* `text` made printable into out (always terminated, cut to fit): control
 * characters, C1 controls and bytes that are not UTF-8 become escapes
 * ("\n", "\x1b", "\u009b"); printable UTF-8 and the backslash stay. */
void clrt_printable(const char *text, char *out, size_t size);

/* When this process's address space is limited (ulimit -v), what to say
 * of it in an error that is most likely running out of it: "this
 * process's address space is limited to N MB (ulimit -v); raise the limit
 * (ulimit -v unlimited)". Empty (and false) when it is not limited. */
bool clrt_address_space_hint(char *out, size_t size);

/* Prints "clrt: warning: MESSAGE" to `log` (nothing when NULL), made
 * printable, unless this process printed the same warning before: a
 * problem met once per scene or per device is reported once. */
void clrt_warn_once(FILE *log, const char *format, ...) __attribute__((format(printf, 2, 3)));

#endif /* CLRT_ERROR_H */
