/* The tile exchange between the root and the other processes
 * (clrt_cluster.h), on a thread of each process: the only thread that
 * calls MPI while the render runs (MPI_THREAD_SERIALIZED).
 *
 * The others ask for tiles (REQUEST: how many), ahead of need: when fewer
 * tiles wait than they have working devices, for enough to hold three per
 * device (two in flight, one waiting). The root answers at once with what
 * its scheduler can give (TILES), later when none is free but some are in
 * flight elsewhere (they may come back), or FINISHED when nothing more will
 * come. Finished tiles go back as RESULT (the tile, its rays, its pixels);
 * tiles a process cannot render as RETURN; devices it retired as RETIRE;
 * and DONE when its farm has ended. */
#include "clrt_cluster.h"

#include <mpi.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clrt_clock.h"

enum { TAG_REQUEST = 1, TAG_TILES, TAG_FINISHED, TAG_RESULT, TAG_RETURN, TAG_RETIRE, TAG_DONE };

/* Tiles a device should have in hand: two in flight and one waiting. */
#define CLRT_TILES_PER_DEVICE 3u
/* How long the exchange sleeps when there was nothing to do: short next to
 * a tile's time, long enough not to take a core from the devices. */
#define CLRT_LINK_IDLE_NS 200000L

typedef struct result_header {
  clrt_tile tile;
  uint64_t rays;
} result_header;

/* A message waiting to be sent (the others' queue). */
typedef struct outgoing {
  int tag;
  void *data;
  size_t size;
  struct outgoing *next;
} outgoing;

struct clrt_cluster_link {
  clrt_tile_route route;    /* this process's */
  unsigned remote_progress; /* process r's progress entry: remote_progress + r - 1 */
  size_t pixel_bytes;
  bool root;
  int size;
  pthread_t thread;
  pthread_mutex_t lock;
  bool farm_done; /* this process's farm has ended */
  outgoing *queue, *queue_tail;
  double start_ms, render_ms;
  /* the others' side */
  bool asked;            /* a REQUEST is unanswered */
  bool feed_finished;    /* FINISHED came */
  unsigned devices_told; /* working devices the root still counts */
  /* the root's side */
  unsigned *wanted; /* per process: tiles asked for and not yet given */
  bool *finished_sent, *done;
  int done_count;
};

static void idle(void) {
  struct timespec pause = {0, CLRT_LINK_IDLE_NS};
  nanosleep(&pause, NULL);
}

/* ---- the others ---- */

static void enqueue(clrt_cluster_link *l, int tag, void *data, size_t size) {
  outgoing *message = malloc(sizeof *message);
  if (!message) {
    MPI_Abort(MPI_COMM_WORLD, CLRT_ERR_RUNTIME); /* a tile lost would be a wrong picture */
    return;
  }
  *message = (outgoing){tag, data, size, NULL};
  pthread_mutex_lock(&l->lock);
  if (l->queue_tail)
    l->queue_tail->next = message;
  else
    l->queue = message;
  l->queue_tail = message;
  pthread_mutex_unlock(&l->lock);
}

/* The farm's sink: a finished tile, queued for the root. */
static void send_result(void *context, const clrt_tile *tile, const void *pixels, uint64_t rays) {
  clrt_cluster_link *l = context;
  size_t bytes = (size_t)tile->width * tile->height * l->pixel_bytes;
  char *data = malloc(sizeof(result_header) + bytes);
  if (!data)
    MPI_Abort(MPI_COMM_WORLD, CLRT_ERR_RUNTIME);
  result_header header = {*tile, rays};
  memcpy(data, &header, sizeof header);
  memcpy(data + sizeof header, pixels, bytes);
  enqueue(l, TAG_RESULT, data, sizeof header + bytes);
}

static outgoing *dequeue(clrt_cluster_link *l) {
  pthread_mutex_lock(&l->lock);
  outgoing *message = l->queue;
  if (message) {
    l->queue = message->next;
    if (!l->queue)
      l->queue_tail = NULL;
  }
  pthread_mutex_unlock(&l->lock);
  return message;
}

static bool send_queued(clrt_cluster_link *l) {
  bool sent = false;
  for (outgoing *message; (message = dequeue(l)); sent = true) {
    MPI_Send(message->data, (int)message->size, MPI_BYTE, 0, message->tag, MPI_COMM_WORLD);
    free(message->data);
    free(message);
  }
  return sent;
}

static bool farm_done(clrt_cluster_link *l) {
  pthread_mutex_lock(&l->lock);
  bool done = l->farm_done;
  pthread_mutex_unlock(&l->lock);
  return done;
}

/* Devices retired here since the root last heard (its guided tiles are
 * cut for the devices still working). */
