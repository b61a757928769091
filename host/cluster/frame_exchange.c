/* A sequence's frames as tasks across the processes (clrt_cluster.h).
 *
 * The root keeps every frame's state: waiting (never given out, or given
 * back), with a process, or done. A thread of the root's answers the
 * others: REQUEST gets a RUN of consecutive waiting frames (a share of
 * those left, guided), or later, when none waits but some are with a
 * process that may give them back, or RUN {-1, 0} when none will come;
 * FRAME brings a finished frame's picture; GIVE_BACK returns the rest of
 * a run; DONE says a process asks no more. The root's own rendering takes
 * runs from the same states under the lock. The others call MPI from
 * their main thread alone, between frames. */
#include "clrt_cluster.h"

#include <mpi.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { TAG_F_REQUEST = 21, TAG_F_RUN, TAG_F_FRAME, TAG_F_GIVE_BACK, TAG_F_DONE };

/* How long the root's thread sleeps when nothing came. */
#define CLRT_EXCHANGE_IDLE_NS 200000L
/* A run is at most this share of the frames left per process. */
#define CLRT_GUIDED_SHARE 2

enum { WAITING = -1, DONE = -2 }; /* a frame's state; else the rank it is with */

struct clrt_frame_exchange {
  bool root;
  int size;
  long count;
  size_t picture_bytes;
  /* the root's */
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t changed;
  int *state;        /* per frame: WAITING, DONE or a rank */
  void **pictures;   /* per frame: finished and not yet taken */
  bool *asking;      /* per process: still asks for runs (not given up, not done) */
  bool *pending;     /* per process: a REQUEST waits for an answer */
  long *rendered;    /* per process: frames it finished */
  int others_active; /* other processes not yet DONE */
};

static void idle(void) {
  struct timespec pause = {0, CLRT_EXCHANGE_IDLE_NS};
  nanosleep(&pause, NULL);
}

/* ---- the root's states (under the lock) ---- */

/* The next run for `rank`: the first waiting frame and the waiting ones
 * after it, a share of those left. False when none waits. */
static bool give_run(clrt_frame_exchange *x, int rank, long run[2]) {
  long first = -1, waiting = 0;
  for (long i = 0; i < x->count; ++i)
    if (x->state[i] == WAITING) {
      first = first < 0 ? i : first;
      ++waiting;
    }
  if (first < 0)
    return false;
  long share = waiting / (CLRT_GUIDED_SHARE * x->size), n = 0;
  share = share < 1 ? 1 : share;
  while (n < share && first + n < x->count && x->state[first + n] == WAITING)
    x->state[first + n++] = rank;
  run[0] = first;
  run[1] = n;
  return true;
}

/* Whether frames are with a process that may yet give them back. */
static bool frames_out(const clrt_frame_exchange *x) {
  for (long i = 0; i < x->count; ++i)
    if (x->state[i] >= 0 && x->asking[x->state[i]])
      return true;
  return false;
}

static void put_back(clrt_frame_exchange *x, long first, long n) {
  for (long i = first; i < first + n && i < x->count; ++i)
    if (x->state[i] != DONE)
      x->state[i] = WAITING;
}

static void store(clrt_frame_exchange *x, long index, void *picture, int rank) {
  if (index < 0 || index >= x->count || x->state[index] == DONE) {
    free(picture); /* a frame rendered twice (given back, then finished after all) */
    return;
  }
  x->state[index] = DONE;
  x->pictures[index] = picture;
  x->rendered[rank] += 1;
}

/* ---- the root's thread ---- */

/* Answers the REQUESTs that wait, now that there may be something to
 * give (or certainly nothing). */
static void answer_pending(clrt_frame_exchange *x) {
  for (int r = 1; r < x->size; ++r) {
    if (!x->pending[r])
      continue;
    long run[2] = {-1, 0};
    if (!give_run(x, r, run) && frames_out(x))
      continue; /* later: some may come back */
    x->pending[r] = false;
    MPI_Send(run, 2, MPI_LONG, r, TAG_F_RUN, MPI_COMM_WORLD);
  }
}

