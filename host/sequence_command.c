/* `clrt render --frames A..B[:STEP]`: a sequence of frames, each the
 * picture `clrt render` makes of that frame, to numbered pictures or a
 * movie. Done once: the devices, their sessions (context, program), the
 * checks of every frame's files. Per frame: the next frame's files read
 * and its BVH built by the loader while this one renders, its arrays
 * uploaded (only the camera, when the spheres stay), its tiles rendered,
 * the picture encoded. Under mpirun, the processes take whole frames as
 * tasks (sequence_frames.c), or render every frame's tiles together, the
 * root sending each frame's scene (tiles mode, here). */
#include "clrt_commands.h"
#include "clrt_sequence_job.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clrt_clock.h"
#include "clrt_cluster.h"
#include "clrt_file.h"
#include "clrt_frame.h"
#include "clrt_integrator.h"
#include "clrt_movie.h"
#include "clrt_output.h"
#include "clrt_pattern.h"
#include "clrt_sequence_loader.h"
#include "clrt_stop.h"

static long frame_count(const sequence_job *job) { return clrt_sequence_length(&job->sequence); }

/* The command line's overrides of a frame's scene, as for a still. */
void sequence_adjust_scene(const void *context, clrt_scene *scene) {
  const clrt_options *options = context;
  if (options->width.set)
    scene->image.width = options->width.value;
  if (options->height.set)
    scene->image.height = options->height.value;
  if (options->samples.set)
    scene->sampling.samples = options->samples.value;
  if (options->max_depth.set)
    scene->sampling.max_depth = options->max_depth.value;
}

static bool sums_exactly(const sequence_job *job) {
  return CLRT_INTEGRATOR_SUMS_EXACTLY(job->scene->params.integrator);
}

/* ---- the frames' files and the output ---- */

/* The output's name for frame `number` (the movie's own name). */
static clrt_status output_name(const sequence_job *job, long number, char *out, size_t size, clrt_error *err) {
  if (job->movie_output || clrt_pattern_format(job->options->output_path, number, out, size))
    return job->movie_output ? (snprintf(out, size, "%s", job->options->output_path), CLRT_OK) : CLRT_OK;
  return clrt_fail(err, CLRT_ERR_INPUT, "-o %s: frame %ld's name is too long", job->options->output_path, number);
}

/* Before the first frame: every frame's files there, every frame's
 * picture writable, ffmpeg there for a movie. */
static clrt_status check_sequence(sequence_job *job, clrt_error *err) {
  clrt_status status = clrt_scene_check_sequence(job->options->scene_path, &job->sequence, &job->facts, err);
  char name[4096];
  const clrt_sequence *s = &job->sequence;
  for (long f = s->first; status == CLRT_OK && !job->movie_output && f <= s->last; f += s->step)
    if ((status = output_name(job, f, name, sizeof name, err)) == CLRT_OK)
      status = clrt_file_check_destination("-o", name, err);
  return status;
}

/* ---- devices and sessions ---- */

static clrt_session_options session_options(const sequence_job *job, FILE *log) {
  const clrt_options *options = job->options;
  double timeout_s = options->tile_timeout_s ? options->tile_timeout_s : CLRT_DEFAULT_TILE_TIMEOUT_S;
  return (clrt_session_options){.max_tile_pixels = job->frame.max_tile_pixels,
                                .fast_math = options->fast_math,
                                .array_memory = options->array_memory,
                                .tile_form = sums_exactly(job) ? CLRT_TILE_SUMS : CLRT_TILE_LEVELS,
                                .first_sample = 0,
                                .sample_count = job->scene->params.samples,
                                .tile_timeout_ms = timeout_s * 1e3,
                                .faults = &job->faults,
                                .build_log = log};
}

static clrt_tiling choose_tiling(const sequence_job *job, bool across_cluster) {
  const clrt_options *options = job->options;
  if (options->strip_count)
    return (clrt_tiling){.strips = options->strip_count};
  if (options->tile_width)
    return (clrt_tiling){.tile_width = options->tile_width, .tile_height = options->tile_height};
  if (across_cluster)
    return (clrt_tiling){.guided = true};
  return clrt_tiling_default(job->devices, job->device_count, stderr);
}

/* A session on each device, for every frame; a device that fails to
 * open one is left out with a warning, as a still's farm leaves it. */
