/* The progress bar, its estimate, and thread-safe messages on stderr. */
#include "clrt_progress.h"

#include <stdarg.h>
#include <string.h>

#include "clrt_clock.h"

enum { BAR_WIDTH = 24 };

/* A tile in flight counts as at most this share done until it ends. */
#define CLRT_PROGRESS_MAX_IN_FLIGHT_SHARE 0.95

void clrt_progress_init(clrt_progress *p, FILE *out, bool bar, size_t total_pixels) {
  memset(p, 0, sizeof *p);
  pthread_mutex_init(&p->lock, NULL);
  p->out = out;
  p->bar = bar;
  p->total_pixels = total_pixels;
  p->start_ms = clrt_now_ms();
}

void clrt_progress_restart(clrt_progress *p, size_t total_pixels, const char *stage) {
  pthread_mutex_lock(&p->lock);
  p->shown = 0.0;
  p->start_ms = clrt_now_ms();
  p->total_pixels = total_pixels;
  p->done_pixels = p->done_tiles = 0;
  p->rays = 0;
  p->eta_end_ms = 0.0;
  snprintf(p->stage, sizeof p->stage, "%s", stage);
  for (unsigned i = 0; i < p->device_count; ++i) {
    clrt_progress_device *d = &p->devices[i];
    d->tiles = d->done_pixels = d->in_flight_pixels = 0;
    d->busy_ms = 0.0;
  }
  pthread_mutex_unlock(&p->lock);
}

void clrt_progress_label(clrt_progress *p, unsigned index, const char *label) {
  if (index >= CLRT_PROGRESS_MAX_DEVICES)
    return;
  snprintf(p->devices[index].label, sizeof p->devices[index].label, "%s", label);
  if (index + 1 > p->device_count)
    p->device_count = index + 1;
}

static clrt_progress_device *device_of(clrt_progress *p, unsigned device) {
  return device < CLRT_PROGRESS_MAX_DEVICES ? &p->devices[device] : NULL;
}

void clrt_progress_tile_started(clrt_progress *p, unsigned device, size_t pixels) {
  pthread_mutex_lock(&p->lock);
  clrt_progress_device *d = device_of(p, device);
  if (d) {
    if (d->in_flight_pixels == 0)
      d->busy_since_ms = clrt_now_ms();
    d->in_flight_pixels += pixels;
  }
  pthread_mutex_unlock(&p->lock);
}

/* A tile left the device: its time so far counts as busy when it
 * finished, and the next tile's share counts from now. */
static void tile_left(clrt_progress_device *d, size_t pixels, bool finished) {
  double now = clrt_now_ms();
  if (finished)
    d->busy_ms += now - d->busy_since_ms;
  d->busy_since_ms = now;
  d->in_flight_pixels -= pixels < d->in_flight_pixels ? pixels : d->in_flight_pixels;
}

void clrt_progress_tile_done(clrt_progress *p, unsigned device, size_t pixels, uint64_t rays) {
  pthread_mutex_lock(&p->lock);
  p->done_pixels += pixels;
  p->done_tiles += 1;
  p->rays += rays;
  clrt_progress_device *d = device_of(p, device);
  if (d) {
    d->tiles += 1;
    d->done_pixels += pixels;
    tile_left(d, pixels, true);
  }
  pthread_mutex_unlock(&p->lock);
}

void clrt_progress_tile_dropped(clrt_progress *p, unsigned device, size_t pixels) {
  pthread_mutex_lock(&p->lock);
  clrt_progress_device *d = device_of(p, device);
  if (d)
    tile_left(d, pixels, false);
  pthread_mutex_unlock(&p->lock);
}

void clrt_progress_device_gone(clrt_progress *p, unsigned device) {
  pthread_mutex_lock(&p->lock);
  clrt_progress_device *d = device_of(p, device);
  if (d)
    d->gone = true;
  pthread_mutex_unlock(&p->lock);
}

/* Pixels per ms while the device had work; 0 before its first tile. */
static double speed_of(const clrt_progress_device *d) { return d->busy_ms > 0.0 ? d->done_pixels / d->busy_ms : 0.0; }

/* The share of a device's tiles in flight done by now, at its speed. */
static double in_flight_done(const clrt_progress_device *d, double now_ms) {
  if (d->in_flight_pixels == 0 || d->gone)
    return 0.0;
  double guess = speed_of(d) * (now_ms - d->busy_since_ms);
  double most = CLRT_PROGRESS_MAX_IN_FLIGHT_SHARE * (double)d->in_flight_pixels;
  return guess < most ? guess : most;
}

