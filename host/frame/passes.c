/* Progressive rendering: passes of samples until a time, a noise or a
 * sample count is reached (clrt_passes.h). */
#include "clrt_passes.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clrt_cluster.h"

clrt_status clrt_regions_init(clrt_regions *regions, unsigned width, unsigned height, clrt_error *err) {
  memset(regions, 0, sizeof *regions);
  regions->width = width;
  regions->height = height;
  regions->columns = (width + CLRT_REGION_SIDE - 1) / CLRT_REGION_SIDE;
  regions->rows = (height + CLRT_REGION_SIDE - 1) / CLRT_REGION_SIDE;
  size_t count = (size_t)regions->columns * regions->rows;
  regions->samples = calloc(count, sizeof *regions->samples);
  regions->noise = calloc(count, sizeof *regions->noise);
  regions->open = malloc(count * sizeof *regions->open);
  if (!regions->samples || !regions->noise || !regions->open) {
    clrt_regions_free(regions);
    return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory for the %zu regions of a %ux%u picture", count, width,
                     height);
  }
  for (size_t i = 0; i < count; ++i)
    regions->open[i] = true;
  return CLRT_OK;
}

void clrt_regions_free(clrt_regions *regions) {
  free(regions->samples);
  free(regions->noise);
  free(regions->open);
  memset(regions, 0, sizeof *regions);
}

static unsigned smaller(unsigned a, unsigned b) { return a < b ? a : b; }

size_t clrt_progressive_tile_pixels(unsigned width, unsigned height) {
  size_t pixels = (size_t)width * height;
  return pixels < CLRT_MAX_TILE_PIXELS ? pixels : CLRT_MAX_TILE_PIXELS;
}

clrt_tile clrt_region_tile(const clrt_regions *regions, size_t i) {
  unsigned x = (unsigned)(i % regions->columns) * CLRT_REGION_SIDE,
           y = (unsigned)(i / regions->columns) * CLRT_REGION_SIDE;
  clrt_tile tile = {x, y, smaller(CLRT_REGION_SIDE, regions->width - x),
                    smaller(CLRT_REGION_SIDE, regions->height - y)};
  return tile;
}

/* Appends a tile to the plan, or grows the tile just above it (same
 * columns, ending where it starts) when the two fit max_pixels. */
static clrt_status add_tile(clrt_tile_plan *plan, size_t *capacity, size_t row_start, clrt_tile tile, size_t max_pixels,
                            clrt_error *err) {
  for (size_t i = row_start; i-- > 0;) {
    clrt_tile *above = &plan->tiles[i];
    if (above->y + above->height < tile.y)
      break; /* tiles are in row order: nothing above is adjacent any more */
    if (above->x == tile.x && above->width == tile.width && above->y + above->height == tile.y &&
        (size_t)above->width * (above->height + tile.height) <= max_pixels) {
      above->height += tile.height;
      return CLRT_OK;
    }
  }
  if (!clrt_tiles_append(plan, capacity, tile))
    return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory planning a pass of %zu tiles", plan->count + 1);
  return CLRT_OK;
}

/* The runs of open regions along region row `row`, as tiles no wider than
 * max_pixels allows. */
static clrt_status plan_row(const clrt_regions *regions, unsigned row, size_t max_pixels, clrt_tile_plan *plan,
                            size_t *capacity, clrt_error *err) {
  size_t row_start = plan->count;
  unsigned height = clrt_region_tile(regions, (size_t)row * regions->columns).height;
  unsigned widest = (unsigned)(max_pixels / height) / CLRT_REGION_SIDE * CLRT_REGION_SIDE;
  widest = widest < CLRT_REGION_SIDE ? CLRT_REGION_SIDE : widest;
  clrt_status status = CLRT_OK;
  for (unsigned column = 0; column < regions->columns && status == CLRT_OK;) {
    if (!regions->open[(size_t)row * regions->columns + column]) {
      ++column;
      continue;
    }
    unsigned end = column;
    while (end < regions->columns && regions->open[(size_t)row * regions->columns + end] &&
           (end - column + 1) * CLRT_REGION_SIDE <= widest)
      ++end;
    unsigned x = column * CLRT_REGION_SIDE;
    clrt_tile tile = {x, row * CLRT_REGION_SIDE, smaller(end * CLRT_REGION_SIDE, regions->width) - x, height};
    status = add_tile(plan, capacity, row_start, tile, max_pixels, err);
    column = end;
  }
  return status;
}