static bool tell_retired(clrt_cluster_link *l, const clrt_scheduler_state *state) {
  if (state->active_devices >= l->devices_told)
    return false;
  unsigned retired = l->devices_told - state->active_devices;
  l->devices_told = state->active_devices;
  MPI_Send(&retired, 1, MPI_UNSIGNED, 0, TAG_RETIRE, MPI_COMM_WORLD);
  return true;
}

/* Tiles waiting here that no device here will take (none works any more,
 * or the render stops) go back to the root, for another process. */
static bool give_back(clrt_cluster_link *l, const clrt_scheduler_state *state) {
  if (state->active_devices > 0 && !state->stopping && !farm_done(l))
    return false;
  bool sent = false;
  clrt_tile tiles[64];
  for (size_t n; (n = clrt_scheduler_take_pending(l->route.scheduler, tiles, 64)) > 0; sent = true)
    MPI_Send(tiles, (int)(n * sizeof *tiles), MPI_BYTE, 0, TAG_RETURN, MPI_COMM_WORLD);
  return sent;
}

static bool ask_ahead(clrt_cluster_link *l, const clrt_scheduler_state *state) {
  if (l->asked || l->feed_finished || state->stopping || state->active_devices == 0 ||
      state->pending >= state->active_devices)
    return false;
  size_t in_hand = state->pending + state->in_flight, wanted = CLRT_TILES_PER_DEVICE * state->active_devices;
  unsigned count = (unsigned)(wanted > in_hand ? wanted - in_hand : 1);
  MPI_Send(&count, 1, MPI_UNSIGNED, 0, TAG_REQUEST, MPI_COMM_WORLD);
  l->asked = true;
  return true;
}

static bool receive_from_root(clrt_cluster_link *l) {
  int arrived;
  MPI_Status status;
  MPI_Iprobe(0, MPI_ANY_TAG, MPI_COMM_WORLD, &arrived, &status);
  if (!arrived)
    return false;
  int bytes;
  MPI_Get_count(&status, MPI_BYTE, &bytes);
  clrt_tile *tiles = malloc(bytes > 0 ? (size_t)bytes : 1);
  if (!tiles)
    MPI_Abort(MPI_COMM_WORLD, CLRT_ERR_RUNTIME);
  MPI_Recv(tiles, bytes, MPI_BYTE, 0, status.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  l->asked = false;
  if (status.MPI_TAG == TAG_TILES && !clrt_scheduler_feed(l->route.scheduler, tiles, (size_t)bytes / sizeof *tiles))
    MPI_Abort(MPI_COMM_WORLD, CLRT_ERR_RUNTIME);
  if (status.MPI_TAG == TAG_FINISHED) {
    l->feed_finished = true;
    clrt_scheduler_close_feed(l->route.scheduler);
  }
  free(tiles);
  return true;
}

static void *other_main(void *argument) {
  clrt_cluster_link *l = argument;
  for (;;) {
    bool busy = send_queued(l);
    clrt_scheduler_state state = clrt_scheduler_state_of(l->route.scheduler);
    busy |= tell_retired(l, &state);
    busy |= give_back(l, &state);
    busy |= ask_ahead(l, &state);
    busy |= receive_from_root(l);
    if (farm_done(l) && !send_queued(l))
      break;
    if (!busy)
      idle();
  }
  /* The root answers every REQUEST (tiles that come now go back), and
   * listens until DONE. */
  while (l->asked)
    if (!receive_from_root(l))
      idle();
  clrt_scheduler_state state = clrt_scheduler_state_of(l->route.scheduler);
  give_back(l, &state);
  MPI_Send(NULL, 0, MPI_BYTE, 0, TAG_DONE, MPI_COMM_WORLD);
  return NULL;
}

/* ---- the root ---- */

/* Gives process `rank` what it asked for, if the scheduler has it now, or
 * FINISHED if nothing more will come. */
static bool answer(clrt_cluster_link *l, int rank) {
  if (l->wanted[rank] == 0 || l->finished_sent[rank])
    return false;
  clrt_tile tiles[64];
  unsigned count = 0;
  while (count < l->wanted[rank] && count < 64 && clrt_scheduler_take(l->route.scheduler, false, &tiles[count]))
    ++count;
  if (count > 0) {
    for (unsigned i = 0; i < count; ++i)
      clrt_progress_tile_started(l->route.progress, l->remote_progress + (unsigned)rank - 1,
                                 (size_t)tiles[i].width * tiles[i].height);
    MPI_Send(tiles, (int)(count * sizeof *tiles), MPI_BYTE, rank, TAG_TILES, MPI_COMM_WORLD);
    l->wanted[rank] = 0;
    return true;
  }
  if (!clrt_scheduler_state_of(l->route.scheduler).finished)
    return false; /* later: tiles in flight elsewhere may come back */
  MPI_Send(NULL, 0, MPI_BYTE, rank, TAG_FINISHED, MPI_COMM_WORLD);
  l->wanted[rank] = 0;
  l->finished_sent[rank] = true;
  return true;
}

static void take_result(clrt_cluster_link *l, int rank, const char *data) {
  result_header header;
  memcpy(&header, data, sizeof header);
  clrt_film_receive(l->route.film, &header.tile, data + sizeof header);
  clrt_scheduler_done(l->route.scheduler, &header.tile);
  clrt_progress_tile_done(l->route.progress, l->remote_progress + (unsigned)rank - 1,
                          (size_t)header.tile.width * header.tile.height, header.rays);
}

static void take_returned(clrt_cluster_link *l, int rank, const clrt_tile *tiles, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    clrt_scheduler_return(l->route.scheduler, &tiles[i]);
    clrt_progress_tile_dropped(l->route.progress, l->remote_progress + (unsigned)rank - 1,
                               (size_t)tiles[i].width * tiles[i].height);
  }
}