static clrt_status open_sessions(sequence_job *job, FILE *log, clrt_error *err) {
  clrt_session_options options = session_options(job, log);
  job->sessions = calloc(job->device_count ? job->device_count : 1, sizeof *job->sessions);
  if (!job->sessions)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory for %zu sessions", job->device_count);
  clrt_error failure;
  for (size_t i = 0; i < job->device_count; ++i) {
    clrt_session *session = clrt_session_open(&job->devices[i], job->scene, &options, &failure);
    if (session)
      job->sessions[job->session_count++] = session;
    else
      fprintf(log, "clrt: warning: %s; going on without it\n", failure.message);
  }
  if (job->session_count)
    return CLRT_OK;
  *err = failure;
  return job->device_count ? CLRT_ERR_RUNTIME : CLRT_OK;
}

/* The frame's tiles and the devices' sessions, made with the first
 * frame's scene; `across_cluster`: every process's devices render each
 * frame (tiles mode), else this process's alone. */
clrt_status sequence_prepare_devices(sequence_job *job, bool across_cluster, FILE *log, clrt_error *err) {
  clrt_status status = clrt_devices_choose(job->options->device_spec, &job->devices, &job->device_count, err);
  job->tiling = status == CLRT_OK ? choose_tiling(job, across_cluster) : (clrt_tiling){.guided = true};
  clrt_error frame_err;
  clrt_status framed =
      clrt_frame_prepare(&job->frame, &job->tiling, job->image.width, job->image.height,
                         status == CLRT_OK ? (unsigned)job->device_count : 0, across_cluster, &frame_err);
  if (status == CLRT_OK && framed != CLRT_OK) {
    *err = frame_err;
    status = framed;
  }
  if (status == CLRT_OK)
    status = open_sessions(job, log, err);
  return status;
}

/* ---- one frame ---- */

/* A frame from the loader becomes the job's, its stages counted. */
void sequence_count_loaded(sequence_job *job, const clrt_loaded_frame *loaded) {
  job->times.load_ms += loaded->load_ms;
  job->times.flatten_ms += loaded->flatten_ms;
  if (loaded->arrays_changed)
    ++*(loaded->scene.stats.refitted ? &job->times.bvh_refitted : &job->times.bvh_built);
  job->scene = &loaded->scene;
  job->image = loaded->image;
}

/* The next frame's scene: the root's from the loader, sent to the others. */
static clrt_status next_scene(sequence_job *job, const clrt_loaded_frame **loaded, clrt_error *err) {
  clrt_status status = CLRT_OK;
  *loaded = NULL;
  if (job->root) {
    double start = clrt_now_ms();
    status = clrt_sequence_loader_next(job->loader, loaded, err);
    job->times.wait_ms += clrt_now_ms() - start;
  }
  if (status == CLRT_OK && job->root)
    sequence_count_loaded(job, *loaded);
  status = clrt_cluster_agree(status, err);
  if (status != CLRT_OK || clrt_cluster_size() == 1)
    return status;
  if (!job->root)
    clrt_flat_scene_free(&job->shared);
  clrt_flat_scene *flat = job->root ? (clrt_flat_scene *)job->scene : &job->shared;
  status = clrt_cluster_share_scene(flat, &job->image, err);
  if (!job->root)
    job->scene = &job->shared;
  return clrt_cluster_agree(status, err);
}

/* The frame's scene onto every session (all its arrays, or when the
 * spheres stay only the parameters, which hold the camera). */
clrt_status sequence_upload_frame(sequence_job *job, bool arrays_changed, clrt_error *err) {
  double start = clrt_now_ms();
  clrt_status status = CLRT_OK;
  for (size_t i = 0; status == CLRT_OK && i < job->session_count; ++i)
    if (!clrt_session_abandoned(job->sessions[i]))
      status = clrt_session_load_scene(job->sessions[i], job->scene, arrays_changed, err);
  job->times.upload_ms += clrt_now_ms() - start;
  return status;
}

static void start_progress(const sequence_job *job, long number, FILE *log, clrt_progress *progress) {
  clrt_progress_init(progress, log, job->root && !job->options->quiet && isatty(fileno(log)),
                     (size_t)job->image.width * job->image.height);
  char stage[96];
  double elapsed_s = (clrt_now_ms() - job->started_ms) / 1e3;
  long done = job->frames_mode ? job->frames_written : job->frames_done, left = frame_count(job) - done;
  if (done)
    snprintf(stage, sizeof stage, "frame %ld (%ld of %ld done, sequence ETA %.0fs)", number, done, frame_count(job),
             elapsed_s / (double)done * (double)left);
  else
    snprintf(stage, sizeof stage, "frame %ld (0 of %ld done)", number, frame_count(job));
  clrt_progress_restart(progress, (size_t)job->image.width * job->image.height, stage);
  for (size_t i = 0; i < job->session_count; ++i) {
    char label[32];
    clrt_device_label(clrt_session_device(job->sessions[i]), label, sizeof label);
    clrt_progress_label(progress, (unsigned)i, label);
  }
}

