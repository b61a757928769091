/* clrt bench: scenes, devices, records. Each measurement is a part of its
 * own: frames.c, baseline.c, check.c, sweep.c; sharing under mpirun is in
 * cluster.c; reports are in report.c and chart.c.
 *
 * Under mpirun, every process goes through the same steps (each ends with
 * a status they agree on, so that MPI's collectives match): the root runs
 * the host baselines while the others wait; then each process measures
 * its devices alone, in turn, while the others wait asleep (processes on
 * one machine would otherwise compete for it); then the devices of every
 * process render frames together. */
#include "bench_internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clrt_array.h"
#include "clrt_clock.h"
#include "clrt_cluster.h"
#include "clrt_farm.h"
#include "clrt_file.h"
#include "clrt_hash.h"
#include "clrt_stop.h"

/* The progress line is redrawn at most this often. */
#define CLRT_BENCH_PROGRESS_MS 250.0

void bench_progress(bench_context *b, const char *format, ...) {
  double now = clrt_now_ms();
  if (!b->progress || now - b->progress_drawn_ms < CLRT_BENCH_PROGRESS_MS)
    return;
  b->progress_drawn_ms = now;
  va_list args;
  va_start(args, format);
  fputs("\r\033[Kbench: ", b->log);
  vfprintf(b->log, format, args);
  va_end(args);
  fflush(b->log);
}

void bench_progress_clear(bench_context *b) {
  if (b->progress)
    fputs("\r\033[K", b->log);
}

clrt_bench_record *bench_new_record(clrt_bench_results *r) {
  clrt_bench_record *grown =
      clrt_array_reserve(r->records, &r->record_capacity, r->record_count + 1, sizeof *r->records);
  if (!grown)
    return NULL;
  r->records = grown;
  clrt_bench_record *record = &r->records[r->record_count++];
  memset(record, 0, sizeof *record);
  return record;
}

static clrt_status no_room_for_records(const clrt_bench_results *r, clrt_error *err) {
  return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory for %zu bench records", r->record_count + 1);
}

size_t bench_pixel_count(const bench_scene *s) { return (size_t)s->flat.params.width * s->flat.params.height; }

void bench_device_label(const clrt_device *device, char *out, size_t size) {
  char label[16];
  clrt_device_label(device, label, sizeof label);
  if (clrt_cluster_size() > 1)
    snprintf(out, size, "%d/%s", clrt_cluster_rank(), label);
  else
    snprintf(out, size, "%s", label);
}

/* ---- scenes ---- */

static void name_from_path(const char *path, char *out, size_t size) {
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  snprintf(out, size, "%s", base);
  char *dot = strrchr(out, '.');
  if (dot && dot != out)
    *dot = '\0';
}

/* A scene from its text: parsed, flattened, fingerprinted. */
static clrt_status prepare_scene(const char *name, const char *source, const char *text, bench_scene *out,
                                 clrt_error *err) {
  memset(out, 0, sizeof *out);
  snprintf(out->name, sizeof out->name, "%s", name);
  snprintf(out->hash, sizeof out->hash, "%016llx",
           (unsigned long long)clrt_hash_bytes(CLRT_HASH_START, text, strlen(text)));
  clrt_scene scene;
  clrt_status status = clrt_scene_parse(text, source, &scene, err);
  if (status != CLRT_OK)
    return status;
  status = clrt_flatten(&scene, &out->flat, err);
  clrt_scene_free(&scene);
  return status;
}

static clrt_status load_scene_file(const char *path, bench_scene *out, clrt_error *err) {
  char *text, name[64];
  size_t size;
  clrt_status status = clrt_file_read(path, "the scene file", &text, &size, err);
  if (status != CLRT_OK)
    return status;
  name_from_path(path, name, sizeof name);
  status = prepare_scene(name, path, text, out, err);
  free(text);
  return status;
}

static clrt_status load_scenes(const clrt_bench_options *options, bench_scene **scenes, size_t *count,
                               clrt_error *err) {
  *count = options->scene_count ? options->scene_count : clrt_builtin_suite_size;
  *scenes = calloc(*count, sizeof **scenes);
  if (!*scenes)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory for %zu scenes", *count);
  for (size_t i = 0; i < *count; ++i) {
    clrt_status status = options->scene_count ? load_scene_file(options->scene_paths[i], &(*scenes)[i], err)
                                              : prepare_scene(clrt_builtin_suite[i].name, clrt_builtin_suite[i].name,
                                                              clrt_builtin_suite[i].text, &(*scenes)[i], err);
    if (status != CLRT_OK)
      return status;
  }
  return CLRT_OK;
}

static void free_scenes(bench_scene *scenes, size_t count) {
  for (size_t i = 0; scenes && i < count; ++i) {
    clrt_flat_scene_free(&scenes[i].flat);
    free(scenes[i].reference_rgb);
    free(scenes[i].first_rgb);
  }
  free(scenes);
}

/* ---- records ---- */

static void describe_device(const bench_context *b, const clrt_device *device, clrt_bench_record *record) {
  snprintf(record->device, sizeof record->device, "%s", device->name);
  snprintf(record->host, sizeof record->host, "%s", b->results->machine.host);
  bench_device_label(device, record->device_label, sizeof record->device_label);
  snprintf(record->device_type, sizeof record->device_type, "%s", clrt_device_type_name(device->type));
  record->compute_units = device->compute_units;
  snprintf(record->platform, sizeof record->platform, "%s", device->platform_name);
  snprintf(record->driver, sizeof record->driver, "%s", device->driver_version);
}

