/* `clrt render`: read and flatten the scene (the root, which sends it to
 * the others), choose devices and tiling, open the film and the output
 * file, render one frame, write the picture, summarise. */
#include "clrt_commands.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clrt_clock.h"
#include "clrt_cluster.h"
#include "clrt_denoise.h"
#include "clrt_file.h"
#include "clrt_image.h"
#include "clrt_integrator.h"
#include "clrt_png.h"
#include "clrt_render_job.h"
#include "clrt_render_summary.h"
#include "clrt_revision.h" /* generated at build time */
#include "clrt_stop.h"

/* How many missing tiles an error message lists before "and N more". */
enum { LISTED_MISSING_TILES = 4 };

static bool progressive(const clrt_options *options) { return options->time_s > 0.0 || options->noise > 0.0; }

static bool sums_exactly(const clrt_render_job *job) {
  return CLRT_INTEGRATOR_SUMS_EXACTLY(job->scene.params.integrator);
}

/* Progressive passes replace the scene's samples: they go on up to
 * --samples, or the most a pixel may take. */
static void apply_overrides(const clrt_options *options, clrt_scene *scene) {
  if (options->width.set)
    scene->image.width = options->width.value;
  if (options->height.set)
    scene->image.height = options->height.value;
  if (progressive(options))
    scene->sampling.samples = options->samples.set ? options->samples.value : CLRT_MAX_SAMPLES;
  else if (options->samples.set)
    scene->sampling.samples = options->samples.value;
  if (options->max_depth.set)
    scene->sampling.max_depth = options->max_depth.value;
}

/* Whether a Whitted picture has noise at all: from soft shadows (several
 * shadow rays to a sphere light), ambient occlusion or an aperture.
 * Otherwise each pixel is a fixed set of rays, and there is nothing for
 * a denoiser to take away but detail. */
static bool whitted_has_noise(const clrt_flat_scene *flat) {
  const clrt_trace_params *params = &flat->params;
  bool sphere_light = false;
  for (size_t i = 0; i < flat->lights_count; ++i)
    sphere_light = sphere_light || flat->lights[i].radius > 0.0f;
  return (params->shadows && sphere_light && params->shadow_samples > 1) ||
         params->integrator_params.whitted.occlusion_rays > 0 || params->camera.unit_u.w > 0.0f;
}

/* --denoise is refused where the picture has no noise (docs/finishing.md). */
static clrt_status check_denoise(const clrt_render_job *job, clrt_error *err) {
  if (!job->options->denoise || job->scene.params.integrator != CLRT_INTEGRATOR_whitted ||
      whitted_has_noise(&job->scene))
    return CLRT_OK;
  return clrt_fail(err, CLRT_ERR_INPUT,
                   "%s: --denoise: this Whitted picture has no noise to remove (no soft shadows, ambient occlusion "
                   "or aperture); drop --denoise, or set image.integrator to \"path\"",
                   job->options->scene_path);
}

/* The SHA-256 of the scene file, which the picture's notes name. */
static clrt_status hash_scene_file(clrt_render_job *job, clrt_error *err) {
  char *text = NULL;
  size_t size = 0;
  clrt_status status = clrt_file_read(job->options->scene_path, "the scene", &text, &size, err);
  if (status == CLRT_OK)
    clrt_sha256_hex(text, size, job->scene_sha256);
  free(text);
  return status;
}

/* Reads the scene and flattens it, with the command line's overrides. */
static clrt_status load_scene(clrt_render_job *job, clrt_error *err) {
  clrt_scene scene;
  clrt_status status = clrt_scene_load(job->options->scene_path, &scene, err);
  if (status != CLRT_OK)
    return status;
  apply_overrides(job->options, &scene);
  job->image = scene.image;
  if (progressive(job->options) && !CLRT_INTEGRATOR_SUMS_EXACTLY(scene.sampling.integrator)) {
    clrt_scene_free(&scene);
    return clrt_fail(err, CLRT_ERR_INPUT,
                     "%s: %s needs the path integrator (set image.integrator to \"path\"): Whitted's samples are "
                     "stratified over a number fixed in advance",
                     job->options->scene_path, job->options->time_s > 0.0 ? "--time" : "--noise");
  }
  status = clrt_flatten(&scene, &job->scene, err);
  clrt_scene_free(&scene);
  if (status == CLRT_OK)
    status = check_denoise(job, err);
  return status == CLRT_OK ? hash_scene_file(job, err) : status;
}

