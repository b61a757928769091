/* Frames mode: under mpirun, a sequence's frames are tasks (clrt_frame_exchange):
 * each process renders whole frames on its own devices, from its own
 * loader over the runs it is given, and sends each picture to the root,
 * which writes them in order as they come. A process whose devices fail
 * gives the rest of its run back, and the others render it. */
#include <stdlib.h>
#include <string.h>

#include "clrt_clock.h"
#include "clrt_cluster.h"
#include "clrt_sequence_job.h"
#include "clrt_stop.h"

/* The root writes every frame that has come, in order; with `wait`, until
 * the last. A frame no process is left to render is the error. */
static clrt_status write_arrived(sequence_job *job, clrt_frame_exchange *x, bool wait, clrt_error *err) {
  clrt_status status = CLRT_OK;
  long count = clrt_sequence_length(&job->sequence);
  while (status == CLRT_OK && job->frames_written < count) {
    long number = clrt_sequence_frame_number(&job->sequence, job->frames_written);
    clrt_film *film = calloc(1, sizeof *film);
    clrt_output *output = NULL;
    status = film ? sequence_open_film(job, number, false, film, &output, err)
                  : clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory for a frame's film");
    bool lost = false;
    if (status == CLRT_OK && !clrt_frame_exchange_take(x, job->frames_written, film->rgb, wait, &lost)) {
      clrt_output_discard(output);
      clrt_film_free(film);
      free(film);
      return lost ? clrt_fail(err, CLRT_ERR_RUNTIME, "frame %ld: no process is left to render it; %s", number,
                              job->movie_output ? "no movie written" : "the frames before it are written")
                  : CLRT_OK;
    }
    if (status == CLRT_OK)
      status = sequence_start_writing(job, film, output, err);
    else if (film) {
      clrt_output_discard(output);
      clrt_film_free(film);
      free(film);
    }
    if (status == CLRT_OK)
      ++job->frames_written;
  }
  return status;
}

/* One frame of a run on this process's devices, its picture to the
 * exchange. */
static clrt_status render_frame(sequence_job *job, clrt_frame_exchange *x, long index, FILE *log, clrt_error *err) {
  const clrt_loaded_frame *loaded;
  long number = clrt_sequence_frame_number(&job->sequence, index);
  double start = clrt_now_ms();
  clrt_status status = clrt_sequence_loader_next(job->loader, &loaded, err);
  job->times.wait_ms += clrt_now_ms() - start;
  if (status != CLRT_OK)
    return status;
  sequence_count_loaded(job, loaded);
  if (!job->sessions)
    status = sequence_prepare_devices(job, false, log, err);
  else if ((status = sequence_drop_abandoned(job, number, err)) == CLRT_OK)
    status = sequence_upload_frame(job, loaded->arrays_changed, err);
  clrt_film film;
  memset(&film, 0, sizeof film);
  if (status == CLRT_OK)
    status = clrt_film_init(&film, job->image.width, job->image.height, CLRT_FILM_LEVELS, &job->tone_levels, err);
  if (status == CLRT_OK && CLRT_INTEGRATOR_SUMS_EXACTLY(job->scene->params.integrator))
    clrt_film_develop_on_arrival(&film, job->scene->params.samples);
  if (status == CLRT_OK)
    status = sequence_render_tiles(job, number, &film, log, err);
  if (status == CLRT_OK) {
    clrt_frame_exchange_finished(x, index, film.rgb);
    ++job->frames_done;
  }
  clrt_film_free(&film);
  return status;
}

/* A run of frames [first, first + count) through a loader of its own. */
static clrt_status render_run(sequence_job *job, clrt_frame_exchange *x, long first, long count, FILE *log,
                              clrt_error *err) {
  clrt_sequence run = {clrt_sequence_frame_number(&job->sequence, first),
                       clrt_sequence_frame_number(&job->sequence, first + count - 1), job->sequence.step};
  clrt_status status =
      clrt_sequence_loader_start(job->options->scene_path, &job->sequence, &job->facts, sequence_adjust_scene,
                                 job->options, &run, job->options->refit, &job->loader, err);
  long done = 0;
  for (; status == CLRT_OK && done < count; ++done) {
    status = render_frame(job, x, first + done, log, err);
    if (status == CLRT_OK)
      status = clrt_stop_check("rendering the sequence", err);
    if (status == CLRT_OK && job->root)
      status = write_arrived(job, x, false, err);
  }
  clrt_sequence_loader_stop(job->loader);
  job->loader = NULL;
  job->scene = NULL;                                       /* it was the loader's */
  if (status != CLRT_OK && status != CLRT_ERR_INTERRUPTED) /* the others render the rest */
    clrt_frame_exchange_give_back(x, first + done - 1, count - done + 1);
  return status;
}

/* This process's runs until none is left, or its devices fail: then its
 * frames go to the others, and the failure is a warning (the root's too:
 * it still writes what the others render). */
static clrt_status render_runs(sequence_job *job, clrt_frame_exchange *x, FILE *log, clrt_error *err) {
  long first, count;
  clrt_status status = CLRT_OK;
  while (status == CLRT_OK && clrt_frame_exchange_next(x, &first, &count))
    status = render_run(job, x, first, count, log, err);
  if (status == CLRT_OK || status == CLRT_ERR_INTERRUPTED)
    return status;
  fprintf(log, "clrt: warning: process %d: %s; the other processes render its frames\n", clrt_cluster_rank(),
          err->message);
  if (!job->root)
    return CLRT_OK;
  clrt_frame_exchange_give_back(x, 0, 0); /* the root asks no more */
  return CLRT_OK;
}

clrt_status sequence_run_frames(sequence_job *job, FILE *log, clrt_error *err) {
  size_t picture_bytes = (size_t)job->image.width * job->image.height * 3;
  clrt_frame_exchange *x;
  clrt_status status = clrt_frame_exchange_start(clrt_sequence_length(&job->sequence), picture_bytes, &x, err);
  status = clrt_cluster_agree(status, err);
  if (status != CLRT_OK) {
    clrt_frame_exchange_end(x);
    return status;
  }
  status = render_runs(job, x, log, err);
  if (status == CLRT_OK && job->root)
    status = write_arrived(job, x, true, err);
  if (job->root) {
    const long *rendered = clrt_frame_exchange_rendered(x);
    for (int r = 0; r < clrt_cluster_size() && rendered; ++r)
      job->rendered_by[r] = rendered[r];
  }
  clrt_frame_exchange_end(x);
  return status;
}
