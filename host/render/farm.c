/* Several devices render one picture: a worker thread per device session,
 * the shared scheduler, and the calling thread watching over them. */
#include "clrt_farm.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clrt_clock.h"
#include "clrt_stop.h"

/* How often the watching thread redraws progress and looks for Ctrl-C, and
 * how often a waiting worker looks whether the frame is being stopped. */
#define CLRT_MONITOR_PERIOD_MS 250.0
/* After Ctrl-C, tiles in flight get this long to finish; then their device
 * is abandoned (OpenCL cannot cancel a kernel) so that clrt exits promptly
 * even in the middle of one huge tile. */
#define CLRT_INTERRUPT_GRACE_MS 1000.0

typedef struct shared_state {
  const clrt_tile_route *route;
  const clrt_flat_scene *scene;        /* to open sessions; NULL when given */
  const clrt_session_options *options; /* likewise */
  double start_ms;
  pthread_mutex_t lock;
  pthread_cond_t worker_finished;
  size_t running_workers;
} shared_state;

typedef struct worker {
  shared_state *shared;
  unsigned index;
  clrt_device_figures *figures;
  clrt_session *session; /* given (already open), or its own */
  bool owns_session;
} worker;

static void warn(worker *w, const char *what, const clrt_error *err) {
  clrt_progress_message(w->shared->route->progress, "clrt: warning: %s: %s", what, err->message);
}

static void record_failure(worker *w, const clrt_error *err) {
  w->figures->failures += 1;
  w->figures->last_error = *err;
  w->figures->failed_ms = clrt_now_ms() - w->shared->start_ms;
}

static void retire(worker *w, const clrt_error *err) {
  if (w->figures->retired)
    return;
  w->figures->retired = true;
  clrt_progress_device_gone(w->shared->route->progress, w->index);
  char what[64]; /* the error names the device in full */
  snprintf(what, sizeof what, "retiring %u:%u for the rest of the render", w->figures->device.platform_index,
           w->figures->device.device_index);
  warn(w, what, err);
  clrt_scheduler_retire_device(w->shared->route->scheduler);
}

/* A tile failed on this device (it has gone back to the queue already):
 * count it, and retire the device when it fails too often. */
static void tile_failed(worker *w, const clrt_error *err) {
  record_failure(w, err);
  if (w->figures->failures >= CLRT_MAX_DEVICE_FAILURES)
    retire(w, err);
  else
    warn(w, "tile returned to the queue", err);
}

/* Keeps the device's queue full; waits for a tile only when it is idle. */
static void fill_device(worker *w) {
  clrt_scheduler *scheduler = w->shared->route->scheduler;
  while (clrt_session_has_room(w->session) && !w->figures->retired) {
    clrt_tile tile;
    if (!clrt_scheduler_take(scheduler, clrt_session_in_flight(w->session) == 0, &tile))
      return;
    clrt_error err;
    if (clrt_session_submit(w->session, &tile, &err) != CLRT_OK) {
      clrt_scheduler_return(scheduler, &tile);
      tile_failed(w, &err);
    } else {
      clrt_progress_tile_started(w->shared->route->progress, w->index, (size_t)tile.width * tile.height);
    }
  }
}

static void tile_done(worker *w, const clrt_tile_outcome *outcome) {
  const clrt_tile_route *route = w->shared->route;
  if (route->sink)
    route->sink->receive(route->sink->context, &outcome->tile, outcome->pixels, clrt_rays_total(&outcome->rays));
  else
    clrt_film_receive(route->film, &outcome->tile, outcome->pixels);
  clrt_scheduler_done(route->scheduler, &outcome->tile);
  size_t pixels = (size_t)outcome->tile.width * outcome->tile.height;
  w->figures->tiles += 1;
  w->figures->pixels += pixels;
  clrt_rays_add(&w->figures->rays, &outcome->rays);
  w->figures->cut_short_samples += outcome->cut_short_samples;
  w->figures->busy_ms += outcome->kernel_ms;
  clrt_progress_tile_done(route->progress, w->index, pixels, clrt_rays_total(&outcome->rays));
}