/* The root's film for a frame, and its picture file open beside it
 * (`stream`: a PNG compressed while the frame renders). */
clrt_status sequence_open_film(const sequence_job *job, long number, bool stream, clrt_film *film, clrt_output **output,
                               clrt_error *err) {
  clrt_status status =
      clrt_film_init(film, job->image.width, job->image.height, CLRT_FILM_LEVELS, &job->tone_levels, err);
  if (status == CLRT_OK && job->scene && sums_exactly(job)) /* frames mode's root may have rendered none */
    clrt_film_develop_on_arrival(film, job->scene->params.samples);
  if (status != CLRT_OK || job->movie_output)
    return status;
  char name[4096];
  const clrt_options *options = job->options;
  clrt_png_settings png = {options->png_level.set ? (int)options->png_level.value : CLRT_PNG_DEFAULT_LEVEL,
                           (int)sysconf(_SC_NPROCESSORS_ONLN), clrt_stop_flag(), 8u};
  if ((status = output_name(job, number, name, sizeof name, err)) == CLRT_OK &&
      (status = clrt_output_open(name, &png, output, err)) == CLRT_OK && stream)
    status = clrt_film_stream_to(film, *output, err);
  return status;
}

/* The finished frame: its picture file committed, or its levels to
 * ffmpeg; then its film freed. */
static void *write_frame(void *argument) {
  frame_writer *w = argument;
  double start = clrt_now_ms();
  if (w->movie) {
    w->status = clrt_movie_add(w->movie, w->film->rgb, &w->error);
  } else {
    w->status = clrt_film_write(w->film, w->output, NULL, &w->error);
    w->output = NULL;
  }
  clrt_film_free(w->film);
  free(w->film);
  w->film = NULL;
  w->ms = clrt_now_ms() - start;
  return NULL;
}

/* Waits for the frame being written, and says how it went. */
clrt_status sequence_finish_writing(sequence_job *job, clrt_error *err) {
  frame_writer *w = &job->writer;
  if (!w->busy)
    return CLRT_OK;
  double start = clrt_now_ms();
  pthread_join(w->thread, NULL);
  w->busy = false;
  job->times.encode_wait_ms += clrt_now_ms() - start;
  job->times.encode_ms += w->ms;
  if (w->status != CLRT_OK)
    *err = w->error;
  return w->status;
}

/* The frame to the writer (once the one before is written); the writer
 * owns the film and the output from here, whatever befalls. */
clrt_status sequence_start_writing(sequence_job *job, clrt_film *film, clrt_output *output, clrt_error *err) {
  clrt_status status = sequence_finish_writing(job, err);
  frame_writer *w = &job->writer;
  *w = (frame_writer){.film = film, .output = output, .movie = job->movie, .status = CLRT_OK};
  if (status == CLRT_OK && pthread_create(&w->thread, NULL, write_frame, w) == 0) {
    w->busy = true;
    return CLRT_OK;
  }
  clrt_output_discard(output);
  clrt_film_free(film);
  free(film);
  w->film = NULL;
  return status != CLRT_OK ? status : clrt_fail(err, CLRT_ERR_RUNTIME, "cannot start a thread to write a frame");
}

/* This process's rays and kernel time (its devices side by side: the
 * busiest one's). */
static void count_frame(sequence_job *job, const clrt_frame_outcome *outcome) {
  clrt_rays_add(&job->rays, &outcome->farm.rays);
  double busiest = 0.0;
  for (size_t i = 0; i < outcome->farm.device_count; ++i)
    busiest = outcome->farm.devices[i].busy_ms > busiest ? outcome->farm.devices[i].busy_ms : busiest;
  job->times.kernel_ms += busiest;
}

/* A session given up on (a hung device) renders no more frames; it is
 * not closed (clrt_session_abandon says why). */
