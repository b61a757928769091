/* Stopping on request. Ctrl-C (SIGINT), SIGTERM and SIGHUP do not kill
 * clrt: they set a flag that every stage looks at (between stages, the
 * render's monitor, the PNG encoder's threads, before the output file is
 * renamed into place), so clrt stops soon, removes its temporary file and
 * exits with 128 + the signal's number, never leaving a partial image. */
#ifndef CLRT_STOP_H
#define CLRT_STOP_H

#include <signal.h>

#include "clrt_error.h"

/* Catches the signals from now on (the flag starts clear); and a
 * library's abort (SIGABRT) from now on ends clrt with a line that says
 * what most likely ran out (memory, and the ulimit -v limit when there
 * is one), exit status 1. */
void clrt_stop_catch(void);

/* A library's abort (SIGABRT) ends clrt with a line that says what most
 * likely ran out and exit status 1 (the output is a file without a name
 * until complete: nothing is left). clrt_stop_catch does it; again after
 * a library that takes SIGABRT for its own handler (LLVM, which OpenCL
 * drivers load) has loaded. */
void clrt_stop_explain_aborts(void);

/* The signal that asked clrt to stop; 0 while none has. */
int clrt_stop_signal(void);

/* The flag itself, for code that polls it (not 0 once asked to stop). */
const volatile sig_atomic_t *clrt_stop_flag(void);

/* CLRT_ERR_INTERRUPTED with "interrupted (SIGTERM) while `stage`; no file
 * written" once asked to stop; CLRT_OK otherwise. */
clrt_status clrt_stop_check(const char *stage, clrt_error *err);

/* `path` (a temporary file) is removed by the signal handler itself, at
 * once, however the process ends after; NULL forgets it (do so before
 * renaming it into place). */
void clrt_stop_remove_on_signal(const char *path);

/* The exit code for a status: 128 + the signal for CLRT_ERR_INTERRUPTED
 * (130 for Ctrl-C, as shells report it), else the status itself. */
int clrt_stop_exit_code(clrt_status status);

#endif /* CLRT_STOP_H */
