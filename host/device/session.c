/* One device's OpenCL state for a flat scene, and its tiles' lives. */
#include "clrt_session.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clrt_clock.h"
#include "clrt_flat_arrays.h"

static const double NANOSECONDS_PER_MS = 1e6;
static const double BYTES_PER_MIB = 1024.0 * 1024.0;

/* Work-items per work-group: a power of two (for the ray-count reduction),
 * twice the kernel's preferred multiple (two warps or wavefronts, so one
 * can run while the other waits on memory), at least 64, at most what the
 * kernel allows. Rows of up to 16 work-items keep neighbouring pixels in
 * one SIMD group: their rays go similar ways (less divergence) and their
 * writes are coalesced. */
#define CLRT_WORK_GROUP_MINIMUM 64u
#define CLRT_WORK_GROUP_MAXIMUM 256u
#define CLRT_WORK_GROUP_WIDTH 16u

/* A tile's time limit allows this many times the time its heaviest
 * possible ray trees would take at the device's measured speed. */
#define CLRT_TILE_LIMIT_FACTOR 2.0
/* The speed assumed before the device has finished a tile: 1 Mray/s, below
 * any device that renders at all, so that a heavy first tile is not taken
 * for a hang. */
#define CLRT_ASSUMED_RAYS_PER_MS 1e3

/* The kernel's arguments, in order (kernels/trace.cl): the parameters, the
 * flat arrays of the list, then the tile's. */
enum {
  ARG_PARAMS,
#define CLRT_ARGUMENT_INDEX(type, name, space) ARG_##name,
  CLRT_FLAT_ARRAYS(CLRT_ARGUMENT_INDEX)
#undef CLRT_ARGUMENT_INDEX
      ARG_TILE_WIDTH,
  ARG_TILE_HEIGHT,
  ARG_TILE_PIXELS,
  ARG_GROUP_TALLIES,
  ARG_WORK_ITEMS,
  ARG_FIRST_SAMPLE, /* CLRT_TILE_SUMS only */
  ARG_SAMPLE_COUNT,
};
#define ARG_FIRST_ARRAY (ARG_PARAMS + 1)

typedef enum slot_state {
  SLOT_FREE,
  SLOT_RUNNING,
  SLOT_DONE,   /* completed; results in the staging buffers */
  SLOT_FAILED, /* an event ended with an error status */
} slot_state;

/* One tile in flight: its device buffers, the host memory it is read back
 * into, and its events. */
typedef struct tile_slot {
  struct clrt_session *owner;
  slot_state state; /* guarded by the session's lock */
  cl_int error;     /* the failing status, for SLOT_FAILED */
  clrt_tile tile;
  double submitted_ms;
  cl_mem pixels;               /* the tile on the device */
  cl_mem group_tallies;        /* a tally per work-group on the device */
  unsigned char *staging;      /* the tile, read back */
  clrt_tally *staging_tallies; /* the same, read back */
  size_t group_count;
  cl_event kernel_done;
  cl_event read_done;
  bool corrupt; /* injected fault: the tile is returned black */
} tile_slot;

struct clrt_session {
  clrt_device device;
  char title[CLRT_DEVICE_TITLE_SIZE]; /* the device, in messages */
  clrt_session_options options;
  /* For the tile time limit: the work a pixel can cost, and the rays and
   * kernel time of the tiles finished so far (the device's speed). */
  unsigned samples;
  uint64_t most_rays_per_sample;
  double finished_rays, finished_kernel_ms;
  cl_context context;
  cl_command_queue queue;
  cl_program program;
  cl_kernel kernel;
  cl_mem params;
  cl_mem arrays[CLRT_FLAT_ARRAY_COUNT];
  size_t local_size[2]; /* work-group shape; a power of two in all */
  tile_slot slots[CLRT_SESSION_SLOTS];
  int fifo[CLRT_SESSION_SLOTS]; /* slots in flight, oldest first */
  size_t in_flight;
  double head_since_ms; /* when the oldest tile became the first in the device's queue */
  pthread_mutex_t lock;
  pthread_cond_t changed; /* a slot finished */
  bool abandoned;         /* its commands may still write into its memory */
  struct clrt_session *next_abandoned;
  unsigned tiles_submitted; /* to match injected faults by ordinal */
  double upload_ms;
  clrt_build_facts build;
  bool clipping; /* the program cuts spheres (-DCLRT_CLIPPING) */
};

