/* The cluster over MPI (clrt_cluster.h): starting it, agreeing on a
 * status, sharing the scene, gathering figures. The tile exchange is in
 * link.c. */
#include "clrt_cluster.h"

#include <mpi.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* How long a process waiting for the others sleeps between looks: short
 * next to a measurement, and no core kept busy. */
#define CLRT_WAIT_POLL_NS 1000000L

/* Broadcasts go in pieces of at most this many bytes (MPI counts are
 * ints, and 10^8 spheres take gigabytes). */
#define CLRT_BROADCAST_PIECE ((size_t)1 << 30)

static bool started;
/* The root gave up on a process: a cluster of one from then on. Set by
 * the exchange's thread, read by any. */
static atomic_bool cut_off;

/* The variables a launcher sets: Open MPI's mpirun, PMIx (Open MPI,
 * Slurm's srun --mpi=pmix), and PMI (MPICH's hydra, srun --mpi=pmi2). */
static bool launched(void) {
  static const char *const VARIABLES[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"};
  for (size_t i = 0; i < sizeof VARIABLES / sizeof VARIABLES[0]; ++i)
    if (getenv(VARIABLES[i]))
      return true;
  return false;
}

void clrt_cluster_start(int *argc, char ***argv) {
  if (!launched())
    return; /* a plain clrt: MPI's start-up (half a second) is not paid */
  int provided;
  /* Only one thread calls MPI at a time: the exchange's, while it runs. */
  MPI_Init_thread(argc, argv, MPI_THREAD_SERIALIZED, &provided);
  started = true;
}

void clrt_cluster_end(int exit_code) {
  if (started && atomic_load(&cut_off)) {
    fprintf(stderr, "clrt: ending the job, as a process stopped answering (Open MPI reports MPI_ABORT)\n");
    fflush(NULL);
    MPI_Abort(MPI_COMM_WORLD, exit_code);
  }
  if (started)
    MPI_Finalize();
  started = false;
}

void clrt_cluster_cut_off(void) { atomic_store(&cut_off, true); }

int clrt_cluster_rank(void) {
  int rank = 0;
  if (started)
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  return rank;
}

int clrt_cluster_size(void) {
  int size = 1;
  if (started && !atomic_load(&cut_off))
    MPI_Comm_size(MPI_COMM_WORLD, &size);
  return size;
}

void clrt_cluster_host(char *out, size_t size) {
  if (gethostname(out, size) != 0)
    snprintf(out, size, "?");
  out[size - 1] = '\0';
}

clrt_status clrt_cluster_agree(clrt_status status, clrt_error *err) {
  int size = clrt_cluster_size();
  if (size == 1)
    return status;
  int *statuses = calloc((size_t)size, sizeof *statuses), mine = (int)status;
  if (!statuses)
    MPI_Abort(MPI_COMM_WORLD, CLRT_ERR_RUNTIME);
  MPI_Allgather(&mine, 1, MPI_INT, statuses, 1, MPI_INT, MPI_COMM_WORLD);
  int first = -1;
  for (int i = 0; i < size && first < 0; ++i)
    if (statuses[i] != CLRT_OK)
      first = i;
  clrt_status agreed = first < 0 ? CLRT_OK : (clrt_status)statuses[first];
  free(statuses);
  if (first > 0) { /* another process's message reaches the root's error */
    clrt_error theirs = {{0}};
    if (clrt_cluster_rank() == first) {
      char host[64];
      clrt_cluster_host(host, sizeof host);
      snprintf(theirs.message, sizeof theirs.message, "process %d (%s): %.900s", first, host, err->message);
    }
    MPI_Bcast(theirs.message, sizeof theirs.message, MPI_CHAR, first, MPI_COMM_WORLD);
    *err = theirs;
  }
  return agreed;
}

/* Sends `size` bytes at `data` from the root to every process. */
static void broadcast(void *data, size_t size) {
  for (size_t at = 0; at < size; at += CLRT_BROADCAST_PIECE) {
    size_t piece = size - at < CLRT_BROADCAST_PIECE ? size - at : CLRT_BROADCAST_PIECE;
    MPI_Bcast((char *)data + at, (int)piece, MPI_BYTE, 0, MPI_COMM_WORLD);
  }
}

void clrt_cluster_share(void *data, size_t size) {
  if (clrt_cluster_size() > 1)
    broadcast(data, size);
}

void clrt_cluster_wait_all(void) {
  if (clrt_cluster_size() == 1)
    return;
  MPI_Request request;
  MPI_Ibarrier(MPI_COMM_WORLD, &request);
  for (int arrived = 0;;) {
    MPI_Test(&request, &arrived, MPI_STATUS_IGNORE);
    if (arrived)
      return;
    struct timespec pause = {0, CLRT_WAIT_POLL_NS};
    nanosleep(&pause, NULL);
  }
}

/* The root's buffer for every process's bytes, and where each one's go;
 * false (on every process) when the root has no room. */
static bool make_room(size_t bytes, void **all, size_t *all_bytes, int **counts, int **offsets) {
  int size = clrt_cluster_size();
  unsigned long long mine = bytes, *sizes = NULL;
  bool root = clrt_cluster_rank() == 0;
  if (root)
    sizes = calloc((size_t)size, sizeof *sizes);
  int ok = !root || sizes;
  MPI_Bcast(&ok, 1, MPI_INT, 0, MPI_COMM_WORLD);
  if (!ok)
    return false;
  MPI_Gather(&mine, 1, MPI_UNSIGNED_LONG_LONG, sizes, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD);
  if (root) {
    *counts = calloc((size_t)size, sizeof **counts);
    *offsets = calloc((size_t)size, sizeof **offsets);
    unsigned long long total = 0;
    for (int i = 0; i < size && *counts && *offsets; ++i) {
      (*offsets)[i] = (int)total;
      (*counts)[i] = (int)sizes[i];
      total += sizes[i];
    }
    *all_bytes = (size_t)total;
    *all = total <= INT32_MAX ? malloc(total ? total : 1) : NULL;
    ok = *counts && *offsets && *all;
  }
  free(sizes);
  MPI_Bcast(&ok, 1, MPI_INT, 0, MPI_COMM_WORLD);
  return ok;
}

clrt_status clrt_cluster_gather(const void *mine, size_t bytes, void **all, size_t *all_bytes, clrt_error *err) {
  *all = NULL;
  *all_bytes = 0;
  int *counts = NULL, *offsets = NULL;
  bool ok = make_room(bytes, all, all_bytes, &counts, &offsets);
  if (ok)
    MPI_Gatherv(mine, (int)bytes, MPI_BYTE, *all, counts, offsets, MPI_BYTE, 0, MPI_COMM_WORLD);
  free(counts);
  free(offsets);
  if (ok)
    return CLRT_OK;
  free(*all);
  *all = NULL;
  return clrt_fail(err, CLRT_ERR_RUNTIME, "out of room gathering %zu bytes from every process", bytes);
}

clrt_status clrt_cluster_share_scene(clrt_flat_scene *flat, clrt_image_settings *image, clrt_error *err) {
  if (clrt_cluster_size() == 1)
    return CLRT_OK;
  bool root = clrt_cluster_rank() == 0;
  broadcast(image, sizeof *image);
  broadcast(&flat->params, sizeof flat->params);
  broadcast(&flat->most_rays_per_sample, sizeof flat->most_rays_per_sample);
  broadcast(&flat->stats, sizeof flat->stats);
  int failed = 0;
#define CLRT_SHARE_ARRAY(type, name, space)                                                                            \
  {                                                                                                                    \
    uint64_t count = flat->name##_count;                                                                               \
    broadcast(&count, sizeof count);                                                                                   \
    if (!root) {                                                                                                       \
      flat->name##_count = (size_t)count;                                                                              \
      flat->name = calloc(count ? count : 1, sizeof(type));                                                            \
      failed |= flat->name == NULL;                                                                                    \
    }                                                                                                                  \
    int any_failed = 0;                                                                                                \
    MPI_Allreduce(&failed, &any_failed, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);                                          \
    if (any_failed)                                                                                                    \
      return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory receiving the scene's %s", #name);                        \
    broadcast(flat->name, count * sizeof(type));                                                                       \
  }
  CLRT_FLAT_ARRAYS(CLRT_SHARE_ARRAY)
#undef CLRT_SHARE_ARRAY
  return CLRT_OK;
}

unsigned clrt_cluster_sum(unsigned mine) {
  if (clrt_cluster_size() == 1)
    return mine;
  unsigned total = 0;
  MPI_Allreduce(&mine, &total, 1, MPI_UNSIGNED, MPI_SUM, MPI_COMM_WORLD);
  return total;
}

clrt_status clrt_cluster_gather_figures(const clrt_process_figures *mine, clrt_process_figures **all, clrt_error *err) {
  int size = clrt_cluster_size();
  bool root = clrt_cluster_rank() == 0;
  *all = root ? calloc((size_t)size, sizeof **all) : NULL;
  if (size == 1) {
    if (!*all)
      return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory for the process figures");
    **all = *mine;
    return CLRT_OK;
  }
  int failed = root && !*all;
  MPI_Bcast(&failed, 1, MPI_INT, 0, MPI_COMM_WORLD);
  if (failed)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory for %d processes' figures", size);
  MPI_Gather(mine, sizeof *mine, MPI_BYTE, *all, sizeof *mine, MPI_BYTE, 0, MPI_COMM_WORLD);
  return CLRT_OK;
}