/* The root reads the scene and flattens it; in a cluster, it sends the
 * flat scene to the others (clrt_cluster.h says why). */
static clrt_status load_and_share_scene(clrt_render_job *job, clrt_error *err) {
  clrt_status status = job->root ? clrt_image_check_output(job->options->output_path, err) : CLRT_OK;
  if (status == CLRT_OK)
    status = clrt_faults_from_environment(&job->faults, err);
  if (status == CLRT_OK && job->root)
    status = load_scene(job, err);
  status = clrt_cluster_agree(status, err);
  double start = clrt_now_ms();
  if (status == CLRT_OK)
    status = clrt_cluster_share_scene(&job->scene, &job->image, err);
  job->share_ms = clrt_now_ms() - start;
  if (status == CLRT_OK)
    status = clrt_stop_check("reading the scene", err);
  return clrt_cluster_agree(status, err);
}

/* The user's tiling, or the default one (clrt_tiling.h); in a cluster,
 * guided strips, as on several devices (every process chooses the same). */
static clrt_tiling choose_tiling(const clrt_render_job *job) {
  const clrt_options *options = job->options;
  if (options->strip_count)
    return (clrt_tiling){.strips = options->strip_count};
  if (options->tile_width)
    return (clrt_tiling){.tile_width = options->tile_width, .tile_height = options->tile_height};
  if (clrt_cluster_size() > 1)
    return (clrt_tiling){.guided = true};
  return clrt_tiling_default(job->devices, job->device_count, stderr);
}

/* The film and the output file come before the render: running out of
 * memory fails at once, not after the whole picture, and a PNG is
 * compressed while the picture renders. */
static clrt_status open_destination(const clrt_render_job *job, clrt_render_destination *destination, clrt_error *err) {
  clrt_film_kind kind = job->linear ? CLRT_FILM_LINEAR : CLRT_FILM_LEVELS;
  clrt_status status =
      clrt_film_init(&destination->film, job->image.width, job->image.height, kind, job->scene.tone_levels, err);
  if (status == CLRT_OK && job->progressive)
    status = clrt_film_keep_sums(&destination->film, err);
  else if (status == CLRT_OK && sums_exactly(job))
    clrt_film_develop_on_arrival(&destination->film, job->scene.params.samples);
  if (status == CLRT_OK && job->options->denoise && sums_exactly(job))
    status = clrt_film_keep_variance(&destination->film, err);
  if (status == CLRT_OK && job->wants_aux)
    status = clrt_film_init(&destination->aux, job->image.width, job->image.height, CLRT_FILM_AUX,
                            job->scene.tone_levels, err);
  const clrt_options *options = job->options;
  clrt_png_settings png = {options->png_level.set ? (int)options->png_level.value : CLRT_PNG_DEFAULT_LEVEL,
                           (int)sysconf(_SC_NPROCESSORS_ONLN), clrt_stop_flag(), options->png_16 ? 16u : 8u};
  if (status == CLRT_OK)
    status = clrt_output_open(options->output_path, &png, &destination->output, err);
  /* A progressive picture is developed at the end: nothing to stream. */
  if (status != CLRT_OK || job->progressive)
    return status;
  return clrt_film_stream_to(&destination->film, destination->output, err);
}

/* Everything that decides a pixel, for the checkpoint to name its render:
 * the flat scene, the options that change pixels beyond it, and the
 * build (another build's kernels may compute other bytes). */
static void identify_render(const clrt_render_job *job, uint8_t identity[CLRT_CHECKPOINT_IDENTITY_BYTES]) {
  struct {
    uint32_t fast_math, progressive, linear, pad;
    double time_s, noise;
  } terms;
  memset(&terms, 0, sizeof terms);
  terms.fast_math = job->options->fast_math;
  terms.progressive = job->progressive;
  terms.linear = job->linear;
  terms.time_s = job->options->time_s;
  terms.noise = job->options->noise;
  const clrt_flat_scene *flat = &job->scene;
  static const char build[] = CLRT_VERSION " " CLRT_GIT_REVISION;
#define CLRT_ARRAY_PART(type, name, space) {flat->name, flat->name##_count * sizeof(type)},
  clrt_identity_part parts[] = {{build, sizeof build},
                                {&terms, sizeof terms},
                                {&flat->params, sizeof flat->params},
                                CLRT_FLAT_ARRAYS(CLRT_ARRAY_PART)};
#undef CLRT_ARRAY_PART
  clrt_checkpoint_identify(parts, sizeof parts / sizeof parts[0], identity);
}

