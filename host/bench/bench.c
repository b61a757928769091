/* clrt bench, the whole run: it only orchestrates. The scenes are
 * scenes.c's; each measurement is measure.c's (frames.c renders them,
 * check.c checks their pictures), the tile sweep's is sweep.c's, the host
 * baselines baseline.c's; sharing under mpirun is cluster.c's; the
 * reports are report.c's, table.c's and chart.c's.
 *
 * Under mpirun, every process goes through the same steps (each ends with
 * a status they agree on, so that MPI's collectives match): the root runs
 * the host baselines while the others wait; then each process measures
 * its devices alone, in turn, while the others wait asleep (processes on
 * one machine would otherwise compete for it); then the devices of every
 * process render frames together. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_baseline.h"
#include "bench_cluster.h"
#include "bench_context.h"
#include "bench_measure.h"
#include "bench_scenes.h"
#include "bench_sweep.h"
#include "clrt_cluster.h"
#include "clrt_stop.h"

static clrt_status open_sessions(bench_context *b, bench_scene *s, clrt_session **open, size_t *open_count,
                                 clrt_error *err) {
  clrt_session_options options = {.max_tile_pixels = bench_tile_capacity(b, s),
                                  .fast_math = b->options->fast_math,
                                  .array_memory = b->options->array_memory,
                                  .tile_timeout_ms = CLRT_DEFAULT_TILE_TIMEOUT_S * 1e3,
                                  .faults = &b->faults,
                                  .build_log = b->log};
  *open_count = 0;
  clrt_status status = CLRT_OK;
  for (size_t i = 0; status == CLRT_OK && i < b->device_count; ++i) {
    clrt_error failure;
    bench_progress(b, "%s: building for %s", s->name, b->devices[i].name);
    clrt_session *session = clrt_session_open(&b->devices[i], &s->flat, &options, &failure);
    if (session) {
      open[(*open_count)++] = session;
      continue;
    }
    bench_progress_clear(b);
    fprintf(b->log, "clrt: warning: %s; going on without it\n", failure.message);
    status = bench_record_failure(b, &b->devices[i], s, &failure, err);
  }
  return status;
}

/* Each device alone on its default tiling, then the sweep. */
static clrt_status measure_alone(bench_context *b, clrt_session **open, size_t open_count, bench_scene *s,
                                 clrt_error *err) {
  frame_quota quota = {b->options->warmup, b->options->runs, b->options->min_time_s};
  clrt_status status = CLRT_OK;
  for (size_t i = 0; status == CLRT_OK && i < open_count; ++i) {
    clrt_tiling tiling = clrt_tiling_default(clrt_session_device(open[i]), 1, b->log);
    status = bench_measure(b, open[i], s, &tiling, quota, false, err);
  }
  for (size_t i = 0; status == CLRT_OK && b->options->tile_sweep && i < open_count; ++i)
    status = bench_sweep_device(b, open[i], s, err);
  return status;
}

/* This process's devices alone, in its turn; the records to the root;
 * then every device together, when there is more than one. */
static clrt_status bench_scene_on_devices(bench_context *b, bench_scene *s, clrt_error *err) {
  clrt_session **open = calloc(b->device_count ? b->device_count : 1, sizeof *open);
  clrt_status status =
      open ? CLRT_OK : clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory for %zu sessions", b->device_count);
  size_t open_count = 0, first_record = b->results->record_count;
  for (int turn = 0; turn < clrt_cluster_size(); ++turn) {
    if (turn == clrt_cluster_rank() && status == CLRT_OK) {
      status = open_sessions(b, s, open, &open_count, err);
      if (status == CLRT_OK)
        status = measure_alone(b, open, open_count, s, err);
    }
    clrt_cluster_wait_all();
  }
  status = clrt_cluster_agree(status, err);
  if (status == CLRT_OK)
    status = bench_gather_records(b->results, first_record, err);
  if (status == CLRT_OK && (clrt_cluster_size() > 1 || open_count > 1))
    status = bench_measure_together(b, open, open_count, s, err);
  for (size_t i = 0; i < open_count; ++i)
    clrt_session_close(open[i]);
  free(open);
  return status;
}

/* The root's host baselines (the others wait), whose picture every
 * device is checked against; then the devices. */
static clrt_status measure_scene(bench_context *b, bench_scene *s, clrt_error *err) {
  clrt_status status = clrt_cluster_rank() == 0 ? bench_host_baselines(b, s, err) : CLRT_OK;
  clrt_cluster_wait_all();
  status = clrt_cluster_agree(status, err);
  if (status == CLRT_OK)
    status = bench_share_reference(s, err);
  if (status == CLRT_OK)
    status = bench_scene_on_devices(b, s, err);
  if (status == CLRT_OK) /* an interrupted frame measured nothing */
    status = clrt_cluster_agree(clrt_stop_check("benchmarking", err), err);
  return status;
}

/* The scenes (read by the root, sent to the others) and the devices. */
static clrt_status prepare_run(bench_context *b, bench_scene **scenes, size_t *scene_count, clrt_error *err) {
  clrt_status status = clrt_faults_from_environment(&b->faults, err);
  if (status == CLRT_OK && clrt_cluster_rank() == 0)
    status = bench_load_scenes(b->options, scenes, scene_count, err);
  status = clrt_cluster_agree(status, err);
  if (status == CLRT_OK)
    status = bench_share_scenes(scenes, scene_count, err);
  if (status == CLRT_OK)
    status = clrt_devices_choose(b->options->device_spec, &b->devices, &b->device_count, err);
  return clrt_cluster_agree(status, err);
}

clrt_status clrt_bench_run(const clrt_bench_options *options, FILE *log, clrt_bench_results *results, clrt_error *err) {
  memset(results, 0, sizeof *results);
  results->options = *options;
  results->processes = clrt_cluster_size();
  clrt_machine_facts_read(&results->machine);
  bench_context b = {.options = options, .results = results, .log = log, .progress = isatty(fileno(log)) != 0};
  bench_scene *scenes = NULL;
  size_t scene_count = 0;
  clrt_status status = prepare_run(&b, &scenes, &scene_count, err);
  for (size_t i = 0; status == CLRT_OK && i < scene_count; ++i)
    status = measure_scene(&b, &scenes[i], err);
  if (status == CLRT_OK && options->tile_sweep)
    status = clrt_cluster_agree(bench_pick_tilings(&b, scene_count, err), err);
  if (status == CLRT_OK)
    status = bench_gather_picks(results, err);
  bench_progress_clear(&b);
  clrt_faults_free(&b.faults);
  free(b.devices);
  bench_free_scenes(scenes, scene_count);
  return status;
}

void clrt_bench_results_free(clrt_bench_results *results) {
  free(results->records);
  free(results->baselines);
  free(results->picks);
  memset(results, 0, sizeof *results);
}