static void handle(clrt_cluster_link *l, int rank, int tag, const char *data, int bytes) {
  unsigned count;
  switch (tag) {
  case TAG_REQUEST:
    memcpy(&count, data, sizeof count);
    l->wanted[rank] = count;
    break;
  case TAG_RESULT:
    take_result(l, rank, data);
    break;
  case TAG_RETURN:
    take_returned(l, rank, (const clrt_tile *)(const void *)data, (size_t)bytes / sizeof(clrt_tile));
    break;
  case TAG_RETIRE:
    memcpy(&count, data, sizeof count);
    while (count-- > 0)
      clrt_scheduler_retire_device(l->route.scheduler);
    break;
  case TAG_DONE:
    l->done[rank] = true;
    ++l->done_count;
    break;
  }
}

static bool receive_from_others(clrt_cluster_link *l) {
  int arrived;
  MPI_Status status;
  MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &arrived, &status);
  if (!arrived)
    return false;
  int bytes;
  MPI_Get_count(&status, MPI_BYTE, &bytes);
  char *data = malloc(bytes > 0 ? (size_t)bytes : 1);
  if (!data)
    MPI_Abort(MPI_COMM_WORLD, CLRT_ERR_RUNTIME);
  MPI_Recv(data, bytes, MPI_BYTE, status.MPI_SOURCE, status.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  handle(l, status.MPI_SOURCE, status.MPI_TAG, data, bytes);
  free(data);
  return true;
}

static void *root_main(void *argument) {
  clrt_cluster_link *l = argument;
  while (l->done_count < l->size - 1) {
    bool busy = receive_from_others(l);
    for (int rank = 1; rank < l->size; ++rank)
      busy |= answer(l, rank);
    if (!busy)
      idle();
  }
  l->render_ms = clrt_now_ms() - l->start_ms;
  return NULL;
}

/* ---- both ---- */

static void free_link(clrt_cluster_link *l) {
  for (outgoing *message; (message = dequeue(l));) {
    free(message->data);
    free(message);
  }
  pthread_mutex_destroy(&l->lock);
  free(l->wanted);
  free(l->finished_sent);
  free(l->done);
  free(l);
}

clrt_status clrt_cluster_link_start(const clrt_tile_route *route, unsigned local_devices, size_t pixel_bytes,
                                    clrt_cluster_link **link, clrt_tile_sink *sink, clrt_error *err) {
  clrt_cluster_link *l = calloc(1, sizeof *l);
  if (!l)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory for the cluster link");
  l->route = *route;
  l->remote_progress = local_devices;
  l->pixel_bytes = pixel_bytes;
  l->root = clrt_cluster_rank() == 0;
  l->size = clrt_cluster_size();
  l->start_ms = clrt_now_ms();
  l->devices_told = clrt_scheduler_state_of(route->scheduler).active_devices;
  pthread_mutex_init(&l->lock, NULL);
  size_t n = (size_t)l->size;
  l->wanted = calloc(n, sizeof *l->wanted);
  l->finished_sent = calloc(n, sizeof *l->finished_sent);
  l->done = calloc(n, sizeof *l->done);
  int rc = !l->wanted || !l->finished_sent || !l->done
               ? -1
               : pthread_create(&l->thread, NULL, l->root ? root_main : other_main, l);
  if (rc != 0) {
    free_link(l);
    return clrt_fail(err, CLRT_ERR_RUNTIME, "cannot start the cluster link's thread");
  }
  *sink = (clrt_tile_sink){send_result, l};
  *link = l;
  return CLRT_OK;
}

void clrt_cluster_link_finish(clrt_cluster_link *l, double *render_ms) {
  pthread_mutex_lock(&l->lock);
  l->farm_done = true;
  pthread_mutex_unlock(&l->lock);
  pthread_join(l->thread, NULL);
  if (render_ms)
    *render_ms = l->render_ms;
  free_link(l);
}