/* Resuming a render in one go: the checkpoint's tiles into the film, and
 * the frame's tiles cut down to what they leave (guided strips, which
 * are cut while rendering, become a grid of the default tile). */
static clrt_status resume_tiles(clrt_render_job *job, clrt_render_destination *destination, clrt_error *err) {
  clrt_status status = clrt_checkpoint_restore_tiles(destination->checkpoint, &destination->film, &job->resumed_pixels,
                                                     &job->dropped_bytes, err);
  clrt_tile_plan cut = {0}, missing;
  if (status == CLRT_OK && job->frame.guided)
    status =
        clrt_tiles_grid(job->image.width, job->image.height, CLRT_DEFAULT_TILE_SIDE, CLRT_DEFAULT_TILE_SIDE, &cut, err);
  if (status == CLRT_OK)
    status = clrt_checkpoint_missing_plan(destination->checkpoint, job->frame.guided ? &cut : &job->frame.plan,
                                          &missing, err);
  clrt_tiles_free(&cut);
  if (status != CLRT_OK)
    return status;
  clrt_tiles_free(&job->frame.plan);
  job->frame.plan = missing;
  job->frame.guided = false;
  return CLRT_OK;
}

/* The root's checkpoint, started or resumed; the film follows it. */
static clrt_status open_checkpoint(clrt_render_job *job, clrt_render_destination *destination, clrt_error *err) {
  clrt_checkpoint_render render = {
      job->progressive ? CLRT_CHECKPOINT_PASSES : CLRT_CHECKPOINT_TILES, {0}, &destination->film};
  identify_render(job, render.identity);
  const char *path = job->options->checkpoint_path;
  clrt_status status = job->options->resume ? clrt_checkpoint_open(path, &render, &destination->checkpoint, err)
                                            : clrt_checkpoint_create(path, &render, &destination->checkpoint, err);
  if (status == CLRT_OK && job->options->resume && !job->progressive)
    status = resume_tiles(job, destination, err);
  if (status == CLRT_OK && !job->progressive)
    clrt_checkpoint_follow(destination->checkpoint, &destination->film);
  return status;
}

/* The auxiliary passes average the samples Whitted traces (stratified
 * over their number: all of them), or the path integrator's first
 * CLRT_AUX_MOST_SAMPLES at most (Sobol points: the first 2^k are spread
 * evenly over the pixel), since beyond the camera ray the passes have no
 * noise to average away (kernels/aux.c). */
#define CLRT_AUX_MOST_SAMPLES 64u
static unsigned aux_samples(const clrt_render_job *job) {
  unsigned samples = job->scene.params.samples;
  if (job->scene.params.integrator == CLRT_INTEGRATOR_whitted)
    return samples;
  return samples < CLRT_AUX_MOST_SAMPLES ? samples : CLRT_AUX_MOST_SAMPLES;
}

/* Devices, tiling and frame on every process (the frame's collectives are
 * called whatever befell the process: its status is agreed on after), and
 * the root's destination. */
static clrt_status prepare_job(clrt_render_job *job, clrt_render_destination *destination, clrt_error *err) {
  job->progressive = progressive(job->options);
  clrt_status status = clrt_devices_choose(job->options->device_spec, &job->devices, &job->device_count, err);
  for (size_t i = 0; status == CLRT_OK && i < job->device_count; ++i)
    status = clrt_program_check_arrays(&job->devices[i], clrt_flat_scene_bytes(&job->scene), job->options->array_memory,
                                       err);
  job->tiling = status == CLRT_OK ? choose_tiling(job) : (clrt_tiling){.guided = true};
  clrt_image_format format;
  if (status == CLRT_OK && (status = clrt_image_format_of(job->options->output_path, &format, err)) == CLRT_OK) {
    job->finish_on_host = !clrt_image_format_is_linear(format) && (job->options->denoise || job->options->png_16);
    job->linear = clrt_image_format_is_linear(format) || job->finish_on_host;
  }
  job->wants_aux = job->options->passes || job->options->denoise;
  job->aux_samples = aux_samples(job);
  clrt_error frame_err;
  clrt_status framed =
      clrt_frame_prepare(&job->frame, &job->tiling, job->image.width, job->image.height,
                         status == CLRT_OK ? (unsigned)job->device_count : 0, clrt_cluster_size() > 1, &frame_err);
  if (status == CLRT_OK && framed != CLRT_OK) {
    *err = frame_err;
    status = framed;
  }
  if (job->progressive) /* a pass's tiles are runs of regions, up to a device's largest */
    job->frame.max_tile_pixels = clrt_progressive_tile_pixels(job->image.width, job->image.height);
  if (status == CLRT_OK && job->root)
    status = open_destination(job, destination, err);
  if (status == CLRT_OK && job->root && job->options->checkpoint_path)
    status = open_checkpoint(job, destination, err);
  return status;
}