/* Gives the device up: its tiles in flight go back to the queue. */
static void abandon_device(worker *w) {
  clrt_tile tiles[CLRT_SESSION_SLOTS];
  size_t count = clrt_session_abandon(w->session, tiles);
  for (size_t i = 0; i < count; ++i) {
    clrt_scheduler_return(w->shared->route->scheduler, &tiles[i]);
    clrt_progress_tile_dropped(w->shared->route->progress, w->index, (size_t)tiles[i].width * tiles[i].height);
  }
}

/* A tile ran past its time limit: the device is hung and abandoned (its
 * kernels cannot be cancelled); its tiles go to the other devices. */
static void device_hung(worker *w, const clrt_tile_outcome *outcome) {
  abandon_device(w);
  record_failure(w, &outcome->error);
  retire(w, &outcome->error);
}

/* Waits for the oldest tile: until it ends, its time limit passes, or the
 * frame has been stopped for longer than the grace period (then the state
 * is still CLRT_TILE_RUNNING). */
static clrt_tile_state wait_oldest(worker *w, clrt_tile_outcome *outcome) {
  double stopped_at = -1.0;
  for (;;) {
    clrt_tile_state state = clrt_session_wait(w->session, clrt_now_ms() + CLRT_MONITOR_PERIOD_MS, outcome);
    if (state != CLRT_TILE_RUNNING)
      return state;
    double now = clrt_now_ms();
    if (stopped_at < 0.0 && clrt_scheduler_stopping(w->shared->route->scheduler))
      stopped_at = now;
    if (stopped_at >= 0.0 && now - stopped_at >= CLRT_INTERRUPT_GRACE_MS)
      return state;
  }
}

static void run_tiles(worker *w) {
  for (;;) {
    fill_device(w);
    if (clrt_session_in_flight(w->session) == 0)
      return;
    clrt_tile_outcome outcome;
    switch (wait_oldest(w, &outcome)) {
    case CLRT_TILE_DONE:
      tile_done(w, &outcome);
      break;
    case CLRT_TILE_FAILED:
      clrt_scheduler_return(w->shared->route->scheduler, &outcome.tile);
      clrt_progress_tile_dropped(w->shared->route->progress, w->index,
                                 (size_t)outcome.tile.width * outcome.tile.height);
      tile_failed(w, &outcome.error);
      break;
    case CLRT_TILE_HUNG:
      device_hung(w, &outcome);
      return;
    case CLRT_TILE_RUNNING: /* stopped, and the grace period is over */
      abandon_device(w);
      return;
    }
  }
}

/* Opens the worker's own session when it was not given one. */
static bool ensure_session(worker *w) {
  if (w->session)
    return true;
  shared_state *shared = w->shared;
  clrt_error err;
  w->session = clrt_session_open(&w->figures->device, shared->scene, shared->options, &err);
  if (!w->session) {
    record_failure(w, &err);
    retire(w, &err);
    return false;
  }
  w->owns_session = true;
  return true;
}

static void *worker_main(void *argument) {
  worker *w = argument;
  shared_state *shared = w->shared;
  if (ensure_session(w)) {
    w->figures->build_ms = clrt_session_build(w->session)->build_ms;
    w->figures->build_cached = clrt_session_build(w->session)->from_cache;
    w->figures->ready_ms = clrt_now_ms() - shared->start_ms;
    run_tiles(w);
    if (w->owns_session)
      clrt_session_close(w->session);
  }
  w->figures->finished_ms = clrt_now_ms() - shared->start_ms;
  if (!w->figures->retired)
    clrt_scheduler_retire_device(shared->route->scheduler);
  pthread_mutex_lock(&shared->lock);
  --shared->running_workers;
  pthread_cond_broadcast(&shared->worker_finished);
  pthread_mutex_unlock(&shared->lock);
  return NULL;
}