clrt_status sequence_drop_abandoned(sequence_job *job, long number, clrt_error *err) {
  size_t kept = 0;
  for (size_t i = 0; i < job->session_count; ++i)
    if (!clrt_session_abandoned(job->sessions[i]))
      job->sessions[kept++] = job->sessions[i];
  job->session_count = kept;
  if (kept || clrt_cluster_size() > 1)
    return CLRT_OK;
  return clrt_fail(err, CLRT_ERR_RUNTIME, "frame %ld: every device has failed; %s", number,
                   job->movie_output ? "no movie written" : "the frames before it are written");
}

/* One frame's tiles on every process's sessions, into the root's film. */
clrt_status sequence_render_tiles(sequence_job *job, long number, clrt_film *film, FILE *log, clrt_error *err) {
  clrt_session_options options = session_options(job, log);
  clrt_frame_devices devices = {job->sessions, NULL, job->session_count, job->scene, &options};
  clrt_progress progress;
  clrt_frame_outcome outcome;
  memset(&outcome, 0, sizeof outcome);
  start_progress(job, number, log, &progress);
  double start = clrt_now_ms();
  clrt_status status = clrt_frame_render(&job->frame, &devices, job->root || job->frames_mode ? film : NULL,
                                         options.tile_form, &progress, &outcome, err);
  job->times.render_ms += clrt_now_ms() - start;
  clrt_progress_destroy(&progress);
  count_frame(job, &outcome);
  if (status == CLRT_OK && (job->root || job->frames_mode) && outcome.missing_count)
    status = clrt_fail(err, CLRT_ERR_RUNTIME, "frame %ld: no device could render %zu tile(s) (last error: %s); %s",
                       number, outcome.missing_count, clrt_farm_cause(&outcome.farm)->message,
                       job->movie_output ? "no movie written" : "the frames before it are written");
  clrt_frame_outcome_free(&outcome);
  return status;
}

/* The movie opens once the first frame's size is known and the devices
 * are ready, before anything renders. */
clrt_status sequence_open_movie(sequence_job *job, clrt_error *err) {
  unsigned fps = job->options->fps ? job->options->fps : CLRT_DEFAULT_FPS;
  return clrt_movie_open(job->options->output_path, job->image.width, job->image.height, fps, &job->movie, err);
}

/* The first frame sets up the devices (and the movie); the others only
 * bring their scene to them. */
static clrt_status set_up_frame(sequence_job *job, const clrt_loaded_frame *loaded, long number, FILE *log,
                                clrt_error *err) {
  if (job->frames_done > 0) {
    bool arrays_changed = !job->root || clrt_cluster_size() > 1 || loaded->arrays_changed;
    clrt_status status = sequence_drop_abandoned(job, number, err);
    return clrt_cluster_agree(status == CLRT_OK ? sequence_upload_frame(job, arrays_changed, err) : status, err);
  }
  clrt_status status = job->root && job->movie_output
                           ? clrt_movie_check(job->options->output_path, job->image.width, job->image.height, err)
                           : CLRT_OK;
  status = clrt_cluster_agree(status, err);
  if (status == CLRT_OK)
    status = clrt_cluster_agree(sequence_prepare_devices(job, clrt_cluster_size() > 1, log, err), err);
  if (status == CLRT_OK && job->root && job->movie_output)
    status = sequence_open_movie(job, err);
  return clrt_cluster_agree(status, err);
}

static clrt_status render_one(sequence_job *job, FILE *log, clrt_error *err) {
  const clrt_loaded_frame *loaded;
  long number = job->sequence.first + job->frames_done * job->sequence.step;
  clrt_status status = next_scene(job, &loaded, err);
  if (status == CLRT_OK)
    status = set_up_frame(job, loaded, number, log, err);
  clrt_film *film = calloc(1, sizeof *film);
  clrt_output *output = NULL;
  if (!film)
    status = clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory for a frame's film");
  if (status == CLRT_OK && job->root)
    status = sequence_open_film(job, number, true, film, &output, err);
  status = clrt_cluster_agree(status, err);
  if (status == CLRT_OK)
    status = clrt_cluster_agree(sequence_render_tiles(job, number, film, log, err), err);
  if (status == CLRT_OK && job->root) {
    status = sequence_start_writing(job, film, output, err);
    film = NULL, output = NULL;
  }
  clrt_output_discard(output);
  if (film)
    clrt_film_free(film);
  free(film);
  if (status == CLRT_OK)
    ++job->frames_done;
  return clrt_cluster_agree(status == CLRT_OK ? clrt_stop_check("rendering the sequence", err) : status, err);
}