/* The bar (the root's, on a terminal), with each device's P:D, and in a
 * cluster each other process as r1, r2, ... */
static void start_progress(const clrt_render_job *job, FILE *log, clrt_progress *progress) {
  clrt_progress_init(progress, log, job->root && !job->options->quiet && isatty(fileno(log)),
                     (size_t)job->image.width * job->image.height - job->resumed_pixels);
  for (size_t i = 0; i < job->device_count; ++i) {
    char label[32];
    clrt_device_label(&job->devices[i], label, sizeof label);
    clrt_progress_label(progress, (unsigned)i, label);
  }
  for (int rank = 1; job->root && rank < clrt_cluster_size(); ++rank) {
    char label[16];
    snprintf(label, sizeof label, "r%d", rank);
    clrt_progress_label(progress, (unsigned)(job->device_count + (size_t)rank - 1), label);
  }
}

/* The form tiles come back in: an integrator that sums its samples
 * exactly sends the sums, which the film develops, so that one go and
 * passes make the same picture; the others' are tone-mapped (or linear)
 * on the device. */
static clrt_tile_form tile_form(const clrt_render_job *job) {
  if (sums_exactly(job))
    return CLRT_TILE_SUMS;
  return job->linear ? CLRT_TILE_LINEAR : CLRT_TILE_LEVELS;
}

static clrt_session_options session_options(const clrt_render_job *job, FILE *log) {
  const clrt_options *options = job->options;
  double timeout_s = options->tile_timeout_s ? options->tile_timeout_s : CLRT_DEFAULT_TILE_TIMEOUT_S;
  return (clrt_session_options){.max_tile_pixels = job->frame.max_tile_pixels,
                                .fast_math = options->fast_math,
                                .array_memory = options->array_memory,
                                .tile_form = tile_form(job),
                                .first_sample = 0u,
                                .sample_count = job->scene.params.samples,
                                .tile_timeout_ms = timeout_s * 1e3,
                                .faults = &job->faults,
                                .build_log = log};
}

static void list_missing(const clrt_frame_outcome *outcome, char *out, size_t size) {
  size_t used = 0;
  out[0] = '\0';
  for (size_t i = 0; i < outcome->missing_count && i < LISTED_MISSING_TILES && used < size; ++i) {
    const clrt_tile *t = &outcome->missing[i];
    used +=
        (size_t)snprintf(out + used, size - used, "%s(%u,%u %ux%u)", i ? ", " : "", t->x, t->y, t->width, t->height);
  }
  if (outcome->missing_count > LISTED_MISSING_TILES && used < size)
    snprintf(out + used, size - used, " and %zu more", outcome->missing_count - LISTED_MISSING_TILES);
}

/* One note of the picture's, printf-style, printable ASCII only. */
static void note(clrt_picture_notes *notes, const char *key, const char *format, ...) {
  if (notes->count == CLRT_PICTURE_NOTES)
    return;
  clrt_picture_note *n = &notes->items[notes->count++];
  snprintf(n->key, sizeof n->key, "%s", key);
  char text[sizeof n->value];
  va_list arguments;
  va_start(arguments, format);
  vsnprintf(text, sizeof text, format, arguments);
  va_end(arguments);
  clrt_printable(text, n->value, sizeof n->value);
}

/* The devices the root rendered on, and how many other processes. */
static void note_devices(const clrt_render_job *job, clrt_picture_notes *notes) {
  char list[sizeof notes->items[0].value] = "";
  size_t used = 0;
  for (size_t i = 0; i < job->device_count && used < sizeof list; ++i) {
    char title[CLRT_DEVICE_TITLE_SIZE];
    clrt_device_title(&job->devices[i], title, sizeof title);
    used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? "; " : "", title);
  }
  if (clrt_cluster_size() > 1)
    note(notes, "clrt.devices", "%s; and %d more process(es) under MPI", list, clrt_cluster_size() - 1);
  else
    note(notes, "clrt.devices", "%s", list);
}

