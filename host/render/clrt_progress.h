/* Progress of a render on stderr: a bar redrawn in place when stderr is a
 * terminal (percent, tiles done, elapsed, ETA, Mrays/s, tiles per device),
 * nothing while running otherwise. Warnings from the device threads go
 * through here so that they do not garble the bar.
 *
 * A tile reports its pixels and rays only when it ends, and one tile may
 * take a long while; counting finished tiles alone, the bar would stall
 * and then leap, and its ETA jump. So each device's tiles in flight count
 * as done in proportion to the time they have run, at the speed (pixels
 * per ms while busy) of that device's finished tiles, and the ETA is the
 * pixels left over the devices' summed speeds. */
#ifndef CLRT_PROGRESS_H
#define CLRT_PROGRESS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum { CLRT_PROGRESS_MAX_DEVICES = 16 };

/* One device's share, for the estimate. */
typedef struct clrt_progress_device {
  char label[16];
  size_t tiles;            /* finished */
  size_t done_pixels;      /* in finished tiles */
  size_t in_flight_pixels; /* in tiles on the device now */
  double busy_ms;          /* time it had tiles in flight, until its last finished one */
  double busy_since_ms;    /* when its tiles in flight started counting */
  bool gone;               /* retired: its speed no longer counts */
} clrt_progress_device;

typedef struct clrt_progress {
  pthread_mutex_t lock;
  FILE *out;
  bool bar;         /* redraw a bar (stderr is a terminal and not --quiet) */
  bool bar_visible; /* a bar is on screen and must be cleared first */
  double shown;     /* the fraction last drawn: the bar never goes back */
  double start_ms;
  size_t total_pixels, done_pixels, done_tiles;
  uint64_t rays;
  char stage[96];    /* what the bar is of (a pass of a progressive render); "" */
  double eta_end_ms; /* when the ETA shown runs out; 0 before the first */
  unsigned device_count;
  clrt_progress_device devices[CLRT_PROGRESS_MAX_DEVICES];
} clrt_progress;

/* Where a render stands at a moment. */
typedef struct clrt_progress_estimate {
  double fraction;    /* of the pixels, finished tiles and in-flight share */
  double eta_s;       /* seconds left; negative while no device has a speed */
  double mrays_per_s; /* rays so far, with the in-flight share, per second */
} clrt_progress_estimate;

void clrt_progress_init(clrt_progress *p, FILE *out, bool bar, size_t total_pixels);

/* Starts over for another part of the render (a pass) of `total_pixels`,
 * named `stage` on the bar; the devices keep their labels. */
void clrt_progress_restart(clrt_progress *p, size_t total_pixels, const char *stage);

/* Names device `index` in the per-device counts (its P:D). */
void clrt_progress_label(clrt_progress *p, unsigned index, const char *label);

/* A tile of `pixels` went to a device. */
void clrt_progress_tile_started(clrt_progress *p, unsigned device, size_t pixels);

/* It finished, having traced `rays`. */
void clrt_progress_tile_done(clrt_progress *p, unsigned device, size_t pixels, uint64_t rays);

/* It came back unfinished (a failure, or its device was given up). */
void clrt_progress_tile_dropped(clrt_progress *p, unsigned device, size_t pixels);

/* The device was retired: its speed leaves the ETA. */
void clrt_progress_device_gone(clrt_progress *p, unsigned device);

/* The estimate at `now_ms` (clrt_now_ms's clock). */
clrt_progress_estimate clrt_progress_estimate_at(clrt_progress *p, double now_ms);

/* Redraws the bar (the caller keeps this to a few times a second). */
void clrt_progress_draw(clrt_progress *p);

/* Prints one line, clearing the bar first. */
void clrt_progress_message(clrt_progress *p, const char *format, ...) __attribute__((format(printf, 2, 3)));

/* Clears the bar for good. */
void clrt_progress_finish(clrt_progress *p);

void clrt_progress_destroy(clrt_progress *p);

#endif /* CLRT_PROGRESS_H */