clrt_status clrt_regions_plan(const clrt_regions *regions, size_t max_pixels, clrt_tile_plan *plan, clrt_error *err) {
  memset(plan, 0, sizeof *plan);
  size_t capacity = 0;
  clrt_status status = CLRT_OK;
  for (unsigned row = 0; row < regions->rows && status == CLRT_OK; ++row)
    status = plan_row(regions, row, max_pixels, plan, &capacity, err);
  if (status != CLRT_OK) {
    clrt_tiles_free(plan);
    return status;
  }
  clrt_tiles_measure(plan);
  return CLRT_OK;
}

/* Rec. 709 luminance, as the kernel weighs the squares it sums. */
static double luminance(clrt_vec3 c) { return 0.2126 * c.x + 0.7152 * c.y + 0.0722 * c.z; }

double clrt_region_noise(const clrt_film *film, const clrt_tile *region, unsigned samples) {
  double variances = 0.0, luminances = 0.0;
  for (unsigned row = 0; row < region->height; ++row)
    for (unsigned x = 0; x < region->width; ++x) {
      const clrt_pixel_sum *sum = &film->sums[(size_t)(region->y + row) * film->width + region->x + x];
      clrt_vec3 mean_color = clrt_pixel_sum_mean(sum, samples);
      double mean = luminance(mean_color), squares = (double)sum->luminance_squares / samples;
      double spread = squares - mean * mean; /* the samples' variance, biased */
      double variance = samples > 1 && spread > 0.0 ? spread * samples / (samples - 1) : 0.0;
      variances += variance / samples; /* the variance of the pixel's mean */
      luminances += mean;
    }
  double pixels = (double)region->width * region->height;
  double level = luminances / pixels;
  return sqrt(variances / pixels) / (level > CLRT_NOISE_LUMINANCE_FLOOR ? level : CLRT_NOISE_LUMINANCE_FLOOR);
}

size_t clrt_regions_after_pass(clrt_regions *regions, const clrt_film *film, unsigned count, double target) {
  size_t open = 0;
  for (size_t i = 0; i < (size_t)regions->columns * regions->rows; ++i) {
    if (!regions->open[i])
      continue;
    regions->samples[i] += count;
    clrt_tile tile = clrt_region_tile(regions, i);
    regions->noise[i] = clrt_region_noise(film, &tile, regions->samples[i]);
    regions->open[i] = !(target > 0.0 && regions->noise[i] <= target);
    open += regions->open[i];
  }
  return open;
}

/* ---- the passes ---- */

/* What the root decides before each pass, and every process follows. */
typedef struct pass_decision {
  int go;
  unsigned first, count; /* the pass's samples */
} pass_decision;

/* Where the passes stand at the root. */
typedef struct pass_state {
  const clrt_pass_goal *goal;
  clrt_regions regions;
  size_t open_regions;
  unsigned done;           /* samples of every open region so far */
  double spent_ms;         /* rendering the passes so far, builds and uploads aside */
  double ms_per_sample_px; /* the last pass's time per sample and pixel */
} pass_state;

static size_t open_pixels(const pass_state *s) {
  size_t pixels = 0;
  for (size_t i = 0; i < (size_t)s->regions.columns * s->regions.rows; ++i)
    if (s->regions.open[i]) {
      clrt_tile tile = clrt_region_tile(&s->regions, i);
      pixels += (size_t)tile.width * tile.height;
    }
  return pixels;
}

/* The next pass: the first takes a few samples, then each as many as
 * were taken so far (the total doubles), never past the most samples,
 * and with a time budget no more than fit in the time left at the last
 * pass's speed (none: the passes end). The budget counts the passes'
 * rendering, from their first device ready: not the program builds and
 * scene uploads before. */
