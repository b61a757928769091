/* The shared queue of tiles that every device takes its work from.
 *
 * Either a fixed plan (--tiles, --tile-size) or guided strips: full-width
 * strips of ceil(remaining rows / (2 x active devices)) rows, so tiles are
 * large while much work remains and small near the end, and no device is
 * left finishing a big tile alone. A tile that failed goes back to the
 * queue for another device.
 *
 * A process of a cluster (clrt_cluster.h) renders from a fed scheduler
 * instead: tiles arrive from the process that cuts them, and its devices
 * wait for more until the feed closes. */
#ifndef CLRT_SCHEDULER_H
#define CLRT_SCHEDULER_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "clrt_error.h"
#include "clrt_tiles.h"

/* Guided strips hold at least this many pixels (so per-enqueue overhead
 * stays small) and at most the other (so a tile's buffers stay modest and
 * one enqueue stays short). */
#define CLRT_GUIDED_MIN_TILE_PIXELS 16384u
#define CLRT_GUIDED_MAX_TILE_PIXELS CLRT_MAX_TILE_PIXELS

typedef struct clrt_scheduler {
  pthread_mutex_t lock;
  pthread_cond_t changed;
  unsigned width, height;
  clrt_tile *pending; /* tiles waiting to be taken (a stack) */
  size_t pending_count, pending_capacity;
  unsigned next_row; /* guided: rows from here down are not cut yet */
  bool guided;
  size_t max_tile_pixels; /* the largest tile it hands out */
  size_t tiles_total;     /* fixed plan: its tile count; guided: tiles cut so far */
  size_t tiles_done;
  size_t pixels_done;
  size_t in_flight; /* taken, not yet done or returned */
  unsigned active_devices;
  bool stopping;  /* interrupted: hand out nothing more */
  bool feed_open; /* fed: more tiles may still arrive */
} clrt_scheduler;

/* What a scheduler holds at a moment. */
typedef struct clrt_scheduler_state {
  size_t pending, in_flight;
  unsigned active_devices;
  bool stopping;
  bool available; /* a tile can be taken now */
  bool finished;  /* stopping, or nothing to take and nothing can come any more */
} clrt_scheduler_state;

/* A fixed plan's tiles (copied), or guided strips when plan is NULL. */
clrt_status clrt_scheduler_init(clrt_scheduler *s, unsigned width, unsigned height, const clrt_tile_plan *plan,
                                unsigned device_count, clrt_error *err);

/* The largest guided strip for an image, in pixels. */
size_t clrt_scheduler_guided_max_pixels(unsigned width, unsigned height);

/* The largest tile the scheduler will hand out, in pixels. */
size_t clrt_scheduler_max_tile_pixels(const clrt_scheduler *s);

/* Takes the next tile. With `wait`, sleeps while none is available but some
 * are in flight elsewhere (they may come back). False when there is nothing
 * more to take: all done, stopping, or nothing left at all. */
bool clrt_scheduler_take(clrt_scheduler *s, bool wait, clrt_tile *tile);

void clrt_scheduler_done(clrt_scheduler *s, const clrt_tile *tile);

/* Puts a tile that failed back, for any device to take. */
void clrt_scheduler_return(clrt_scheduler *s, const clrt_tile *tile);

/* A device stops taking tiles (it failed too often, or could not start). */
void clrt_scheduler_retire_device(clrt_scheduler *s);

/* Hand out nothing more (Ctrl-C); tiles in flight may still finish. */
void clrt_scheduler_stop(clrt_scheduler *s);

bool clrt_scheduler_stopping(clrt_scheduler *s);

/* After every device has stopped: the tiles never rendered, newly
 * allocated (free them); the remainder of a guided image counts as one.
 * Their count goes to *count; only running out of memory fails. */
clrt_status clrt_scheduler_missing(clrt_scheduler *s, clrt_tile **tiles, size_t *count, clrt_error *err);

/* A scheduler with no tiles of its own: clrt_scheduler_feed gives them,
 * and take waits for more until clrt_scheduler_close_feed. */
clrt_status clrt_scheduler_init_fed(clrt_scheduler *s, unsigned width, unsigned height, size_t max_tile_pixels,
                                    unsigned device_count);

/* Queues tiles, taken in the order given; false when out of memory. */
bool clrt_scheduler_feed(clrt_scheduler *s, const clrt_tile *tiles, size_t count);

/* No more tiles will be fed: devices stop waiting for them. */
void clrt_scheduler_close_feed(clrt_scheduler *s);

clrt_scheduler_state clrt_scheduler_state_of(clrt_scheduler *s);

/* Takes up to `most` waiting tiles out (to give them back to the process
 * that cut them, when no device here can render them); how many. */
size_t clrt_scheduler_take_pending(clrt_scheduler *s, clrt_tile *tiles, size_t most);

/* Tiles finished so far. */
size_t clrt_scheduler_tiles_done(clrt_scheduler *s);

void clrt_scheduler_destroy(clrt_scheduler *s);

#endif /* CLRT_SCHEDULER_H */