static struct timespec in_future(double ms) {
  struct timespec when;
  clock_gettime(CLOCK_REALTIME, &when);
  long long nanoseconds = (long long)when.tv_nsec + (long long)(ms * 1e6);
  when.tv_sec += (time_t)(nanoseconds / 1000000000LL);
  when.tv_nsec = (long)(nanoseconds % 1000000000LL);
  return when;
}

static bool interrupt_requested(const clrt_tile_route *route) { return route->interrupted && *route->interrupted; }

/* The calling thread until every worker is done: progress and Ctrl-C. */
static bool monitor(shared_state *shared) {
  const clrt_tile_route *route = shared->route;
  bool interrupted = false;
  pthread_mutex_lock(&shared->lock);
  while (shared->running_workers > 0) {
    struct timespec when = in_future(CLRT_MONITOR_PERIOD_MS);
    pthread_cond_timedwait(&shared->worker_finished, &shared->lock, &when);
    if (!interrupted && interrupt_requested(route)) {
      interrupted = true;
      clrt_scheduler_stop(route->scheduler);
    }
    pthread_mutex_unlock(&shared->lock);
    clrt_progress_draw(route->progress);
    /* The driver may load LLVM, which takes SIGABRT for a handler of its
     * own, at any build or first launch of a kernel: clrt's goes back. */
    clrt_stop_explain_aborts();
    pthread_mutex_lock(&shared->lock);
  }
  pthread_mutex_unlock(&shared->lock);
  clrt_progress_finish(route->progress);
  return interrupted;
}

/* From the first device that ran out of work (not counting devices that
 * failed) to the last one finishing. */
static double tail_ms(const clrt_farm_result *result) {
  double first = -1.0, last = 0.0;
  for (size_t i = 0; i < result->device_count; ++i) {
    const clrt_device_figures *device = &result->devices[i];
    if (device->retired || device->tiles == 0)
      continue;
    if (first < 0.0 || device->finished_ms < first)
      first = device->finished_ms;
    if (device->finished_ms > last)
      last = device->finished_ms;
  }
  return first < 0.0 ? 0.0 : last - first;
}

/* Rendering time: the first device ready to the last one finishing. */
static double span_ms(const clrt_farm_result *result) {
  double first = -1.0, last = 0.0;
  for (size_t i = 0; i < result->device_count; ++i) {
    const clrt_device_figures *device = &result->devices[i];
    if (device->tiles == 0)
      continue;
    if (first < 0.0 || device->ready_ms < first)
      first = device->ready_ms;
    if (device->finished_ms > last)
      last = device->finished_ms;
  }
  return first < 0.0 ? 0.0 : last - first;
}

static void summarise(clrt_farm_result *result) {
  for (size_t i = 0; i < result->device_count; ++i) {
    clrt_rays_add(&result->rays, &result->devices[i].rays);
    result->cut_short_samples += result->devices[i].cut_short_samples;
  }
  result->render_ms = span_ms(result);
  result->tail_ms = tail_ms(result);
}

static clrt_status start_workers(shared_state *shared, worker *workers, pthread_t *threads, size_t count,
                                 clrt_error *err) {
  for (size_t i = 0; i < count; ++i) {
    pthread_mutex_lock(&shared->lock);
    ++shared->running_workers;
    pthread_mutex_unlock(&shared->lock);
    int rc = pthread_create(&threads[i], NULL, worker_main, &workers[i]);
    if (rc != 0) {
      pthread_mutex_lock(&shared->lock);
      --shared->running_workers;
      pthread_mutex_unlock(&shared->lock);
      clrt_scheduler_stop(shared->route->scheduler);
      for (size_t j = 0; j < i; ++j)
        pthread_join(threads[j], NULL);
      char limit[256];
      /* a thread's stack is address space: what a limit on it runs out of first */
      bool limited = rc == EAGAIN && clrt_address_space_hint(limit, sizeof limit);
      return clrt_fail(err, CLRT_ERR_RUNTIME, "cannot start a thread for device %zu: %s%s%s", i, strerror(rc),
                       limited ? ": " : "", limited ? limit : "");
    }
  }
  return CLRT_OK;
}