/* What the picture says of how it was made: PNG tEXt chunks, EXR
 * attributes (docs/finishing.md lists them). */
static void describe_picture(const clrt_render_job *job, const clrt_passes_outcome *passes, clrt_picture_notes *notes) {
  notes->count = 0;
  note(notes, "Software", "clrt %s (%s)", CLRT_VERSION, CLRT_GIT_REVISION);
  note(notes, "clrt.scene", "%s", job->options->scene_path);
  note(notes, "clrt.scene-sha256", "%s", job->scene_sha256);
  note(notes, "clrt.integrator", "%s", clrt_integrator_of(job->scene.params.integrator)->name);
  if (job->progressive)
    note(notes, "clrt.samples", "%u to %u per pixel, %.1f on average (progressive)", passes->least_samples,
         passes->most_samples, passes->mean_samples);
  else
    note(notes, "clrt.samples", "%u per pixel", job->scene.params.samples);
  note(notes, "clrt.denoised", "%s", job->options->denoise ? "yes" : "no");
  note_devices(job, notes);
  note(notes, "clrt.render-seconds", "%.3f", (clrt_now_ms() - job->started_ms) / 1e3);
}

/* What the host does to the picture once every tile is in: the
 * denoiser (only on a `complete` picture: --keep-partial's magenta tiles
 * are no picture to filter), and the levels of a picture that was kept
 * linear for it (or for 16 bits). */
static clrt_status finish_picture(const clrt_render_job *job, clrt_render_destination *destination, FILE *log,
                                  bool complete, clrt_error *err) {
  clrt_film *film = &destination->film;
  clrt_status status = CLRT_OK;
  if (job->options->denoise && complete) {
    double start = clrt_now_ms();
    clrt_denoise_picture picture = {film->width, film->height, film->linear, film->variance, destination->aux.aux};
    status = clrt_denoise(job->devices, job->device_count, &job->scene, &picture, log, err);
    destination->denoise_ms = clrt_now_ms() - start;
  }
  if (status == CLRT_OK && job->finish_on_host)
    status = clrt_film_finish_levels(film, job->options->png_16 ? &job->image.tone : NULL, err);
  return status;
}

static clrt_status write_image(const clrt_render_job *job, clrt_render_destination *destination,
                               const clrt_passes_outcome *passes, clrt_error *err) {
  clrt_output *output = destination->output;
  destination->output = NULL; /* committed or discarded, it is gone */
  double start = clrt_now_ms();
  clrt_picture_notes notes;
  describe_picture(job, passes, &notes);
  clrt_image_view extras = {.aux = destination->aux.aux,
                            .passes = job->options->passes,
                            .exr_float = job->options->exr_float,
                            .notes = &notes};
  clrt_status status = clrt_film_write(&destination->film, output, &extras, err);
  destination->output_ms = clrt_now_ms() - start;
  return status;
}

/* The auxiliary passes: a frame of their own after the colour's, cut by
 * the same tiling, into the root's aux film (every process calls it, as
 * for any frame). Tiles missing here fail the render: a denoiser or a
 * compositor cannot do with a hole in its guides. */
static clrt_status render_aux(const clrt_render_job *job, clrt_render_destination *destination, FILE *log,
                              clrt_progress *progress, clrt_error *err) {
  double start = clrt_now_ms();
  clrt_frame frame;
  clrt_status status = clrt_frame_prepare(&frame, &job->tiling, job->image.width, job->image.height,
                                          (unsigned)job->device_count, clrt_cluster_size() > 1, err);
  clrt_session_options session = session_options(job, log);
  session.tile_form = CLRT_TILE_AUX;
  session.first_sample = 0;
  session.sample_count = job->aux_samples;
  session.max_tile_pixels = frame.max_tile_pixels;
  clrt_frame_devices devices = {NULL, job->devices, job->device_count, &job->scene, &session};
  clrt_progress_restart(progress, (size_t)job->image.width * job->image.height, "albedo, normal, depth");
  clrt_frame_outcome outcome;
  memset(&outcome, 0, sizeof outcome);
  if (status == CLRT_OK)
    status = clrt_frame_render(&frame, &devices, job->root ? &destination->aux : NULL, CLRT_TILE_AUX, progress,
                               &outcome, err);
  if (status == CLRT_OK && job->root && outcome.missing_count)
    status = clrt_fail(err, CLRT_ERR_RUNTIME,
                       "no device could render %zu tile(s) of the auxiliary passes (last error: %s); no file written",
                       outcome.missing_count, clrt_farm_cause(&outcome.farm)->message);
  clrt_frame_outcome_free(&outcome);
  clrt_frame_free(&frame);
  destination->aux_ms = clrt_now_ms() - start;
  return clrt_cluster_agree(status, err);
}