static void receive_frame(clrt_frame_exchange *x, const MPI_Status *status) {
  int bytes;
  MPI_Get_count(status, MPI_BYTE, &bytes);
  char *message = malloc(bytes > 0 ? (size_t)bytes : 1);
  if (!message)
    MPI_Abort(MPI_COMM_WORLD, CLRT_ERR_RUNTIME); /* a frame lost would be a wrong movie */
  MPI_Recv(message, bytes, MPI_BYTE, status->MPI_SOURCE, TAG_F_FRAME, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  long index;
  memcpy(&index, message, sizeof index);
  void *picture = malloc(x->picture_bytes);
  if (!picture)
    MPI_Abort(MPI_COMM_WORLD, CLRT_ERR_RUNTIME);
  memcpy(picture, message + sizeof index, x->picture_bytes);
  free(message);
  pthread_mutex_lock(&x->lock);
  store(x, index, picture, status->MPI_SOURCE);
  pthread_cond_broadcast(&x->changed);
  pthread_mutex_unlock(&x->lock);
}

static void handle(clrt_frame_exchange *x, const MPI_Status *status) {
  int rank = status->MPI_SOURCE;
  if (status->MPI_TAG == TAG_F_FRAME) {
    receive_frame(x, status);
    return;
  }
  long run[2] = {0, 0};
  MPI_Recv(run, 2, MPI_LONG, rank, status->MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  pthread_mutex_lock(&x->lock);
  if (status->MPI_TAG == TAG_F_REQUEST)
    x->pending[rank] = true;
  else if (status->MPI_TAG == TAG_F_GIVE_BACK) {
    x->asking[rank] = false;
    put_back(x, run[0], run[1]);
  } else if (status->MPI_TAG == TAG_F_DONE) {
    x->asking[rank] = false;
    --x->others_active;
  }
  pthread_cond_broadcast(&x->changed);
  pthread_mutex_unlock(&x->lock);
}

static void *serve(void *argument) {
  clrt_frame_exchange *x = argument;
  for (;;) {
    pthread_mutex_lock(&x->lock);
    answer_pending(x);
    bool over = x->others_active == 0;
    pthread_mutex_unlock(&x->lock);
    if (over)
      return NULL;
    int arrived;
    MPI_Status status;
    MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &arrived, &status);
    if (arrived && status.MPI_TAG >= TAG_F_REQUEST && status.MPI_TAG <= TAG_F_DONE)
      handle(x, &status);
    else
      idle();
  }
}

/* ---- every process ---- */

static bool allocate_root(clrt_frame_exchange *x) {
  size_t frames = (size_t)x->count, processes = (size_t)x->size;
  x->state = malloc(frames * sizeof *x->state);
  x->pictures = calloc(frames, sizeof *x->pictures);
  x->asking = malloc(processes * sizeof *x->asking);
  x->pending = calloc(processes, sizeof *x->pending);
  x->rendered = calloc(processes, sizeof *x->rendered);
  if (!x->state || !x->pictures || !x->asking || !x->pending || !x->rendered)
    return false;
  for (size_t i = 0; i < frames; ++i)
    x->state[i] = WAITING;
  for (size_t r = 0; r < processes; ++r)
    x->asking[r] = true;
  x->others_active = x->size - 1;
  return true;
}

static void free_exchange(clrt_frame_exchange *x) {
  for (long i = 0; x->pictures && i < x->count; ++i)
    free(x->pictures[i]);
  free(x->state);
  free(x->pictures);
  free(x->asking);
  free(x->pending);
  free(x->rendered);
  free(x);
}

clrt_status clrt_frame_exchange_start(long count, size_t picture_bytes, clrt_frame_exchange **exchange,
                                      clrt_error *err) {
  clrt_frame_exchange *x = calloc(1, sizeof *x);
  bool ok = x != NULL;
  if (ok) {
    x->root = clrt_cluster_rank() == 0;
    x->size = clrt_cluster_size();
    x->count = count;
    x->picture_bytes = picture_bytes;
    ok = !x->root || allocate_root(x);
  }
  if (ok && x->root) {
    pthread_mutex_init(&x->lock, NULL);
    pthread_cond_init(&x->changed, NULL);
    ok = pthread_create(&x->thread, NULL, serve, x) == 0;
    if (!ok) {
      pthread_cond_destroy(&x->changed);
      pthread_mutex_destroy(&x->lock);
    }
  }
  if (ok) {
    *exchange = x;
    return CLRT_OK;
  }
  if (x)
    free_exchange(x);
  *exchange = NULL;
  return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory for the frames' exchange");
}

bool clrt_frame_exchange_next(clrt_frame_exchange *x, long *first, long *count) {
  long run[2] = {-1, 0};
  if (!x->root) {
    MPI_Send(run, 2, MPI_LONG, 0, TAG_F_REQUEST, MPI_COMM_WORLD);
    MPI_Recv(run, 2, MPI_LONG, 0, TAG_F_RUN, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  } else {
    pthread_mutex_lock(&x->lock);
    while (x->asking[0] && !give_run(x, 0, run) && frames_out(x))
      pthread_cond_wait(&x->changed, &x->lock);
    pthread_mutex_unlock(&x->lock);
  }
  *first = run[0];
  *count = run[1];
  return run[1] > 0;
}

void clrt_frame_exchange_finished(clrt_frame_exchange *x, long index, const void *picture) {
  if (!x->root) {
    char *message = malloc(sizeof index + x->picture_bytes);
    if (!message)
      MPI_Abort(MPI_COMM_WORLD, CLRT_ERR_RUNTIME);
    memcpy(message, &index, sizeof index);
    memcpy(message + sizeof index, picture, x->picture_bytes);
    MPI_Send(message, (int)(sizeof index + x->picture_bytes), MPI_BYTE, 0, TAG_F_FRAME, MPI_COMM_WORLD);
    free(message);
    return;
  }
  void *copy = malloc(x->picture_bytes);
  if (!copy)
    MPI_Abort(MPI_COMM_WORLD, CLRT_ERR_RUNTIME);
  memcpy(copy, picture, x->picture_bytes);
  pthread_mutex_lock(&x->lock);
  store(x, index, copy, 0);
  pthread_cond_broadcast(&x->changed);
  pthread_mutex_unlock(&x->lock);
}

void clrt_frame_exchange_give_back(clrt_frame_exchange *x, long first, long count) {
  long run[2] = {first, count};
  if (!x->root) {
    MPI_Send(run, 2, MPI_LONG, 0, TAG_F_GIVE_BACK, MPI_COMM_WORLD);
    return;
  }
  pthread_mutex_lock(&x->lock);
  x->asking[0] = false;
  put_back(x, first, count);
  pthread_cond_broadcast(&x->changed);
  pthread_mutex_unlock(&x->lock);
}

/* No process is left that could render a waiting frame. */
static bool nobody_left(const clrt_frame_exchange *x) {
  for (int r = 0; r < x->size; ++r)
    if (x->asking[r])
      return false;
  return true;
}

bool clrt_frame_exchange_take(clrt_frame_exchange *x, long index, void *picture, bool wait, bool *lost) {
  *lost = false;
  pthread_mutex_lock(&x->lock);
  while (wait && !x->pictures[index] && !(x->state[index] == WAITING && nobody_left(x)))
    pthread_cond_wait(&x->changed, &x->lock);
  void *found = x->pictures[index];
  x->pictures[index] = NULL;
  *lost = !found && x->state[index] == WAITING && nobody_left(x);
  pthread_mutex_unlock(&x->lock);
  if (found) {
    memcpy(picture, found, x->picture_bytes);
    free(found);
  }
  return found != NULL;
}

const long *clrt_frame_exchange_rendered(const clrt_frame_exchange *x) { return x->root ? x->rendered : NULL; }

void clrt_frame_exchange_end(clrt_frame_exchange *x) {
  if (!x)
    return;
  if (!x->root) {
    long run[2] = {0, 0};
    MPI_Send(run, 2, MPI_LONG, 0, TAG_F_DONE, MPI_COMM_WORLD);
  } else {
    pthread_mutex_lock(&x->lock);
    x->asking[0] = false;
    pthread_cond_broadcast(&x->changed);
    pthread_mutex_unlock(&x->lock);
    pthread_join(x->thread, NULL);
    pthread_cond_destroy(&x->changed);
    pthread_mutex_destroy(&x->lock);
  }
  free_exchange(x);
}
