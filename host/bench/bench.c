/* clrt bench: scenes, devices, records. Each measurement is a part of its
 * own: frames.c, baseline.c, check.c, sweep.c; reports are in report.c and
 * chart.c. */
#include "bench_internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clrt_array.h"
#include "clrt_clock.h"
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

static void describe_device(const clrt_device *device, clrt_bench_record *record) {
  snprintf(record->device, sizeof record->device, "%s", device->name);
  clrt_device_label(device, record->device_label, sizeof record->device_label);
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

/* Frames on the sessions, then the picture's check; the first scored
 * picture of a scene becomes the one later devices must match. */
static void measure_and_check(bench_context *b, clrt_session *const *sessions, size_t count, bench_scene *s,
                              const clrt_tiling *tiling, frame_plan frames, clrt_bench_record *record) {
  uint8_t *rgb = malloc(bench_pixel_count(s) * 3);
  if (!rgb) {
    snprintf(record->check, sizeof record->check, "out of memory for the picture");
    return;
  }
  if (bench_run_frames(b, sessions, count, s, tiling, frames, record, rgb)) {
    bench_check_picture(s, rgb, record);
    record->speedup_vs_host = s->host_mrays > 0 ? record->mrays.median / s->host_mrays : 0.0;
    record->speedup_vs_cores = s->cores_mrays > 0 ? record->mrays.median / s->cores_mrays : 0.0;
    if (!s->first_rgb && record->scored && count == 1) {
      s->first_rgb = rgb;
      rgb = NULL;
    }
  }
  free(rgb);
}

clrt_status bench_measure(bench_context *b, clrt_session *session, bench_scene *s, const clrt_tiling *tiling,
                          frame_plan frames, bool sweep, clrt_error *err) {
  clrt_bench_record *record = bench_new_record(b->results);
  if (!record)
    return no_room_for_records(b->results, err);
  describe_scene(s, record);
  describe_device(clrt_session_device(session), record);
  clrt_tiling_name(tiling, record->tiling, sizeof record->tiling);
  record->sweep = sweep;
  record->build_ms = clrt_session_build(session)->build_ms;
  record->build_cached = clrt_session_build(session)->from_cache;
  record->upload_ms = clrt_session_upload_ms(session);
  measure_and_check(b, &session, 1, s, tiling, frames, record);
  return CLRT_OK;
}

/* A device whose session would not open: marked, and the others go on. */
static clrt_status record_failure(bench_context *b, const clrt_device *device, const bench_scene *s,
                                  const clrt_error *failure, clrt_error *err) {
  clrt_bench_record *record = bench_new_record(b->results);
  if (!record)
    return no_room_for_records(b->results, err);
  describe_scene(s, record);
  describe_device(device, record);
  snprintf(record->tiling, sizeof record->tiling, "-");
  snprintf(record->check, sizeof record->check, "failed: %.230s", failure->message);
  return CLRT_OK;
}

/* ---- all devices together ---- */

static double solo_median_sum(const clrt_bench_results *r, const char *scene) {
  double sum = 0.0;
  for (size_t i = 0; i < r->record_count; ++i)
    if (!r->records[i].sweep && r->records[i].scored && !strcmp(r->records[i].scene, scene) &&
        strcmp(r->records[i].device_label, "all"))
      sum += r->records[i].mrays.median;
  return sum;
}

static clrt_status measure_combined(bench_context *b, clrt_session **sessions, size_t count, bench_scene *s,
                                    clrt_error *err) {
  clrt_bench_record *record = bench_new_record(b->results);
  if (!record)
    return no_room_for_records(b->results, err);
  describe_scene(s, record);
  snprintf(record->device, sizeof record->device, "%zu devices together", count);
  snprintf(record->device_label, sizeof record->device_label, "all");
  snprintf(record->device_type, sizeof record->device_type, "mixed");
  clrt_tiling guided = {.guided = true};
  clrt_tiling_name(&guided, record->tiling, sizeof record->tiling);
  for (size_t i = 0; i < count; ++i) {
    record->compute_units += clrt_session_device(sessions[i])->compute_units;
    record->build_ms += clrt_session_build(sessions[i])->build_ms;
    record->upload_ms += clrt_session_upload_ms(sessions[i]);
  }
  frame_plan frames = {b->options->warmup, b->options->runs, b->options->min_time_s};
  measure_and_check(b, sessions, count, s, &guided, frames, record);
  double summed = solo_median_sum(b->results, s->name);
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

/* Each device alone on its default tiling, the sweep, all together. */
static clrt_status measure_devices(bench_context *b, clrt_session **open, size_t open_count, bench_scene *s,
                                   clrt_error *err) {
  frame_plan frames = {b->options->warmup, b->options->runs, b->options->min_time_s};
  clrt_status status = CLRT_OK;
  for (size_t i = 0; status == CLRT_OK && i < open_count; ++i) {
    clrt_tiling tiling = clrt_tiling_default(clrt_session_device(open[i]), 1, b->log);
    status = bench_measure(b, open[i], s, &tiling, frames, false, err);
  }
  for (size_t i = 0; status == CLRT_OK && b->options->tile_sweep && i < open_count; ++i)
    status = bench_sweep_device(b, open[i], s, err);
  if (status == CLRT_OK && open_count > 1)
    status = measure_combined(b, open, open_count, s, err);
  return status;
}

static clrt_status bench_scene_on_devices(bench_context *b, bench_scene *s, clrt_error *err) {
  clrt_session **open = calloc(b->device_count, sizeof *open);
  if (!open)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory for %zu sessions", b->device_count);
  size_t open_count = 0;
  clrt_status status = open_sessions(b, s, open, &open_count, err);
  if (status == CLRT_OK)
    status = measure_devices(b, open, open_count, s, err);
  for (size_t i = 0; i < open_count; ++i)
    clrt_session_close(open[i]);
  free(open);
  return status;
}

clrt_status clrt_bench_run(const clrt_bench_options *options, FILE *log, clrt_bench_results *results, clrt_error *err) {
  memset(results, 0, sizeof *results);
  results->options = *options;
  clrt_machine_facts_read(&results->machine);
  bench_context b = {.options = options, .results = results, .log = log, .progress = isatty(fileno(log)) != 0};
  bench_scene *scenes = NULL;
  size_t scene_count = 0;
  clrt_status status = clrt_faults_from_environment(&b.faults, err);
  if (status == CLRT_OK)
    status = load_scenes(options, &scenes, &scene_count, err);
  if (status == CLRT_OK)
    status = clrt_devices_choose(options->device_spec, &b.devices, &b.device_count, err);
  for (size_t i = 0; status == CLRT_OK && i < scene_count; ++i) {
    status = bench_host_baselines(&b, &scenes[i], err);
    if (status == CLRT_OK)
      status = bench_scene_on_devices(&b, &scenes[i], err);
    if (status == CLRT_OK) /* a frame cut short measured nothing */
      status = clrt_stop_check("benchmarking", err);
  }
  if (status == CLRT_OK && options->tile_sweep)
    status = bench_pick_tilings(&b, scene_count, err);
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
