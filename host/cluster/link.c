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
 * and DONE when its farm has ended.
 *
 * Both sides say ALIVE twice a second. A process the root has not heard
 * from for the silence limit (--tile-timeout) is stopped or hung: its
 * tiles go to the others, the root waits for it no more and, since no
 * collective can complete without it, goes on as a cluster of one
 * (clrt_cluster_cut_off). A process that has not heard from the root for
 * as long ends the job: the film is the root's, and nothing can finish it
 * elsewhere but --resume. */
#include "clrt_cluster.h"

#include <mpi.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clrt_array.h"
#include "clrt_clock.h"

enum { TAG_REQUEST = 1, TAG_TILES, TAG_FINISHED, TAG_RESULT, TAG_RETURN, TAG_RETIRE, TAG_DONE, TAG_ALIVE };

/* Tiles a device should have in hand: two in flight and one waiting. */
#define CLRT_TILES_PER_DEVICE 3u
/* How long the exchange sleeps when there was nothing to do: short next to
 * a tile's time, long enough not to take a core from the devices. */
#define CLRT_LINK_IDLE_NS 200000L
/* How often each side says it is alive: far below any silence limit. */
#define CLRT_ALIVE_EVERY_MS 500.0
/* A gap this long between two looks means this process itself was not
 * running (stopped, or starved of CPU): silence over the gap is its own. */
#define CLRT_OWN_PAUSE_MS 2000.0

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
  double silence_ms;    /* heard nothing for this long: the other side is stopped or hung */
  double alive_sent_ms; /* when this side last said ALIVE */
  double looked_ms;     /* when this side last looked for silence */
  /* the others' side */
  bool asked;            /* a REQUEST is unanswered */
  double root_heard_ms;  /* when the root was last heard from */
  bool feed_finished;    /* FINISHED came */
  unsigned devices_told; /* working devices the root still counts */
  /* the root's side */
  unsigned *wanted; /* per process: tiles asked for and not yet given */
  bool *finished_sent, *done;
  int done_count;
  double *heard_ms;     /* per process: when it was last heard from */
  clrt_tile_plan *held; /* per process: the tiles it was given and has not sent back */
  size_t *held_capacity;
  bool *silent; /* per process: stopped answering, given up on */
};

static void idle(void) {
  struct timespec pause = {0, CLRT_LINK_IDLE_NS};
  nanosleep(&pause, NULL);
}

static double since(double ms) { return clrt_now_ms() - ms; }

/* ALIVE to process `rank`. */
static bool say_alive(int rank) {
  MPI_Send(NULL, 0, MPI_BYTE, rank, TAG_ALIVE, MPI_COMM_WORLD);
  return true;
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
  l->root_heard_ms = clrt_now_ms();
  if (status.MPI_TAG == TAG_TILES || status.MPI_TAG == TAG_FINISHED)
    l->asked = false; /* answered */
  if (status.MPI_TAG == TAG_TILES && !clrt_scheduler_feed(l->route.scheduler, tiles, (size_t)bytes / sizeof *tiles))
    MPI_Abort(MPI_COMM_WORLD, CLRT_ERR_RUNTIME);
  if (status.MPI_TAG == TAG_FINISHED) {
    l->feed_finished = true;
    clrt_scheduler_close_feed(l->route.scheduler);
  }
  free(tiles);
  return true;
}

/* ALIVE to the root twice a second; and the root's silence past the
 * limit ends the job: the root is stopped or hung, and its film with it. */
static bool keep_in_touch(clrt_cluster_link *l) {
  if (since(l->looked_ms) > CLRT_OWN_PAUSE_MS)
    l->root_heard_ms = clrt_now_ms();
  l->looked_ms = clrt_now_ms();
  if (since(l->root_heard_ms) > l->silence_ms) {
    char host[64];
    clrt_cluster_host(host, sizeof host);
    fprintf(stderr,
            "clrt: error: process %d (%s): the root, process 0, has said nothing for %.0f s (stopped or hung): "
            "ending the job (a render with --checkpoint FILE is finished by --resume FILE)\n",
            clrt_cluster_rank(), host, since(l->root_heard_ms) / 1e3);
    MPI_Abort(MPI_COMM_WORLD, CLRT_ERR_RUNTIME);
  }
  if (since(l->alive_sent_ms) < CLRT_ALIVE_EVERY_MS)
    return false;
  l->alive_sent_ms = clrt_now_ms();
  return say_alive(0);
}

/* Sends to the root without blocking on it: a big message goes in pieces
 * that the root must take, and a root stopped in the middle would hold
 * this process forever. Meanwhile the root's tiles are taken and its
 * silence watched (keep_in_touch ends the job past the limit). */
