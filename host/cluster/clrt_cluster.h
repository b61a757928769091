/* One picture across many processes, with MPI: `mpirun -n N clrt render
 * ...`. Process 0 (the root) reads and flattens the scene and sends the
 * flat scene to the others; it holds the scheduler, the film and the
 * output file, and serves tiles from a thread of its own. Every process
 * renders with its own devices: the others ask the root for tiles ahead of
 * need (so that the round trip does not idle a device) and send finished
 * tiles back, 8-bit, to the root's film. A pixel is a pure function of the
 * scene, so the picture is the one a single process makes.
 *
 * MPI starts only when a launcher (mpirun, srun) started the process; a
 * plain `clrt` is a cluster of one and never touches MPI. Without MPI at
 * build time, every process is a cluster of one (host/cluster/solo.c). */
#ifndef CLRT_CLUSTER_H
#define CLRT_CLUSTER_H

#include <stdbool.h>
#include <stddef.h>

#include "clrt_error.h"
#include "clrt_farm.h"
#include "clrt_film.h"
#include "clrt_flat_scene.h"
#include "clrt_progress.h"
#include "clrt_scheduler.h"

/* Starts MPI when a launcher started this process (after that, the
 * functions below see every process). */
void clrt_cluster_start(int *argc, char ***argv);

/* Ends MPI, if it was started; after clrt_cluster_cut_off, by ending the
 * whole job (MPI_Abort with `exit_code`, what mpirun then returns): the
 * process given up on can take no part in a clean end. */
void clrt_cluster_end(int exit_code);

/* The root gives up on a process that stopped answering (link.c): no
 * collective can complete any more, so from now on the root is a cluster
 * of one (clrt_cluster_size() is 1), which finishes the picture with what
 * it holds, and clrt_cluster_end ends the job. */
void clrt_cluster_cut_off(void);

/* This process's rank (0: the root) and the number of processes. */
int clrt_cluster_rank(void);
int clrt_cluster_size(void);

/* This machine's name, for summaries and records. */
void clrt_cluster_host(char *out, size_t size);

/* Every process's status becomes the same: that of the first process (by
 * rank) whose status is not CLRT_OK, whose message goes to the root's
 * `err` (prefixed with its rank and host when not the root's own). */
clrt_status clrt_cluster_agree(clrt_status status, clrt_error *err);

/* `size` bytes at `data`, from the root to every other process. */
void clrt_cluster_share(void *data, size_t size);

/* Returns when every process has come here. It waits asleep, where MPI's
 * own barrier keeps a core busy polling: a process waiting for its turn
 * leaves the machine to the one being measured (clrt bench). */
void clrt_cluster_wait_all(void);

/* Every process's `bytes` at `mine`, joined in rank order, to the root
 * (*all, freed by the caller, of *all_bytes bytes; NULL elsewhere). */
clrt_status clrt_cluster_gather(const void *mine, size_t bytes, void **all, size_t *all_bytes, clrt_error *err);

/* The root's flat scene and image settings, to every other process. */
clrt_status clrt_cluster_share_scene(clrt_flat_scene *flat, clrt_image_settings *image, clrt_error *err);

/* `mine` added up over every process: the devices of all (the root's
 * scheduler cuts guided tiles for all of them), their compute units. */
unsigned clrt_cluster_sum(unsigned mine);

/* The tile exchange between the processes of a frame. */
typedef struct clrt_cluster_link clrt_cluster_link;

/* Starts the exchange's thread on this process's tile route. The root's
 * scheduler is the real one, and its film and progress take the others'
 * tiles too (process r under progress entry local_devices + r - 1, after
 * the root's own devices); another process's scheduler is fed
 * (clrt_scheduler_init_fed), and its farm must be given *sink, through
 * which finished tiles go to the root. A tile pixel is pixel_bytes bytes:
 * 3, or 16 for linear colour. A side that hears nothing from the other
 * for silence_ms takes it for stopped or hung (link.c says what then). */
clrt_status clrt_cluster_link_start(const clrt_tile_route *route, unsigned local_devices, size_t pixel_bytes,
                                    double silence_ms, clrt_cluster_link **link, clrt_tile_sink *sink, clrt_error *err);

/* After this process's farm is done: waits for the exchange to end (on
 * the root, for every process to be done), then frees it. The time from
 * the start to the last process done goes to *render_ms (on the root). */
void clrt_cluster_link_finish(clrt_cluster_link *link, double *render_ms);

/* How one process did, for the root's summary. */
typedef struct clrt_process_figures {
  char host[64];
  unsigned devices, tiles, retired;
  size_t pixels;
  clrt_ray_counts rays;
  unsigned long long cut_short_samples;
  double busy_ms;     /* its devices' kernel time, summed */
  double finished_ms; /* when its last device ran out of work */
} clrt_process_figures;

/* This process's share of a frame, from its farm's result. */
clrt_process_figures clrt_process_figures_of(const clrt_farm_result *result);

/* Every process's figures, in rank order, to the root (*all, freed by
 * the caller; NULL elsewhere). */
clrt_status clrt_cluster_gather_figures(const clrt_process_figures *mine, clrt_process_figures **all, clrt_error *err);

/* A sequence's frames as tasks (frame_exchange.c): frame indexes 0 to
 * count - 1 handed out in runs of consecutive frames, guided (a run is a
 * share of what is left, so that the last ones are short), to every
 * process that asks, the root's own rendering too; each finished frame's
 * picture (picture_bytes) goes to the root, which takes them in order. A
 * process that cannot go on gives its frames back: the others render
 * them. Every process calls start and end (collectively); between them the
 * root's exchange runs on a thread of its own, the only one calling MPI
 * there, and no collective may be called. */
typedef struct clrt_frame_exchange clrt_frame_exchange;

clrt_status clrt_frame_exchange_start(long count, size_t picture_bytes, clrt_frame_exchange **exchange,
                                      clrt_error *err);

/* This process's next run of frames, [*first, *first + *count); false when
 * there are none left (on the root, it waits while frames given out may
 * still come back). */
bool clrt_frame_exchange_next(clrt_frame_exchange *exchange, long *first, long *count);

/* Frame `index` is finished: its picture to the root (kept there until
 * taken). */
void clrt_frame_exchange_finished(clrt_frame_exchange *exchange, long index, const void *picture);

/* This process renders no more: frames first to first + count - 1 of its
 * run go back to the others. */
void clrt_frame_exchange_give_back(clrt_frame_exchange *exchange, long first, long count);

/* The root: frame `index`'s picture (into `picture`) once a process has
 * finished it; `wait`: until then, else false at once if it has not come.
 * False (with *lost) when no process is left to render it. */
bool clrt_frame_exchange_take(clrt_frame_exchange *exchange, long index, void *picture, bool wait, bool *lost);

/* How many frames each process rendered (the root's; NULL elsewhere):
 * one per process, in rank order. */
const long *clrt_frame_exchange_rendered(const clrt_frame_exchange *exchange);

/* Every process: the root waits for every other to be done; then all are
 * free to call collectives again. Frees the exchange. */
void clrt_frame_exchange_end(clrt_frame_exchange *exchange);

#endif /* CLRT_CLUSTER_H */
