/* Progress of a render on stderr: a bar redrawn in place when stderr is a
 * terminal (tiles done, percent, elapsed, ETA, Mrays/s, tiles per
 * device), nothing while running otherwise. Warnings from the device
 * threads go through here so that they do not garble the bar. */
#ifndef CLRT_PROGRESS_H
#define CLRT_PROGRESS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum { CLRT_PROGRESS_MAX_DEVICES = 16 };

typedef struct clrt_progress {
  pthread_mutex_t lock;
  FILE *out;
  bool bar;         /* redraw a bar (stderr is a terminal and not --quiet) */
  bool bar_visible; /* a bar is on screen and must be cleared first */
  double start_ms;
  size_t total_pixels, done_pixels, done_tiles;
  uint64_t rays;
  unsigned device_count;
  size_t device_tiles[CLRT_PROGRESS_MAX_DEVICES];
  char device_labels[CLRT_PROGRESS_MAX_DEVICES][16];
} clrt_progress;

void clrt_progress_init(clrt_progress *p, FILE *out, bool bar, size_t total_pixels);

/* Names device `index` in the per-device counts (its P:D). */
void clrt_progress_label(clrt_progress *p, unsigned index, const char *label);

void clrt_progress_tile_done(clrt_progress *p, unsigned device, size_t pixels, uint64_t rays);

/* Redraws the bar (the caller keeps this to a few times a second). */
void clrt_progress_draw(clrt_progress *p);

/* Prints one line, clearing the bar first. */
void clrt_progress_message(clrt_progress *p, const char *format, ...) __attribute__((format(printf, 2, 3)));

/* Clears the bar for good. */
void clrt_progress_finish(clrt_progress *p);

void clrt_progress_destroy(clrt_progress *p);

#endif /* CLRT_PROGRESS_H */
