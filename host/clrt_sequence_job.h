/* A sequence as `clrt render --frames` runs it (sequence_command.c; in
 * frames mode under mpirun, sequence_frames.c): what every process
 * holds, the root's writer, and the steps both modes share. */
#ifndef CLRT_SEQUENCE_JOB_H
#define CLRT_SEQUENCE_JOB_H

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

#include "clrt_devices.h"
#include "clrt_faults.h"
#include "clrt_film.h"
#include "clrt_frame.h"
#include "clrt_movie.h"
#include "clrt_options.h"
#include "clrt_output.h"
#include "clrt_sequence_loader.h"
#include "clrt_session.h"
#include "clrt_tiling.h"
#include "clrt_tone_map.h"

/* Where the time of a sequence went, summed over its frames. */
typedef struct stage_times {
  double load_ms, flatten_ms;   /* the loader's, overlapped with rendering */
  double wait_ms;               /* waiting for the loader: what it could not hide */
  double upload_ms;             /* the frame's arrays (or camera) to the devices */
  double render_ms;             /* the frame's tiles */
  double encode_ms;             /* finishing the picture, or handing the frame to ffmpeg (while the next renders) */
  double encode_wait_ms;        /* waiting for that before the next frame's: what it could not hide */
  double kernel_ms;             /* the devices' kernels, within render */
  long bvh_built, bvh_refitted; /* frames whose BVH was built, or refitted (--refit) */
} stage_times;

/* The frame being written (its picture finished, or fed to ffmpeg) on a
 * thread of its own while the next one renders. */
typedef struct frame_writer {
  bool busy; /* a thread is writing a frame */
  pthread_t thread;
  clrt_film *film; /* the writer's, freed by it */
  clrt_output *output;
  clrt_movie *movie;
  clrt_status status;
  clrt_error error;
  double ms;
} frame_writer;

typedef struct sequence_job {
  const clrt_options *options;
  clrt_sequence sequence;
  bool root;
  bool movie_output;
  bool frames_mode;          /* under mpirun: frames as tasks (sequence_frames.c), not every frame's tiles */
  clrt_sequence_facts facts; /* every process's, in frames mode; the root's otherwise */
  clrt_sequence_loader *loader;
  clrt_flat_scene shared; /* tiles mode, a process other than the root: the frame's scene as received */
  const clrt_flat_scene *scene;
  clrt_image_settings image;    /* every frame's (the scene's, with the command line's sizes) */
  clrt_tone_levels tone_levels; /* the root's films' */
  clrt_device *devices;
  size_t device_count;
  clrt_session **sessions;
  size_t session_count;
  clrt_tiling tiling;
  clrt_frame frame;
  clrt_fault_rules faults;
  clrt_movie *movie;
  frame_writer writer;
  stage_times times;
  long frames_done;    /* by this process */
  long frames_written; /* frames mode, the root: in order, so far */
  long *rendered_by;   /* frames mode, the root: frames each process rendered */
  clrt_ray_counts rays;
  double started_ms;
} sequence_job;

/* The frame a sequence's index stands for. */
static inline long clrt_sequence_frame_number(const clrt_sequence *s, long index) { return s->first + index * s->step; }

/* Frames mode (under mpirun, sequence_frames.c): every process renders
 * whole frames on its own devices; the root writes them in order. */
clrt_status sequence_run_frames(sequence_job *job, FILE *log, clrt_error *err);

/* The steps both modes share (sequence_command.c). */
void sequence_adjust_scene(const void *context, clrt_scene *scene);
clrt_status sequence_prepare_devices(sequence_job *job, bool across_cluster, FILE *log, clrt_error *err);
clrt_status sequence_upload_frame(sequence_job *job, bool arrays_changed, clrt_error *err);
clrt_status sequence_drop_abandoned(sequence_job *job, long number, clrt_error *err);
clrt_status sequence_open_movie(sequence_job *job, clrt_error *err);
clrt_status sequence_open_film(const sequence_job *job, long number, bool stream, clrt_film *film, clrt_output **output,
                               clrt_error *err);
clrt_status sequence_render_tiles(sequence_job *job, long number, clrt_film *film, FILE *log, clrt_error *err);
clrt_status sequence_start_writing(sequence_job *job, clrt_film *film, clrt_output *output, clrt_error *err);
clrt_status sequence_finish_writing(sequence_job *job, clrt_error *err);
void sequence_count_loaded(sequence_job *job, const clrt_loaded_frame *loaded);

#endif /* CLRT_SEQUENCE_JOB_H */