static pass_decision decide(const pass_state *s) {
  pass_decision d = {0, s->done, 0};
  unsigned left = s->goal->most_samples - s->done;
  if (s->open_regions == 0 || left == 0)
    return d;
  d.count = s->done == 0 ? smaller(CLRT_FIRST_PASS_SAMPLES, left) : smaller(s->done, left);
  if (s->goal->time_s > 0.0 && s->done > 0) {
    double left_ms = s->goal->time_s * 1e3 - s->spent_ms;
    double fitting = left_ms / (s->ms_per_sample_px * (double)open_pixels(s));
    d.count = fitting < (double)d.count ? (unsigned)(fitting > 0.0 ? fitting : 0.0) : d.count;
  }
  d.go = d.count > 0;
  return d;
}

/* Adds one pass's figures to the passes'. */
static void add_figures(clrt_frame_outcome *total, clrt_frame_outcome *pass, size_t processes) {
  clrt_farm_result *sum = &total->farm, *more = &pass->farm;
  for (size_t i = 0; i < sum->device_count && i < more->device_count; ++i) {
    clrt_device_figures *d = &sum->devices[i];
    const clrt_device_figures *e = &more->devices[i];
    d->tiles += e->tiles;
    d->pixels += e->pixels;
    clrt_rays_add(&d->rays, &e->rays);
    d->cut_short_samples += e->cut_short_samples;
    d->busy_ms += e->busy_ms;
    d->failures += e->failures;
  }
  clrt_rays_add(&sum->rays, &more->rays);
  sum->render_ms += more->render_ms;
  sum->tail_ms += more->tail_ms;
  for (size_t p = 0; total->processes && pass->processes && p < processes; ++p) {
    total->processes[p].tiles += pass->processes[p].tiles;
    total->processes[p].pixels += pass->processes[p].pixels;
    clrt_rays_add(&total->processes[p].rays, &pass->processes[p].rays);
    total->processes[p].busy_ms += pass->processes[p].busy_ms;
  }
  total->cluster_ms += pass->cluster_ms;
  total->tiles_done += pass->tiles_done;
}

/* One pass: its tiles (the root's plan of the open regions), sessions
 * that sum its samples, the frame. */
static clrt_status run_pass(const clrt_frame *frame, const clrt_frame_devices *devices, clrt_film *film,
                            const pass_state *s, pass_decision d, clrt_progress *progress, clrt_frame_outcome *outcome,
                            clrt_error *err) {
  clrt_frame pass = *frame;
  pass.guided = false;
  memset(&pass.plan, 0, sizeof pass.plan);
  clrt_status status = film ? clrt_regions_plan(&s->regions, frame->max_tile_pixels, &pass.plan, err) : CLRT_OK;
  clrt_session_options options = *devices->options;
  options.tile_form = CLRT_TILE_SUMS;
  options.first_sample = d.first;
  options.sample_count = d.count;
  clrt_frame_devices pass_devices = *devices;
  pass_devices.options = &options;
  if (film)
    clrt_film_restart(film);
  if (frame->across_cluster)
    status = clrt_cluster_agree(status, err);
  if (status == CLRT_OK)
    status = clrt_frame_render(&pass, &pass_devices, film, CLRT_TILE_SUMS, progress, outcome, err);
  clrt_tiles_free(&pass.plan);
  return status;
}

/* Says on the bar which pass runs, with the samples and the noise so far. */
static void show_pass(clrt_progress *progress, const pass_state *s, unsigned passes, pass_decision d) {
  double worst = 0.0;
  for (size_t i = 0; s->done > 0 && i < (size_t)s->regions.columns * s->regions.rows; ++i)
    worst = s->regions.noise[i] > worst ? s->regions.noise[i] : worst;
  char stage[96];
  if (s->done == 0)
    snprintf(stage, sizeof stage, "pass %u: samples %u-%u", passes + 1, d.first + 1, d.first + d.count);
  else
    snprintf(stage, sizeof stage, "pass %u: samples %u-%u, noise %.2f%%, %zu regions open", passes + 1, d.first + 1,
             d.first + d.count, 100.0 * worst, s->open_regions);
  clrt_progress_restart(progress, open_pixels(s), stage);
}

