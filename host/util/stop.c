/* Stop requests from signals (clrt_stop.h). */
#include "clrt_stop.h"

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

void clrt_stop_catch(void) {
  struct sigaction handler;
  memset(&handler, 0, sizeof handler);
  handler.sa_handler = on_stop_signal;
  sigemptyset(&handler.sa_mask);
  handler.sa_flags = SA_RESTART; /* reads and writes go on; the flag is polled */
  stop_signal = 0;
  for (size_t i = 0; i < sizeof CAUGHT / sizeof CAUGHT[0]; ++i)
    sigaction(CAUGHT[i], &handler, NULL);
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