/* ---- the whole sequence ---- */

/* The sequence's line: its frames, their rate, and in frames mode how
 * many each process rendered. */
static void print_sequence_line(const sequence_job *job, double wall_ms, FILE *log) {
  long written = job->frames_mode ? job->frames_written : job->frames_done;
  fprintf(log, "clrt: %s: %ld frame(s) %ld..%ld step %ld, %ux%u, %.2f frames/s (wall %.1f s)",
          job->options->output_path, written, job->sequence.first, job->sequence.last, job->sequence.step,
          job->image.width, job->image.height, (double)written / (wall_ms / 1e3), wall_ms / 1e3);
  if (job->frames_mode) {
    fprintf(log, "; whole frames on %d processes:", clrt_cluster_size());
    for (int r = 0; r < clrt_cluster_size(); ++r)
      fprintf(log, "%s %ld by %d", r ? "," : "", job->rendered_by[r], r);
  } else if (clrt_cluster_size() > 1) {
    fprintf(log, "; every frame's tiles over %d processes", clrt_cluster_size());
  }
  fputc('\n', log);
}

/* The stages of the frames this process rendered (the root's: in tiles
 * mode, every frame), per frame. */
static void print_summary(const sequence_job *job, FILE *log) {
  double wall_ms = clrt_now_ms() - job->started_ms, frames = (double)job->frames_done;
  const stage_times *t = &job->times;
  print_sequence_line(job, wall_ms, log);
  if (job->frames_done == 0)
    return;
  /* In frames mode the root's own frames shared its time with writing the others'. */
  double own_wall_ms = job->frames_mode ? wall_ms * frames / (double)job->frames_written : wall_ms;
  fprintf(log,
          "clrt: per frame%s: load %.1f ms and BVH %.1f ms (overlapped with rendering; waited %.1f ms), upload "
          "%.1f ms, render %.1f ms (kernel %.1f ms), encode %.1f ms (overlapped; waited %.1f ms)\n"
          "clrt: beyond rendering, a frame cost %.1f ms more (%.0f%% of its render); %.1f Mrays (%.1f Mrays/s); BVH "
          "built %ld time(s), refitted %ld\n",
          job->frames_mode ? " of process 0's" : "", t->load_ms / frames, t->flatten_ms / frames, t->wait_ms / frames,
          t->upload_ms / frames, t->render_ms / frames, t->kernel_ms / frames, t->encode_ms / frames,
          t->encode_wait_ms / frames, (own_wall_ms - t->render_ms) / frames,
          100.0 * (own_wall_ms - t->render_ms) / t->render_ms, (double)clrt_rays_total(&job->rays) / 1e6,
          (double)clrt_rays_total(&job->rays) / 1e3 / t->render_ms, t->bvh_built, t->bvh_refitted);
}

/* Frames mode under mpirun when asked (--split frames), or by default
 * when there are enough frames for every process to get several: then
 * no frame's scene crosses the network, and a process's frames are its
 * own from loading to the last tile (docs/particles.md measured both). */
#define CLRT_FRAMES_MODE_LEAST_PER_PROCESS 2
static bool choose_frames_mode(const sequence_job *job) {
  int processes = clrt_cluster_size();
  if (processes == 1 || job->options->split == CLRT_SPLIT_TILES)
    return false;
  return job->options->split == CLRT_SPLIT_FRAMES ||
         frame_count(job) >= (long)CLRT_FRAMES_MODE_LEAST_PER_PROCESS * processes;
}

/* The facts of the check (the image, the sequence's colour ranges), from
 * the root to every process, for frames mode. */