/* ---- the checkpoint ---- */

/* What a checkpoint keeps of the passes, followed by every region's
 * samples, noise and openness: with the film's sums, all that decides the
 * next passes, so that resumed passes are the very passes the render
 * would have run. */
typedef struct kept_passes {
  uint32_t passes, done;
  uint64_t open_regions;
  double spent_ms, ms_per_sample_px;
} kept_passes;

static size_t region_count(const clrt_regions *r) { return (size_t)r->columns * r->rows; }

static size_t kept_bytes(const clrt_regions *r) {
  return sizeof(kept_passes) + region_count(r) * (sizeof *r->samples + sizeof *r->noise + sizeof *r->open);
}

/* The regions' arrays in the kept bytes, after the head: copied out
 * (`out`) or in. */
static void copy_regions(clrt_regions *r, uint8_t *bytes, bool out) {
  size_t n = region_count(r);
  void *arrays[] = {r->samples, r->noise, r->open};
  size_t sizes[] = {n * sizeof *r->samples, n * sizeof *r->noise, n * sizeof *r->open};
  uint8_t *at = bytes + sizeof(kept_passes);
  for (size_t i = 0; i < 3; ++i) {
    memcpy(out ? at : arrays[i], out ? arrays[i] : at, sizes[i]);
    at += sizes[i];
  }
}

static clrt_status keep_passes(clrt_checkpoint *checkpoint, pass_state *s, unsigned passes, const clrt_film *film,
                               clrt_error *err) {
  uint8_t *bytes = malloc(kept_bytes(&s->regions));
  if (!bytes)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory for the passes' checkpoint");
  kept_passes head = {passes, s->done, s->open_regions, s->spent_ms, s->ms_per_sample_px};
  memcpy(bytes, &head, sizeof head);
  copy_regions(&s->regions, bytes, true);
  clrt_status status = clrt_checkpoint_save_passes(checkpoint, bytes, kept_bytes(&s->regions), film, err);
  free(bytes);
  return status;
}

/* The passes a checkpoint kept, into the state and the film; *passes
 * stays 0 when it kept none. */
static clrt_status resume_passes(clrt_checkpoint *checkpoint, pass_state *s, unsigned *passes, clrt_film *film,
                                 clrt_error *err) {
  uint8_t *bytes = malloc(kept_bytes(&s->regions));
  if (!bytes)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory for the passes' checkpoint");
  bool restored = false;
  clrt_status status = clrt_checkpoint_load_passes(checkpoint, bytes, kept_bytes(&s->regions), film, &restored, err);
  if (status == CLRT_OK && restored) {
    kept_passes head;
    memcpy(&head, bytes, sizeof head);
    copy_regions(&s->regions, bytes, false);
    *passes = head.passes;
    s->done = head.done;
    s->open_regions = (size_t)head.open_regions;
    s->spent_ms = head.spent_ms;
    s->ms_per_sample_px = head.ms_per_sample_px;
  }
  free(bytes);
  return status;
}

/* The picture from the sums: each region the mean of its samples. */
static void develop(clrt_film *film, const pass_state *s, clrt_passes_outcome *outcome) {
  size_t count = (size_t)s->regions.columns * s->regions.rows;
  double samples = 0.0, pixels = 0.0;
  outcome->least_samples = s->goal->most_samples;
  for (size_t i = 0; i < count; ++i) {
    clrt_tile tile = clrt_region_tile(&s->regions, i);
    unsigned n = s->regions.samples[i];
    clrt_film_develop(film, &tile, n);
    samples += (double)n * tile.width * tile.height;
    pixels += (double)tile.width * tile.height;
    outcome->least_samples = n < outcome->least_samples ? n : outcome->least_samples;
    outcome->most_samples = n > outcome->most_samples ? n : outcome->most_samples;
    outcome->worst_noise = s->regions.noise[i] > outcome->worst_noise ? s->regions.noise[i] : outcome->worst_noise;
  }
  outcome->mean_samples = pixels > 0.0 ? samples / pixels : 0.0;
}

