/* Several devices render one picture: a worker thread per device, a shared
 * tile queue, and the main thread watching over them (progress, Ctrl-C). */
#include "clrt_render.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clrt_clock.h"
#include "clrt_scheduler.h"
#include "clrt_session.h"

/* How often the main thread redraws progress and looks for Ctrl-C, and how
 * often a waiting worker looks whether the render is being stopped. */
#define CLRT_MONITOR_PERIOD_MS 250.0
/* After Ctrl-C, tiles in flight get this long to finish; then their device
 * is abandoned (OpenCL cannot cancel a kernel) so that clrt exits promptly
 * even in the middle of one huge tile. */
#define CLRT_INTERRUPT_GRACE_MS 1000.0

typedef struct shared_state {
  const clrt_scene *scene;
  const clrt_render_params *params;
  const clrt_render_setup *setup;
  clrt_scheduler scheduler;
  size_t max_tile_pixels;
  clrt_float4 *framebuffer;
  double start_ms;
  pthread_mutex_t lock;
  pthread_cond_t worker_finished;
  size_t running_workers;
} shared_state;

typedef struct worker {
  shared_state *shared;
  unsigned index;
  clrt_device_report *report;
  clrt_session *session; /* given (already open), or its own */
  bool owns_session;
  int fifo[CLRT_SESSION_SLOTS]; /* slots in flight, oldest first */
  int in_flight;
  double head_since_ms; /* when the oldest tile in flight became the first in its device's queue */
} worker;

static void warn(worker *w, const char *what, const clrt_error *err) {
  clrt_progress_message(w->shared->setup->progress, "clrt: warning: %s: %s", what, err->message);
}

static void retire(worker *w, const clrt_error *err) {
  if (w->report->retired)
    return;
  w->report->retired = true;
  char what[CLRT_DEVICE_NAME_SIZE + 64];
  snprintf(what, sizeof what, "retiring %u:%u (%s) for the rest of the render", w->report->device.platform_index,
           w->report->device.device_index, w->report->device.name);
  warn(w, what, err);
  clrt_scheduler_retire_device(&w->shared->scheduler);
}

/* A tile failed on this device: count it, and retire the device when it
 * fails too often. The tile itself has already gone back to the queue. */
static void tile_failed(worker *w, const clrt_error *err) {
  w->report->last_error = *err;
  if (++w->report->failures >= CLRT_MAX_DEVICE_FAILURES) {
    retire(w, err);
    return;
  }
  warn(w, "tile returned to the queue", err);
}

static int free_slot(const worker *w) {
  for (int slot = 0; slot < CLRT_SESSION_SLOTS; ++slot) {
    bool used = false;
    for (int i = 0; i < w->in_flight; ++i)
      used = used || w->fifo[i] == slot;
    if (!used)
      return slot;
  }
  return -1;
}

static int pop_oldest(worker *w) {
  int slot = w->fifo[0];
  for (int i = 1; i < w->in_flight; ++i)
    w->fifo[i - 1] = w->fifo[i];
  --w->in_flight;
  w->head_since_ms = clrt_now_ms(); /* the next tile runs from now on */
  return slot;
}

/* A tile's time limit: --tile-timeout seconds per million samples of
 * work, and never less than that, so that 4096 samples per pixel do not
 * look like a hung device while one sample still gets a prompt verdict. */
static double tile_limit_ms(const worker *w, const clrt_tile *tile) {
  double samples = (double)tile->width * tile->height * w->shared->params->samples;
  double millions = samples / CLRT_TILE_TIMEOUT_SAMPLES;
  return w->shared->setup->tile_timeout_ms * (millions > 1.0 ? millions : 1.0);
}

/* Keeps up to two tiles in flight; waits for more only when idle. */
static void fill_slots(worker *w) {
  while (w->in_flight < CLRT_SESSION_SLOTS && !w->report->retired) {
    clrt_tile tile;
    if (!clrt_scheduler_take(&w->shared->scheduler, w->in_flight == 0, &tile))
      return;
    int slot = free_slot(w);
    clrt_error err;
    if (w->in_flight == 0)
      w->head_since_ms = clrt_now_ms();
    if (clrt_session_enqueue(w->session, slot, &tile, &err) != CLRT_OK) {
      clrt_scheduler_return(&w->shared->scheduler, &tile);
      tile_failed(w, &err);
      continue;
    }
    w->fifo[w->in_flight++] = slot;
  }
}

static void tile_succeeded(worker *w, int slot) {
  const clrt_tile tile = w->session->slots[slot].tile;
  clrt_tile_result result;
  clrt_session_collect(w->session, slot, w->shared->framebuffer, w->shared->params->width, &result);
  clrt_scheduler_done(&w->shared->scheduler, &tile);
  size_t pixels = (size_t)tile.width * tile.height;
  w->report->tiles += 1;
  w->report->pixels += pixels;
  w->report->rays += result.rays;
  w->report->busy_ms += result.kernel_ms;
  clrt_progress_tile_done(w->shared->setup->progress, w->index, pixels, result.rays);
}

