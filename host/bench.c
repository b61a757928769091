/* clrt bench: scenes, devices, frames, the host baseline, image checks and
 * the tile sweep. Reports are in bench_report.c and bench_chart.c. */
#include "clrt_bench.h"

#include <omp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clrt_array.h"
#include "clrt_clock.h"
#include "clrt_devices.h"
#include "clrt_flatten.h"
#include "clrt_hash.h"
#include "clrt_image.h"
#include "clrt_reference.h"
#include "clrt_render.h"
#include "clrt_scheduler.h"
#include "clrt_session.h"
#include "clrt_tile_choice.h"

/* Frames stop here even if --min-time asks for more (a tiny scene). */
#define CLRT_BENCH_MAX_FRAMES 2000u
/* Frames per tiling in the sweep, after one warm-up frame. */
#define CLRT_SWEEP_RUNS 3u
/* Square tile sides the sweep tries besides strips. */
static const unsigned SWEEP_SQUARES[] = {16, 32, 64, 128, 256};
/* The progress line is redrawn at most this often. */
#define CLRT_BENCH_PROGRESS_MS 250.0
/* Image check: the tests' tolerance (at most 0.1% of channels off by more
 * than one level, none by more than 4). */
#define CLRT_CHECK_LARGE_FRACTION 0.001
#define CLRT_CHECK_MAX_DIFF 4

typedef struct bench_scene {
  char name[64];
  char hash[17];
  clrt_scene scene;
  clrt_render_params params;
  uint8_t *reference_rgb; /* the host reference's picture */
  uint8_t *first_rgb;     /* the first device's picture */
  double host_mrays;      /* the one-thread host baseline */
} bench_scene;

typedef struct bench_context {
  const clrt_bench_options *options;
  clrt_bench_results *results;
  FILE *log;
  bool progress;
  double progress_drawn_ms;
  clrt_device *devices;
  size_t device_count;
} bench_context;

/* ---- small helpers ---- */

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static clrt_stats stats_of(double *values, size_t count) {
  clrt_stats s = {0, 0, 0};
  if (count == 0)
    return s;
  qsort(values, count, sizeof *values, compare_doubles);
  s.min = values[0];
  s.max = values[count - 1];
  s.median = count % 2 ? values[count / 2] : (values[count / 2 - 1] + values[count / 2]) / 2.0;
  return s;
}