/* The root's decision, shared with every process of the frame. */
static pass_decision next_pass(const clrt_frame *frame, const pass_state *s, bool root) {
  pass_decision d = root ? decide(s) : (pass_decision){0, 0, 0};
  if (frame->across_cluster)
    clrt_cluster_share(&d, sizeof d);
  return d;
}

/* After a pass at the root: the regions' samples and noise, and the time
 * a sample of a pixel took. */
static void after_pass(pass_state *s, const clrt_film *film, pass_decision d, double pass_ms) {
  double pixels = (double)open_pixels(s);
  s->ms_per_sample_px = pass_ms / ((double)d.count * (pixels > 0.0 ? pixels : 1.0));
  s->spent_ms += pass_ms;
  s->open_regions = clrt_regions_after_pass(&s->regions, film, d.count, s->goal->noise);
  s->done += d.count;
}

/* A pass's outcome becomes the passes' (the first of this run) or is
 * added to them. */
static void keep_figures(clrt_passes_outcome *outcome, clrt_frame_outcome *pass, size_t processes, bool first) {
  if (first) {
    outcome->frame = *pass;
    memset(pass, 0, sizeof *pass);
    return;
  }
  add_figures(&outcome->frame, pass, processes);
  free(outcome->frame.missing);
  outcome->frame.missing = pass->missing; /* the last pass's, if any */
  outcome->frame.missing_count = pass->missing_count;
  pass->missing = NULL;
  clrt_frame_outcome_free(pass);
}

clrt_status clrt_passes_render(const clrt_frame *frame, const clrt_frame_devices *devices, clrt_film *film,
                               const clrt_pass_goal *goal, clrt_checkpoint *checkpoint, clrt_progress *progress,
                               clrt_passes_outcome *outcome, clrt_error *err) {
  memset(outcome, 0, sizeof *outcome);
  bool root = film != NULL;
  pass_state s = {goal, {0}, 0, 0, 0.0, 0.0};
  clrt_status status = root ? clrt_regions_init(&s.regions, frame->width, frame->height, err) : CLRT_OK;
  s.open_regions = (size_t)s.regions.columns * s.regions.rows;
  if (status == CLRT_OK && root && checkpoint)
    status = resume_passes(checkpoint, &s, &outcome->resumed_passes, film, err);
  outcome->passes = outcome->resumed_passes;
  if (frame->across_cluster)
    status = clrt_cluster_agree(status, err);
  size_t processes = frame->across_cluster ? (size_t)clrt_cluster_size() : 1;
  for (pass_decision d; status == CLRT_OK && (d = next_pass(frame, &s, root)).go;) {
    if (root)
      show_pass(progress, &s, outcome->passes, d);
    clrt_frame_outcome pass;
    status = run_pass(frame, devices, film, &s, d, progress, &pass, err);
    if (status != CLRT_OK) {
      clrt_frame_outcome_free(&pass);
      break;
    }
    int missing = pass.missing_count > 0;
    double pass_ms = pass.farm.render_ms; /* from the first device ready: builds and uploads aside */
    keep_figures(outcome, &pass, processes, outcome->passes == outcome->resumed_passes);
    outcome->passes++;
    /* A tile is whole regions: those of a missing tile are painted over. */
    if (root)
      after_pass(&s, film, d, pass_ms);
    if (root && checkpoint && !missing)
      status = keep_passes(checkpoint, &s, outcome->passes, film, err);
    if (frame->across_cluster)
      clrt_cluster_share(&missing, sizeof missing);
    if (missing)
      break; /* the caller says which tiles no device rendered */
  }
  if (status == CLRT_OK && root)
    develop(film, &s, outcome);
  clrt_regions_free(&s.regions);
  return status;
}

void clrt_passes_outcome_free(clrt_passes_outcome *outcome) {
  clrt_frame_outcome_free(&outcome->frame);
  memset(outcome, 0, sizeof *outcome);
}
