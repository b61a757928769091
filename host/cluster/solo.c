/* The cluster when clrt is built without MPI (clrt_cluster.h): always a
 * cluster of one process, which has nothing to exchange. */
#include "clrt_cluster.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void clrt_cluster_start(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
}

void clrt_cluster_end(int exit_code) { (void)exit_code; }

void clrt_cluster_cut_off(void) {}

int clrt_cluster_rank(void) { return 0; }

int clrt_cluster_size(void) { return 1; }

void clrt_cluster_host(char *out, size_t size) {
  if (gethostname(out, size) != 0)
    snprintf(out, size, "?");
  out[size - 1] = '\0';
}

clrt_status clrt_cluster_agree(clrt_status status, clrt_error *err) {
  (void)err;
  return status;
}

void clrt_cluster_share(void *data, size_t size) {
  (void)data;
  (void)size;
}

clrt_status clrt_cluster_share_scene(clrt_flat_scene *flat, clrt_image_settings *image, clrt_error *err) {
  (void)flat;
  (void)image;
  (void)err;
  return CLRT_OK;
}

void clrt_cluster_wait_all(void) {}

clrt_status clrt_cluster_gather(const void *mine, size_t bytes, void **all, size_t *all_bytes, clrt_error *err) {
  *all = malloc(bytes ? bytes : 1);
  *all_bytes = bytes;
  if (!*all)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory for %zu bytes", bytes);
  memcpy(*all, mine, bytes);
  return CLRT_OK;
}

unsigned clrt_cluster_sum(unsigned mine) { return mine; }

/* A cluster of one renders without an exchange (host/frame/frame.c never
 * starts one): asking for it is a programming error, said as such. */
clrt_status clrt_cluster_link_start(const clrt_tile_route *route, unsigned local_devices, size_t pixel_bytes,
                                    double silence_ms, clrt_cluster_link **link, clrt_tile_sink *sink,
                                    clrt_error *err) {
  (void)route;
  (void)local_devices;
  (void)pixel_bytes;
  (void)silence_ms;
  (void)sink;
  *link = NULL;
  return clrt_fail(err, CLRT_ERR_RUNTIME, "this clrt was built without MPI: no other process to exchange tiles with");
}

void clrt_cluster_link_finish(clrt_cluster_link *link, double *render_ms) {
  (void)link;
  if (render_ms)
    *render_ms = 0.0;
}

clrt_status clrt_cluster_gather_figures(const clrt_process_figures *mine, clrt_process_figures **all, clrt_error *err) {
  *all = malloc(sizeof **all);
  if (!*all)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory for the process figures");
  **all = *mine;
  return CLRT_OK;
}

/* A cluster of one renders a sequence frame after frame (sequence_command.c
 * never starts an exchange): asking for one is a programming error, said
 * as such. */
clrt_status clrt_frame_exchange_start(long count, size_t picture_bytes, clrt_frame_exchange **exchange,
                                      clrt_error *err) {
  (void)count;
  (void)picture_bytes;
  *exchange = NULL;
  return clrt_fail(err, CLRT_ERR_RUNTIME, "this clrt was built without MPI: no other process to share frames with");
}

bool clrt_frame_exchange_next(clrt_frame_exchange *exchange, long *first, long *count) {
  (void)exchange;
  *first = -1;
  *count = 0;
  return false;
}

void clrt_frame_exchange_finished(clrt_frame_exchange *exchange, long index, const void *picture) {
  (void)exchange;
  (void)index;
  (void)picture;
}

void clrt_frame_exchange_give_back(clrt_frame_exchange *exchange, long first, long count) {
  (void)exchange;
  (void)first;
  (void)count;
}

bool clrt_frame_exchange_take(clrt_frame_exchange *exchange, long index, void *picture, bool wait, bool *lost) {
  (void)exchange;
  (void)index;
  (void)picture;
  (void)wait;
  *lost = true;
  return false;
}

const long *clrt_frame_exchange_rendered(const clrt_frame_exchange *exchange) {
  (void)exchange;
  return NULL;
}

void clrt_frame_exchange_end(clrt_frame_exchange *exchange) { (void)exchange; }