static void release_scene(clrt_session *s);

static clrt_status check(clrt_session *s, cl_int rc, const char *call, clrt_error *err) {
  return clrt_cl_check(rc, call, s->title, err);
}

static clrt_status create_buffer(clrt_session *s, cl_mem_flags flags, size_t size, const void *data, cl_mem *out,
                                 const char *what, clrt_error *err) {
  cl_int rc;
  *out = clCreateBuffer(s->context, flags | (data ? CL_MEM_COPY_HOST_PTR : 0), size, (void *)data, &rc);
  if (rc == CL_SUCCESS)
    return CLRT_OK;
  return clrt_fail(err, CLRT_ERR_RUNTIME, "%s: clCreateBuffer for %s (%.1f MiB) failed with %s", s->title, what,
                   (double)size / BYTES_PER_MIB, clrt_cl_error_name(rc));
}

static clrt_status create_queue(clrt_session *s, clrt_error *err) {
  cl_int rc;
  cl_context_properties properties[] = {CL_CONTEXT_PLATFORM, (cl_context_properties)s->device.platform, 0};
  s->context = clCreateContext(properties, 1, &s->device.id, NULL, NULL, &rc);
  clrt_status status = check(s, rc, "clCreateContext", err);
  if (status != CLRT_OK)
    return status;
  s->queue = clCreateCommandQueue(s->context, s->device.id, CL_QUEUE_PROFILING_ENABLE, &rc);
  return check(s, rc, "clCreateCommandQueue", err);
}

/* A power of two: twice the preferred multiple, within the bounds above
 * and the kernel's limit. */
static size_t work_group_total(size_t preferred_multiple, size_t kernel_limit) {
  size_t wanted = 2 * preferred_multiple;
  wanted = wanted < CLRT_WORK_GROUP_MINIMUM ? CLRT_WORK_GROUP_MINIMUM : wanted;
  wanted = wanted > CLRT_WORK_GROUP_MAXIMUM ? CLRT_WORK_GROUP_MAXIMUM : wanted;
  size_t total = 1;
  while (total * 2 <= kernel_limit && total * 2 <= wanted)
    total *= 2;
  return total;
}

static clrt_status choose_work_group(clrt_session *s, clrt_error *err) {
  size_t kernel_limit = 1, multiple = 1;
  cl_ulong local_memory = 0;
  clrt_status status;
  if ((status = check(s,
                      clGetKernelWorkGroupInfo(s->kernel, s->device.id, CL_KERNEL_WORK_GROUP_SIZE, sizeof kernel_limit,
                                               &kernel_limit, NULL),
                      "clGetKernelWorkGroupInfo", err)) ||
      (status = check(s,
                      clGetKernelWorkGroupInfo(s->kernel, s->device.id, CL_KERNEL_PREFERRED_WORK_GROUP_SIZE_MULTIPLE,
                                               sizeof multiple, &multiple, NULL),
                      "clGetKernelWorkGroupInfo", err)) ||
      (status =
           check(s, clGetDeviceInfo(s->device.id, CL_DEVICE_LOCAL_MEM_SIZE, sizeof local_memory, &local_memory, NULL),
                 "clGetDeviceInfo", err)))
    return status;
  size_t total = work_group_total(multiple, kernel_limit);
  /* Every work-item's slot of local memory (clrt_work_item) must fit. */
  while (total > 1 && total * sizeof(clrt_work_item) > local_memory)
    total /= 2;
  s->local_size[0] = total < CLRT_WORK_GROUP_WIDTH ? total : CLRT_WORK_GROUP_WIDTH;
  s->local_size[1] = total / s->local_size[0];
  return check(s, clSetKernelArg(s->kernel, ARG_WORK_ITEMS, total * sizeof(clrt_work_item), NULL), "clSetKernelArg",
               err);
}

/* A kernel of exact sums takes the pass's samples, the same for every
 * tile; one of the auxiliary passes, how many samples they average. */
static bool takes_sample_range(clrt_tile_form form) { return form == CLRT_TILE_SUMS || form == CLRT_TILE_AUX; }