static void progress(bench_context *b, const char *format, ...) __attribute__((format(printf, 2, 3)));
static void progress(bench_context *b, const char *format, ...) {
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

static void progress_clear(bench_context *b) {
  if (b->progress)
    fputs("\r\033[K", b->log);
}

static clrt_bench_record *new_record(clrt_bench_results *r) {
  clrt_bench_record *grown =
      clrt_array_reserve(r->records, &r->record_capacity, r->record_count + 1, sizeof *r->records);
  if (!grown)
    return NULL;
  r->records = grown;
  clrt_bench_record *record = &r->records[r->record_count++];
  memset(record, 0, sizeof *record);
  return record;
}

static void add_baseline(clrt_bench_results *r, const clrt_host_baseline *baseline) {
  clrt_host_baseline *grown =
      clrt_array_reserve(r->baselines, &r->baseline_capacity, r->baseline_count + 1, sizeof *r->baselines);
  if (!grown)
    return;
  r->baselines = grown;
  r->baselines[r->baseline_count++] = *baseline;
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

static clrt_status parse_scene(const char *name, const char *source, const char *text, bench_scene *out,
                               clrt_error *err) {
  memset(out, 0, sizeof *out);
  snprintf(out->name, sizeof out->name, "%s", name);
  snprintf(out->hash, sizeof out->hash, "%016llx",
           (unsigned long long)clrt_hash_bytes(CLRT_HASH_START, text, strlen(text)));
  clrt_status status = clrt_scene_parse(text, source, &out->scene, err);
  if (status == CLRT_OK)
    out->params = clrt_flatten_params(&out->scene);
  return status;
}

static clrt_status load_scene_file(const char *path, bench_scene *out, clrt_error *err) {
  FILE *file = fopen(path, "rb");
  if (!file)
    return clrt_fail(err, CLRT_ERR_INPUT, "%s: cannot open the scene file", path);
  fseek(file, 0, SEEK_END);
  long length = ftell(file);
  fseek(file, 0, SEEK_SET);
  char *text = malloc(length > 0 ? (size_t)length + 1 : 1);
  size_t got = text ? fread(text, 1, length > 0 ? (size_t)length : 0, file) : 0;
  fclose(file);
  if (!text)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory reading %s", path);
  text[got] = '\0';
  char name[64];
  name_from_path(path, name, sizeof name);
  clrt_status status = parse_scene(name, path, text, out, err);
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
                                              : parse_scene(clrt_builtin_suite[i].name, clrt_builtin_suite[i].name,
                                                            clrt_builtin_suite[i].text, &(*scenes)[i], err);
    if (status != CLRT_OK)
      return status;
  }
  return CLRT_OK;
}

static void free_scenes(bench_scene *scenes, size_t count) {
  for (size_t i = 0; scenes && i < count; ++i) {
    clrt_scene_free(&scenes[i].scene);
    free(scenes[i].reference_rgb);
    free(scenes[i].first_rgb);
  }
  free(scenes);
}

static size_t pixel_count(const bench_scene *s) { return (size_t)s->params.width * s->params.height; }

static uint8_t *tonemapped(const bench_scene *s, const clrt_float4 *framebuffer) {
  uint8_t *rgb = malloc(pixel_count(s) * 3);
  if (rgb)
    clrt_tonemap(framebuffer, pixel_count(s), &s->scene.image.tone, rgb);
  return rgb;
}

/* ---- host baseline ---- */

static void host_run(bench_context *b, bench_scene *s, clrt_float4 *framebuffer, int threads) {
  progress(b, "%s on the host, %d thread(s)", s->name, threads);
  double start = clrt_now_ms();
  uint64_t rays = clrt_reference_render_threads(&s->scene, &s->params, framebuffer, threads);
  clrt_host_baseline baseline = {.threads = threads, .ms = clrt_now_ms() - start, .rays = rays};
  snprintf(baseline.scene, sizeof baseline.scene, "%s", s->name);
  baseline.mrays = baseline.ms > 0 ? (double)rays / baseline.ms / 1e3 : 0.0;
  add_baseline(b->results, &baseline);
  if (threads == 1)
    s->host_mrays = baseline.mrays;
}

/* The reference renderer on one thread (also the picture every device is
 * checked against) and on all cores. */
static void host_baselines(bench_context *b, bench_scene *s) {
  clrt_float4 *framebuffer = malloc(pixel_count(s) * sizeof *framebuffer);
  if (!framebuffer)
    return;
  host_run(b, s, framebuffer, 1);
  s->reference_rgb = tonemapped(s, framebuffer);
  int cores = omp_get_num_procs();
  if (cores > 1)
    host_run(b, s, framebuffer, cores);
  free(framebuffer);
}

/* ---- image checks ---- */

/* Empty when a and b are within tolerance, else what differs. */
static void compare_images(const uint8_t *a, const uint8_t *b, size_t channels, const char *against, char *out,
                           size_t size) {
  size_t large = 0;
  int worst = 0;
  for (size_t i = 0; i < channels; ++i) {
    int d = abs((int)a[i] - (int)b[i]);
    large += d > 1;
    worst = d > worst ? d : worst;
  }
  out[0] = '\0';
  if (worst > CLRT_CHECK_MAX_DIFF || (double)large > CLRT_CHECK_LARGE_FRACTION * (double)channels)
    snprintf(out, size, "differs from %s: %zu of %zu channels off by more than 1 level, worst %d", against, large,
             channels, worst);
}

static void check_picture(bench_scene *s, const uint8_t *rgb, clrt_bench_record *record) {
  char problem[CLRT_BENCH_TEXT] = "";
  size_t channels = pixel_count(s) * 3;
  if (s->reference_rgb)
    compare_images(rgb, s->reference_rgb, channels, "the host reference", problem, sizeof problem);
  if (!problem[0] && s->first_rgb)
    compare_images(rgb, s->first_rgb, channels, "the first device", problem, sizeof problem);
  record->scored = problem[0] == '\0';
  snprintf(record->check, sizeof record->check, "%s", record->scored ? "ok" : problem);
}

/* ---- measuring frames ---- */

static void describe_device(const clrt_device *device, clrt_bench_record *record) {
  snprintf(record->device, sizeof record->device, "%s", device->name);
  clrt_device_label(device, record->device_label, sizeof record->device_label);
  snprintf(record->device_type, sizeof record->device_type, "%s", clrt_device_type_name(device->type));
  cl_uint units = 0;
  clGetDeviceInfo(device->id, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof units, &units, NULL);
  record->compute_units = units;
  snprintf(record->platform, sizeof record->platform, "%s", device->platform_name);
  if (clGetDeviceInfo(device->id, CL_DRIVER_VERSION, sizeof record->driver - 1, record->driver, NULL) != CL_SUCCESS)
    snprintf(record->driver, sizeof record->driver, "?");
}

static void describe_scene(const bench_scene *s, clrt_bench_record *record) {
  snprintf(record->scene, sizeof record->scene, "%s", s->name);
  snprintf(record->scene_hash, sizeof record->scene_hash, "%s", s->hash);
  record->width = s->params.width;
  record->height = s->params.height;
  record->samples = s->params.samples;
  record->samples_per_frame = (double)pixel_count(s) * s->params.samples;
}

/* Per-frame figures, and the last frame's framebuffer. */
typedef struct frame_log {
  double *mrays, *msamples, *frame_ms, *kernel_ms;
  unsigned count;
  uint64_t rays;
} frame_log;

/* Renders one frame; false (with record->check set) when tiles went missing. */
static bool render_one(clrt_session *const *sessions, size_t count, const bench_scene *s,
                       const clrt_render_setup *setup, clrt_float4 *framebuffer, clrt_bench_record *record,
                       frame_log *frames) {
  clrt_render_result result;
  clrt_error err;
  double start = clrt_now_ms();
  clrt_status status = clrt_render_frame(sessions, count, &s->params, setup, framebuffer, &result, &err);
  double wall_ms = clrt_now_ms() - start;
  bool complete = status == CLRT_OK && result.missing_count == 0;
  if (!complete) {
    const char *why = status != CLRT_OK ? err.message : result.devices[0].last_error.message;
    snprintf(record->check, sizeof record->check, "device failed: %.230s", why);
  } else if (frames) {
    double kernel_ms = 0;
    for (size_t i = 0; i < result.device_count; ++i)
      kernel_ms += result.devices[i].busy_ms;
    unsigned k = frames->count++;
    frames->rays = result.rays;
    frames->frame_ms[k] = wall_ms;
    frames->kernel_ms[k] = kernel_ms;
    frames->mrays[k] = (double)result.rays / wall_ms / 1e3;
    frames->msamples[k] = record->samples_per_frame / wall_ms / 1e3;
  }
  if (status == CLRT_OK)
    clrt_render_result_free(&result);
  return complete;
}

static bool frame_log_init(frame_log *frames, unsigned capacity) {
  memset(frames, 0, sizeof *frames);
  frames->mrays = calloc(capacity, sizeof(double));
  frames->msamples = calloc(capacity, sizeof(double));
  frames->frame_ms = calloc(capacity, sizeof(double));
  frames->kernel_ms = calloc(capacity, sizeof(double));
  return frames->mrays && frames->msamples && frames->frame_ms && frames->kernel_ms;
}

static void frame_log_free(frame_log *frames) {
  free(frames->mrays);
  free(frames->msamples);
  free(frames->frame_ms);
  free(frames->kernel_ms);
}

static void summarise_frames(frame_log *frames, clrt_bench_record *record) {
  record->frames = frames->count;
  record->rays = frames->rays;
  record->mrays = stats_of(frames->mrays, frames->count);
  record->msamples = stats_of(frames->msamples, frames->count);
  record->frame_ms = stats_of(frames->frame_ms, frames->count);
  record->kernel_ms = stats_of(frames->kernel_ms, frames->count);
  record->spread_percent =
      record->mrays.median > 0 ? 100.0 * (record->mrays.max - record->mrays.min) / record->mrays.median : 0.0;
}

typedef struct frame_plan {
  unsigned warmup, runs;
  double min_time_s;
} frame_plan;

/* Warm-up frames, then timed frames until both the run count and the
 * minimum time are reached; the last frame stays in `framebuffer`. */
static bool run_frames(bench_context *b, clrt_session *const *sessions, size_t count, const bench_scene *s,
                       const clrt_render_setup *setup, frame_plan plan, clrt_float4 *framebuffer,
                       clrt_bench_record *record) {
  frame_log frames;
  bool ok = frame_log_init(&frames, CLRT_BENCH_MAX_FRAMES);
  for (unsigned i = 0; ok && i < plan.warmup; ++i) {
    progress(b, "%s on %s (%s): warm-up", s->name, record->device_label, record->tiling);
    ok = render_one(sessions, count, s, setup, framebuffer, record, NULL);
  }
  double start = clrt_now_ms();
  while (ok && frames.count < CLRT_BENCH_MAX_FRAMES &&
         (frames.count < plan.runs || clrt_now_ms() - start < plan.min_time_s * 1e3)) {
    progress(b, "%s on %s (%s): frame %u", s->name, record->device_label, record->tiling, frames.count + 1);
    ok = render_one(sessions, count, s, setup, framebuffer, record, &frames);
  }
  if (ok)
    summarise_frames(&frames, record);
  frame_log_free(&frames);
  return ok;
}

static void setup_for(bench_context *b, const clrt_tile_plan *plan, clrt_progress *quiet, clrt_render_setup *setup) {
  clrt_progress_init(quiet, b->log, false, 0);
  *setup = (clrt_render_setup){plan, CLRT_DEFAULT_TILE_TIMEOUT_S * 1e3, quiet, b->log, NULL, b->options->fast_math};
}

/* The tiling clrt render would use on this device alone. */
static void default_tiling(const clrt_device *device, const bench_scene *s, clrt_tile_plan *plan, char *name,
                           size_t size) {
  clrt_tile_choice choice;
  clrt_error err;
  unsigned w = s->params.width, h = s->params.height;
  bool stored = clrt_tile_choice_load(device, &choice);
  if (stored && choice.strips) {
    clrt_tile_choice_plan(&choice, w, h, plan, &err);
    snprintf(name, size, "strips:%zu", plan->count);
    return;
  }
  unsigned tw = stored ? choice.tile_width : CLRT_DEFAULT_TILE_SIDE;
  unsigned th = stored ? choice.tile_height : CLRT_DEFAULT_TILE_SIDE;
  clrt_tiles_grid(w, h, tw, th, plan, &err);
  snprintf(name, size, "%ux%u", tw, th);
}

/* One device alone on one tiling: a record in the results. */
static clrt_bench_record *measure(bench_context *b, clrt_session *session, bench_scene *s, const clrt_tile_plan *plan,
                                  const char *tiling, frame_plan frames, bool sweep, clrt_float4 *framebuffer) {
  clrt_bench_record *record = new_record(b->results);
  if (!record)
    return NULL;
  describe_scene(s, record);
  describe_device(session->device, record);
  snprintf(record->tiling, sizeof record->tiling, "%s", tiling);
  record->tile_count = plan->count;
  record->sweep = sweep;
  record->build_ms = session->build_ms;
  record->build_cached = session->build.from_cache;
  record->upload_ms = session->upload_ms;
  clrt_progress quiet;
  clrt_render_setup setup;
  setup_for(b, plan, &quiet, &setup);
  if (run_frames(b, &session, 1, s, &setup, frames, framebuffer, record)) {
    uint8_t *rgb = tonemapped(s, framebuffer);
    if (rgb) {
      check_picture(s, rgb, record);
      if (!s->first_rgb && record->scored)
        s->first_rgb = rgb;
      else
        free(rgb);
    }
    record->speedup_vs_host = s->host_mrays > 0 ? record->mrays.median / s->host_mrays : 0.0;
  }
  clrt_progress_destroy(&quiet);
  return record;
}

/* A device whose program would not build: marked, and the others go on. */
static void record_failure(bench_context *b, const clrt_device *device, const bench_scene *s, const clrt_error *err) {
  clrt_bench_record *record = new_record(b->results);
  if (!record)
    return;
  describe_scene(s, record);
  describe_device(device, record);
  snprintf(record->tiling, sizeof record->tiling, "-");
  snprintf(record->check, sizeof record->check, "failed: %.230s", err->message);
}

/* ---- the tile sweep ---- */

/* Strips from 1 to one per row (doubling), then a few squares. */
static void sweep_device(bench_context *b, clrt_session *session, bench_scene *s, clrt_float4 *framebuffer) {
  frame_plan frames = {1, CLRT_SWEEP_RUNS, 0.0};
  unsigned width = s->params.width, height = s->params.height;
  clrt_error err;
  for (unsigned strips = 1;; strips = strips * 2 < height ? strips * 2 : height) {
    clrt_tile_plan plan;
    char name[32];
    snprintf(name, sizeof name, "strips:%u", strips);
    if (clrt_tiles_strips(width, height, strips, &plan, &err) == CLRT_OK) {
      measure(b, session, s, &plan, name, frames, true, framebuffer);
      clrt_tiles_free(&plan);
    }
    if (strips == height)
      break;
  }
  for (size_t i = 0; i < sizeof SWEEP_SQUARES / sizeof SWEEP_SQUARES[0]; ++i) {
    clrt_tile_plan plan;
    char name[32];
    snprintf(name, sizeof name, "%ux%u", SWEEP_SQUARES[i], SWEEP_SQUARES[i]);
    if (clrt_tiles_grid(width, height, SWEEP_SQUARES[i], SWEEP_SQUARES[i], &plan, &err) == CLRT_OK) {
      measure(b, session, s, &plan, name, frames, true, framebuffer);
      clrt_tiles_free(&plan);
    }
  }
}

/* The largest tile a tiling gives on a record's image, in pixels. */
static size_t largest_tile(const clrt_bench_record *record) {
  clrt_tile_choice choice;
  if (!clrt_tile_choice_parse(record->tiling, &choice))
    return 0;
  if (choice.strips)
    return (size_t)record->width * ((record->height + choice.strips - 1) / choice.strips);
  size_t w = choice.tile_width < record->width ? choice.tile_width : record->width;
  size_t h = choice.tile_height < record->height ? choice.tile_height : record->height;
  return w * h;
}

/* Whether one enqueue of this tiling stays under the watchdog limit. */
static bool fits_watchdog(const clrt_bench_record *record, double max_enqueue_ms) {
  if (record->frame_ms.median <= 0)
    return true;
  double pixels_per_ms = (double)record->width * record->height / record->kernel_ms.median;
  return (double)largest_tile(record) <= pixels_per_ms * max_enqueue_ms;
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
    if (!record->sweep || !record->scored || strcmp(record->device_label, label) || strcmp(record->tiling, tiling))
      continue;
    if (watchdog && !fits_watchdog(record, max_enqueue_ms))
      return -1.0;
    double best = 0.0;
    for (size_t j = 0; j < r->record_count; ++j)
      if (r->records[j].sweep && !strcmp(r->records[j].device_label, label) &&
          !strcmp(r->records[j].scene, record->scene) && r->records[j].mrays.median > best)
        best = r->records[j].mrays.median;
    sum += best > 0 ? record->mrays.median / best : 0.0;
    ++found;
  }
  return found == scene_count ? sum / (double)found : -1.0;
}

