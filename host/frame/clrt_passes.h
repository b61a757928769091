/* Progressive rendering: a frame rendered in passes of samples, summed
 * exactly in the film (clrt_pixel_sum), until a time budget is spent
 * (--time: whole passes only) or the noise of every region is below a
 * target (--noise), or the most samples are taken.
 *
 * Regions are fixed blocks of CLRT_REGION_SIDE pixels, aligned to the
 * picture, whatever the tiling, devices or processes; a region stops
 * being sampled once its noise is below the target. A pass renders the
 * samples first to first + count - 1 of every open region, so every
 * region's pixels are the mean of samples 0 to n - 1: the very bytes a
 * render of n samples in one go gives. Under MPI every process runs the
 * passes; the root decides each one and shares it. */
#ifndef CLRT_PASSES_H
#define CLRT_PASSES_H

#include <stdbool.h>
#include <stddef.h>

#include "clrt_checkpoint.h"
#include "clrt_error.h"
#include "clrt_film.h"
#include "clrt_frame.h"
#include "clrt_progress.h"
#include "clrt_tiles.h"

/* A region's side in pixels: large enough that its noise estimate
 * averages many pixels, small enough to follow the picture's detail. */
#define CLRT_REGION_SIDE 16u
/* The first pass: enough samples for a first noise estimate. */
#define CLRT_FIRST_PASS_SAMPLES 4u
/* A region's luminance counts as at least this in its relative noise, so
 * that black regions (no light at all) are not sampled forever. */
#define CLRT_NOISE_LUMINANCE_FLOOR 1e-3

/* The largest tile a pass may have (what sessions must hold): a picture
 * of width x height, at most CLRT_MAX_TILE_PIXELS. */
size_t clrt_progressive_tile_pixels(unsigned width, unsigned height);

/* When the passes stop. */
typedef struct clrt_pass_goal {
  double time_s;         /* --time: no pass starts that would end past it; 0: none */
  double noise;          /* --noise: a region's relative standard error to reach; 0: none */
  unsigned most_samples; /* per pixel, at most */
} clrt_pass_goal;

/* The picture's regions and how far each got. */
typedef struct clrt_regions {
  unsigned width, height; /* the picture's */
  unsigned columns, rows; /* regions across and down */
  unsigned *samples;      /* per region: samples summed so far */
  double *noise;          /* per region: its relative standard error after its last pass */
  bool *open;             /* still sampled */
} clrt_regions;

clrt_status clrt_regions_init(clrt_regions *regions, unsigned width, unsigned height, clrt_error *err);
void clrt_regions_free(clrt_regions *regions);

/* The pixels of region i. */
clrt_tile clrt_region_tile(const clrt_regions *regions, size_t i);

/* The tiles of a pass: the open regions, a tile per run of them along a
 * row of regions, runs of the same columns merged downwards while the
 * tile stays within max_pixels. */
clrt_status clrt_regions_plan(const clrt_regions *regions, size_t max_pixels, clrt_tile_plan *plan, clrt_error *err);

/* A region's relative standard error from the film's sums of `samples`
 * samples: the RMS of its pixels' standard errors (of their luminance's
 * mean) over its mean luminance (at least CLRT_NOISE_LUMINANCE_FLOOR). */
double clrt_region_noise(const clrt_film *film, const clrt_tile *region, unsigned samples);

/* After a pass of `count` samples over the open regions: their sample
 * counts, their noise, and which of them close (noise at most `target`;
 * 0: none closes). Returns how many stay open. */
size_t clrt_regions_after_pass(clrt_regions *regions, const clrt_film *film, unsigned count, double target);

/* How the passes went. */
typedef struct clrt_passes_outcome {
  unsigned passes;                      /* with those resumed */
  unsigned resumed_passes;              /* that a checkpoint held */
  unsigned least_samples, most_samples; /* per pixel, over the regions */
  double mean_samples;
  double worst_noise;       /* the largest region noise at the end */
  clrt_frame_outcome frame; /* every pass's figures added up */
} clrt_passes_outcome;

/* Renders `frame` in passes on `devices` (sessions opened for each pass
 * with devices->options, in the form of sums) into `film` (the root's,
 * keeping sums; NULL elsewhere), then develops the picture. Stops early
 * on an error, a stop or missing tiles (the outcome lists them). With a
 * `checkpoint` (the root's; NULL: none), the passes it holds are resumed
 * first, and every finished pass replaces them. */
clrt_status clrt_passes_render(const clrt_frame *frame, const clrt_frame_devices *devices, clrt_film *film,
                               const clrt_pass_goal *goal, clrt_checkpoint *checkpoint, clrt_progress *progress,
                               clrt_passes_outcome *outcome, clrt_error *err);

void clrt_passes_outcome_free(clrt_passes_outcome *outcome);

#endif /* CLRT_PASSES_H */