static clrt_status set_sample_range(clrt_session *s, clrt_error *err) {
  if (!takes_sample_range(s->options.tile_form))
    return CLRT_OK;
  cl_uint first = s->options.first_sample, count = s->options.sample_count;
  clrt_status status =
      check(s, clSetKernelArg(s->kernel, ARG_FIRST_SAMPLE, sizeof first, &first), "clSetKernelArg", err);
  return status == CLRT_OK
             ? check(s, clSetKernelArg(s->kernel, ARG_SAMPLE_COUNT, sizeof count, &count), "clSetKernelArg", err)
             : status;
}

/* The program a scene needs on this session's device. */
static clrt_program_kind program_kind(const clrt_session *s, const clrt_flat_scene *scene) {
  return (clrt_program_kind){.integrator = scene->params.integrator,
                             .scene_bytes = clrt_flat_scene_bytes(scene),
                             .array_memory = s->options.array_memory,
                             .fast_math = s->options.fast_math,
                             .tile_form = s->options.tile_form,
                             .clipping = scene->clip_planes_count > 0};
}

static clrt_status build_kernel(clrt_session *s, const clrt_flat_scene *scene, clrt_error *err) {
  clrt_program_kind kind = program_kind(s, scene);
  s->clipping = kind.clipping;
  clrt_status status =
      clrt_program_build(s->context, &s->device, &kind, s->options.build_log, &s->program, &s->build, err);
  if (status != CLRT_OK)
    return status;
  cl_int rc;
  s->kernel = clCreateKernel(s->program, CLRT_TRACE_KERNEL_NAME, &rc);
  if ((status = check(s, rc, "clCreateKernel", err)) || (status = set_sample_range(s, err)))
    return status;
  return choose_work_group(s, err);
}

/* Refuses tiles whose output the device cannot allocate in one piece,
 * with the fix in the message rather than a bare CL error. */
static clrt_status check_tile_fits(const clrt_device *device, size_t tile_bytes, clrt_error *err) {
  if (tile_bytes <= device->max_allocation)
    return CLRT_OK;
  char title[CLRT_DEVICE_TITLE_SIZE];
  clrt_device_title(device, title, sizeof title);
  return clrt_fail(err, CLRT_ERR_INPUT,
                   "%s: a tile needs %.1f MiB but the device allocates at most %.1f MiB at once; use a smaller "
                   "--tile-size or more --tiles",
                   title, (double)tile_bytes / BYTES_PER_MIB, (double)device->max_allocation / BYTES_PER_MIB);
}

static clrt_status array_too_big(const clrt_device *device, const char *name, size_t count, size_t bytes,
                                 clrt_error *err) {
  char title[CLRT_DEVICE_TITLE_SIZE];
  clrt_device_title(device, title, sizeof title);
  return clrt_fail(err, CLRT_ERR_RUNTIME,
                   "%s: the scene's %s (%zu of them) take %.1f MiB, but the device allocates at most %.1f MiB at "
                   "once (CL_DEVICE_MAX_MEM_ALLOC_SIZE): render fewer spheres, or on a device with more memory",
                   title, name, count, (double)bytes / BYTES_PER_MIB, (double)device->max_allocation / BYTES_PER_MIB);
}

