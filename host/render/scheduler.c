/* The shared, thread-safe tile queue with guided tile sizes. */
#include "clrt_scheduler.h"

#include <stdlib.h>
#include <string.h>

#include "clrt_array.h"

/* A guided strip is this fraction of the remaining rows per active device. */
#define CLRT_GUIDED_DIVISOR 2u

static bool push_pending(clrt_scheduler *s, const clrt_tile *tile) {
  clrt_tile *grown = clrt_array_reserve(s->pending, &s->pending_capacity, s->pending_count + 1, sizeof *s->pending);
  if (!grown)
    return false;
  s->pending = grown;
  s->pending[s->pending_count++] = *tile;
  return true;
}

/* An empty scheduler for an image and its devices. */
static void start(clrt_scheduler *s, unsigned width, unsigned height, unsigned device_count) {
  memset(s, 0, sizeof *s);
  pthread_mutex_init(&s->lock, NULL);
  pthread_cond_init(&s->changed, NULL);
  s->width = width;
  s->height = height;
  s->active_devices = device_count;
}

clrt_status clrt_scheduler_init(clrt_scheduler *s, unsigned width, unsigned height, const clrt_tile_plan *plan,
                                unsigned device_count, clrt_error *err) {
  start(s, width, height, device_count);
  s->guided = plan == NULL;
  if (s->guided) {
    s->max_tile_pixels = clrt_scheduler_guided_max_pixels(width, height);
    return CLRT_OK;
  }
  s->max_tile_pixels = plan->max_pixels;
  s->tiles_total = plan->count;
  /* A stack: push in reverse so that tiles are taken in plan order. */
  for (size_t i = plan->count; i-- > 0;)
    if (!push_pending(s, &plan->tiles[i]))
      return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory for the tile queue");
  return CLRT_OK;
}

static unsigned min_rows_for(unsigned width) {
  unsigned rows = (CLRT_GUIDED_MIN_TILE_PIXELS + width - 1) / width;
  return rows ? rows : 1;
}

static unsigned max_rows_for(unsigned width) {
  unsigned rows = CLRT_GUIDED_MAX_TILE_PIXELS / width;
  return rows ? rows : 1;
}

static unsigned guided_min_rows(const clrt_scheduler *s) { return min_rows_for(s->width); }

static unsigned guided_max_rows(const clrt_scheduler *s) { return max_rows_for(s->width); }

size_t clrt_scheduler_guided_max_pixels(unsigned width, unsigned height) {
  unsigned rows = max_rows_for(width) > min_rows_for(width) ? max_rows_for(width) : min_rows_for(width);
  return (size_t)(rows < height ? rows : height) * width;
}

size_t clrt_scheduler_max_tile_pixels(const clrt_scheduler *s) { return s->max_tile_pixels; }

/* Cuts the next guided strip from the rows not yet handed out. */
static clrt_tile cut_guided_strip(clrt_scheduler *s) {
  unsigned remaining = s->height - s->next_row;
  unsigned devices = s->active_devices ? s->active_devices : 1;
  unsigned rows = (remaining + CLRT_GUIDED_DIVISOR * devices - 1) / (CLRT_GUIDED_DIVISOR * devices);
  unsigned min_rows = guided_min_rows(s), max_rows = guided_max_rows(s);
  rows = rows < min_rows ? min_rows : rows;
  rows = rows > max_rows ? max_rows : rows;
  rows = rows > remaining ? remaining : rows;
  clrt_tile tile = {0, s->next_row, s->width, rows};
  s->next_row += rows;
  ++s->tiles_total;
  return tile;
}

static bool available(const clrt_scheduler *s) {
  return s->pending_count > 0 || (s->guided && s->next_row < s->height);
}

/* Whether a tile may still come for a device that has none: one in flight
 * elsewhere may come back, or the feed may bring more. */
static bool more_may_come(const clrt_scheduler *s) { return s->in_flight > 0 || s->feed_open; }

/* Room in the pending stack for every tile in flight and one more, so
 * that a tile coming back never needs memory (and can never be lost). */
static bool room_for_returns(clrt_scheduler *s) {
  clrt_tile *grown =
      clrt_array_reserve(s->pending, &s->pending_capacity, s->pending_count + s->in_flight + 1, sizeof *s->pending);
  if (grown)
    s->pending = grown;
  return grown != NULL;
}

bool clrt_scheduler_take(clrt_scheduler *s, bool wait, clrt_tile *tile) {
  pthread_mutex_lock(&s->lock);
  while (wait && !s->stopping && !available(s) && more_may_come(s))
    pthread_cond_wait(&s->changed, &s->lock);
  bool taken = !s->stopping && available(s) && room_for_returns(s);
  if (taken) {
    *tile = s->pending_count > 0 ? s->pending[--s->pending_count] : cut_guided_strip(s);
    ++s->in_flight;
  }
  pthread_mutex_unlock(&s->lock);
  return taken;
}