/* Some tiles were never rendered: no file, or with --keep-partial the
 * rest with those tiles magenta; either way a failure. */
static clrt_status incomplete_render(const clrt_render_job *job, const clrt_passes_outcome *passes,
                                     clrt_render_destination *destination, FILE *log, clrt_error *err) {
  const clrt_frame_outcome *outcome = &passes->frame;
  char tiles[256];
  list_missing(outcome, tiles, sizeof tiles);
  if (!job->options->keep_partial)
    return clrt_fail(err, CLRT_ERR_RUNTIME,
                     "no device could render %zu tile(s): %s (last error: %s); no file written (--keep-partial "
                     "writes the rest, with those tiles magenta)",
                     outcome->missing_count, tiles, clrt_farm_cause(&outcome->farm)->message);
  clrt_film_paint_missing(&destination->film, outcome->missing, outcome->missing_count);
  clrt_status status = finish_picture(job, destination, log, false, err);
  if (status == CLRT_OK)
    status = write_image(job, destination, passes, err);
  if (status != CLRT_OK)
    return status;
  return clrt_fail(err, CLRT_ERR_RUNTIME,
                   "no device could render %zu tile(s): %s; wrote %s with them magenta "
                   "(--keep-partial)",
                   outcome->missing_count, tiles, job->options->output_path);
}

/* The frame, or its passes, on this process's devices (with every
 * process's, in a cluster): into the root's film, or its sums. */
static clrt_status render_passes(const clrt_render_job *job, clrt_render_destination *destination, FILE *log,
                                 clrt_progress *progress, clrt_passes_outcome *passes, clrt_error *err) {
  const clrt_options *options = job->options;
  clrt_session_options session = session_options(job, log);
  clrt_frame_devices devices = {NULL, job->devices, job->device_count, &job->scene, &session};
  clrt_film *film = job->root ? &destination->film : NULL;
  if (!job->progressive)
    return clrt_frame_render(&job->frame, &devices, film, session.tile_form, progress, &passes->frame, err);
  clrt_pass_goal goal = {options->time_s, options->noise, job->scene.params.samples};
  return clrt_passes_render(&job->frame, &devices, film, &goal, destination->checkpoint, progress, passes, err);
}

/* Renders; then the root writes the picture, or says which tiles are
 * missing. Every process returns the agreed status. */
static clrt_status render_frame(const clrt_render_job *job, clrt_render_destination *destination, FILE *log,
                                clrt_passes_outcome *passes, clrt_error *err) {
  clrt_progress progress;
  start_progress(job, log, &progress);
  memset(passes, 0, sizeof *passes);
  clrt_status status = render_passes(job, destination, log, &progress, passes, err);
  const clrt_frame_outcome *outcome = &passes->frame;
  if (job->wants_aux) {
    status = clrt_cluster_agree(status, err);
    if (status == CLRT_OK)
      status = render_aux(job, destination, log, &progress, err);
  }
  clrt_progress_destroy(&progress);
  if (status == CLRT_OK && job->root && !outcome->missing_count)
    status = finish_picture(job, destination, log, true, err);
  if (status == CLRT_OK && job->root)
    status = outcome->missing_count ? incomplete_render(job, passes, destination, log, err)
                                    : write_image(job, destination, passes, err);
  return clrt_cluster_agree(status, err);
}

/* The checkpoint after the render: removed once the picture is written;
 * kept otherwise, and the error says how to finish the render. A write to
 * it that failed is a warning: the render went on. */