clrt_status clrt_session_check_fits(const clrt_device *device, const clrt_flat_scene *scene, size_t tile_bytes,
                                    clrt_error *err) {
  clrt_status status = check_tile_fits(device, tile_bytes, err);
  size_t total = CLRT_SESSION_SLOTS * tile_bytes;
#define CLRT_CHECK_ARRAY(type, name, space)                                                                            \
  if (status == CLRT_OK && scene->name##_count * sizeof(type) > device->max_allocation)                                \
    status = array_too_big(device, #name, scene->name##_count, scene->name##_count * sizeof(type), err);               \
  total += scene->name##_count * sizeof(type);
  CLRT_FLAT_ARRAYS(CLRT_CHECK_ARRAY)
#undef CLRT_CHECK_ARRAY
  char title[CLRT_DEVICE_TITLE_SIZE];
  clrt_device_title(device, title, sizeof title);
  if (status == CLRT_OK && total > device->global_memory)
    status = clrt_fail(err, CLRT_ERR_RUNTIME,
                       "%s: the scene and two tiles need %.1f MiB, more than the device's %.1f MiB of global memory: "
                       "render fewer spheres or smaller tiles, or on a device with more memory",
                       title, (double)total / BYTES_PER_MIB, (double)device->global_memory / BYTES_PER_MIB);
  return status;
}

static clrt_status set_buffer_argument(clrt_session *s, cl_uint index, cl_mem buffer, clrt_error *err) {
  return check(s, clSetKernelArg(s->kernel, index, sizeof buffer, &buffer), "clSetKernelArg", err);
}

/* One flat array into a read-only buffer, as kernel argument `index`.
 * An empty array still gets one element: OpenCL has no zero-sized buffers. */
static clrt_status upload_array(clrt_session *s, cl_uint index, const void *data, size_t count, size_t element_size,
                                const char *what, clrt_error *err) {
  cl_mem *buffer = &s->arrays[index - ARG_FIRST_ARRAY];
  clrt_status status = create_buffer(s, CL_MEM_READ_ONLY, (count ? count : 1) * element_size, data, buffer, what, err);
  return status == CLRT_OK ? set_buffer_argument(s, index, *buffer, err) : status;
}

static clrt_status upload_scene(clrt_session *s, const clrt_flat_scene *scene, clrt_error *err) {
  double start = clrt_now_ms();
  clrt_status status =
      create_buffer(s, CL_MEM_READ_ONLY, sizeof scene->params, &scene->params, &s->params, "trace parameters", err);
  if (status == CLRT_OK)
    status = set_buffer_argument(s, ARG_PARAMS, s->params, err);
#define CLRT_UPLOAD_ARRAY(type, name, space)                                                                           \
  if (status == CLRT_OK)                                                                                               \
    status = upload_array(s, ARG_##name, scene->name, scene->name##_count, sizeof(type), #name, err);
  CLRT_FLAT_ARRAYS(CLRT_UPLOAD_ARRAY)
#undef CLRT_UPLOAD_ARRAY
  if (status == CLRT_OK)
    status = check(s, clFinish(s->queue), "clFinish", err);
  s->upload_ms = clrt_now_ms() - start;
  return status;
}

size_t clrt_session_pixel_bytes(clrt_tile_form form) {
  switch (form) {
  case CLRT_TILE_LEVELS:
    return 3;
  case CLRT_TILE_LINEAR:
    return sizeof(clrt_float4);
  case CLRT_TILE_SUMS:
    return sizeof(clrt_pixel_sum);
  case CLRT_TILE_AUX:
    return sizeof(clrt_pixel_aux);
  }
  return 3;
}

static size_t tile_bytes(const clrt_session *s, size_t pixels) {
  return pixels * clrt_session_pixel_bytes(s->options.tile_form);
}

static clrt_status create_slot(clrt_session *s, tile_slot *slot, clrt_error *err) {
  size_t pixels = s->options.max_tile_pixels;
  slot->owner = s;
  slot->state = SLOT_FREE;
  /* Every work-group holds at least one pixel of its tile. */
  slot->staging = malloc(tile_bytes(s, pixels));
  slot->staging_tallies = malloc(pixels * sizeof *slot->staging_tallies);
  if (!slot->staging || !slot->staging_tallies)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory for %zu-pixel tiles", pixels);
  clrt_status status =
      create_buffer(s, CL_MEM_WRITE_ONLY, tile_bytes(s, pixels), NULL, &slot->pixels, "tile output", err);
  if (status != CLRT_OK)
    return status;
  return create_buffer(s, CL_MEM_WRITE_ONLY, pixels * sizeof(clrt_tally), NULL, &slot->group_tallies, "ray tallies",
                       err);
}

static clrt_status open_session(clrt_session *s, const clrt_flat_scene *scene, clrt_error *err) {
  clrt_status status;
  if ((status = clrt_session_check_fits(&s->device, scene, tile_bytes(s, s->options.max_tile_pixels), err)) ||
      (status = create_queue(s, err)) || (status = build_kernel(s, scene, err)) ||
      (status = upload_scene(s, scene, err)))
    return status;
  for (int i = 0; i < CLRT_SESSION_SLOTS; ++i)
    if ((status = create_slot(s, &s->slots[i], err)))
      return status;
  return CLRT_OK;
}

clrt_session *clrt_session_open(const clrt_device *device, const clrt_flat_scene *scene,
                                const clrt_session_options *options, clrt_error *err) {
  clrt_session *s = calloc(1, sizeof *s);
  if (!s) {
    clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory for a device session");
    return NULL;
  }
  s->device = *device;
  clrt_device_title(device, s->title, sizeof s->title);
  s->options = *options;
  s->samples = takes_sample_range(options->tile_form) ? options->sample_count : scene->params.samples;
  s->most_rays_per_sample = scene->most_rays_per_sample;
  pthread_mutex_init(&s->lock, NULL);
  pthread_cond_init(&s->changed, NULL);
  if (open_session(s, scene, err) != CLRT_OK) {
    clrt_session_close(s);
    return NULL;
  }
  return s;
}

/* A scene whose arrays the program reads from the other memory space
 * (they outgrew __constant, or now fit it), or that starts or stops
 * cutting spheres, needs another program. */
static clrt_status rebuild_if_needed(clrt_session *s, const clrt_flat_scene *scene, clrt_error *err) {
  clrt_program_kind kind = program_kind(s, scene);
  bool in_constant;
  clrt_status status = clrt_program_array_space(&s->device, &kind, &in_constant, err);
  if (status != CLRT_OK || (in_constant == s->build.arrays_in_constant && kind.clipping == s->clipping))
    return status;
  clReleaseKernel(s->kernel);
  clReleaseProgram(s->program);
  s->kernel = NULL;
  s->program = NULL;
  return build_kernel(s, scene, err);
}

/* Only the parameters (the camera): one small write. */
static clrt_status upload_params(clrt_session *s, const clrt_flat_scene *scene, clrt_error *err) {
  double start = clrt_now_ms();
  clrt_status status = check(
      s, clEnqueueWriteBuffer(s->queue, s->params, CL_TRUE, 0, sizeof scene->params, &scene->params, 0, NULL, NULL),
      "clEnqueueWriteBuffer", err);
  s->upload_ms = clrt_now_ms() - start;
  return status;
}

clrt_status clrt_session_load_scene(clrt_session *s, const clrt_flat_scene *scene, bool arrays_changed,
                                    clrt_error *err) {
  if (s->abandoned || s->in_flight)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "%s: a new scene while tiles are in flight", s->title);
  if (!arrays_changed)
    return upload_params(s, scene, err);
  clrt_status status = clrt_session_check_fits(&s->device, scene, tile_bytes(s, s->options.max_tile_pixels), err);
  if (status == CLRT_OK)
    status = rebuild_if_needed(s, scene, err);
  if (status != CLRT_OK)
    return status;
  release_scene(s);
  memset(s->arrays, 0, sizeof s->arrays);
  s->params = NULL;
  s->samples = takes_sample_range(s->options.tile_form) ? s->options.sample_count : scene->params.samples;
  s->most_rays_per_sample = scene->most_rays_per_sample;
  return upload_scene(s, scene, err);
}

bool clrt_session_abandoned(const clrt_session *s) { return s->abandoned; }

const clrt_device *clrt_session_device(const clrt_session *s) { return &s->device; }
const clrt_build_facts *clrt_session_build(const clrt_session *s) { return &s->build; }
double clrt_session_upload_ms(const clrt_session *s) { return s->upload_ms; }
size_t clrt_session_max_tile_pixels(const clrt_session *s) { return s->options.max_tile_pixels; }
size_t clrt_session_in_flight(const clrt_session *s) { return s->in_flight; }
bool clrt_session_has_room(const clrt_session *s) { return !s->abandoned && s->in_flight < CLRT_SESSION_SLOTS; }

/* ---- a tile's life ---- */

static void set_slot_state(clrt_session *s, tile_slot *slot, slot_state state) {
  pthread_mutex_lock(&s->lock);
  slot->state = state;
  pthread_mutex_unlock(&s->lock);
}

static void CL_CALLBACK on_tile_read(cl_event event, cl_int execution_status, void *user_data) {
  (void)event;
  tile_slot *slot = user_data;
  clrt_session *s = slot->owner;
  pthread_mutex_lock(&s->lock);
  slot->state = execution_status == CL_COMPLETE ? SLOT_DONE : SLOT_FAILED;
  slot->error = execution_status;
  pthread_cond_broadcast(&s->changed);
  pthread_mutex_unlock(&s->lock);
}

static size_t round_up(size_t value, size_t multiple) { return (value + multiple - 1) / multiple * multiple; }

static clrt_status set_tile_arguments(clrt_session *s, tile_slot *slot, clrt_error *err) {
  cl_uint width = slot->tile.width, height = slot->tile.height;
  clrt_status status;
  if ((status = check(s, clSetKernelArg(s->kernel, ARG_TILE_WIDTH, sizeof width, &width), "clSetKernelArg", err)) ||
      (status = check(s, clSetKernelArg(s->kernel, ARG_TILE_HEIGHT, sizeof height, &height), "clSetKernelArg", err)) ||
      (status = set_buffer_argument(s, ARG_TILE_PIXELS, slot->pixels, err)))
    return status;
  return set_buffer_argument(s, ARG_GROUP_TALLIES, slot->group_tallies, err);
}

static clrt_status enqueue_commands(clrt_session *s, tile_slot *slot, clrt_error *err) {
  const clrt_tile *tile = &slot->tile;
  size_t offset[2] = {tile->x, tile->y};
  size_t global[2] = {round_up(tile->width, s->local_size[0]), round_up(tile->height, s->local_size[1])};
  slot->group_count = (global[0] / s->local_size[0]) * (global[1] / s->local_size[1]);
  clrt_status status = set_tile_arguments(s, slot, err);
  if (status != CLRT_OK)
    return status;
  cl_int rc =
      clEnqueueNDRangeKernel(s->queue, s->kernel, 2, offset, global, s->local_size, 0, NULL, &slot->kernel_done);
  if ((status = check(s, rc, "clEnqueueNDRangeKernel", err)))
    return status;
  rc = clEnqueueReadBuffer(s->queue, slot->group_tallies, CL_FALSE, 0, slot->group_count * sizeof(clrt_tally),
                           slot->staging_tallies, 0, NULL, NULL);
  if ((status = check(s, rc, "clEnqueueReadBuffer", err)))
    return status;
  /* The queue is in order: when this last read is done, so is the tile. */
  rc = clEnqueueReadBuffer(s->queue, slot->pixels, CL_FALSE, 0, tile_bytes(s, (size_t)tile->width * tile->height),
                           slot->staging, 0, NULL, &slot->read_done);
  if ((status = check(s, rc, "clEnqueueReadBuffer", err)))
    return status;
  if ((status =
           check(s, clSetEventCallback(slot->read_done, CL_COMPLETE, on_tile_read, slot), "clSetEventCallback", err)))
    return status;
  return check(s, clFlush(s->queue), "clFlush", err);
}

static void release_events(tile_slot *slot) {
  if (slot->kernel_done)
    clReleaseEvent(slot->kernel_done);
  if (slot->read_done)
    clReleaseEvent(slot->read_done);
  slot->kernel_done = slot->read_done = NULL;
}

static int free_slot(const clrt_session *s) {
  for (int i = 0; i < CLRT_SESSION_SLOTS; ++i)
    if (s->slots[i].state == SLOT_FREE)
      return i;
  return -1;
}

/* The tile joins the device's queue; an empty queue starts its clock. */
static void push_in_flight(clrt_session *s, int index) {
  if (s->in_flight == 0)
    s->head_since_ms = clrt_now_ms();
  s->fifo[s->in_flight++] = index;
}

/* The oldest tile leaves the queue; the next one is first from now on. */
static void pop_oldest(clrt_session *s) {
  for (size_t i = 1; i < s->in_flight; ++i)
    s->fifo[i - 1] = s->fifo[i];
  --s->in_flight;
  s->head_since_ms = clrt_now_ms();
}

static clrt_status injected_failure(clrt_session *s, clrt_error *err) {
  return clrt_fail(err, CLRT_ERR_RUNTIME, "%s: clEnqueueNDRangeKernel failed with CL_OUT_OF_RESOURCES (injected by %s)",
                   s->title, CLRT_FAULT_ENVIRONMENT);
}

clrt_status clrt_session_submit(clrt_session *s, const clrt_tile *tile, clrt_error *err) {
  int index = free_slot(s);
  if (index < 0 || s->abandoned)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "%s: no room for another tile", s->title);
  tile_slot *slot = &s->slots[index];
  slot->tile = *tile;
  slot->submitted_ms = clrt_now_ms();
  clrt_fault fault = clrt_faults_for(s->options.faults, &s->device, ++s->tiles_submitted);
  slot->corrupt = fault == CLRT_FAULT_WRONG;
  if (fault == CLRT_FAULT_FAIL)
    return injected_failure(s, err);
  set_slot_state(s, slot, SLOT_RUNNING);
  clrt_status status = fault == CLRT_FAULT_HANG ? CLRT_OK /* nothing enqueued: it never completes */
                                                : enqueue_commands(s, slot, err);
  if (status != CLRT_OK) {
    clFinish(s->queue); /* the reads target the slot's memory: let them end */
    release_events(slot);
    set_slot_state(s, slot, SLOT_FREE);
    return status;
  }
  push_in_flight(s, index);
  return CLRT_OK;
}

/* The oldest tile's time limit, from when it became first in the queue:
 * --tile-timeout, plus twice what the heaviest ray trees its pixels could
 * have would take at the device's speed (measured on the tiles it
 * finished; assumed slow before the first). A heavy scene, or 4096
 * samples a pixel, is so never taken for a hung device, while a light
 * tile still gets a prompt verdict. */
static double oldest_limit_ms(const clrt_session *s) {
  const tile_slot *oldest = &s->slots[s->fifo[0]];
  double most_rays = (double)oldest->tile.width * oldest->tile.height * s->samples * (double)s->most_rays_per_sample;
  double rays_per_ms = s->finished_kernel_ms > 0.0 && s->finished_rays > 0.0 ? s->finished_rays / s->finished_kernel_ms
                                                                             : CLRT_ASSUMED_RAYS_PER_MS;
  return s->options.tile_timeout_ms + CLRT_TILE_LIMIT_FACTOR * most_rays / rays_per_ms;
}

static double oldest_deadline_ms(const clrt_session *s) {
  const tile_slot *oldest = &s->slots[s->fifo[0]];
  double since = oldest->submitted_ms > s->head_since_ms ? oldest->submitted_ms : s->head_since_ms;
  return since + oldest_limit_ms(s);
}

static struct timespec absolute_time(double deadline_ms) {
  /* pthread_cond_timedwait uses CLOCK_REALTIME: convert the deadline. */
  double remaining_ms = deadline_ms - clrt_now_ms();
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  double target = (double)now.tv_sec + (double)now.tv_nsec / 1e9 + (remaining_ms > 0 ? remaining_ms / 1e3 : 0);
  struct timespec when = {(time_t)target, (long)((target - (double)(time_t)target) * 1e9)};
  return when;
}

/* Sleeps until the slot leaves SLOT_RUNNING or `until_ms` passes. */
static slot_state wait_slot(clrt_session *s, tile_slot *slot, double until_ms) {
  struct timespec when = absolute_time(until_ms);
  pthread_mutex_lock(&s->lock);
  int rc = 0;
  while (slot->state == SLOT_RUNNING && rc != ETIMEDOUT)
    rc = pthread_cond_timedwait(&s->changed, &s->lock, &when);
  slot_state state = slot->state;
  pthread_mutex_unlock(&s->lock);
  return state;
}

static double event_duration_ms(cl_event event) {
  cl_ulong start = 0, end = 0;
  if (clGetEventProfilingInfo(event, CL_PROFILING_COMMAND_START, sizeof start, &start, NULL) != CL_SUCCESS ||
      clGetEventProfilingInfo(event, CL_PROFILING_COMMAND_END, sizeof end, &end, NULL) != CL_SUCCESS)
    return 0.0;
  return (double)(end - start) / NANOSECONDS_PER_MS;
}

static void describe_done(clrt_session *s, tile_slot *slot, clrt_tile_outcome *outcome) {
  const clrt_tile *tile = &slot->tile;
  if (slot->corrupt)
    memset(slot->staging, 0, tile_bytes(s, (size_t)tile->width * tile->height));
  outcome->pixels = slot->staging;
  outcome->rays = (clrt_ray_counts){0, 0, 0};
  outcome->cut_short_samples = 0;
  for (size_t i = 0; i < slot->group_count; ++i) {
    const clrt_tally *tally = &slot->staging_tallies[i];
    clrt_rays_add(&outcome->rays, &(clrt_ray_counts){tally->camera_rays, tally->bounce_rays, tally->shadow_rays});
    outcome->cut_short_samples += slot->staging_tallies[i].cut_short_samples;
  }
  outcome->kernel_ms = event_duration_ms(slot->kernel_done);
  s->finished_rays += (double)clrt_rays_total(&outcome->rays);
  s->finished_kernel_ms += outcome->kernel_ms;
}

static void describe_failure(const clrt_session *s, const tile_slot *slot, clrt_tile_outcome *outcome) {
  cl_int kernel_status = CL_COMPLETE;
  if (slot->kernel_done)
    clGetEventInfo(slot->kernel_done, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof kernel_status, &kernel_status, NULL);
  cl_int failure = kernel_status < 0 ? kernel_status : slot->error;
  clrt_fail(&outcome->error, CLRT_ERR_RUNTIME, "%s failed on tile (%u,%u %ux%u): %s during the %s", s->title,
            slot->tile.x, slot->tile.y, slot->tile.width, slot->tile.height, clrt_cl_error_name(failure),
            kernel_status < 0 ? "kernel" : "read-back");
}

static void describe_hang(const clrt_session *s, clrt_tile_outcome *outcome) {
  const clrt_tile *tile = &s->slots[s->fifo[0]].tile;
  clrt_fail(&outcome->error, CLRT_ERR_RUNTIME, "%s: tile (%u,%u %ux%u) exceeded its %.1f s time limit (--tile-timeout)",
            s->title, tile->x, tile->y, tile->width, tile->height, oldest_limit_ms(s) / 1e3);
}

clrt_tile_state clrt_session_wait(clrt_session *s, double wake_ms, clrt_tile_outcome *outcome) {
  memset(outcome, 0, sizeof *outcome);
  if (s->in_flight == 0)
    return CLRT_TILE_RUNNING;
  tile_slot *oldest = &s->slots[s->fifo[0]];
  outcome->tile = oldest->tile;
  double deadline = oldest_deadline_ms(s);
  slot_state state = wait_slot(s, oldest, wake_ms < deadline ? wake_ms : deadline);
  if (state == SLOT_RUNNING) {
    if (clrt_now_ms() < deadline)
      return CLRT_TILE_RUNNING;
    describe_hang(s, outcome);
    return CLRT_TILE_HUNG;
  }
  pop_oldest(s);
  if (state == SLOT_DONE)
    describe_done(s, oldest, outcome);
  else
    describe_failure(s, oldest, outcome);
  release_events(oldest);
  set_slot_state(s, oldest, SLOT_FREE);
  return state == SLOT_DONE ? CLRT_TILE_DONE : CLRT_TILE_FAILED;
}

/* ---- closing ---- */

/* Abandoned sessions, kept reachable until the process ends: their
 * commands may still complete and call back into them. A list through the
 * sessions themselves, so that keeping one can never fail. */
static clrt_session *abandoned_sessions;
static pthread_mutex_t abandoned_lock = PTHREAD_MUTEX_INITIALIZER;

size_t clrt_session_abandon(clrt_session *s, clrt_tile *tiles) {
  size_t count = s->in_flight;
  for (size_t i = 0; i < count; ++i)
    tiles[i] = s->slots[s->fifo[i]].tile;
  s->in_flight = 0;
  if (!s->abandoned) {
    s->abandoned = true;
    pthread_mutex_lock(&abandoned_lock);
    s->next_abandoned = abandoned_sessions;
    abandoned_sessions = s;
    pthread_mutex_unlock(&abandoned_lock);
  }
  return count;
}

static void release_slot_memory(tile_slot *slot) {
  if (slot->pixels)
    clReleaseMemObject(slot->pixels);
  if (slot->group_tallies)
    clReleaseMemObject(slot->group_tallies);
  free(slot->staging);
  free(slot->staging_tallies);
}

static void release_scene(clrt_session *s) {
  if (s->params)
    clReleaseMemObject(s->params);
  for (size_t i = 0; i < CLRT_FLAT_ARRAY_COUNT; ++i)
    if (s->arrays[i])
      clReleaseMemObject(s->arrays[i]);
}

void clrt_session_close(clrt_session *s) {
  if (!s || s->abandoned)
    return; /* an abandoned session's commands may never end: keep everything they could touch */
  if (s->queue)
    clFinish(s->queue);
  for (int i = 0; i < CLRT_SESSION_SLOTS; ++i) {
    release_events(&s->slots[i]);
    release_slot_memory(&s->slots[i]);
  }
  release_scene(s);
  if (s->kernel)
    clReleaseKernel(s->kernel);
  if (s->program)
    clReleaseProgram(s->program);
  if (s->queue)
    clReleaseCommandQueue(s->queue);
  if (s->context)
    clReleaseContext(s->context);
  pthread_cond_destroy(&s->changed);
  pthread_mutex_destroy(&s->lock);
  free(s);
}
