/* One frame, on this process's devices or on every process's
 * (clrt_frame.h). */
#include "clrt_frame.h"

#include <stdlib.h>
#include <string.h>

#include "clrt_scheduler.h"
#include "clrt_stop.h"

static bool at_root(void) { return clrt_cluster_rank() == 0; }

clrt_status clrt_frame_prepare(clrt_frame *frame, const clrt_tiling *tiling, unsigned width, unsigned height,
                               unsigned device_count, bool across_cluster, clrt_error *err) {
  memset(frame, 0, sizeof *frame);
  frame->width = width;
  frame->height = height;
  frame->guided = tiling->guided;
  frame->across_cluster = across_cluster;
  frame->devices = across_cluster ? clrt_cluster_sum(device_count) : device_count;
  clrt_status status = clrt_tiling_plan(tiling, width, height, &frame->plan, err);
  frame->max_tile_pixels = frame->guided ? clrt_scheduler_guided_max_pixels(width, height) : frame->plan.max_pixels;
  return across_cluster ? clrt_cluster_agree(status, err) : status;
}

void clrt_frame_free(clrt_frame *frame) {
  clrt_tiles_free(&frame->plan);
  memset(frame, 0, sizeof *frame);
}

/* The root's scheduler cuts the frame's tiles for all its devices; another
 * process's is fed by the exchange. */
static clrt_status start_scheduler(const clrt_frame *frame, size_t local_devices, clrt_scheduler *scheduler,
                                   clrt_error *err) {
  if (frame->across_cluster && !at_root())
    return clrt_scheduler_init_fed(scheduler, frame->width, frame->height, frame->max_tile_pixels,
                                   (unsigned)local_devices);
  return clrt_scheduler_init(scheduler, frame->width, frame->height, frame->guided ? NULL : &frame->plan,
                             frame->devices, err);
}

static clrt_status run_farm(const clrt_frame_devices *devices, const clrt_tile_route *route,
                            clrt_frame_outcome *outcome, clrt_error *err) {
  if (devices->sessions)
    return clrt_farm_render_sessions(devices->sessions, devices->count, route, &outcome->farm, err);
  return clrt_farm_render(devices->devices, devices->count, devices->scene, devices->options, route, &outcome->farm,
                          err);
}

/* The farm; across the cluster, with the tile exchange beside it: another
 * process's finished tiles go to the root's film through the link. */
static clrt_status render_tiles(const clrt_frame *frame, const clrt_frame_devices *devices, clrt_tile_route *route,
                                clrt_tile_form form, clrt_frame_outcome *outcome, clrt_error *err) {
  if (!frame->across_cluster)
    return run_farm(devices, route, outcome, err);
  clrt_cluster_link *link;
  clrt_tile_sink sink;
  /* a process silent for as long as a hung tile may run is taken for hung */
  double silence_ms = devices->options ? devices->options->tile_timeout_ms : CLRT_DEFAULT_TILE_TIMEOUT_S * 1e3;
  clrt_status status = clrt_cluster_link_start(route, (unsigned)devices->count, clrt_session_pixel_bytes(form),
                                               silence_ms, &link, &sink, err);
  if (status != CLRT_OK)
    return status;
  if (!at_root()) {
    route->film = NULL;
    route->sink = &sink;
  }
  status = run_farm(devices, route, outcome, err);
  clrt_cluster_link_finish(link, &outcome->cluster_ms);
  return status;
}

/* Every process's figures at the root (this process's alone when the
 * frame is its own). */
static clrt_status gather_figures(const clrt_frame *frame, clrt_frame_outcome *outcome, clrt_error *err) {
  clrt_process_figures mine = clrt_process_figures_of(&outcome->farm);
  if (frame->across_cluster)
    return clrt_cluster_gather_figures(&mine, &outcome->processes, err);
  outcome->processes = malloc(sizeof *outcome->processes);
  if (!outcome->processes)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory for the frame's figures");
  *outcome->processes = mine;
  return CLRT_OK;
}

/* A frame stopped by a signal: the stop's status, saying how far it got. */
static clrt_status stopped(const clrt_frame_outcome *outcome, clrt_error *err) {
  char stage[64];
  snprintf(stage, sizeof stage, "rendering, after %zu tile(s)", outcome->tiles_done);
  return clrt_stop_check(stage, err);
}

/* After the farm: a stop anywhere stops every process; the figures go to
 * the root, which lists the tiles no device rendered. */
static clrt_status conclude(const clrt_frame *frame, clrt_scheduler *scheduler, clrt_status status,
                            clrt_frame_outcome *outcome, clrt_error *err) {
  outcome->tiles_done = clrt_scheduler_tiles_done(scheduler);
  if (status == CLRT_OK && outcome->farm.interrupted)
    status = stopped(outcome, err);
  clrt_status gathered = gather_figures(frame, outcome, err);
  status = status == CLRT_OK ? gathered : status;
  if (frame->across_cluster)
    status = clrt_cluster_agree(status, err);
  if (status == CLRT_OK && (!frame->across_cluster || at_root()))
    status = clrt_scheduler_missing(scheduler, &outcome->missing, &outcome->missing_count, err);
  return frame->across_cluster ? clrt_cluster_agree(status, err) : status;
}

clrt_status clrt_frame_render(const clrt_frame *frame, const clrt_frame_devices *devices, clrt_film *film,
                              clrt_tile_form form, clrt_progress *progress, clrt_frame_outcome *outcome,
                              clrt_error *err) {
  memset(outcome, 0, sizeof *outcome);
  clrt_scheduler scheduler;
  clrt_status status = start_scheduler(frame, devices->count, &scheduler, err);
  bool scheduler_ready = status == CLRT_OK;
  if (frame->across_cluster) /* every process renders the frame, or none does */
    status = clrt_cluster_agree(status, err);
  if (status != CLRT_OK) {
    if (scheduler_ready)
      clrt_scheduler_destroy(&scheduler);
    return status;
  }
  clrt_tile_route route = {&scheduler, film, progress, clrt_stop_flag(), NULL};
  status = render_tiles(frame, devices, &route, form, outcome, err);
  status = conclude(frame, &scheduler, status, outcome, err);
  clrt_scheduler_destroy(&scheduler);
  return status;
}

void clrt_frame_outcome_free(clrt_frame_outcome *outcome) {
  clrt_farm_result_free(&outcome->farm);
  free(outcome->processes);
  free(outcome->missing);
  memset(outcome, 0, sizeof *outcome);
}