static void close_checkpoint(clrt_render_destination *destination, FILE *log, clrt_status status, clrt_error *err) {
  clrt_checkpoint *checkpoint = destination->checkpoint;
  if (!checkpoint)
    return;
  const clrt_error *failure = clrt_checkpoint_failure(checkpoint);
  if (failure)
    fprintf(log, "clrt: warning: %s\n", failure->message);
  else if (status != CLRT_OK) {
    char path[CLRT_ERROR_MESSAGE_SIZE / 4]; /* made printable, as clrt_fail makes messages */
    clrt_printable(clrt_checkpoint_path(checkpoint), path, sizeof path);
    size_t used = strlen(err->message);
    snprintf(err->message + used, sizeof err->message - used, "; %s keeps the work done: '--resume %s' finishes it",
             path, path);
  }
  clrt_checkpoint_close(checkpoint, status == CLRT_OK);
  destination->checkpoint = NULL;
}

/* The most samples a pixel a launch may take on llvmpipe before the
 * path integrator can meet its loop limit (below): the bench's scenes
 * agree with POCL byte for byte up to 24 (sky_particles) to 48 (room). */
#define CLRT_LLVMPIPE_SAFE_SAMPLES 16u

/* Mesa's llvmpipe (rusticl on the CPU, Mesa 22) ends every loop of a
 * work-item once its loops have run 65,535 iterations in all
 * (LP_MAX_TGSI_LOOP_ITERATIONS), silently: a path-traced pixel of many
 * samples then loses light. Said, since it cannot be mended here. */
static void warn_of_loop_limit(const clrt_render_job *job, FILE *log) {
  unsigned samples = job->scene.params.samples;
  if (job->scene.params.integrator != CLRT_INTEGRATOR_path || samples <= CLRT_LLVMPIPE_SAFE_SAMPLES)
    return;
  for (size_t i = 0; i < job->device_count; ++i)
    if (strstr(job->devices[i].name, "llvmpipe"))
      fprintf(log,
              "clrt: warning: %s ends a work-item's loops after 65,535 iterations in all (Mesa's loop limit): "
              "path-traced pixels of %u samples may come out too dark there (more than %u may); render the CPU "
              "with POCL (pocl-opencl-icd) instead\n",
              job->devices[i].name, samples, CLRT_LLVMPIPE_SAFE_SAMPLES);
}

static clrt_status run_job(const clrt_render_job *job, clrt_render_destination *destination, FILE *log, double start_ms,
                           clrt_error *err) {
  if (job->root)
    warn_of_loop_limit(job, log);
  if (!job->options->quiet && job->root)
    clrt_render_summary_start(log, job);
  clrt_passes_outcome passes;
  clrt_status status = render_frame(job, destination, log, &passes, err);
  close_checkpoint(destination, log, status, err);
  if (status == CLRT_OK && job->root)
    clrt_render_summary_cut_short(log, job, &passes.frame);
  if (status == CLRT_OK && job->root && !job->options->quiet) {
    clrt_render_summary_print(log, job, &passes.frame, destination, clrt_now_ms() - start_ms);
    if (job->progressive)
      clrt_render_summary_passes(log, job, &passes);
  }
  clrt_passes_outcome_free(&passes);
  return status;
}

static void free_job(clrt_render_job *job, clrt_render_destination *destination) {
  clrt_checkpoint_close(destination->checkpoint, false); /* unless closed after the render: then it is NULL */
  clrt_output_discard(destination->output);              /* unless committed: then it is NULL */
  clrt_film_free(&destination->film);
  clrt_film_free(&destination->aux);
  clrt_frame_free(&job->frame);
  free(job->devices);
  clrt_faults_free(&job->faults);
  clrt_flat_scene_free(&job->scene);
}

/* Every process goes through the same steps (each ends with the status
 * agreed between them), so the collectives of MPI always match. */
clrt_status clrt_render_command(const clrt_options *options, FILE *log, clrt_error *err) {
  if (options->frames.step)
    return clrt_sequence_command(options, log, err);
  double start_ms = clrt_now_ms();
  clrt_render_job job;
  clrt_render_destination destination;
  memset(&job, 0, sizeof job);
  memset(&destination, 0, sizeof destination);
  job.options = options;
  job.started_ms = start_ms;
  job.root = clrt_cluster_rank() == 0;
  clrt_stop_catch();
  clrt_status status = load_and_share_scene(&job, err);
  if (status == CLRT_OK) {
    status = prepare_job(&job, &destination, err);
    if (status == CLRT_OK)
      status = clrt_stop_check("preparing the render", err);
    status = clrt_cluster_agree(status, err);
  }
  if (status == CLRT_OK)
    status = run_job(&job, &destination, log, start_ms, err);
  free_job(&job, &destination);
  return status;
}