static clrt_status run_workers(shared_state *shared, clrt_session *const *sessions, clrt_farm_result *result,
                               clrt_error *err) {
  size_t count = result->device_count;
  worker *workers = calloc(count, sizeof *workers);
  pthread_t *threads = calloc(count, sizeof *threads);
  clrt_status status = CLRT_OK;
  if (!workers || !threads)
    status = clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory for %zu device threads", count);
  for (size_t i = 0; status == CLRT_OK && i < count; ++i)
    workers[i] = (worker){.shared = shared,
                          .index = (unsigned)i,
                          .figures = &result->devices[i],
                          .session = sessions ? sessions[i] : NULL};
  if (status == CLRT_OK)
    status = start_workers(shared, workers, threads, count, err);
  if (status == CLRT_OK) {
    result->interrupted = monitor(shared);
    for (size_t i = 0; i < count; ++i)
      pthread_join(threads[i], NULL);
    summarise(result);
  }
  free(workers);
  free(threads);
  return status;
}

/* Runs a worker per device over the sessions (NULL: each opens its own). */
static clrt_status farm_with(const clrt_device *devices, clrt_session *const *sessions, size_t device_count,
                             shared_state *shared, clrt_farm_result *result, clrt_error *err) {
  memset(result, 0, sizeof *result);
  result->devices = calloc(device_count, sizeof *result->devices);
  if (!result->devices)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory for %zu device figures", device_count);
  result->device_count = device_count;
  for (size_t i = 0; i < device_count; ++i)
    result->devices[i].device = sessions ? *clrt_session_device(sessions[i]) : devices[i];
  pthread_mutex_init(&shared->lock, NULL);
  pthread_cond_init(&shared->worker_finished, NULL);
  shared->start_ms = clrt_now_ms();
  clrt_status status = run_workers(shared, sessions, result, err);
  pthread_cond_destroy(&shared->worker_finished);
  pthread_mutex_destroy(&shared->lock);
  return status;
}

clrt_status clrt_farm_render(const clrt_device *devices, size_t device_count, const clrt_flat_scene *scene,
                             const clrt_session_options *options, const clrt_tile_route *route,
                             clrt_farm_result *result, clrt_error *err) {
  shared_state shared = {.route = route, .scene = scene, .options = options};
  return farm_with(devices, NULL, device_count, &shared, result, err);
}

clrt_status clrt_farm_render_sessions(clrt_session *const *sessions, size_t count, const clrt_tile_route *route,
                                      clrt_farm_result *result, clrt_error *err) {
  size_t needed = clrt_scheduler_max_tile_pixels(route->scheduler);
  for (size_t i = 0; i < count; ++i)
    if (clrt_session_max_tile_pixels(sessions[i]) < needed)
      return clrt_fail(err, CLRT_ERR_INPUT, "%s: its session holds tiles of %zu pixels, not %zu",
                       clrt_session_device(sessions[i])->name, clrt_session_max_tile_pixels(sessions[i]), needed);
  shared_state shared = {.route = route};
  return farm_with(NULL, sessions, count, &shared, result, err);
}

const clrt_error *clrt_farm_cause(const clrt_farm_result *result) {
  const clrt_device_figures *latest = &result->devices[0];
  for (size_t i = 1; i < result->device_count; ++i)
    if (result->devices[i].failures && result->devices[i].failed_ms >= latest->failed_ms)
      latest = &result->devices[i];
  return &latest->last_error;
}

void clrt_farm_result_free(clrt_farm_result *result) {
  free(result->devices);
  memset(result, 0, sizeof *result);
}