static void send_to_root(clrt_cluster_link *l, const void *data, size_t size, int tag) {
  MPI_Request request;
  MPI_Isend(data, (int)size, MPI_BYTE, 0, tag, MPI_COMM_WORLD, &request);
  for (int complete = 0;;) {
    MPI_Test(&request, &complete, MPI_STATUS_IGNORE);
    if (complete)
      return;
    bool busy = receive_from_root(l);
    busy |= keep_in_touch(l);
    if (!busy)
      idle();
  }
}

static bool send_queued(clrt_cluster_link *l) {
  bool sent = false;
  for (outgoing *message; (message = dequeue(l)); sent = true) {
    send_to_root(l, message->data, message->size, message->tag);
    free(message->data);
    free(message);
  }
  return sent;
}

/* Tiles waiting here that no device here will take (none works any more,
 * or the render stops) go back to the root, for another process. */
static bool give_back(clrt_cluster_link *l, const clrt_scheduler_state *state) {
  if (state->active_devices > 0 && !state->stopping && !farm_done(l))
    return false;
  bool sent = false;
  clrt_tile tiles[64];
  for (size_t n; (n = clrt_scheduler_take_pending(l->route.scheduler, tiles, 64)) > 0; sent = true)
    send_to_root(l, tiles, n * sizeof *tiles, TAG_RETURN);
  return sent;
}

