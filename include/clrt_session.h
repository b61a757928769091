/* One device's share of a render: its context, queue, program and copy of
 * the scene, and two tile slots so that a second tile waits in the queue
 * while the first runs. Completion is signalled by an event callback, so a
 * waiting host thread sleeps instead of polling. */
#ifndef CLRT_SESSION_H
#define CLRT_SESSION_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "clrt_devices.h"
#include "clrt_error.h"
#include "clrt_opencl.h"
#include "clrt_program.h"
#include "clrt_scene.h"
#include "clrt_tiles.h"
#include "clrt_types.h"

enum { CLRT_SESSION_SLOTS = 2 };

typedef enum clrt_slot_state {
  CLRT_SLOT_FREE,
  CLRT_SLOT_RUNNING,
  CLRT_SLOT_DONE,   /* completed; results in the staging buffers */
  CLRT_SLOT_FAILED, /* an event ended with an error status */
} clrt_slot_state;

typedef struct clrt_slot {
  struct clrt_session *owner;
  clrt_slot_state state; /* guarded by the session's lock */
  cl_int error;          /* the failing status, for CLRT_SLOT_FAILED */
  clrt_tile tile;
  double started_ms;
  cl_mem pixels;         /* the tile on the device */
  cl_mem group_rays;     /* rays per work-group on the device */
  clrt_float4 *staging;  /* the tile, read back */
  cl_uint *staging_rays; /* rays per work-group, read back */
  size_t group_count;
  cl_event kernel_done;
  cl_event read_done;
  bool corrupt; /* injected fault: the tile is returned black */
} clrt_slot;

/* What a finished tile yielded. */
typedef struct clrt_tile_result {
  uint64_t rays;
  double kernel_ms; /* from profiling events */
} clrt_tile_result;

typedef struct clrt_session {
  const clrt_device *device;
  cl_context context;
  cl_command_queue queue;
  cl_program program;
  cl_kernel kernel;
  cl_mem params, spheres, materials, lights;
  size_t local_size[2]; /* work-group shape; a power of two in all */
  size_t max_tile_pixels;
  clrt_slot slots[CLRT_SESSION_SLOTS];
  pthread_mutex_t lock;
  pthread_cond_t changed; /* a slot finished */
  bool abandoned;         /* a tile hung: device memory may still be written */
  unsigned tiles_started; /* tiles enqueued so far, to match injected faults */
  double build_ms, upload_ms;
  clrt_build_report build; /* cached or compiled, constant memory or not */
} clrt_session;

/* A new session on the heap: context, queue, program build (fast_math:
 * -cl-fast-relaxed-math, not exact), scene upload, slot buffers. Sessions
 * live on the heap because event callbacks hold pointers into them: one
 * that is abandoned must never move or be freed. NULL on failure. */
clrt_session *clrt_session_create(const clrt_device *device, const clrt_scene *scene, const clrt_render_params *params,
                                  size_t max_tile_pixels, bool fast_math, FILE *log, clrt_error *err);

/* Enqueues the kernel for `tile` and the read-backs into slot `slot`. */
clrt_status clrt_session_enqueue(clrt_session *session, int slot, const clrt_tile *tile, clrt_error *err);

/* Waits until slot `slot` is done or failed, or until `deadline_ms`
 * (clrt_now_ms clock) passes; returns the slot's state then. */
clrt_slot_state clrt_session_wait(clrt_session *session, int slot, double deadline_ms);

/* For a done slot: copies the tile into the framebuffer (image_width
 * wide), and frees the slot. */
void clrt_session_collect(clrt_session *session, int slot, clrt_float4 *framebuffer, unsigned image_width,
                          clrt_tile_result *result);

/* Frees a failed slot; the error is described in err. */
void clrt_session_release_slot(clrt_session *session, int slot, clrt_error *err);

/* Gives up on the device after a hang or an interrupted render: its
 * pending commands may still write into the slots' memory and call back
 * into the session, so clrt_session_destroy will keep it alive. */
void clrt_session_abandon(clrt_session *session);

/* Releases everything, or, for an abandoned session, keeps it reachable
 * for the rest of the process. NULL is fine. */
void clrt_session_destroy(clrt_session *session);

#endif /* CLRT_SESSION_H */