/* A tile ran past the time limit: the device is hung. Its tiles go back to
 * the queue and the device is abandoned (its kernels cannot be cancelled). */
static void tile_hung(worker *w) {
  clrt_error err;
  const clrt_tile *tile = &w->session->slots[w->fifo[0]].tile;
  clrt_fail(&err, CLRT_ERR_RUNTIME, "%s: tile (%u,%u %ux%u) exceeded its %.1f s time limit (--tile-timeout)",
            w->report->device.name, tile->x, tile->y, tile->width, tile->height, tile_limit_ms(w, tile) / 1e3);
  while (w->in_flight > 0)
    clrt_scheduler_return(&w->shared->scheduler, &w->session->slots[pop_oldest(w)].tile);
  w->report->failures += 1;
  w->report->last_error = err;
  clrt_session_abandon(w->session);
  retire(w, &err);
}

/* Waits for the oldest tile: until it ends, its time limit passes, or the
 * render has been stopped for longer than the grace period (then the
 * state is still CLRT_SLOT_RUNNING and *abandon is set). */
static clrt_slot_state wait_oldest(worker *w, bool *abandon) {
  int slot = w->fifo[0];
  const clrt_slot *oldest = &w->session->slots[slot];
  double since = oldest->started_ms > w->head_since_ms ? oldest->started_ms : w->head_since_ms;
  double deadline = since + tile_limit_ms(w, &oldest->tile);
  double stopped_at = -1.0;
  *abandon = false;
  for (;;) {
    double now = clrt_now_ms();
    double wake = now + CLRT_MONITOR_PERIOD_MS < deadline ? now + CLRT_MONITOR_PERIOD_MS : deadline;
    clrt_slot_state state = clrt_session_wait(w->session, slot, wake);
    now = clrt_now_ms();
    if (state != CLRT_SLOT_RUNNING || now >= deadline)
      return state;
    if (stopped_at < 0.0 && clrt_scheduler_stopping(&w->shared->scheduler))
      stopped_at = now;
    if (stopped_at >= 0.0 && now - stopped_at >= CLRT_INTERRUPT_GRACE_MS) {
      *abandon = true;
      return state;
    }
  }
}

static void run_tiles(worker *w) {
  for (;;) {
    fill_slots(w);
    if (w->in_flight == 0)
      return;
    int slot = w->fifo[0];
    bool abandon;
    clrt_slot_state state = wait_oldest(w, &abandon);
    if (abandon) {
      clrt_session_abandon(w->session);
      return;
    }
    if (state == CLRT_SLOT_RUNNING) {
      tile_hung(w);
      return;
    }
    pop_oldest(w);
    if (state == CLRT_SLOT_DONE) {
      tile_succeeded(w, slot);
      continue;
    }
    clrt_error err;
    clrt_scheduler_return(&w->shared->scheduler, &w->session->slots[slot].tile);
    clrt_session_release_slot(w->session, slot, &err);
    tile_failed(w, &err);
  }
}

/* Opens the worker's own session when it was not given one. */
static bool ensure_session(worker *w) {
  if (w->session)
    return true;
  shared_state *shared = w->shared;
  clrt_error err;
  w->session = clrt_session_create(&w->report->device, shared->scene, shared->params, shared->max_tile_pixels,
                                   shared->setup->fast_math, shared->setup->log, &err);
  if (!w->session) {
    w->report->failures += 1;
    w->report->last_error = err;
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
    w->report->build_ms = w->session->build_ms;
    w->report->build_cached = w->session->build.from_cache;
    w->report->ready_ms = clrt_now_ms() - shared->start_ms;
    run_tiles(w);
    if (w->owns_session)
      clrt_session_destroy(w->session);
  }
  w->report->finished_ms = clrt_now_ms() - shared->start_ms;
  if (!w->report->retired)
    clrt_scheduler_retire_device(&shared->scheduler);
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

/* The main thread until every worker is done: progress and Ctrl-C. */
static bool monitor(shared_state *shared) {
  bool interrupted = false;
  pthread_mutex_lock(&shared->lock);
  while (shared->running_workers > 0) {
    struct timespec when = in_future(CLRT_MONITOR_PERIOD_MS);
    pthread_cond_timedwait(&shared->worker_finished, &shared->lock, &when);
    if (!interrupted && shared->setup->interrupted && *shared->setup->interrupted) {
      interrupted = true;
      clrt_scheduler_stop(&shared->scheduler);
    }
    pthread_mutex_unlock(&shared->lock);
    clrt_progress_draw(shared->setup->progress);
    pthread_mutex_lock(&shared->lock);
  }
  pthread_mutex_unlock(&shared->lock);
  clrt_progress_finish(shared->setup->progress);
  return interrupted;
}

/* From the first device that ran out of work (not counting devices that
 * failed) to the last one finishing. */
static double tail_ms(const clrt_render_result *result) {
  double first = -1.0, last = 0.0;
  for (size_t i = 0; i < result->device_count; ++i) {
    const clrt_device_report *report = &result->devices[i];
    if (report->retired || report->tiles == 0)
      continue;
    if (first < 0.0 || report->finished_ms < first)
      first = report->finished_ms;
    if (report->finished_ms > last)
      last = report->finished_ms;
  }
  return first < 0.0 ? 0.0 : last - first;
}

/* Rendering time: the first device ready to the last one finishing. */
static double span_ms(const clrt_render_result *result) {
  double first = -1.0, last = 0.0;
  for (size_t i = 0; i < result->device_count; ++i) {
    const clrt_device_report *report = &result->devices[i];
    if (report->tiles == 0)
      continue;
    if (first < 0.0 || report->ready_ms < first)
      first = report->ready_ms;
    if (report->finished_ms > last)
      last = report->finished_ms;
  }
  return first < 0.0 ? 0.0 : last - first;
}

static void summarise(shared_state *shared, clrt_render_result *result) {
  for (size_t i = 0; i < result->device_count; ++i)
    result->rays += result->devices[i].rays;
  result->render_ms = span_ms(result);
  result->tail_ms = tail_ms(result);
  result->tiles_done = shared->scheduler.tiles_done;
  result->missing_count = clrt_scheduler_missing(&shared->scheduler, &result->missing);
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
      clrt_scheduler_stop(&shared->scheduler);
      for (size_t j = 0; j < i; ++j)
        pthread_join(threads[j], NULL);
      return clrt_fail(err, CLRT_ERR_RUNTIME, "cannot start a thread for device %zu: %s", i, strerror(rc));
    }
  }
  return CLRT_OK;
}