void clrt_scheduler_done(clrt_scheduler *s, const clrt_tile *tile) {
  pthread_mutex_lock(&s->lock);
  --s->in_flight;
  ++s->tiles_done;
  s->pixels_done += (size_t)tile->width * tile->height;
  pthread_cond_broadcast(&s->changed);
  pthread_mutex_unlock(&s->lock);
}

void clrt_scheduler_return(clrt_scheduler *s, const clrt_tile *tile) {
  pthread_mutex_lock(&s->lock);
  --s->in_flight;
  s->pending[s->pending_count++] = *tile; /* room_for_returns made room */
  pthread_cond_broadcast(&s->changed);
  pthread_mutex_unlock(&s->lock);
}

void clrt_scheduler_retire_device(clrt_scheduler *s) {
  pthread_mutex_lock(&s->lock);
  if (s->active_devices > 0)
    --s->active_devices;
  pthread_cond_broadcast(&s->changed);
  pthread_mutex_unlock(&s->lock);
}

void clrt_scheduler_stop(clrt_scheduler *s) {
  pthread_mutex_lock(&s->lock);
  s->stopping = true;
  pthread_cond_broadcast(&s->changed);
  pthread_mutex_unlock(&s->lock);
}

bool clrt_scheduler_stopping(clrt_scheduler *s) {
  pthread_mutex_lock(&s->lock);
  bool stopping = s->stopping;
  pthread_mutex_unlock(&s->lock);
  return stopping;
}

clrt_status clrt_scheduler_missing(clrt_scheduler *s, clrt_tile **tiles, size_t *count, clrt_error *err) {
  pthread_mutex_lock(&s->lock);
  *count = s->pending_count + (s->guided && s->next_row < s->height ? 1 : 0);
  *tiles = *count ? malloc(*count * sizeof **tiles) : NULL;
  if (*tiles) {
    memcpy(*tiles, s->pending, s->pending_count * sizeof **tiles);
    if (*count > s->pending_count)
      (*tiles)[*count - 1] = (clrt_tile){0, s->next_row, s->width, s->height - s->next_row};
  }
  pthread_mutex_unlock(&s->lock);
  if (*count && !*tiles)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory listing %zu missing tiles", *count);
  return CLRT_OK;
}

clrt_status clrt_scheduler_init_fed(clrt_scheduler *s, unsigned width, unsigned height, size_t max_tile_pixels,
                                    unsigned device_count) {
  start(s, width, height, device_count);
  s->max_tile_pixels = max_tile_pixels;
  s->feed_open = true;
  return CLRT_OK;
}

bool clrt_scheduler_feed(clrt_scheduler *s, const clrt_tile *tiles, size_t count) {
  pthread_mutex_lock(&s->lock);
  bool fed = true;
  for (size_t i = count; fed && i-- > 0;) /* a stack: the first given is taken first */
    fed = push_pending(s, &tiles[i]);
  s->tiles_total += count;
  pthread_cond_broadcast(&s->changed);
  pthread_mutex_unlock(&s->lock);
  return fed;
}

void clrt_scheduler_close_feed(clrt_scheduler *s) {
  pthread_mutex_lock(&s->lock);
  s->feed_open = false;
  pthread_cond_broadcast(&s->changed);
  pthread_mutex_unlock(&s->lock);
}

clrt_scheduler_state clrt_scheduler_state_of(clrt_scheduler *s) {
  pthread_mutex_lock(&s->lock);
  clrt_scheduler_state state = {s->pending_count,
                                s->in_flight,
                                s->active_devices,
                                s->stopping,
                                !s->stopping && available(s),
                                s->stopping || (!available(s) && !more_may_come(s))};
  pthread_mutex_unlock(&s->lock);
  return state;
}

size_t clrt_scheduler_take_pending(clrt_scheduler *s, clrt_tile *tiles, size_t most) {
  pthread_mutex_lock(&s->lock);
  size_t taken = 0;
  while (taken < most && s->pending_count > 0)
    tiles[taken++] = s->pending[--s->pending_count];
  pthread_mutex_unlock(&s->lock);
  return taken;
}

size_t clrt_scheduler_tiles_done(clrt_scheduler *s) {
  pthread_mutex_lock(&s->lock);
  size_t done = s->tiles_done;
  pthread_mutex_unlock(&s->lock);
  return done;
}

void clrt_scheduler_destroy(clrt_scheduler *s) {
  free(s->pending);
  pthread_cond_destroy(&s->changed);
  pthread_mutex_destroy(&s->lock);
}