static clrt_status share_facts(sequence_job *job, clrt_error *err) {
  clrt_sequence_facts *facts = &job->facts;
  clrt_cluster_share(&facts->image, sizeof facts->image);
  clrt_cluster_share(&facts->entry_count, sizeof facts->entry_count);
  size_t entries = facts->entry_count ? facts->entry_count : 1;
  if (!job->root) {
    facts->ranges = calloc(entries, sizeof *facts->ranges);
    facts->known = calloc(entries, sizeof *facts->known);
  }
  bool ok = facts->ranges && facts->known;
  clrt_status status = clrt_cluster_agree(ok ? CLRT_OK : clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory"), err);
  if (status == CLRT_OK) {
    clrt_cluster_share(facts->ranges, entries * sizeof *facts->ranges);
    clrt_cluster_share(facts->known, entries * sizeof *facts->known);
  }
  return status;
}

/* How the processes share the sequence, and every frame's size, known to
 * all before the first frame. */
static clrt_status plan_sequence(sequence_job *job, clrt_error *err) {
  int frames_mode = job->root && choose_frames_mode(job);
  clrt_cluster_share(&frames_mode, sizeof frames_mode);
  job->frames_mode = frames_mode;
  clrt_status status = job->frames_mode ? share_facts(job, err) : CLRT_OK;
  job->image = job->facts.image;
  const clrt_options *options = job->options;
  job->image.width = options->width.set ? options->width.value : job->image.width;
  job->image.height = options->height.set ? options->height.value : job->image.height;
  clrt_tone_levels_make(&job->image.tone, &job->tone_levels);
  if (status == CLRT_OK && job->root && job->frames_mode) {
    job->rendered_by = calloc((size_t)clrt_cluster_size(), sizeof *job->rendered_by);
    status = job->rendered_by ? CLRT_OK : clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory");
  }
  return clrt_cluster_agree(status, err);
}

/* Frames mode's movie opens before the processes start (in tiles mode,
 * once the devices are ready: set_up_frame). */
static clrt_status open_frames_movie(sequence_job *job, clrt_error *err) {
  clrt_status status = CLRT_OK;
  if (job->root && job->movie_output && job->frames_mode &&
      (status = clrt_movie_check(job->options->output_path, job->image.width, job->image.height, err)) == CLRT_OK)
    status = sequence_open_movie(job, err);
  return clrt_cluster_agree(status, err);
}

/* Tiles mode: every frame's tiles on every process's devices, the root's
 * loader making the frames. */
static clrt_status run_tiles(sequence_job *job, FILE *log, clrt_error *err) {
  clrt_status status = CLRT_OK;
  if (job->root)
    status = clrt_sequence_loader_start(job->options->scene_path, &job->sequence, &job->facts, sequence_adjust_scene,
                                        job->options, NULL, job->options->refit, &job->loader, err);
  status = clrt_cluster_agree(status, err);
  while (status == CLRT_OK && job->frames_done < frame_count(job))
    status = render_one(job, log, err);
  return status;
}

static clrt_status run_sequence(sequence_job *job, FILE *log, clrt_error *err) {
  clrt_status status = clrt_cluster_agree(job->root ? check_sequence(job, err) : CLRT_OK, err);
  if (status == CLRT_OK)
    status = plan_sequence(job, err);
  if (status == CLRT_OK)
    status = open_frames_movie(job, err);
  if (status == CLRT_OK)
    status = job->frames_mode ? sequence_run_frames(job, log, err) : run_tiles(job, log, err);
  clrt_error writing;
  clrt_status written = sequence_finish_writing(job, &writing);
  if (status == CLRT_OK && written != CLRT_OK) {
    status = written;
    *err = writing;
  }
  if (status == CLRT_OK && job->root && job->movie_output) {
    status = clrt_movie_finish(job->movie, err);
    job->movie = NULL; /* finished or discarded, it is gone */
  }
  return clrt_cluster_agree(status, err);
}

static void free_job(sequence_job *job) {
  clrt_error ignored;
  sequence_finish_writing(job, &ignored);
  clrt_movie_discard(job->movie);
  clrt_sequence_loader_stop(job->loader);
  for (size_t i = 0; i < job->session_count; ++i)
    clrt_session_close(job->sessions[i]);
  free(job->sessions);
  free(job->devices);
  free(job->rendered_by);
  clrt_frame_free(&job->frame);
  clrt_faults_free(&job->faults);
  if (!job->root)
    clrt_flat_scene_free(&job->shared);
  clrt_sequence_facts_free(&job->facts);
}

clrt_status clrt_sequence_command(const clrt_options *options, FILE *log, clrt_error *err) {
  sequence_job job;
  memset(&job, 0, sizeof job);
  job.options = options;
  job.sequence = options->frames;
  job.root = clrt_cluster_rank() == 0;
  job.movie_output = clrt_movie_named(options->output_path);
  job.started_ms = clrt_now_ms();
  clrt_stop_catch();
  clrt_status status = clrt_faults_from_environment(&job.faults, err);
  if (status == CLRT_OK)
    status = run_sequence(&job, log, err);
  if (status == CLRT_OK && job.root && !options->quiet)
    print_summary(&job, log);
  free_job(&job);
  return status;
}
