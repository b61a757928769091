/* Stop requests from signals (clrt_stop.h). */
#include "clrt_stop.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop_signal;

/* The temporary file to remove at once on a stop signal (a launcher such
 * as mpirun follows its SIGTERM with SIGKILL a second later). */
static char doomed_path[4096];
static volatile sig_atomic_t doomed;

static void on_stop_signal(int signal_number) {
  stop_signal = signal_number;
  if (doomed)
    unlink(doomed_path); /* async-signal-safe */
}

void clrt_stop_remove_on_signal(const char *path) {
  doomed = 0;
  if (path && strlen(path) < sizeof doomed_path) {
    memcpy(doomed_path, path, strlen(path) + 1);
    doomed = 1;
  }
}

static const int CAUGHT[] = {SIGINT, SIGTERM, SIGHUP};

/* What clrt says when a library aborts (SIGABRT: the OpenCL driver that
 * cannot start a thread, an allocation that throws): written by the
 * handler, so composed beforehand. */
static char abort_message[512];
static size_t abort_message_length;

static void on_abort(int signal_number) {
  (void)signal_number;
  if (doomed)
    unlink(doomed_path);
  ssize_t written = write(STDERR_FILENO, abort_message, abort_message_length);
  (void)written; /* nothing more can be done about it here */
  _exit(CLRT_ERR_RUNTIME);
}

static void compose_abort_message(void) {
  char limit[256];
  if (clrt_address_space_hint(limit, sizeof limit))
    snprintf(abort_message, sizeof abort_message,
             "clrt: error: a library clrt runs (most likely the OpenCL driver) aborted, its message above; it most "
             "likely ran out of memory: %s; no file written\n",
             limit);
  else
    snprintf(abort_message, sizeof abort_message,
             "clrt: error: a library clrt runs (most likely the OpenCL driver) aborted, its message above; if it "
             "ran out of memory, render smaller or on a device with more; no file written\n");
  abort_message_length = strlen(abort_message);
}

void clrt_stop_explain_aborts(void) {
  /* composed once: when the handler is put back, another thread's abort
   * may be reading it */
  if (abort_message_length == 0)
    compose_abort_message();
  struct sigaction handler;
  memset(&handler, 0, sizeof handler);
  handler.sa_handler = on_abort;
  sigemptyset(&handler.sa_mask);
  sigaction(SIGABRT, &handler, NULL);
}

void clrt_stop_catch(void) {
  struct sigaction handler;
  memset(&handler, 0, sizeof handler);
  handler.sa_handler = on_stop_signal;
  sigemptyset(&handler.sa_mask);
  handler.sa_flags = SA_RESTART; /* reads and writes go on; the flag is polled */
  stop_signal = 0;
  for (size_t i = 0; i < sizeof CAUGHT / sizeof CAUGHT[0]; ++i)
    sigaction(CAUGHT[i], &handler, NULL);
  clrt_stop_explain_aborts();
}

int clrt_stop_signal(void) { return stop_signal; }

const volatile sig_atomic_t *clrt_stop_flag(void) { return &stop_signal; }

static const char *signal_name(int signal_number) {
  switch (signal_number) {
  case SIGINT:
    return "Ctrl-C";
  case SIGTERM:
    return "SIGTERM";
  case SIGHUP:
    return "SIGHUP";
  default:
    return "a signal";
  }
}

clrt_status clrt_stop_check(const char *stage, clrt_error *err) {
  int caught = stop_signal;
  if (!caught)
    return CLRT_OK;
  return clrt_fail(err, CLRT_ERR_INTERRUPTED, "interrupted (%s) while %s; no file written", signal_name(caught), stage);
}

int clrt_stop_exit_code(clrt_status status) {
  if (status != CLRT_ERR_INTERRUPTED)
    return (int)status;
  return 128 + (stop_signal ? stop_signal : SIGINT);
}
