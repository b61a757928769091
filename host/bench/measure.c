/* clrt bench's measurements (bench_measure.h): a device alone, every
 * device together, and a device that would not open. */
#include "bench_measure.h"

#include <stdlib.h>
#include <string.h>

#include "bench_check.h"
#include "bench_frames.h"
#include "clrt_cluster.h"

/* Frames on the sessions (with every process's, `across_cluster`), then
 * the picture's check; the first scored picture of a scene on one device
 * becomes the one later devices must match. */
static void measure_and_check(bench_context *b, clrt_session *const *sessions, size_t count, bench_scene *s,
                              const clrt_tiling *tiling, frame_quota quota, bool across_cluster,
                              clrt_bench_record *record) {
  /* Without room for the picture the frames still run: in a cluster, the
   * others' frames need this process's part. */
  uint8_t *rgb = malloc(bench_pixel_count(s) * 3);
  bool measured = bench_run_frames(b, sessions, count, s, tiling, quota, across_cluster, record, rgb);
  if (!rgb) {
    record->scored = false;
    snprintf(record->check, sizeof record->check, "out of memory for the picture");
  } else if (measured && (!across_cluster || clrt_cluster_rank() == 0)) { /* the root has the whole picture */
    bench_check_picture(s, rgb, b->options->fast_math, record);
    record->speedup_vs_host = s->host_mrays > 0 ? record->mrays.median / s->host_mrays : 0.0;
    record->speedup_vs_cores = s->cores_mrays > 0 ? record->mrays.median / s->cores_mrays : 0.0;
    if (!s->first_rgb && record->scored && count == 1 && !across_cluster) {
      s->first_rgb = rgb;
      rgb = NULL;
    }
  }
  free(rgb);
}

clrt_status bench_measure(bench_context *b, clrt_session *session, bench_scene *s, const clrt_tiling *tiling,
                          frame_quota quota, bool sweep, clrt_error *err) {
  clrt_bench_record *record = bench_new_record(b->results);
  if (!record)
    return bench_no_room_for_records(b->results, err);
  bench_describe_scene(s, record);
  bench_describe_device(b, clrt_session_device(session), record);
  clrt_tiling_name(tiling, record->tiling, sizeof record->tiling);
  record->sweep = sweep;
  record->build_ms = clrt_session_build(session)->build_ms;
  record->build_cached = clrt_session_build(session)->from_cache;
  record->upload_ms = clrt_session_upload_ms(session);
  measure_and_check(b, &session, 1, s, tiling, quota, false, record);
  return CLRT_OK;
}

clrt_status bench_record_failure(bench_context *b, const clrt_device *device, const bench_scene *s,
                                 const clrt_error *failure, clrt_error *err) {
  clrt_bench_record *record = bench_new_record(b->results);
  if (!record)
    return bench_no_room_for_records(b->results, err);
  bench_describe_scene(s, record);
  bench_describe_device(b, device, record);
  snprintf(record->tiling, sizeof record->tiling, "-");
  snprintf(record->check, sizeof record->check, "failed: %.230s", failure->message);
  return CLRT_OK;
}

/* ---- all devices together ---- */

/* A record of a device of this scene alone (on its default tiling). */
static bool alone_on(const clrt_bench_record *record, const bench_scene *s) {
  return !record->sweep && !strcmp(record->scene, s->name) && strcmp(record->device_label, "all");
}

/* The devices' figures added up, from their records alone (in a cluster,
 * gathered from every process at the root). */
static void describe_together(const clrt_bench_results *r, const bench_scene *s, clrt_bench_record *record) {
  snprintf(record->device_label, sizeof record->device_label, "all"); /* not one of the devices it sums */
  size_t devices = 0;
  for (size_t i = 0; i < r->record_count; ++i) {
    const clrt_bench_record *alone = &r->records[i];
    if (!alone_on(alone, s) || !strcmp(alone->tiling, "-")) /* "-": its session would not open */
      continue;
    ++devices;
    record->compute_units += alone->compute_units;
    record->build_ms += alone->build_ms;
    record->upload_ms += alone->upload_ms;
  }
  if (clrt_cluster_size() > 1)
    snprintf(record->device, sizeof record->device, "%zu devices of %d processes together", devices,
             clrt_cluster_size());
  else
    snprintf(record->device, sizeof record->device, "%zu devices together", devices);
  snprintf(record->device_type, sizeof record->device_type, "mixed");
  snprintf(record->host, sizeof record->host, "%s", clrt_cluster_size() > 1 ? "all" : r->machine.host);
  clrt_tiling guided = {.guided = true};
  clrt_tiling_name(&guided, record->tiling, sizeof record->tiling);
}

/* The median Mrays/s of every scored device alone, added up. */
static double alone_median_sum(const clrt_bench_results *r, const bench_scene *s) {
  double sum = 0.0;
  for (size_t i = 0; i < r->record_count; ++i)
    if (alone_on(&r->records[i], s) && r->records[i].scored)
      sum += r->records[i].mrays.median;
  return sum;
}

clrt_status bench_measure_together(bench_context *b, clrt_session **sessions, size_t count, bench_scene *s,
                                   clrt_error *err) {
  bool root = clrt_cluster_rank() == 0, across_cluster = clrt_cluster_size() > 1;
  clrt_bench_record unkept, *record = root ? bench_new_record(b->results) : &unkept;
  memset(&unkept, 0, sizeof unkept);
  clrt_status status = clrt_cluster_agree(record ? CLRT_OK : bench_no_room_for_records(b->results, err), err);
  if (status != CLRT_OK)
    return status;
  bench_describe_scene(s, record);
  describe_together(b->results, s, record);
  clrt_error missing;
  clrt_status ready = count ? CLRT_OK : clrt_fail(&missing, CLRT_ERR_RUNTIME, "no device could be opened");
  if (clrt_cluster_agree(ready, &missing) != CLRT_OK) { /* every process must take part */
    snprintf(record->check, sizeof record->check, "failed: %.230s", missing.message);
    return CLRT_OK;
  }
  clrt_tiling guided = {.guided = true};
  frame_quota quota = {b->options->warmup, b->options->runs, b->options->min_time_s};
  measure_and_check(b, sessions, count, s, &guided, quota, across_cluster, record);
  double summed = alone_median_sum(b->results, s);
  record->scaling_efficiency = record->scored && summed > 0 ? record->mrays.median / summed : 0.0;
  return CLRT_OK;
}