static void *other_main(void *argument) {
  clrt_cluster_link *l = argument;
  for (;;) {
    bool busy = keep_in_touch(l);
    busy |= send_queued(l);
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
    if (!receive_from_root(l) && !keep_in_touch(l))
      idle();
  clrt_scheduler_state state = clrt_scheduler_state_of(l->route.scheduler);
  give_back(l, &state);
  MPI_Send(NULL, 0, MPI_BYTE, 0, TAG_DONE, MPI_COMM_WORLD);
  return NULL;
}

/* ---- the root ---- */

/* A tile given to process `rank`: held until it comes back. Out of memory,
 * a tile lost would be a wrong picture. */
static void hold(clrt_cluster_link *l, int rank, const clrt_tile *tile) {
  clrt_tile_plan *held = &l->held[rank];
  clrt_tile *grown = clrt_array_reserve(held->tiles, &l->held_capacity[rank], held->count + 1, sizeof *held->tiles);
  if (!grown)
    MPI_Abort(MPI_COMM_WORLD, CLRT_ERR_RUNTIME);
  held->tiles = grown;
  held->tiles[held->count++] = *tile;
}

/* A tile process `rank` sent back, finished or not. */
static void release(clrt_cluster_link *l, int rank, const clrt_tile *tile) {
  clrt_tile_plan *held = &l->held[rank];
  for (size_t i = 0; i < held->count; ++i)
    if (memcmp(&held->tiles[i], tile, sizeof *tile) == 0) {
      held->tiles[i] = held->tiles[--held->count];
      return;
    }
}

/* Gives process `rank` what it asked for, if the scheduler has it now, or
 * FINISHED if nothing more will come. */
static bool answer(clrt_cluster_link *l, int rank) {
  if (l->wanted[rank] == 0 || l->finished_sent[rank] || l->silent[rank])
    return false;
  clrt_tile tiles[64];
  unsigned count = 0;
  while (count < l->wanted[rank] && count < 64 && clrt_scheduler_take(l->route.scheduler, false, &tiles[count]))
    ++count;
  if (count > 0) {
    for (unsigned i = 0; i < count; ++i) {
      clrt_progress_tile_started(l->route.progress, l->remote_progress + (unsigned)rank - 1,
                                 (size_t)tiles[i].width * tiles[i].height);
      hold(l, rank, &tiles[i]);
    }
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
  release(l, rank, &header.tile);
  clrt_film_receive(l->route.film, &header.tile, data + sizeof header);
  clrt_scheduler_done(l->route.scheduler, &header.tile);
  clrt_progress_tile_done(l->route.progress, l->remote_progress + (unsigned)rank - 1,
                          (size_t)header.tile.width * header.tile.height, header.rays);
}

static void take_returned(clrt_cluster_link *l, int rank, const clrt_tile *tiles, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    release(l, rank, &tiles[i]);
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

/* Process `rank` has said nothing for the silence limit: its tiles go
 * back to the scheduler for the others, and the root waits for it no
 * more, as a cluster of one from now on. */
static void give_up_on(clrt_cluster_link *l, int rank) {
  clrt_tile_plan held = l->held[rank]; /* taken out: returning a tile releases it */
  memset(&l->held[rank], 0, sizeof l->held[rank]);
  l->held_capacity[rank] = 0;
  size_t tiles = held.count;
  take_returned(l, rank, held.tiles, held.count);
  free(held.tiles);
  l->silent[rank] = true;
  l->done[rank] = true;
  ++l->done_count;
  clrt_progress_device_gone(l->route.progress, l->remote_progress + (unsigned)rank - 1);
  clrt_progress_message(l->route.progress,
                        "clrt: warning: process %d has said nothing for %.0f s (stopped or hung): its %zu tile(s) go "
                        "to the others; the summary counts this process's work alone, and the job is ended once the "
                        "picture is written",
                        rank, since(l->heard_ms[rank]) / 1e3, tiles);
  clrt_cluster_cut_off();
}

/* ALIVE to every process still rendering, twice a second; and gives up on
 * those silent past the limit. */
static bool keep_in_touch_with_all(clrt_cluster_link *l) {
  bool busy = false;
  for (int rank = 1; since(l->looked_ms) > CLRT_OWN_PAUSE_MS && rank < l->size; ++rank)
    l->heard_ms[rank] = clrt_now_ms();
  l->looked_ms = clrt_now_ms();
  for (int rank = 1; rank < l->size; ++rank)
    if (!l->done[rank] && since(l->heard_ms[rank]) > l->silence_ms) {
      give_up_on(l, rank);
      busy = true;
    }
  if (since(l->alive_sent_ms) < CLRT_ALIVE_EVERY_MS)
    return busy;
  l->alive_sent_ms = clrt_now_ms();
  for (int rank = 1; rank < l->size; ++rank)
    if (!l->done[rank])
      busy |= say_alive(rank);
  return busy;
}

/* Receives the message `status` announced without blocking on its sender:
 * a big message comes in pieces that the sender must push, and one
 * stopped in the middle would hold the root forever. False when the
 * sender was given up on meanwhile (the request is abandoned: the job
 * ends with the picture). */
static bool receive_whole(clrt_cluster_link *l, char *data, int bytes, const MPI_Status *status) {
  MPI_Request request;
  MPI_Irecv(data, bytes, MPI_BYTE, status->MPI_SOURCE, status->MPI_TAG, MPI_COMM_WORLD, &request);
  for (int complete = 0;;) {
    MPI_Test(&request, &complete, MPI_STATUS_IGNORE);
    if (complete)
      return true;
    keep_in_touch_with_all(l);
    if (l->silent[status->MPI_SOURCE])
      return false;
    idle();
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
  if (!receive_whole(l, data, bytes, &status))
    return true; /* its sender went silent in the middle: the buffer stays MPI's */
  l->heard_ms[status.MPI_SOURCE] = clrt_now_ms();
  /* A process given up on may wake: what it says is no longer counted
   * (its tiles are rendered elsewhere). */
  if (!l->silent[status.MPI_SOURCE])
    handle(l, status.MPI_SOURCE, status.MPI_TAG, data, bytes);
  free(data);
  return true;
}

static void *root_main(void *argument) {
  clrt_cluster_link *l = argument;
  while (l->done_count < l->size - 1) {
    bool busy = receive_from_others(l);
    busy |= keep_in_touch_with_all(l);
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
  for (int rank = 0; l->held && rank < l->size; ++rank)
    free(l->held[rank].tiles);
  free(l->held);
  free(l->held_capacity);
  free(l->heard_ms);
  free(l->silent);
  free(l->wanted);
  free(l->finished_sent);
  free(l->done);
  free(l);
}

clrt_status clrt_cluster_link_start(const clrt_tile_route *route, unsigned local_devices, size_t pixel_bytes,
                                    double silence_ms, clrt_cluster_link **link, clrt_tile_sink *sink,
                                    clrt_error *err) {
  clrt_cluster_link *l = calloc(1, sizeof *l);
  if (!l)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory for the cluster link");
  l->route = *route;
  l->remote_progress = local_devices;
  l->pixel_bytes = pixel_bytes;
  l->root = clrt_cluster_rank() == 0;
  l->size = clrt_cluster_size();
  l->start_ms = clrt_now_ms();
  l->silence_ms = silence_ms;
  l->root_heard_ms = l->start_ms;
  l->looked_ms = l->start_ms;
  l->devices_told = clrt_scheduler_state_of(route->scheduler).active_devices;
  pthread_mutex_init(&l->lock, NULL);
  size_t n = (size_t)l->size;
  l->wanted = calloc(n, sizeof *l->wanted);
  l->finished_sent = calloc(n, sizeof *l->finished_sent);
  l->done = calloc(n, sizeof *l->done);
  l->heard_ms = calloc(n, sizeof *l->heard_ms);
  l->held = calloc(n, sizeof *l->held);
  l->held_capacity = calloc(n, sizeof *l->held_capacity);
  l->silent = calloc(n, sizeof *l->silent);
  for (size_t rank = 0; l->heard_ms && rank < n; ++rank)
    l->heard_ms[rank] = l->start_ms;
  int rc = !l->wanted || !l->finished_sent || !l->done || !l->heard_ms || !l->held || !l->held_capacity || !l->silent
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