/* The device's best tiling from the sweep, stored for clrt render. */
static void pick_tiling(bench_context *b, const clrt_device *device, size_t scene_count) {
  clrt_bench_results *r = b->results;
  char label[16];
  clrt_device_label(device, label, sizeof label);
  bool watchdog = (device->type & CL_DEVICE_TYPE_GPU) != 0;
  clrt_tile_pick pick = {.mrays = -1.0};
  double best_unlimited = -1.0;
  for (size_t i = 0; i < r->record_count; ++i) {
    const clrt_bench_record *record = &r->records[i];
    if (!record->sweep || strcmp(record->device_label, label))
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
    return;
  pick.capped = best_unlimited > pick.mrays;
  snprintf(pick.device_label, sizeof pick.device_label, "%s", label);
  snprintf(pick.device, sizeof pick.device, "%s", device->name);
  clrt_error err;
  if (clrt_tile_choice_store(device, pick.tiling, r->tile_choice_path, sizeof r->tile_choice_path, &err) != CLRT_OK)
    fprintf(b->log, "clrt: warning: %s\n", err.message);
  clrt_tile_pick *grown = clrt_array_reserve(r->picks, &r->pick_capacity, r->pick_count + 1, sizeof *r->picks);
  if (!grown)
    return;
  r->picks = grown;
  r->picks[r->pick_count++] = pick;
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

static void measure_combined(bench_context *b, clrt_session **sessions, size_t count, bench_scene *s,
                             clrt_float4 *framebuffer) {
  clrt_bench_record *record = new_record(b->results);
  if (!record)
    return;
  describe_scene(s, record);
  snprintf(record->device, sizeof record->device, "%zu devices together", count);
  snprintf(record->device_label, sizeof record->device_label, "all");
  snprintf(record->device_type, sizeof record->device_type, "mixed");
  snprintf(record->tiling, sizeof record->tiling, "guided");
  for (size_t i = 0; i < count; ++i) {
    cl_uint units = 0;
    clGetDeviceInfo(sessions[i]->device->id, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof units, &units, NULL);
    record->compute_units += units;
    record->build_ms += sessions[i]->build_ms;
    record->upload_ms += sessions[i]->upload_ms;
  }
  clrt_progress quiet;
  clrt_render_setup setup;
  setup_for(b, NULL, &quiet, &setup);
  frame_plan frames = {b->options->warmup, b->options->runs, b->options->min_time_s};
  if (run_frames(b, sessions, count, s, &setup, frames, framebuffer, record)) {
    uint8_t *rgb = tonemapped(s, framebuffer);
    if (rgb)
      check_picture(s, rgb, record);
    free(rgb);
    double summed = solo_median_sum(b->results, s->name);
    record->scaling_efficiency = summed > 0 ? record->mrays.median / summed : 0.0;
    record->speedup_vs_host = s->host_mrays > 0 ? record->mrays.median / s->host_mrays : 0.0;
  }
  clrt_progress_destroy(&quiet);
}

/* ---- the whole run ---- */

/* Tiles the sessions must hold: each device's default tiling, the whole
 * image for the sweep's single strip, and guided strips for all devices
 * together. */
static size_t tile_capacity(const bench_context *b, const bench_scene *s) {
  size_t needed = 0;
  for (size_t i = 0; i < b->device_count; ++i) {
    clrt_tile_plan plan;
    char tiling[32];
    default_tiling(&b->devices[i], s, &plan, tiling, sizeof tiling);
    size_t largest = (size_t)plan.max_width * plan.max_height;
    needed = largest > needed ? largest : needed;
    clrt_tiles_free(&plan);
  }
  if (b->options->tile_sweep)
    needed = pixel_count(s);
  size_t guided = clrt_scheduler_guided_max_pixels(s->params.width, s->params.height);
  if (b->device_count > 1 && guided > needed)
    needed = guided;
  return needed;
}

static void open_sessions(bench_context *b, bench_scene *s, clrt_session **open, size_t *open_count) {
  size_t capacity = tile_capacity(b, s);
  *open_count = 0;
  for (size_t i = 0; i < b->device_count; ++i) {
    clrt_error err;
    progress(b, "%s: building for %s", s->name, b->devices[i].name);
    clrt_session *session =
        clrt_session_create(&b->devices[i], &s->scene, &s->params, capacity, b->options->fast_math, b->log, &err);
    if (!session) {
      progress_clear(b);
      fprintf(b->log, "clrt: warning: %s; going on without it\n", err.message);
      record_failure(b, &b->devices[i], s, &err);
      continue;
    }
    open[(*open_count)++] = session;
  }
}

static void bench_scene_on_devices(bench_context *b, bench_scene *s, clrt_float4 *framebuffer) {
  clrt_session **open = calloc(b->device_count, sizeof *open);
  size_t open_count = 0;
  if (open)
    open_sessions(b, s, open, &open_count);
  frame_plan frames = {b->options->warmup, b->options->runs, b->options->min_time_s};
  for (size_t i = 0; i < open_count; ++i) {
    clrt_tile_plan plan;
    char tiling[32];
    default_tiling(open[i]->device, s, &plan, tiling, sizeof tiling);
    measure(b, open[i], s, &plan, tiling, frames, false, framebuffer);
    clrt_tiles_free(&plan);
  }
  for (size_t i = 0; b->options->tile_sweep && i < open_count; ++i)
    sweep_device(b, open[i], s, framebuffer);
  if (open_count > 1)
    measure_combined(b, open, open_count, s, framebuffer);
  for (size_t i = 0; i < open_count; ++i)
    clrt_session_destroy(open[i]);
  free(open);
}

static clrt_status choose_bench_devices(bench_context *b, clrt_error *err) {
  clrt_device_list list;
  clrt_status status = clrt_devices_discover(&list, err);
  if (status != CLRT_OK)
    return status;
  status = clrt_devices_select_many(&list, b->options->device_spec, &b->devices, &b->device_count, err);
  clrt_devices_free(&list);
  return status;
}

clrt_status clrt_bench_run(const clrt_bench_options *options, FILE *log, clrt_bench_results *results, clrt_error *err) {
  memset(results, 0, sizeof *results);
  results->options = *options;
  clrt_machine_facts_read(&results->machine);
  bench_context b = {.options = options, .results = results, .log = log, .progress = isatty(fileno(log)) != 0};
  bench_scene *scenes = NULL;
  size_t scene_count = 0;
  clrt_status status = load_scenes(options, &scenes, &scene_count, err);
  if (status == CLRT_OK)
    status = choose_bench_devices(&b, err);
  for (size_t i = 0; status == CLRT_OK && i < scene_count; ++i) {
    clrt_float4 *framebuffer = malloc(pixel_count(&scenes[i]) * sizeof *framebuffer);
    if (!framebuffer) {
      status = clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory for %s's framebuffer", scenes[i].name);
      break;
    }
    host_baselines(&b, &scenes[i]);
    bench_scene_on_devices(&b, &scenes[i], framebuffer);
    free(framebuffer);
  }
  for (size_t i = 0; status == CLRT_OK && options->tile_sweep && i < b.device_count; ++i)
    pick_tiling(&b, &b.devices[i], scene_count);
  progress_clear(&b);
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