static void describe_scene(const bench_scene *s, clrt_bench_record *record) {
  snprintf(record->scene, sizeof record->scene, "%s", s->name);
  snprintf(record->scene_hash, sizeof record->scene_hash, "%s", s->hash);
  record->width = s->flat.params.width;
  record->height = s->flat.params.height;
  record->samples = s->flat.params.samples;
  record->spheres = s->flat.spheres_count;
  record->bvh_build_ms = s->flat.stats.bvh_build_ms;
  record->samples_per_frame = (double)bench_pixel_count(s) * s->flat.params.samples;
}

/* Frames on the sessions (with every process's, `across_cluster`), then
 * the picture's check; the first scored picture of a scene on one device
 * becomes the one later devices must match. */
static void measure_and_check(bench_context *b, clrt_session *const *sessions, size_t count, bench_scene *s,
                              const clrt_tiling *tiling, frame_quota frames, bool across_cluster,
                              clrt_bench_record *record) {
  /* Without room for the picture the frames still run: in a cluster, the
   * others' frames need this process's part. */
  uint8_t *rgb = malloc(bench_pixel_count(s) * 3);
  bool measured = bench_run_frames(b, sessions, count, s, tiling, frames, across_cluster, record, rgb);
  if (!rgb) {
    record->scored = false;
    snprintf(record->check, sizeof record->check, "out of memory for the picture");
  } else if (measured && (!across_cluster || clrt_cluster_rank() == 0)) { /* the root has the whole picture */
    bench_check_picture(s, rgb, record);
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
                          frame_quota frames, bool sweep, clrt_error *err) {
  clrt_bench_record *record = bench_new_record(b->results);
  if (!record)
    return no_room_for_records(b->results, err);
  describe_scene(s, record);
  describe_device(b, clrt_session_device(session), record);
  clrt_tiling_name(tiling, record->tiling, sizeof record->tiling);
  record->sweep = sweep;
  record->build_ms = clrt_session_build(session)->build_ms;
  record->build_cached = clrt_session_build(session)->from_cache;
  record->upload_ms = clrt_session_upload_ms(session);
  measure_and_check(b, &session, 1, s, tiling, frames, false, record);
  return CLRT_OK;
}

/* A device whose session would not open: marked, and the others go on. */
static clrt_status record_failure(bench_context *b, const clrt_device *device, const bench_scene *s,
                                  const clrt_error *failure, clrt_error *err) {
  clrt_bench_record *record = bench_new_record(b->results);
  if (!record)
    return no_room_for_records(b->results, err);
  describe_scene(s, record);
  describe_device(b, device, record);
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

/* Every device on one picture: this process's, or in a cluster those of
 * every process (each calls this). The root keeps the record. */
static clrt_status measure_together(bench_context *b, clrt_session **sessions, size_t count, bench_scene *s,
                                    clrt_error *err) {
  bool root = clrt_cluster_rank() == 0, across_cluster = clrt_cluster_size() > 1;
  clrt_bench_record unkept, *record = root ? bench_new_record(b->results) : &unkept;
  memset(&unkept, 0, sizeof unkept);
  clrt_status status = clrt_cluster_agree(record ? CLRT_OK : no_room_for_records(b->results, err), err);
  if (status != CLRT_OK)
    return status;
  describe_scene(s, record);
  describe_together(b->results, s, record);
  clrt_error missing;
  clrt_status ready = count ? CLRT_OK : clrt_fail(&missing, CLRT_ERR_RUNTIME, "no device could be opened");
  if (clrt_cluster_agree(ready, &missing) != CLRT_OK) { /* every process must take part */
    snprintf(record->check, sizeof record->check, "failed: %.230s", missing.message);
    return CLRT_OK;
  }
  clrt_tiling guided = {.guided = true};
  frame_quota frames = {b->options->warmup, b->options->runs, b->options->min_time_s};
  measure_and_check(b, sessions, count, s, &guided, frames, across_cluster, record);
  double summed = alone_median_sum(b->results, s);
  record->scaling_efficiency = record->scored && summed > 0 ? record->mrays.median / summed : 0.0;
  return CLRT_OK;
}

/* ---- the whole run ---- */

static clrt_status open_sessions(bench_context *b, bench_scene *s, clrt_session **open, size_t *open_count,
                                 clrt_error *err) {
  clrt_session_options options = {.max_tile_pixels = bench_tile_capacity(b, s),
                                  .fast_math = b->options->fast_math,
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
    status = record_failure(b, &b->devices[i], s, &failure, err);
  }
  return status;
}

/* Each device alone on its default tiling, then the sweep. */
static clrt_status measure_alone(bench_context *b, clrt_session **open, size_t open_count, bench_scene *s,
                                 clrt_error *err) {
  frame_quota frames = {b->options->warmup, b->options->runs, b->options->min_time_s};
  clrt_status status = CLRT_OK;
  for (size_t i = 0; status == CLRT_OK && i < open_count; ++i) {
    clrt_tiling tiling = clrt_tiling_default(clrt_session_device(open[i]), 1, b->log);
    status = bench_measure(b, open[i], s, &tiling, frames, false, err);
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
    status = measure_together(b, open, open_count, s, err);
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
  if (status == CLRT_OK) /* a frame cut short measured nothing */
    status = clrt_cluster_agree(clrt_stop_check("benchmarking", err), err);
  return status;
}

/* The scenes (read by the root, sent to the others) and the devices. */
static clrt_status prepare_run(bench_context *b, bench_scene **scenes, size_t *scene_count, clrt_error *err) {
  clrt_status status = clrt_faults_from_environment(&b->faults, err);
  if (status == CLRT_OK && clrt_cluster_rank() == 0)
    status = load_scenes(b->options, scenes, scene_count, err);
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
  free_scenes(scenes, scene_count);
  return status;
}

void clrt_bench_results_free(clrt_bench_results *results) {
  free(results->records);
  free(results->baselines);
  free(results->picks);
  memset(results, 0, sizeof *results);
}