static clrt_progress_estimate estimate_locked(const clrt_progress *p, double now_ms) {
  double done = (double)p->done_pixels, speed = 0.0;
  for (unsigned i = 0; i < p->device_count; ++i) {
    done += in_flight_done(&p->devices[i], now_ms);
    speed += p->devices[i].gone ? 0.0 : speed_of(&p->devices[i]);
  }
  double total = (double)p->total_pixels;
  clrt_progress_estimate e = {total > 0.0 ? done / total : 0.0, -1.0, 0.0};
  if (speed > 0.0)
    e.eta_s = (total > done ? total - done : 0.0) / speed / 1e3;
  double elapsed_s = (now_ms - p->start_ms) / 1e3;
  double rays_per_pixel = p->done_pixels ? (double)p->rays / (double)p->done_pixels : 0.0;
  if (elapsed_s > 0.0)
    e.mrays_per_s = rays_per_pixel * done / elapsed_s / 1e6;
  return e;
}

/* The ETA shown counts down: an estimate that ends later than the one
 * shown (slower tiles finished: the picture's heavy part, a glass ball)
 * replaces it only once the one shown has run out, so the ETA does not
 * climb while work completes. Seconds, or negative while there is no
 * estimate. */
static double steady_eta(clrt_progress *p, double now_ms, double estimate_s) {
  if (estimate_s < 0.0) {
    p->eta_end_ms = 0.0;
    return estimate_s;
  }
  double end_ms = now_ms + estimate_s * 1e3;
  if (p->eta_end_ms == 0.0 || end_ms < p->eta_end_ms || now_ms >= p->eta_end_ms)
    p->eta_end_ms = end_ms;
  return (p->eta_end_ms - now_ms) / 1e3;
}

clrt_progress_estimate clrt_progress_estimate_at(clrt_progress *p, double now_ms) {
  pthread_mutex_lock(&p->lock);
  clrt_progress_estimate e = estimate_locked(p, now_ms);
  e.eta_s = steady_eta(p, now_ms, e.eta_s);
  pthread_mutex_unlock(&p->lock);
  return e;
}

static void clear_bar(clrt_progress *p) {
  if (p->bar_visible)
    fputs("\r\033[K", p->out);
  p->bar_visible = false;
}

static void draw_locked(clrt_progress *p) {
  double now = clrt_now_ms();
  clrt_progress_estimate e = estimate_locked(p, now);
  e.eta_s = steady_eta(p, now, e.eta_s);
  /* A slow tile finishing lowers the speeds, and so the in-flight share:
   * the bar holds rather than move back. */
  e.fraction = e.fraction > p->shown ? e.fraction : p->shown;
  p->shown = e.fraction;
  char bar[BAR_WIDTH + 1];
  int filled = (int)(e.fraction * BAR_WIDTH);
  for (int i = 0; i < BAR_WIDTH; ++i)
    bar[i] = i < filled ? '=' : ' ';
  bar[BAR_WIDTH] = '\0';
  char eta[32] = "?";
  if (e.eta_s >= 0.0)
    snprintf(eta, sizeof eta, "%.1fs", e.eta_s);
  fprintf(p->out, "\r\033[K%s%s[%s] %3.0f%% %zu tiles  %.1fs elapsed  ETA %s  %.1f Mrays/s ", p->stage,
          p->stage[0] ? " " : "", bar, e.fraction * 100.0, p->done_tiles, (now - p->start_ms) / 1e3, eta,
          e.mrays_per_s);
  for (unsigned i = 0; i < p->device_count; ++i)
    fprintf(p->out, " %s=%zu", p->devices[i].label, p->devices[i].tiles);
  fflush(p->out);
  p->bar_visible = true;
}

void clrt_progress_draw(clrt_progress *p) {
  if (!p->bar)
    return;
  pthread_mutex_lock(&p->lock);
  draw_locked(p);
  pthread_mutex_unlock(&p->lock);
}

void clrt_progress_message(clrt_progress *p, const char *format, ...) {
  pthread_mutex_lock(&p->lock);
  clear_bar(p);
  va_list args;
  va_start(args, format);
  vfprintf(p->out, format, args);
  va_end(args);
  fputc('\n', p->out);
  if (p->bar)
    draw_locked(p);
  pthread_mutex_unlock(&p->lock);
}

void clrt_progress_finish(clrt_progress *p) {
  pthread_mutex_lock(&p->lock);
  clear_bar(p);
  p->bar = false;
  pthread_mutex_unlock(&p->lock);
}

void clrt_progress_destroy(clrt_progress *p) { pthread_mutex_destroy(&p->lock); }
