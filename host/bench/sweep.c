/* clrt bench --tile-sweep: the seeds' chunk-size experiment, and the
 * policy that picks each device's best tiling for clrt render. */
#include "bench_sweep.h"

#include <string.h>

#include "bench_measure.h"
#include "clrt_array.h"
#include "clrt_cluster.h"
#include "clrt_scheduler.h"

/* Frames per tiling in the sweep, after one warm-up frame. */
#define CLRT_SWEEP_RUNS 3u
/* Square tile sides the sweep tries besides strips. */
static const unsigned SWEEP_SQUARES[] = CLRT_SWEEP_SQUARES;

/* Strips from 1 to one per row (doubling), then a few squares. */
clrt_status bench_sweep_device(bench_context *b, clrt_session *session, bench_scene *s, clrt_error *err) {
  frame_quota quota = {1, CLRT_SWEEP_RUNS, 0.0};
  unsigned height = s->flat.params.height;
  clrt_status status = CLRT_OK;
  for (unsigned strips = 1; status == CLRT_OK; strips = strips * 2 < height ? strips * 2 : height) {
    clrt_tiling tiling = {.strips = strips};
    status = bench_measure(b, session, s, &tiling, quota, true, err);
    if (strips == height)
      break;
  }
  for (size_t i = 0; status == CLRT_OK && i < sizeof SWEEP_SQUARES / sizeof SWEEP_SQUARES[0]; ++i) {
    clrt_tiling tiling = {.tile_width = SWEEP_SQUARES[i], .tile_height = SWEEP_SQUARES[i]};
    status = bench_measure(b, session, s, &tiling, quota, true, err);
  }
  return status;
}

/* The largest tile a tiling's plan has, in pixels. */
static size_t largest_of(const clrt_tiling *tiling, unsigned width, unsigned height) {
  if (tiling->guided)
    return clrt_scheduler_guided_max_pixels(width, height);
  clrt_tile_plan plan;
  clrt_error err;
  if (clrt_tiling_plan(tiling, width, height, &plan, &err) != CLRT_OK)
    return 0;
  size_t largest = plan.max_pixels;
  clrt_tiles_free(&plan);
  return largest;
}

size_t bench_tile_capacity(const bench_context *b, const bench_scene *s) {
  unsigned width = s->flat.params.width, height = s->flat.params.height;
  size_t needed = 0;
  for (size_t i = 0; i < b->device_count; ++i) {
    clrt_tiling tiling = clrt_tiling_default(&b->devices[i], 1, NULL);
    size_t largest = largest_of(&tiling, width, height);
    needed = largest > needed ? largest : needed;
  }
  if (b->options->tile_sweep)
    needed = bench_pixel_count(s); /* the sweep's single strip */
  clrt_tiling guided = {.guided = true};
  size_t together = largest_of(&guided, width, height);
  if ((b->device_count > 1 || clrt_cluster_size() > 1) && together > needed)
    needed = together;
  return needed;
}

/* The largest tile a tiling gives on a record's image, in pixels. */
static size_t largest_tile(const clrt_bench_record *record) {
  clrt_tiling tiling;
  return clrt_tiling_parse(record->tiling, &tiling) ? largest_of(&tiling, record->width, record->height) : 0;
}

/* Whether one enqueue of this tiling stays under the watchdog limit. */
static bool fits_watchdog(const clrt_bench_record *record, double max_enqueue_ms) {
  if (record->frame_ms.median <= 0)
    return true;
  double pixels_per_ms = (double)record->width * record->height / record->kernel_ms.median;
  return (double)largest_tile(record) <= pixels_per_ms * max_enqueue_ms;
}

static bool swept_on(const clrt_bench_record *record, const char *label) {
  return record->sweep && strcmp(record->device_label, label) == 0;
}

/* The best median Mrays/s of any swept tiling of a scene on a device. */
static double best_of_scene(const clrt_bench_results *r, const char *label, const char *scene) {
  double best = 0.0;
  for (size_t j = 0; j < r->record_count; ++j)
    if (swept_on(&r->records[j], label) && !strcmp(r->records[j].scene, scene) && r->records[j].mrays.median > best)
      best = r->records[j].mrays.median;
  return best;
}

/* A tiling's score on a device: the mean over the swept scenes of its
 * median Mrays/s relative to the best tiling of that scene; -1 unless it
 * was measured on every scene (and, on a GPU, fits the watchdog on all). */
static double tiling_score(const clrt_bench_results *r, const char *label, const char *tiling, size_t scene_count,
                           bool watchdog, double max_enqueue_ms) {
  double sum = 0.0;
  size_t found = 0;
  for (size_t i = 0; i < r->record_count; ++i) {
    const clrt_bench_record *record = &r->records[i];
    if (!swept_on(record, label) || !record->scored || strcmp(record->tiling, tiling))
      continue;
    if (watchdog && !fits_watchdog(record, max_enqueue_ms))
      return -1.0;
    double best = best_of_scene(r, label, record->scene);
    sum += best > 0 ? record->mrays.median / best : 0.0;
    ++found;
  }
  return found == scene_count ? sum / (double)found : -1.0;
}

static clrt_status add_pick(clrt_bench_results *r, const clrt_tile_pick *pick, clrt_error *err) {
  clrt_tile_pick *grown = clrt_array_reserve(r->picks, &r->pick_capacity, r->pick_count + 1, sizeof *r->picks);
  if (!grown)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory for the tile picks");
  r->picks = grown;
  r->picks[r->pick_count++] = *pick;
  return CLRT_OK;
}

/* The device's best tiling from the sweep, stored for clrt render. */
static clrt_status pick_tiling(bench_context *b, const clrt_device *device, size_t scene_count, clrt_error *err) {
  clrt_bench_results *r = b->results;
  char label[32];
  bench_device_label(device, label, sizeof label);
  bool watchdog = (device->type & CL_DEVICE_TYPE_GPU) != 0;
  clrt_tile_pick pick = {.mrays = -1.0};
  double best_unlimited = -1.0;
  for (size_t i = 0; i < r->record_count; ++i) {
    const clrt_bench_record *record = &r->records[i];
    if (!swept_on(record, label))
      continue;
    double score = tiling_score(r, label, record->tiling, scene_count, watchdog, b->options->max_enqueue_ms);
    double unlimited = tiling_score(r, label, record->tiling, scene_count, false, 0.0);
    best_unlimited = unlimited > best_unlimited ? unlimited : best_unlimited;
    if (score > pick.mrays) {
      pick.mrays = score;
      snprintf(pick.tiling, sizeof pick.tiling, "%s", record->tiling);
    }
  }
  if (pick.mrays < 0.0)
    return CLRT_OK;
  pick.capped = best_unlimited > pick.mrays;
  snprintf(pick.device_label, sizeof pick.device_label, "%s", label);
  snprintf(pick.device, sizeof pick.device, "%s", device->name);
  snprintf(pick.host, sizeof pick.host, "%s", r->machine.host);
  clrt_error store_err;
  if (clrt_tiling_store(device, pick.tiling, b->log, pick.stored_in, sizeof pick.stored_in, &store_err) != CLRT_OK)
    fprintf(b->log, "clrt: warning: %s\n", store_err.message);
  return add_pick(r, &pick, err);
}

clrt_status bench_pick_tilings(bench_context *b, size_t scene_count, clrt_error *err) {
  clrt_status status = CLRT_OK;
  for (size_t i = 0; status == CLRT_OK && i < b->device_count; ++i)
    status = pick_tiling(b, &b->devices[i], scene_count, err);
  return status;
}
