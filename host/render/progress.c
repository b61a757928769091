/* The progress bar and thread-safe messages on stderr. */
#include "clrt_progress.h"

#include <stdarg.h>
#include <string.h>

#include "clrt_clock.h"

enum { BAR_WIDTH = 24 };

void clrt_progress_init(clrt_progress *p, FILE *out, bool bar, size_t total_pixels) {
  memset(p, 0, sizeof *p);
  pthread_mutex_init(&p->lock, NULL);
  p->out = out;
  p->bar = bar;
  p->total_pixels = total_pixels;
  p->start_ms = clrt_now_ms();
}

void clrt_progress_label(clrt_progress *p, unsigned index, const char *label) {
  if (index >= CLRT_PROGRESS_MAX_DEVICES)
    return;
  snprintf(p->device_labels[index], sizeof p->device_labels[index], "%s", label);
  if (index + 1 > p->device_count)
    p->device_count = index + 1;
}

void clrt_progress_tile_done(clrt_progress *p, unsigned device, size_t pixels, uint64_t rays) {
  pthread_mutex_lock(&p->lock);
  p->done_pixels += pixels;
  p->done_tiles += 1;
  p->rays += rays;
  if (device < CLRT_PROGRESS_MAX_DEVICES)
    p->device_tiles[device] += 1;
  pthread_mutex_unlock(&p->lock);
}

static void clear_bar(clrt_progress *p) {
  if (p->bar_visible)
    fputs("\r\033[K", p->out);
  p->bar_visible = false;
}

static void draw_locked(clrt_progress *p) {
  double elapsed_s = (clrt_now_ms() - p->start_ms) / 1e3;
  double fraction = p->total_pixels ? (double)p->done_pixels / (double)p->total_pixels : 0.0;
  char bar[BAR_WIDTH + 1];
  int filled = (int)(fraction * BAR_WIDTH);
  for (int i = 0; i < BAR_WIDTH; ++i)
    bar[i] = i < filled ? '=' : ' ';
  bar[BAR_WIDTH] = '\0';
  char eta[32] = "?";
  if (fraction > 0.0)
    snprintf(eta, sizeof eta, "%.1fs", elapsed_s * (1.0 - fraction) / fraction);
  fprintf(p->out, "\r\033[K[%s] %3.0f%% %zu tiles  %.1fs elapsed  ETA %s  %.1f Mrays/s ", bar, fraction * 100.0,
          p->done_tiles, elapsed_s, eta, elapsed_s > 0 ? (double)p->rays / elapsed_s / 1e6 : 0.0);
  for (unsigned i = 0; i < p->device_count; ++i)
    fprintf(p->out, " %s=%zu", p->device_labels[i], p->device_tiles[i]);
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