static clrt_status run_workers(shared_state *shared, clrt_session *const *sessions, clrt_render_result *result,
                               clrt_error *err) {
  size_t count = result->device_count;
  worker *workers = calloc(count, sizeof *workers);
  pthread_t *threads = calloc(count, sizeof *threads);
  if (!workers || !threads) {
    free(workers);
    free(threads);
    return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory for %zu device threads", count);
  }
  for (size_t i = 0; i < count; ++i)
    workers[i] = (worker){.shared = shared,
                          .index = (unsigned)i,
                          .report = &result->devices[i],
                          .session = sessions ? sessions[i] : NULL};
  clrt_status status = start_workers(shared, workers, threads, count, err);
  if (status == CLRT_OK) {
    result->interrupted = monitor(shared);
    for (size_t i = 0; i < count; ++i)
      pthread_join(threads[i], NULL);
    summarise(shared, result);
  }
  free(workers);
  free(threads);
  return status;
}

/* Runs the workers over the devices' sessions (NULL: each opens its own). */
static clrt_status render_with(const clrt_device *devices, clrt_session *const *sessions, size_t device_count,
                               const clrt_scene *scene, const clrt_render_params *params,
                               const clrt_render_setup *setup, clrt_float4 *framebuffer, clrt_render_result *result,
                               clrt_error *err) {
  memset(result, 0, sizeof *result);
  result->devices = calloc(device_count, sizeof *result->devices);
  if (!result->devices)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory for %zu device reports", device_count);
  result->device_count = device_count;
  for (size_t i = 0; i < device_count; ++i)
    result->devices[i].device = sessions ? *sessions[i]->device : devices[i];
  shared_state shared = {.scene = scene, .params = params, .setup = setup, .framebuffer = framebuffer};
  pthread_mutex_init(&shared.lock, NULL);
  pthread_cond_init(&shared.worker_finished, NULL);
  clrt_status status =
      clrt_scheduler_init(&shared.scheduler, params->width, params->height, setup->plan, (unsigned)device_count, err);
  if (status == CLRT_OK) {
    shared.max_tile_pixels = clrt_scheduler_max_tile_pixels(&shared.scheduler, setup->plan);
    for (size_t i = 0; sessions && i < device_count; ++i)
      if (sessions[i]->max_tile_pixels < shared.max_tile_pixels)
        status = clrt_fail(err, CLRT_ERR_INPUT, "%s: its session holds tiles of %zu pixels, not %zu",
                           sessions[i]->device->name, sessions[i]->max_tile_pixels, shared.max_tile_pixels);
  }
  if (status == CLRT_OK) {
    shared.start_ms = clrt_now_ms();
    status = run_workers(&shared, sessions, result, err);
  }
  clrt_scheduler_destroy(&shared.scheduler);
  pthread_cond_destroy(&shared.worker_finished);
  pthread_mutex_destroy(&shared.lock);
  return status;
}

clrt_status clrt_render(const clrt_device *devices, size_t device_count, const clrt_scene *scene,
                        const clrt_render_params *params, const clrt_render_setup *setup, clrt_float4 *framebuffer,
                        clrt_render_result *result, clrt_error *err) {
  return render_with(devices, NULL, device_count, scene, params, setup, framebuffer, result, err);
}

clrt_status clrt_render_frame(clrt_session *const *sessions, size_t count, const clrt_render_params *params,
                              const clrt_render_setup *setup, clrt_float4 *framebuffer, clrt_render_result *result,
                              clrt_error *err) {
  return render_with(NULL, sessions, count, NULL, params, setup, framebuffer, result, err);
}

void clrt_render_result_free(clrt_render_result *result) {
  free(result->devices);
  free(result->missing);
  memset(result, 0, sizeof *result);
}
